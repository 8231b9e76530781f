"""An external SPARQL 1.1 store (Oxigraph server, Fuseki, GraphDB, Virtuoso…) behind the same interface as the
embedded store, spoken to in standards only: the SPARQL 1.1 Protocol for queries, SPARQL 1.1 Update for writes, the
Graph Store HTTP Protocol for loading big graphs.

sikg stays stateless in front of it, so many instances can share one store. The store's state token (for ETags and
the answer cache) therefore lives in the store itself: every write made through sikg sets a new token in the graph
…/graph/state in the same update request, and every instance reads it from there.

Every query names its dataset with the protocol's own parameters (default-graph-uri and named-graph-uri), so the
store's own default graph is never used and its union-default-graph setting does not matter: a query that does not
name its dataset is sent with the public graphs as its dataset (the contract's union of them as default graph),
query_private() with every graph, and a query whose FROM / FROM NAMED name graphs with those. The graphs are listed
once per state token: private graphs (pending contributions, token hashes) stay out whichever instance wrote them,
with no window between a write and the next listing, since a graph's name says whether it is private and the list is
of names allowed, not names refused. A store that ignored those parameters would need the union as its default
graph (Oxigraph: `serve --union-default-graph`; Fuseki: `tdb2:unionDefaultGraph true`); store.unusable() says so.
"""

import hashlib
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import pyoxigraph as ox
import urllib3

from ..errors import StoreUnavailable
from ..formats import QUERY_OUTPUTS
from ..namespaces import DCT, GRAPH_STATE, sparql_prologue
from ..rdf.results import TableTooLarge, write_result
from ..settings import Settings
from ..sparql.evaluator import (
    EvalRequest,
    EvaluatorPool,
    QueryTimeout,
    ResultTooLarge,
    term_from_wire,
)
from ..sparql.safety import QUERY_FORMS, _scan, inspect_query
from .base import EMPTY_GRAPH, KnowledgeGraphStore, QueryEvaluator, is_private, public_request
from .staging import GRAPH_STAGING, Staged, stage_constant_blocks
from .upload import send_graph

INSERT_DATA_LIMIT = 20_000  # triples; bigger replacements go by Graph Store Protocol PUT, one graph at a time


def _sibling(url: str, name: str | None) -> str:
    """An endpoint beside the query endpoint (Oxigraph server: /query, /update, /store); None: the query endpoint."""
    return url if name is None else url.rsplit("/", 1)[0] + "/" + name


def _edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, replacement) made, the edits in order and not overlapping."""
    out, last = [], 0
    for start, end, replacement in edits:
        out += [text[last:start], replacement]
        last = end
    return "".join(out) + text[last:]


def bind_terms(query: str, substitutions: dict | None) -> str:
    """Parameters for a store that only speaks the protocol, bound exactly as the embedded store binds them
    (pyoxigraph's `substitutions`): each parameter's RDF term, written by Oxigraph (escaped term syntax, so a value
    cannot change the query's shape), takes the place of its variable in the query text, read through the tokenizer,
    so it holds inside FILTER (NOT) EXISTS, MINUS, OPTIONAL and UNION as it does on the embedded store (a VALUES block
    joins only where it stands). As there, the variable must be in the SELECT projection and stays in the answer: a
    bare `?x` there becomes `(term AS ?x)` (`SELECT *`: a BIND closing the WHERE clause); a subquery sees the term only
    if it projects the variable, since SPARQL scopes a subquery's other variables to it (it then projects the term as
    ?x_sikg_bound, which only a SELECT * around it shows); after GROUP BY / ORDER BY the term is bracketed. A
    parameter the query assigns itself (BIND … AS, an expression's AS, VALUES) is refused with SyntaxError (a 400, like
    a query the store refuses), as a term cannot be assigned to."""
    if not substitutions:
        return query
    terms = _written_terms(substitutions)
    text, tokens = _scan(query)
    edits = []  # (start, end, replacement) in the text
    depth = 0  # braces
    scopes = [(0, set(terms))]  # (the brace depth a subquery closes at, the parameters bound inside it)
    star_close = False
    modifier = False  # after GROUP BY / ORDER BY: a term stands there bracketed
    index = 0
    while index < len(tokens):
        kind, value, start, end = tokens[index]
        word = value.upper() if kind == "word" else None
        if word == "SELECT":
            inner, star, index = _select(tokens, index, depth, scopes[-1][1], terms, edits)
            if depth:
                scopes.append((depth - 1, inner))
            star_close = star_close or (star and depth == 0)
            continue
        if kind == "other" and value == "{":
            depth, modifier = depth + 1, False
        elif kind == "other" and value == "}":
            depth, modifier = depth - 1, False
            while len(scopes) > 1 and depth <= scopes[-1][0]:
                scopes.pop()
            if depth == 0 and star_close:  # SELECT *: the parameters join the answer here
                edits.append((start, start, " ".join(f"BIND({t} AS ?{n})" for n, t in terms.items()) + " "))
                star_close = False
        elif word == "BY":
            modifier = True
        elif word in ("LIMIT", "OFFSET", "HAVING", "VALUES"):
            modifier = False
            following = index + 1
            while word == "VALUES" and following < len(tokens) and tokens[following][1] != "{":
                if tokens[following][0] == "var" and tokens[following][1][1:] in scopes[-1][1]:
                    raise SyntaxError(f"parameter {tokens[following][1]} is assigned in the query (VALUES)")
                following += 1
        elif kind == "var" and value[1:] in scopes[-1][1]:
            if index and tokens[index - 1][1].upper() == "AS":
                raise SyntaxError(f"parameter {value} is assigned in the query (AS {value})")
            edits.append((start, end, f"({terms[value[1:]]})" if modifier else terms[value[1:]]))
        index += 1
    return _edited(text, edits)


def _written_terms(substitutions: dict) -> dict[str, str]:
    """{variable name: the term as Oxigraph writes it}; only IRIs and literals (a blank node in a query's text would
    be a variable of its own)."""
    terms = {}
    for variable, term in substitutions.items():
        name = variable.value if isinstance(variable, ox.Variable) else str(variable).lstrip("?$")
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise SyntaxError(f"parameter ?{name}: only an IRI or a literal can be bound, not {term}")
        terms[name] = str(term)
    return terms


def _select(
    tokens: list[tuple], index: int, depth: int, bound: set[str], terms: dict[str, str], edits: list
) -> tuple[set[str], bool, int]:
    """The SELECT at tokens[index] (the query's, depth 0, or a subquery's): (the parameters bound inside it, whether
    it is SELECT *, the index of the token past its projection); its projection's edits appended to `edits`."""
    projection, index_end = _projection(tokens, index + 1)
    star = [v.upper() for _, v in projection if v.upper() not in ("DISTINCT", "REDUCED")] == ["*"]
    projected = {v[1:] for k, v in projection if k == "var"}
    for position, (k, v) in enumerate(projection):
        if k == "var" and v[1:] in terms and position and projection[position - 1][1].upper() == "AS":
            raise SyntaxError(f"parameter ?{v[1:]} is assigned in the query (AS ?{v[1:]})")
    if depth == 0:
        missing = [n for n in terms if not star and n not in projected]
        if missing:
            raise SyntaxError(f"the query does not have ?{missing[0]} in its SELECT projection")
        inner = set(terms)
    else:
        inner = {n for n in bound if star or n in projected}
    # a bare parameter becomes (term AS ?x); one inside an expression, the term
    level = 0
    for kind, value, start, end in tokens[index + 1 : index_end]:
        if kind == "other" and value in "()":
            level += 1 if value == "(" else -1
        elif kind == "var" and value[1:] in inner:
            term = terms[value[1:]]
            if level:
                edits.append((start, end, term))
            elif depth == 0:
                edits.append((start, end, f"({term} AS {value})"))
            else:  # a subquery's: the term is the enclosing query's already, under a name of its own
                edits.append((start, end, f"({term} AS ?{value[1:]}_sikg_bound)"))
    return inner, star, index_end


def _projection(tokens: list[tuple], index: int) -> tuple[list[tuple[str, str]], int]:
    """The tokens of a SELECT's projection from `index` (past SELECT, DISTINCT, REDUCED), and the index of the
    token that ends it (WHERE, FROM or the group's "{")."""
    level, end = 0, index
    while end < len(tokens):
        kind, value = tokens[end][0], tokens[end][1]
        if kind == "other" and value == "(":
            level += 1
        elif kind == "other" and value == ")":
            level -= 1
        elif level == 0 and (value == "{" or kind == "word" and value.upper() in ("WHERE", "FROM")):
            break
        end += 1
    return [(k, v) for k, v, _, _ in tokens[index:end]], end


def _own_dataset(query: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The dataset a query's FROM / FROM NAMED define, as protocol parameters: a store serving the union as its
    default graph may otherwise let that override them. What the query leaves out is empty, as SPARQL says (a FROM
    alone means no named graphs)."""
    shape = inspect_query(query)
    return tuple(shape.from_graphs) or (EMPTY_GRAPH,), tuple(shape.from_named_graphs) or (EMPTY_GRAPH,)


# -- what external stores answer differently, handled here and only here ----------------------------------------
# Each difference sikg meets, where it is handled, and its test (tests/test_remote_store.py, tests/test_virtuoso.py):
# - results in another format than SPARQL JSON (XML; TSV from a store that writes it as the standard says) or graphs
#   in another RDF syntax: read by their Content-Type (_RESULTS_FORMATS, _GRAPH_FORMATS);
# - SPARQL 1.0 JSON's "typed-literal" (Virtuoso): pyoxigraph reads it;
# - blank nodes labelled "nodeID://b1" in SPARQL results (Virtuoso), not a blank node label: relabelled "b1"
#   (_BLANK_NODE_LABEL, in whole answers and in streamed ones alike), and xsd:boolean written "0" / "1" there
#   (Virtuoso) as "false" / "true" (_BOOLEAN);
# - `GRAPH ?g { }` answered with one row whose ?g is unbound (Virtuoso): the graphs are listed from their quads
#   (_GRAPH_LISTING_BY_QUADS);
# - blank nodes refused in INSERT DATA (Virtuoso: "not allowed in a constant clause"): an INSERT DATA that holds any
#   is sent as INSERT { … } WHERE { }, which SPARQL 1.1 Update defines to insert the same (fresh blank nodes once);
#   done for every store (_insert_data_as_template);
# - SELECT and ASK answers passed to a client are read and written again by sikg (rdf.results), never passed on as
#   the store wrote them: stores write CSV and TSV differently (Virtuoso quotes every IRI in TSV, as a literal), and
#   every store's answer is then the same bytes;
# - an answer sikg cannot read (a body that is not what its Content-Type says, an HTML page, no Content-Type, a
#   variable sikg needs unbound or of the wrong kind, a refusal of a query or update sikg itself sends): a
#   StoreUnavailable of one line: a 503 on the web, one line and exit status 3 on the command line, never a traceback.


@dataclass(frozen=True)
class Dialect:
    """What sikg does differently for one kind of store, known by the Server header of its answers."""

    name: str
    # triples one update request may replace by INSERT DATA; more go by Graph Store Protocol PUT, a graph at a time
    insert_data_limit: int = INSERT_DATA_LIMIT
    # graphs the store keeps for itself, not part of the KG: their names, and the paths of names on its own host
    own_graphs: frozenset[str] = frozenset()
    own_graph_paths: frozenset[str] = frozenset()
    # where its update and Graph Store Protocol endpoints are, beside the query endpoint, unless given (None: the
    # query endpoint itself)
    update_endpoint: str | None = "update"
    graph_store_endpoint: str | None = "store"
    # whether a query that names no dataset is over every graph (its default graph their union): query_private then
    # names none, where it otherwise names every graph
    every_graph_by_default: bool = False
    # constant triples one INSERT operation may hold in its text; more are staged by Graph Store Protocol first
    # (staging.py); None: no limit
    constant_triples_limit: int | None = None
    # a query whose one row binds ?cap to the row cap the store cuts answers at (0: none), for answers that do not
    # say they were cut (a CONSTRUCT's, a DESCRIBE's); None: a cut answer always says so
    row_cap_query: str | None = None

    def owns(self, graph: str) -> bool:
        return graph in self.own_graphs or urlsplit(graph).path in self.own_graph_paths and not urlsplit(graph).query


STANDARD = Dialect("standard")
# Virtuoso 7.2 compiles an INSERT DATA to SQL and refuses one of a few thousand triples ("generated SQL text has
# exceeded 10000 lines", "memory exhausted"); several smaller ones in one request take minutes. Its Graph Store
# Protocol PUT takes 20,000 triples in about a second.
# Every Virtuoso holds graphs of its own (its RDF views' schema, the OWL and LDP vocabularies, its WebDAV and
# SPARQL service descriptions under its DefaultHost), which would otherwise be counted, exported and shown as the KG.
# Virtuoso 7.2.5 answers `VALUES ?g { <a> <b> } GRAPH ?g { <a> ?p ?o ; ?q ?r }` with nothing when the request names
# five graphs or so as its dataset, where it finds the row without them: query_private names none there.
# Its compiler refuses an INSERT template of a few thousand constant triples as it does an INSERT DATA (a
# contribution of 150 practices, 2,200 triples: "SP030: … memory exhausted"): they are staged (staging.py).
# It applies each operation of an update request on its own: an operation that fails leaves nothing of itself, but
# the operations before it stay (measured: INSERT DATA ; an operation failing at run time keeps the INSERT DATA's
# triple). So every write sikg makes is one operation where it matters: a staged insertion copies all its blocks in
# one, a replacement moves each graph in whole (MOVE), and the state token is renewed first (a write that fails after
# it only renews it for nothing).
# It cuts a SELECT's answer at its ResultSetMaxRows ([SPARQL] in virtuoso.ini; 10,000 by default) and says so only in
# an X-SPARQL-MaxRows header (sent when the answer has that many rows); a CONSTRUCT's, a DESCRIBE's and a Graph Store
# Protocol GET's answer are cut silently. sikg reads every quad by SELECT, in pages under the cap once it meets it
# (all_quads; dump), and any other answer that meets it is a 503 of one line, never a short answer.
# Measured on 7.2.5 at ResultSetMaxRows 1,000 (tests/test_row_cap.py), in N-Triples, Turtle, RDF/XML and JSON-LD
# alike, with no header: a CONSTRUCT sends its first 1,001 distinct triples (a LIMIT of 1,001 sends as many, uncut);
# a DESCRIBE describes the first 1,001 resources its WHERE clause finds, each in whole (one resource's 3,000 triples
# are sent), so that it can send few triples or none and still be cut. Both cut at the cap the server started with,
# its status variable sparql_result_set_max_rows (0: none, as when the setting is 0 or left out), where a SELECT is
# cut at the cap virtuoso.ini says when it is asked (the /sparql handler reads the file each time: edited, not
# restarted, the two differ). So sikg reads that variable (row_cap_query) with each CONSTRUCT or DESCRIBE answer:
# a CONSTRUCT's of more triples than the cap is taken as cut, and a DESCRIBE's when a SELECT DISTINCT of the
# resources it describes finds more than the cap (or is cut itself).
DIALECTS = {
    "virtuoso": Dialect(
        "Virtuoso",
        insert_data_limit=0,
        update_endpoint=None,
        every_graph_by_default=True,
        constant_triples_limit=500,
        graph_store_endpoint="sparql-graph-crud",
        row_cap_query="SELECT (bif:sys_stat('sparql_result_set_max_rows') AS ?cap) WHERE { }",
        own_graphs=frozenset(
            (
                "http://www.openlinksw.com/schemas/virtrdf#",
                "http://www.w3.org/2002/07/owl#",
                "http://www.w3.org/ns/ldp#",
            )
        ),
        own_graph_paths=frozenset(("/DAV/", "/sparql")),
    )
}


def _dialect(server_header: str | None) -> Dialect:
    product = (server_header or "").split("/")[0].strip().lower()
    return DIALECTS.get(product, STANDARD)


_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
_ACCEPT_RESULTS = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.8, text/tab-separated-values;q=0.7"
)
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.7"
_GRAPH_LISTING = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
_ROW_CAP_HEADER = "X-SPARQL-MaxRows"  # Virtuoso: the answer has as many rows as its ResultSetMaxRows, and may be cut
# Virtuoso's ?g is unbound above; GROUP BY, since its SELECT DISTINCT ?g over the quads takes 20 s where this takes
# 0.1 s (28,000 quads)
_GRAPH_LISTING_BY_QUADS = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

# "nodeID://b1" as a blank node's label, in SPARQL JSON (type before value, as Virtuoso writes it) and XML
_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*(?:\n|\Z)|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.IGNORECASE)


def split_prologue(update: str) -> tuple[str, str]:
    """An update's leading PREFIX and BASE declarations (with the white space and comments between them), and the
    rest; the first ends with a line break when there is one, so that the rest can follow it."""
    end = _PROLOGUE.match(update).end()
    prologue = update[:end].strip()
    return (prologue + "\n" if prologue else ""), update[end:]


_BLANK_NODE_LABEL = re.compile(rb'("type" ?: ?"bnode" ?, ?"value" ?: ?"|<bnode>)nodeID://')
# xsd:boolean written "0" and "1" (Virtuoso, in SPARQL results; its N-Triples say "false" and "true"): the same values,
# written as the other stores write them, so that every store's answer is the same set of terms
_BOOLEAN = re.compile(
    rb'("datatype" ?: ?"http://www\.w3\.org/2001/XMLSchema#boolean" ?, ?"value" ?: ?"'
    rb'|<literal datatype="http://www\.w3\.org/2001/XMLSchema#boolean">)([01])(?=["<])'
)
_LABEL_SPAN = 160  # bytes: longer than any match of _BLANK_NODE_LABEL or _BOOLEAN, kept back between chunks


def _relabel(data: bytes) -> bytes:
    """SPARQL results with Virtuoso's blank node labels and booleans written as every other store writes them."""
    if b"nodeID://" in data:
        data = _BLANK_NODE_LABEL.sub(rb"\1", data)
    if b"XMLSchema#boolean" in data:
        data = _BOOLEAN.sub(lambda m: m.group(1) + (b"true" if m.group(2) == b"1" else b"false"), data)
    return data


class _Relabelled:
    """A streamed answer read through _relabel, chunk by chunk (a label cut between two chunks is found whole)."""

    def __init__(self, response):
        self.response, self.pending, self.ended = response, b"", False

    def read(self, size: int = -1) -> bytes:
        while not self.ended and (size < 0 or len(self.pending) < size + _LABEL_SPAN):
            chunk = self.response.read(max(size, 64 * 1024))
            self.ended = not chunk
            self.pending = _relabel(self.pending + chunk)
        keep = 0 if self.ended else _LABEL_SPAN
        cut = len(self.pending) - keep if size < 0 else min(size, len(self.pending) - keep)
        data, self.pending = self.pending[:cut], self.pending[cut:]
        return data


def _insert_data_as_template(update: str) -> str:
    """Each INSERT DATA holding a blank node as INSERT { … } WHERE { }: the same insertion (SPARQL 1.1 Update,
    3.1.1 and 3.1.3: one solution, fresh blank nodes), which Virtuoso accepts where it refuses blank nodes in DATA."""
    if "_:" not in update and "[" not in update:
        return update
    text, tokens = _scan(update)
    edits = []  # (position, text to put in place of the DATA keyword or after the block)
    index = 0
    while index < len(tokens) - 1:
        if tokens[index][1].upper() == "INSERT" and tokens[index + 1][1].upper() == "DATA":
            depth, end, blank = 0, index + 2, False
            while end < len(tokens):
                kind, value = tokens[end][0], tokens[end][1]
                depth += 1 if value == "{" else -1 if value == "}" else 0
                blank = (
                    blank
                    or value == "["
                    or (
                        kind == "word" and value == "_" and end + 1 < len(tokens) and tokens[end + 1][1].startswith(":")
                    )
                )
                if depth == 0 and value == "}":
                    break
                end += 1
            if blank and end < len(tokens):
                edits += [
                    (tokens[index + 1][2], tokens[index + 1][3], ""),
                    (tokens[end][3], tokens[end][3], " WHERE { }"),
                ]
            index = end
        index += 1
    return _edited(text, edits)


class _Solutions:
    """A SELECT's answer read whole, once: its `variables` and rows, as pyoxigraph's QuerySolutions offers them
    (any number of times); serialize() writes it in another results format."""

    def __init__(self, solutions: ox.QuerySolutions, data: bytes, results_format: ox.QueryResultsFormat):
        self.variables = solutions.variables
        self.rows = list(solutions)  # a body cut short fails here, not in whatever reads the rows
        self._data, self._format = data, results_format

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def serialize(self, output=None, format=ox.QueryResultsFormat.JSON):  # noqa: A002 (pyoxigraph's name)
        return ox.parse_query_results(self._data, format=self._format).serialize(output, format)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _unreadable(what: str, error) -> StoreUnavailable:
    return StoreUnavailable(_one_line(f"the external store's answer {what} could not be read: {error}"))


def _media_type(response) -> str:
    return (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def _read_answer(response, data: bytes, what: str = "to a query"):
    """A query's answer, by its Content-Type: _Solutions (read whole, once), QueryBoolean, or a list of triples. A
    body that breaks off is a StoreUnavailable here, not an error in whatever reads the solutions."""
    media_type = _media_type(response)
    try:
        if media_type in _GRAPH_FORMATS:
            return [q.triple for q in ox.parse(input=data, format=_GRAPH_FORMATS[media_type])]
        if media_type not in _RESULTS_FORMATS:
            raise SyntaxError(f"it is {media_type or 'of no stated type'}, not SPARQL results or RDF")
        data = _relabel(data)
        results = ox.parse_query_results(data, format=_RESULTS_FORMATS[media_type])
        if isinstance(results, ox.QuerySolutions):
            return _Solutions(results, data, _RESULTS_FORMATS[media_type])
        return results
    except (SyntaxError, ValueError) as error:
        raise _unreadable(what, error) from None


def _query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first such keyword."""
    return next((v.upper() for k, v, _, _ in _scan(query)[1] if k == "word" and v.upper() in QUERY_FORMS), None)


def _graph_form(query: str) -> bool:
    """Whether the query is a CONSTRUCT or DESCRIBE: asked for in RDF only (Virtuoso answers a CONSTRUCT with a
    table of ?s ?p ?o when SPARQL results are acceptable too)."""
    return _query_form(query) in ("CONSTRUCT", "DESCRIBE")


def _described_as_select(query: str) -> tuple[str, int] | None:
    """A DESCRIBE's resources as a query of its own: `DESCRIBE ?x <a> …` made `SELECT DISTINCT ?x`, its dataset,
    WHERE clause and modifiers kept (`DESCRIBE *`: SELECT DISTINCT *), and the number of resources it names (<a>).
    None: it describes named resources only, which no row cap cuts."""
    text, tokens = _scan(query)
    start = next(i for i, (k, v, _, _) in enumerate(tokens) if k == "word" and v.upper() == "DESCRIBE")
    end = start + 1
    while end < len(tokens) and tokens[end][1] != "{" and tokens[end][1].upper() not in ("WHERE", "FROM"):
        end += 1
    described = [v for k, v, _, _ in tokens[start + 1 : end] if k == "var" or v == "*"]
    if not described or end == len(tokens):
        return None
    projection = "*" if "*" in described else " ".join(described)
    named = end - start - 1 - len(described)
    return _edited(text, [(tokens[start][2], tokens[end - 1][3], f"SELECT DISTINCT {projection}")]), named


def _graph_syntax(response) -> ox.RdfFormat:
    syntax = _GRAPH_FORMATS.get(_media_type(response))
    if syntax is None:
        raise SyntaxError(f"it is {_media_type(response) or 'of no stated type'}, not RDF")
    return syntax


def _term(row, name: str, kinds: tuple, what: str):
    """The term a row of the store's answer to one of sikg's own queries must bind `name` to."""
    value = row[name]
    if not isinstance(value, kinds):
        found = "unbound" if value is None else f"bound to {value}"
        raise StoreUnavailable(f"the external store's answer {what} has ?{name} {found}")
    return value


def _row_cap(response) -> int | None:
    cap = (response.headers.get(_ROW_CAP_HEADER) or "").strip()
    return int(cap) if cap.isdigit() else None


def _discard(response) -> None:
    """A streamed answer not to be read: read to its end (a connection given back with some of it unread would
    hand it to the next request) or closed."""
    try:
        response.drain_conn()
        response.release_conn()
    except (urllib3.exceptions.HTTPError, OSError):
        response.close()


def _check_not_cut(response) -> None:
    """StoreUnavailable if the store says it may have cut the answer at its row cap: a short answer is never given
    as a whole one. (An answer of exactly the cap's rows is refused too: the store says the same of it.)"""
    cap = _row_cap(response)
    if cap is not None:
        _discard(response)
        raise _cut(cap)


def _cut(cap: int, what: str = "rows", said: bool = True) -> StoreUnavailable:
    """`said`: the store said it cut the answer; else sikg finds it may have (a whole answer of just over the cap
    looks the same as a cut one), and refuses it alike."""
    return StoreUnavailable(
        f"the external store {'cut' if said else 'may have cut'} its answer at {cap} {what} (Virtuoso: raise "
        "ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)"
    )


class QueryRefusedByStore(StoreUnavailable, SyntaxError):
    """The store refused (400) a query of query() or query_private(): a SyntaxError where the query is a person's
    (`sikg query`, a curated query's parameters: a 400 or exit status 2, as before), and where nothing asks for one
    (a page's own query, which the embedded store runs; Virtuoso 7.2.5's compiler fails on some), the store's
    failing: StoreUnavailable, a 503 of one line, not a 500."""


_RESOURCE = (ox.NamedNode, ox.BlankNode)
_ANY_TERM = (ox.NamedNode, ox.BlankNode, ox.Literal)


class RemoteStore(KnowledgeGraphStore):
    """`query_url`: the store's SPARQL query endpoint; `update_url` and `store_url` (Graph Store Protocol) are beside
    it unless given. `auth_headers`: sent with every request (settings.store_auth_headers makes them)."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        store_url: str | None = None,
        timeout: float = 10.0,
        auth_headers: dict[str, str] | None = None,
    ):
        super().__init__()
        self.query_url = query_url
        self._update_url, self._store_url = update_url, store_url  # None: where the store's kind keeps them
        self.timeout = timeout
        self._http = urllib3.PoolManager(
            num_pools=4,
            maxsize=32,
            block=False,
            retries=False,
            timeout=urllib3.Timeout(connect=min(3.0, timeout), read=timeout),
        )
        self._auth = dict(auth_headers or {})
        self._graphs: tuple[str, tuple[list[str], list[str]]] | None = None  # (state token, (every graph, public))
        self.dialect: Dialect | None = None  # known from the store's first answer

    @property
    def location(self) -> str:
        return self.query_url

    def __repr__(self) -> str:  # never shows credentials
        return f"RemoteStore({self.query_url!r})"

    # -- HTTP ----------------------------------------------------------------------------------------------------
    def _request(
        self, method: str, url: str, *, body=None, headers=None, fields=None, stream=False, timeout: float | None = None
    ):
        try:
            response = self._http.request(
                method,
                url,
                body=body,
                fields=fields,
                headers={**self._auth, **(headers or {})},
                encode_multipart=False,
                preload_content=not stream,
                timeout=urllib3.Timeout(connect=min(3.0, timeout or self.timeout), read=timeout or self.timeout),
            )
        except urllib3.exceptions.ReadTimeoutError:
            raise QueryTimeout() from None
        except urllib3.exceptions.HTTPError as error:
            raise StoreUnavailable(f"the external store at {url} is unreachable ({type(error).__name__})") from None
        if self.dialect is None:
            self.dialect = _dialect(response.headers.get("Server"))
        if response.status >= 500:
            text = response.data[:300].decode(errors="replace") if not stream else ""
            raise StoreUnavailable(_one_line(f"the external store answered {response.status}: {text}"))
        return response

    def _query_response(self, sparql: str, accept: str, stream=False, timeout=None, graphs=((), ())):
        fields = (
            [("query", sparql)]
            + [("default-graph-uri", g) for g in graphs[0]]
            + [("named-graph-uri", g) for g in graphs[1]]
        )
        response = self._request(
            "POST", self.query_url, fields=fields, stream=stream, timeout=timeout, headers={"Accept": accept}
        )
        if response.status >= 400:
            message = (response.data if not stream else response.read(2000)).decode(errors="replace")
            if response.status == 400:  # the query itself
                raise SyntaxError(message.strip() or "the store refused the query (400)")
            raise StoreUnavailable(_one_line(f"the external store refused the request ({response.status}): {message}"))
        return response

    @property
    def update_url(self) -> str:
        return self._update_url or _sibling(self.query_url, self._known_dialect().update_endpoint)

    @property
    def store_url(self) -> str:
        return self._store_url or _sibling(self.query_url, self._known_dialect().graph_store_endpoint)

    def _known_dialect(self) -> Dialect:
        if self.dialect is None:
            self._listing()  # a first answer
        return self.dialect or STANDARD

    # -- reading ---------------------------------------------------------------------------------------------
    def query(
        self, sparql: str, prefixes=None, substitutions=None, use_default_graph_as_union: bool = True, **_options
    ):
        """Results as the embedded store gives them: solutions (read whole: `variables`, rows, serialize()), a
        QueryBoolean or a list of triples.
        Over the public graphs, unless the query's FROM / FROM NAMED define its dataset (use_default_graph_as_union
        False: the graphs they name were checked to be public)."""
        if use_default_graph_as_union:
            public = tuple(self.named_graphs()) or (EMPTY_GRAPH,)
            return self._query(sparql, prefixes, substitutions, (public, public))
        return self._query(sparql, prefixes, substitutions, _own_dataset(sparql_prologue(prefixes or {}) + sparql))

    def query_private(self, sparql: str, prefixes=None, substitutions=None, **_options):
        """Over every graph, private ones too, named as the dataset: the store's own default graph is not used."""
        if self._known_dialect().every_graph_by_default:
            return self._query(sparql, prefixes, substitutions)
        every = tuple(self._listing()[0]) or (EMPTY_GRAPH,)
        return self._query(sparql, prefixes, substitutions, (every, every))

    def _query(self, sparql: str, prefixes=None, substitutions=None, graphs=((), ())):
        text = bind_terms(sparql_prologue(prefixes or {}) + sparql, substitutions)
        try:
            response = self._query_response(
                text, _ACCEPT_GRAPH if _graph_form(text) else _ACCEPT_RESULTS, graphs=graphs
            )
        except SyntaxError as error:
            raise QueryRefusedByStore(_one_line(f"the external store refused a query: {error}")) from None
        _check_not_cut(response)
        answer = _read_answer(response, response.data)
        return self._whole_graph(text, answer, graphs) if isinstance(answer, list) else answer

    def _own(self, sparql: str, what: str, graphs=((), ())) -> list:
        """The rows of a query sikg itself sends to read the store's state (over the store's own dataset, unless
        `graphs` names one): the store refusing it is the store's failing, not a client's."""
        try:
            answer = self._query(sparql, graphs=graphs)
        except SyntaxError as error:
            raise StoreUnavailable(_one_line(f"the external store refused sikg's query {what}: {error}")) from None
        except QueryTimeout:
            raise StoreUnavailable(
                f"the external store did not answer sikg's query {what} within {self.timeout:g} s"
            ) from None
        if not isinstance(answer, _Solutions):
            raise _unreadable(what, "it is not a table of solutions")
        return list(answer)

    def _whole_graph(self, query: str, triples: list, graphs, timeout: float | None = None) -> list:
        """`triples`, the store's answer to the CONSTRUCT or DESCRIBE `query`, if the store cannot have cut it at its
        row cap without saying so (Dialect.row_cap_query: the Virtuoso comment above); else StoreUnavailable. The
        cap is read with each answer (one small query): a store restarted with another one cuts at that."""
        if self._known_dialect().row_cap_query is None:
            return triples
        describe = _query_form(query) == "DESCRIBE"
        described = _described_as_select(query) if describe else None
        if (describe and described is None) or not (triples or describe):
            return triples  # named resources only (described in whole), or no triple: nothing cut
        cap = self._row_cap_setting()
        if not cap:
            return triples
        if not describe and len(triples) > cap:
            raise _cut(cap, "triples", said=False)
        if describe and self._described_bound(*described, graphs, timeout) > cap:
            raise _cut(cap, "resources described", said=False)
        return triples

    def _described_bound(self, described: str, named: int, graphs, timeout: float | None) -> float:
        """At least as many as the resources a DESCRIBE describes: the rows of `described` (its resources found,
        _described_as_select) times its variables, and those it names; infinite when the store cut the rows
        (Virtuoso cuts a SELECT at the cap in its virtuoso.ini as the file says now, a DESCRIBE at the cap it was
        started with: either may be the lower)."""
        what = "counting a DESCRIBE's resources"
        try:
            response = self._query_response(described, _ACCEPT_RESULTS, timeout=timeout, graphs=graphs)
        except SyntaxError as error:
            raise StoreUnavailable(_one_line(f"the external store refused sikg's query {what}: {error}")) from None
        if _row_cap(response) is not None:
            return float("inf")
        rows = _read_answer(response, response.data, what)
        if not isinstance(rows, _Solutions):
            raise _unreadable(what, "it is not a table of solutions")
        return len(rows) * max(len(rows.variables), 1) + named

    def _row_cap_setting(self) -> int:
        """The row cap the store runs with (0: none)."""
        what = "reading its row cap"
        rows = self._own(self._known_dialect().row_cap_query, what)
        if len(rows) != 1:
            raise _unreadable(what, f"it has {len(rows)} rows, not 1")
        cap = _term(rows[0], "cap", (ox.Literal,), what).value.strip()
        if not cap.isdigit():
            raise _unreadable(what, f"{cap!r} is not a number of rows")
        return int(cap)

    def named_graphs(self) -> list[str]:
        """The public graphs, listed once per state token (one small request reads it)."""
        return list(self._listing()[1])

    def _listing(self) -> tuple[list[str], list[str]]:
        """(every graph, the public ones), listed once per state token: every write sets a new one."""
        token, cached = self.state_token, self._graphs
        if cached is not None and cached[0] == token:
            return cached[1]
        rows = self._own(_GRAPH_LISTING, "listing the graphs")
        if any(row["g"] is None for row in rows):  # Virtuoso
            rows = self._own(_GRAPH_LISTING_BY_QUADS, "listing the graphs")
        dialect = self.dialect or STANDARD
        every = sorted(
            {
                g
                for g in (_term(r, "g", (ox.NamedNode,), "listing the graphs").value for r in rows)
                if not dialect.owns(g)
            }
        )
        public = [g for g in every if g != GRAPH_STATE and not is_private(g)]
        self._graphs = (token, (every, public))
        return every, public

    def __len__(self) -> int:
        what = "counting the quads"
        public = tuple(self.named_graphs()) or (EMPTY_GRAPH,)
        rows = self._own("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", what, ((EMPTY_GRAPH,), public))
        if len(rows) != 1:
            raise _unreadable(what, f"it has {len(rows)} rows, not 1")
        count = _term(rows[0], "n", (ox.Literal,), what).value
        if not count.isdigit():
            raise _unreadable(what, f"{count!r} is not a count")
        return int(count)

    @property
    def state_token(self) -> str:
        pattern = f"GRAPH <{GRAPH_STATE}> {{ <{GRAPH_STATE}> <{DCT.identifier}> ?t }}"
        what = "reading the state token"
        # Every token there, not one: Oxigraph server applies updates sent at once each on its own snapshot, so two
        # writes at once can both leave theirs (neither drops the other's). Each write adds a token never seen before
        # that stays until a later write adds its own, so the set of tokens is new after every write; one token of
        # the set may be older than the last write.
        rows = self._own(f"SELECT ?t WHERE {{ {pattern} }}", what)
        tokens = sorted({_term(row, "t", _ANY_TERM, what).value for row in rows})
        if len(tokens) > 1:
            return "remote-" + hashlib.sha256(" ".join(tokens).encode()).hexdigest()[:32]
        return "remote-" + (tokens[0] if tokens else "initial")

    def dump(self, output, rdf_format: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        """As every store dumps, but the union graph too is read from every quad (all_quads, in pages under a row cap
        it meets), not from one CONSTRUCT, which a store may cut without saying so (Virtuoso)."""
        if rdf_format.supports_datasets:
            super().dump(output, rdf_format, prefixes)
            return
        triples = dict.fromkeys(quad.triple for quad in self.all_quads())  # a triple in two graphs, once
        ox.serialize(triples, output, rdf_format, prefixes=prefixes)

    @property
    def quads_grouped(self) -> bool:
        return True  # all_quads() asks for ORDER BY ?g ?s

    def all_quads(self) -> Iterator[ox.Quad]:
        """Every quad of the public named graphs, streamed from a SELECT (the protocol has no quad-returning query)."""
        what = "reading every quad"
        public = tuple(self.named_graphs()) or (EMPTY_GRAPH,)
        response = self._query_response(
            "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s",
            _ACCEPT_RESULTS,
            stream=True,
            timeout=max(self.timeout, 300),
            graphs=((EMPTY_GRAPH,), public),
        )
        cap = _row_cap(response)
        if cap is not None:  # cut (or exactly the cap): read again, a graph at a time, in pages under the cap
            _discard(response)
            for graph in public:
                yield from self._graph_in_pages(graph, cap - 1)
            return
        try:
            results_format = _RESULTS_FORMATS.get(_media_type(response))
            if results_format is None:
                raise _unreadable(what, f"it is {_media_type(response) or 'of no stated type'}, not SPARQL results")
            for row in ox.parse_query_results(_Relabelled(response), format=results_format):
                yield ox.Quad(
                    _term(row, "s", _RESOURCE, what),
                    _term(row, "p", (ox.NamedNode,), what),
                    _term(row, "o", _ANY_TERM, what),
                    _term(row, "g", (ox.NamedNode,), what),
                )
        except (SyntaxError, ValueError) as error:
            raise _unreadable(what, error) from None
        except urllib3.exceptions.HTTPError as error:
            raise StoreUnavailable(f"the external store failed mid-answer ({type(error).__name__})") from None
        finally:
            response.release_conn()

    def _graph_in_pages(self, graph: str, page: int) -> Iterator[ox.Quad]:
        """Every quad of `graph`, read in pages of `page` rows (LIMIT / OFFSET, unordered: Virtuoso refuses an
        ORDER BY past its MaxSortedTopRows, 10,000), checked against the graph's count: a page missed or read twice
        is a StoreUnavailable, not a short export. Held whole to group it by subject, a graph at a time."""
        what, pattern = "reading every quad", f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        read, offset = set(), 0
        while True:
            rows = self._own(f"SELECT ?s ?p ?o WHERE {{ {pattern} }} LIMIT {max(page, 1)} OFFSET {offset}", what)
            read.update(
                (_term(r, "s", _RESOURCE, what), _term(r, "p", (ox.NamedNode,), what), _term(r, "o", _ANY_TERM, what))
                for r in rows
            )
            offset += len(rows)
            if len(rows) < max(page, 1):
                break
        count = self._own(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", what)
        counted = _term(count[0], "n", (ox.Literal,), what).value if len(count) == 1 else ""
        if counted != str(len(read)):
            raise _unreadable(what, f"the graph {graph} counts {counted} quads, its pages {len(read)}")
        name = ox.NamedNode(graph)
        for s, p, o in sorted(read, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
            yield ox.Quad(s, p, o, name)

    # -- writing ---------------------------------------------------------------------------------------------
    def _state_update(self) -> str:
        token = uuid.uuid4().hex
        return (
            f"DROP SILENT GRAPH <{GRAPH_STATE}> ; INSERT DATA {{ GRAPH <{GRAPH_STATE}> {{ <{GRAPH_STATE}> "
            f'<{DCT.identifier}> "{token}" }} }}'
        )

    def update(self, sparql_update: str) -> None:
        """One update request: the new state token and the change commit together (a store that applies each
        operation on its own, Virtuoso, renews the token first, so that a change is never left without a new one).
        Constant blocks too big for the store's compiler are staged first (staging.py) and copied in by the same
        operation; staging graphs are dropped by the same request, or at once if it fails."""
        change = _insert_data_as_template(sparql_update).strip()
        limit = self._known_dialect().constant_triples_limit if change else None
        staged = stage_constant_blocks(change, limit) if limit is not None else Staged(change)
        try:
            for graph, triples in staged.graphs.items():
                send_graph(
                    self._request, self.store_url, graph, triples, timeout=max(self.timeout, 600), label="staging"
                )
            dropped = [f"DROP SILENT GRAPH <{g}>" for g in staged.graphs]
            # The change's PREFIX/BASE lines go first: Oxigraph refuses a prologue after ";" (SPARQL's grammar allows
            # it), and the state token's update, written with whole IRIs, is not changed by them.
            prologue, operations = split_prologue(staged.text)
            text = prologue + " ;\n".join([self._state_update(), *([operations] if operations else []), *dropped])
            self._send_update(text, timeout=max(self.timeout, 600 if staged.graphs else 120))
        except (StoreUnavailable, QueryTimeout):
            self._drop_quietly(staged.graphs)
            raise
        self._changed()

    def _send_update(self, text: str, timeout: float = 120) -> None:
        response = self._request(
            "POST",
            self.update_url,
            body=text.encode(),
            timeout=max(self.timeout, timeout),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        if response.status >= 400:
            raise StoreUnavailable(
                _one_line(
                    f"the external store refused the update ({response.status}): "
                    f"{response.data[:300].decode(errors='replace')}"
                )
            )

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        """Staging graphs of a write that failed, dropped if the store still answers (private: never public)."""
        graphs = list(graphs)
        if graphs:
            try:
                self._send_update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
            except (StoreUnavailable, QueryTimeout):
                pass

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad | ox.Triple]], progress=None) -> None:
        """Small replacements in one update request (atomic, with the state token); big graphs with the Graph Store
        Protocol, in chunks (upload.py), each to a staging graph of a private name, then moved into place by one
        small update request with the state token: a failure while sending leaves every graph as it was (and drops
        what was staged). Each MOVE is one operation (whole graphs; Virtuoso applies the operations one by one, so a
        failure between two moves there would leave the first graph new and the next one old)."""
        materialised = {
            g: [t.triple if isinstance(t, ox.Quad) else t for t in triples] for g, triples in graphs.items()
        }
        if not materialised:
            return  # nothing to replace, and an update request may not be empty
        if sum(map(len, materialised.values())) <= self._known_dialect().insert_data_limit:
            parts = []
            for graph, triples in materialised.items():
                parts.append(f"DROP SILENT GRAPH <{graph}>")
                if triples:
                    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
                    parts.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
            self.update(" ;\n".join(parts))
            return
        staging = {graph: f"{GRAPH_STAGING}{uuid.uuid4().hex}" for graph, triples in materialised.items() if triples}
        try:
            for graph, name in staging.items():  # in requests of bounded size (upload.py)
                send_graph(
                    self._request,
                    self.store_url,
                    name,
                    materialised[graph],
                    progress,
                    timeout=max(self.timeout, 600),
                    label=graph.rsplit("/", 1)[-1],
                )
            moves = [
                f"MOVE SILENT <{staging[g]}> TO <{g}>" if g in staging else f"DROP SILENT GRAPH <{g}>"
                for g in materialised
            ]  # (Virtuoso: 14 s for a graph of 286,000 triples, as long again as sending it)
            self._send_update(" ;\n".join([self._state_update(), *moves]), timeout=max(self.timeout, 1800))
        except (StoreUnavailable, QueryTimeout):
            self._drop_quietly(staging.values())
            raise
        self._changed()

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))

    # -- the SPARQL endpoint's evaluation ---------------------------------------------------------------------
    def query_evaluator(self, settings: Settings, pool: EvaluatorPool | None = None) -> QueryEvaluator:
        """The external store evaluates; sikg checks, times and caps (`pool` is not used: there is none)."""
        return QueryEvaluator(lambda request, deadline: self.run(request, deadline, settings.max_result_bytes))

    def run(self, request: EvalRequest, deadline: float, max_bytes: int) -> Iterator[tuple]:
        """Forwards a checked query; yields ("chunk", bytes)… ("done", media_type), like the evaluators. The store's
        answer is read and written here in the format asked for (graphs: JSON-LD compacted with the sikg context as
        always; results: every store's answer the same bytes, whatever it writes)."""
        fmt = QUERY_OUTPUTS[request.format_name]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout()
        request = public_request(request, self.named_graphs())  # never None: the dataset is always named here
        if not (request.default_graphs or request.named_graphs):  # FROM / FROM NAMED, sent as the protocol's own
            request = replace(
                request, default_graphs=_own_dataset(request.query)[0], named_graphs=_own_dataset(request.query)[1]
            )
        substitutions = {name: term_from_wire(*term) for name, term in request.bindings}
        text = bind_terms(request.query, substitutions) if substitutions else request.query
        graph_result, graphs = fmt.rdf is not None, (request.default_graphs, request.named_graphs)
        response = self._query_response(
            text, _ACCEPT_GRAPH if graph_result else _ACCEPT_RESULTS, stream=True, timeout=remaining, graphs=graphs
        )
        _check_not_cut(response)
        try:
            buffer = _CappedBuffer(max_bytes)
            if graph_result:
                triples = [q.triple for q in ox.parse(input=response, format=_graph_syntax(response))]
                write_result(self._whole_graph(text, triples, graphs, remaining), fmt, buffer)
            else:
                answer = _CappedBuffer(max_bytes)
                for chunk in response.stream(256 * 1024):
                    answer.write(chunk)
                    if time.monotonic() > deadline:
                        raise QueryTimeout()
                solutions = _read_answer(response, bytes(answer.data))
                if isinstance(solutions, list):
                    raise SyntaxError("it is a graph, not SPARQL results")
                try:
                    write_result(solutions, fmt, buffer, max_bytes)
                except TableTooLarge:
                    raise ResultTooLarge() from None
            yield ("chunk", bytes(buffer.data))
            yield ("done", fmt.media_type)
        except urllib3.exceptions.ReadTimeoutError:
            raise QueryTimeout() from None
        except urllib3.exceptions.HTTPError as error:
            raise StoreUnavailable(f"the external store failed mid-answer ({type(error).__name__})") from None
        except (SyntaxError, ValueError) as error:
            raise _unreadable("to the query", error) from None
        finally:
            response.release_conn()


class _CappedBuffer:
    def __init__(self, max_bytes: int):
        self.data, self.max_bytes = bytearray(), max_bytes

    def write(self, chunk) -> int:
        self.data += chunk
        if len(self.data) > self.max_bytes:
            raise ResultTooLarge()
        return len(chunk)

    def flush(self) -> None:
        pass
