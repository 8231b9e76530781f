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

import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import replace

import pyoxigraph as ox
import urllib3

from ..errors import StoreUnavailable
from ..formats import QUERY_OUTPUTS
from ..namespaces import DCT, GRAPH_PRIVATE, GRAPH_STATE, sparql_prologue
from ..rdf.results import TableTooLarge, write_result
from ..settings import Settings
from ..sparql.evaluator import (
    EvalRequest,
    EvaluatorPool,
    QueryTimeout,
    ResultTooLarge,
    term_from_wire,
)
from ..sparql.safety import _scan, inspect_query
from .base import EMPTY_GRAPH, KnowledgeGraphStore, QueryEvaluator, is_private, public_request
from .upload import send_graph

# Leaves out the state graph and the private graphs (the queries that list every graph run over all of them).
_PUBLIC_ONLY = f'FILTER(?g != <{GRAPH_STATE}> && !STRSTARTS(STR(?g), "{GRAPH_PRIVATE}"))'

INSERT_DATA_LIMIT = 20_000  # triples; bigger replacements go by Graph Store Protocol PUT, one graph at a time


def _sibling(url: str, name: str) -> str:
    """Oxigraph server's layout: /query, /update, /store side by side."""
    return url.rsplit("/", 1)[0] + "/" + name


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
    out, last = [], 0
    for start, end, replacement in edits:
        out += [text[last:start], replacement]
        last = end
    return "".join(out) + text[last:]


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


def _select(tokens: list[tuple], index: int, depth: int, bound: set[str], terms: dict[str, str],
            edits: list) -> tuple[set[str], bool, int]:
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
    for kind, value, start, end in tokens[index + 1:index_end]:
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
# A store may answer in another results format or RDF syntax than the one sikg prefers (XML or TSV results; Turtle or
# RDF/XML): each is read by its Content-Type. Virtuoso writes SPARQL 1.0 JSON's "typed-literal" (pyoxigraph reads it)
# and answers `GRAPH ?g { }` with one row whose ?g is unbound: the graphs are then listed from their quads. Anything
# else unexpected (a body that is not what its Content-Type says, an HTML page, no Content-Type, a variable sikg
# needs unbound or of the wrong kind, a refusal of a query sikg itself sends) is a StoreUnavailable of one line: a 503
# on the web, one line and exit status 3 on the command line, never a traceback.

_RESULTS_FORMATS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                    "application/json": ox.QueryResultsFormat.JSON,
                    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                    "application/xml": ox.QueryResultsFormat.XML,
                    "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_GRAPH_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                  "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
                  "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/n-quads": ox.RdfFormat.N_QUADS}
_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.8, " \
                  "text/tab-separated-values;q=0.7"
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.7"
_GRAPH_LISTING = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
_GRAPH_LISTING_BY_QUADS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"  # Virtuoso's ?g is unbound above


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _unreadable(what: str, error) -> StoreUnavailable:
    return StoreUnavailable(_one_line(f"the external store's answer {what} could not be read: {error}"))


def _media_type(response) -> str:
    return (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def _read_answer(response, data: bytes, what: str = "to a query"):
    """A query's answer, by its Content-Type: QuerySolutions or QueryBoolean, or a list of triples. The whole answer
    is read once before it is handed on, so a body that breaks off is a StoreUnavailable here, not an error in
    whatever reads the solutions."""
    media_type = _media_type(response)
    try:
        if media_type in _GRAPH_FORMATS:
            return [q.triple for q in ox.parse(input=data, format=_GRAPH_FORMATS[media_type])]
        if media_type not in _RESULTS_FORMATS:
            raise SyntaxError(f"it is {media_type or 'of no stated type'}, not SPARQL results or RDF")
        results = ox.parse_query_results(data, format=_RESULTS_FORMATS[media_type])
        if isinstance(results, ox.QuerySolutions):
            for _ in results:
                pass
            results = ox.parse_query_results(data, format=_RESULTS_FORMATS[media_type])
        return results
    except (SyntaxError, ValueError) as error:
        raise _unreadable(what, error) from None


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


_RESOURCE = (ox.NamedNode, ox.BlankNode)
_ANY_TERM = (ox.NamedNode, ox.BlankNode, ox.Literal)


class RemoteStore(KnowledgeGraphStore):
    """`query_url`: the store's SPARQL query endpoint; `update_url` and `store_url` (Graph Store Protocol) are beside
    it unless given. `auth_headers`: sent with every request (settings.store_auth_headers makes them)."""

    def __init__(self, query_url: str, update_url: str | None = None, store_url: str | None = None,
                 timeout: float = 10.0, auth_headers: dict[str, str] | None = None):
        super().__init__()
        self.query_url = query_url
        self.update_url = update_url or _sibling(query_url, "update")
        self.store_url = store_url or _sibling(query_url, "store")
        self.timeout = timeout
        self._http = urllib3.PoolManager(num_pools=4, maxsize=32, block=False, retries=False,
                                         timeout=urllib3.Timeout(connect=min(3.0, timeout), read=timeout))
        self._auth = dict(auth_headers or {})
        self._graphs: tuple[str, tuple[list[str], list[str]]] | None = None  # (state token, (every graph, public))

    @property
    def location(self) -> str:
        return self.query_url

    def __repr__(self) -> str:  # never shows credentials
        return f"RemoteStore({self.query_url!r})"

    # -- HTTP ----------------------------------------------------------------------------------------------------
    def _request(self, method: str, url: str, *, body=None, headers=None, fields=None, stream=False,
                 timeout: float | None = None):
        try:
            response = self._http.request(
                method, url, body=body, fields=fields, headers={**self._auth, **(headers or {})},
                encode_multipart=False, preload_content=not stream,
                timeout=urllib3.Timeout(connect=min(3.0, timeout or self.timeout), read=timeout or self.timeout))
        except urllib3.exceptions.ReadTimeoutError:
            raise QueryTimeout() from None
        except urllib3.exceptions.HTTPError as error:
            raise StoreUnavailable(f"the external store at {url} is unreachable ({type(error).__name__})") from None
        if response.status >= 500:
            text = response.data[:300].decode(errors="replace") if not stream else ""
            raise StoreUnavailable(_one_line(f"the external store answered {response.status}: {text}"))
        return response

    def _query_response(self, sparql: str, accept: str, stream=False, timeout=None, graphs=((), ())):
        fields = [("query", sparql)] + [("default-graph-uri", g) for g in graphs[0]] + \
                 [("named-graph-uri", g) for g in graphs[1]]
        response = self._request("POST", self.query_url, fields=fields, stream=stream, timeout=timeout,
                                 headers={"Accept": accept})
        if response.status >= 400:
            message = (response.data if not stream else response.read(2000)).decode(errors="replace")
            if response.status == 400:  # the query itself
                raise SyntaxError(message.strip() or "the store refused the query (400)")
            raise StoreUnavailable(_one_line(f"the external store refused the request ({response.status}): {message}"))
        return response

    # -- reading ---------------------------------------------------------------------------------------------
    def query(self, sparql: str, prefixes=None, substitutions=None, use_default_graph_as_union: bool = True,
              **_options):
        """Results as pyoxigraph objects, like the embedded store: QuerySolutions, QueryBoolean or a list of triples.
        Over the public graphs, unless the query's FROM / FROM NAMED define its dataset (use_default_graph_as_union
        False: the graphs they name were checked to be public)."""
        if use_default_graph_as_union:
            public = tuple(self.named_graphs()) or (EMPTY_GRAPH,)
            return self._query(sparql, prefixes, substitutions, (public, public))
        return self._query(sparql, prefixes, substitutions, _own_dataset(sparql_prologue(prefixes or {}) + sparql))

    def query_private(self, sparql: str, prefixes=None, substitutions=None, **_options):
        """Over every graph, private ones too, named as the dataset: the store's own default graph is not used."""
        every = tuple(self._listing()[0]) or (EMPTY_GRAPH,)
        return self._query(sparql, prefixes, substitutions, (every, every))

    def _query(self, sparql: str, prefixes=None, substitutions=None, graphs=((), ())):
        text = bind_terms(sparql_prologue(prefixes or {}) + sparql, substitutions)
        response = self._query_response(text, f"{_ACCEPT_RESULTS}, {_ACCEPT_GRAPH}",
                                        graphs=graphs)
        return _read_answer(response, response.data)

    def _own(self, sparql: str, what: str) -> list:
        """The rows of a query sikg itself sends to read the store's state (over the store's own dataset): the store
        refusing it is the store's failing, not a client's."""
        try:
            answer = self._query(sparql)
        except SyntaxError as error:
            raise StoreUnavailable(_one_line(f"the external store refused sikg's query {what}: {error}")) from None
        if not isinstance(answer, ox.QuerySolutions):
            raise _unreadable(what, "it is not a table of solutions")
        return list(answer)

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
        every = sorted({_term(r, "g", (ox.NamedNode,), "listing the graphs").value for r in rows})
        public = [g for g in every if g != GRAPH_STATE and not is_private(g)]
        self._graphs = (token, (every, public))
        return every, public

    def __len__(self) -> int:
        what = "counting the quads"
        rows = self._own(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_PUBLIC_ONLY} }}", what)
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
        rows = self._own(f"SELECT ?t WHERE {{ {pattern} }}", what)
        return "remote-" + (_term(rows[0], "t", _ANY_TERM, what).value if rows else "initial")

    @property
    def quads_grouped(self) -> bool:
        return True  # all_quads() asks for ORDER BY ?g ?s

    def all_quads(self) -> Iterator[ox.Quad]:
        """Every quad of the public named graphs, streamed from a SELECT (the protocol has no quad-returning query)."""
        what = "reading every quad"
        response = self._query_response(
            f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_PUBLIC_ONLY} }} ORDER BY ?g ?s",
            _ACCEPT_RESULTS, stream=True, timeout=max(self.timeout, 300))
        try:
            results_format = _RESULTS_FORMATS.get(_media_type(response))
            if results_format is None:
                raise _unreadable(what, f"it is {_media_type(response) or 'of no stated type'}, not SPARQL results")
            for row in ox.parse_query_results(response, format=results_format):
                yield ox.Quad(_term(row, "s", _RESOURCE, what), _term(row, "p", (ox.NamedNode,), what),
                              _term(row, "o", _ANY_TERM, what), _term(row, "g", (ox.NamedNode,), what))
        except (SyntaxError, ValueError) as error:
            raise _unreadable(what, error) from None
        except urllib3.exceptions.HTTPError as error:
            raise StoreUnavailable(f"the external store failed mid-answer ({type(error).__name__})") from None
        finally:
            response.release_conn()

    # -- writing ---------------------------------------------------------------------------------------------
    def _state_update(self) -> str:
        token = uuid.uuid4().hex
        return (f'DROP SILENT GRAPH <{GRAPH_STATE}> ; INSERT DATA {{ GRAPH <{GRAPH_STATE}> {{ <{GRAPH_STATE}> '
                f'<{DCT.identifier}> "{token}" }} }}')

    def update(self, sparql_update: str) -> None:
        """One update request: the change and the new state token commit together."""
        response = self._request("POST", self.update_url, body=(sparql_update + " ;\n" + self._state_update()).encode(),
                                 headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                                 timeout=max(self.timeout, 120))
        if response.status >= 400:
            raise StoreUnavailable(f"the external store refused the update ({response.status}): "
                                   f"{response.data[:300].decode(errors='replace')}")
        self._changed()

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad | ox.Triple]], progress=None) -> None:
        """Small replacements in one update request (atomic, with the state token); big graphs with the Graph Store
        Protocol, in chunks (upload.py: not atomic), then the new state token."""
        materialised = {g: [t.triple if isinstance(t, ox.Quad) else t for t in triples]
                        for g, triples in graphs.items()}
        if not materialised:
            return  # nothing to replace, and an update request may not be empty
        if sum(map(len, materialised.values())) <= INSERT_DATA_LIMIT:
            parts = []
            for graph, triples in materialised.items():
                parts.append(f"DROP SILENT GRAPH <{graph}>")
                if triples:
                    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
                    parts.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
            self.update(" ;\n".join(parts))
            return
        for graph, triples in materialised.items():  # in requests of bounded size (upload.py)
            send_graph(self._request, self.store_url, graph, triples, progress, timeout=max(self.timeout, 600))
        self.update(f"INSERT DATA {{ GRAPH <{GRAPH_STATE}> {{ }} }}")

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))

    # -- the SPARQL endpoint's evaluation ---------------------------------------------------------------------
    def query_evaluator(self, settings: Settings, pool: EvaluatorPool | None = None) -> QueryEvaluator:
        """The external store evaluates; sikg checks, times and caps (`pool` is not used: there is none)."""
        return QueryEvaluator(lambda request, deadline: self.run(request, deadline, settings.max_result_bytes))

    def run(self, request: EvalRequest, deadline: float, max_bytes: int) -> Iterator[tuple]:
        """Forwards a checked query; yields ("chunk", bytes)… ("done", media_type), like the evaluators. Graph
        results come as N-Triples and are written here, so JSON-LD is compacted with the sikg context as always."""
        fmt = QUERY_OUTPUTS[request.format_name]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout()
        request = public_request(request, self.named_graphs())  # never None: the dataset is always named here
        if not (request.default_graphs or request.named_graphs):  # FROM / FROM NAMED, sent as the protocol's own
            request = replace(request, default_graphs=_own_dataset(request.query)[0],
                              named_graphs=_own_dataset(request.query)[1])
        substitutions = {name: term_from_wire(*term) for name, term in request.bindings}
        text = bind_terms(request.query, substitutions) if substitutions else request.query
        graph_result = fmt.rdf is not None
        table = not graph_result and fmt.results is None  # drawn here from the store's SPARQL JSON
        accept = _ACCEPT_GRAPH if graph_result else fmt.media_type if not table else _ACCEPT_RESULTS
        response = self._query_response(text, accept, stream=True, timeout=remaining,
                                         graphs=(request.default_graphs, request.named_graphs))
        try:
            if graph_result:
                buffer = _CappedBuffer(max_bytes)
                triples = (q.triple for q in ox.parse(input=response, format=_graph_syntax(response)))
                write_result(list(triples), fmt, buffer)
                yield ("chunk", bytes(buffer.data))
            elif table:
                buffer = _CappedBuffer(max_bytes)
                for chunk in response.stream(256 * 1024):
                    buffer.write(chunk)
                solutions = _read_answer(response, bytes(buffer.data))
                if isinstance(solutions, list):
                    raise SyntaxError("it is a graph, not SPARQL results")
                table_buffer = _CappedBuffer(max_bytes)
                try:
                    write_result(solutions, fmt, table_buffer, max_bytes)
                except TableTooLarge:
                    raise ResultTooLarge() from None
                yield ("chunk", bytes(table_buffer.data))
            else:  # passed on as the store wrote it: it must be what was asked for
                answered, asked = _media_type(response), fmt.media_type.split(";")[0].strip().lower()
                if answered != asked:
                    raise SyntaxError(f"it is {answered or 'of no stated type'}, not the {asked} asked for")
                total = 0
                for chunk in response.stream(256 * 1024):
                    total += len(chunk)
                    if total > max_bytes:
                        raise ResultTooLarge()
                    if time.monotonic() > deadline:
                        raise QueryTimeout()
                    yield ("chunk", chunk)
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
