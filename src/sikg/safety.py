"""What a query sent to the public endpoint or `sikg query` may do, decided before it is evaluated.

The endpoint is read-only and never opens a connection because of a query: SPARQL Update, SERVICE, LOAD and a
FROM / FROM NAMED of a graph the store does not hold are refused with the reason. The checks work on the query's
tokens with comments, strings and IRIs set apart, so a keyword inside a literal or an IRI does not trip them and a
keyword hidden by odd spacing or case does not slip through.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'\'\'(?:[^'\\]|\\.|'(?!''))*+\'\'\'|\"\"\"(?:[^"\\]|\\.|"(?!""))*+\"\"\"|'(?:[^'\\\n\r]|\\.)*+'|"(?:[^"\\\n\r]|\\.)*+")
  | (?P<unterminated>["'][^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z][\w.\-]*)?:(?:[\w.\-:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


class QueryRefused(ValueError):
    """A query the endpoint will not run; the message says why, for a 400 answer."""


@dataclass
class QueryShape:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE (None if the text is not a query at all)
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)

    @property
    def names_its_dataset(self) -> bool:
        """A query with FROM or FROM NAMED defines its own dataset; only without them is the default graph the
        union of all graphs."""
        return bool(self.from_graphs or self.from_named_graphs)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def tokenize(text: str) -> list[tuple[str, str]]:
    """The query's tokens as (kind, text) pairs, comments and white space left out; kind names the group of _TOKEN
    that matched (string, unterminated, iri, var, pname, word, other). QueryRefused for a \\u or \\U escape that
    names no character."""
    # SPARQL processes \u and \U escapes anywhere in the query before parsing it (SPARQL 1.1, 19.2), and Oxigraph
    # does: "\u0053ERVICE" is SERVICE. Read the text the way the parser will.
    def codepoint(match) -> str:
        value = int(match.group(1) or match.group(2), 16)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise QueryRefused(f"invalid codepoint escape {match.group(0)}")
        return chr(value)
    text = _CODEPOINT_ESCAPE.sub(codepoint, text)
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text) if m.lastgroup not in ("comment", "space")]


def check_query(text: str, store, default_graphs=(), named_graphs=(),
                prefixes: dict[str, str] | None = None) -> QueryShape:
    """Every check a query gets before it is evaluated, whether it came over HTTP or from the command line: its form,
    no update, SERVICE or LOAD, and a dataset (FROM, FROM NAMED, the protocol's graph parameters) of graphs the
    store holds. `prefixes` are those the caller declares for the query (the command line's), for reading FROM."""
    shape = inspect_query(text, prefixes)
    if shape.names_its_dataset or default_graphs or named_graphs:
        check_dataset(shape, default_graphs, named_graphs, set(store.named_graphs()))
    return shape


def inspect_query(text: str, prefixes: dict[str, str] | None = None) -> QueryShape:
    """The query's form and dataset clauses, or QueryRefused for anything the read-only endpoint does not run."""
    tokens = tokenize(text)
    # Bare words are keywords (a language tag after "@" is not); variables, prefixed names, strings and IRIs are
    # separate tokens, so "?delete", "ex:insert" or "LOAD" inside a literal never count.
    words = [(i, value.upper()) for i, (kind, value) in enumerate(tokens)
             if kind == "word" and not (i and tokens[i - 1][1] == "@")]
    declared, base = _prologue(tokens)
    prefixes = {**(prefixes or {}), **declared}  # the query's own PREFIX wins, as it does for the parser
    form = next((w for _, w in words if w in QUERY_FORMS), None)
    for position, word in words:
        if word == "SERVICE":
            raise QueryRefused("SERVICE is not allowed: sikg never queries other services")
        if word in UPDATE_KEYWORDS:  # none of them is a word of the query language, so this is an update
            raise QueryRefused(f"SPARQL Update ({word}) is not accepted here: queries are read-only "
                               "(the SPARQL 1.1 Protocol query operation only)")
    shape = QueryShape(form)
    for position, word in words:
        if word != "FROM":
            continue
        named = position + 1 < len(tokens) and tokens[position + 1][1].upper() == "NAMED"
        target = tokens[position + 2 if named else position + 1] if position + (2 if named else 1) < len(tokens) else None
        iri = _resolve(target, prefixes, base)
        if iri is None:
            raise QueryRefused("FROM must be followed by a graph IRI")
        (shape.from_named_graphs if named else shape.from_graphs).append(iri)
    return shape


def _prologue(tokens) -> tuple[dict[str, str], str | None]:
    prefixes, base = {}, None
    for i, (kind, value) in enumerate(tokens):
        upper = value.upper()
        if kind == "word" and upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
        elif kind == "word" and upper == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = tokens[i + 1][1][1:-1]
    return prefixes, base


def _resolve(token, prefixes: dict[str, str], base: str | None) -> str | None:
    if token is None:
        return None
    kind, value = token
    if kind == "iri":
        iri = value[1:-1]
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri) and base:
            iri = urljoin(base, iri)
        return iri
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
        raise QueryRefused(f"undeclared prefix {prefix!r} in FROM")
    return None


def check_dataset(shape: QueryShape, default_graphs, named_graphs, known_graphs: set[str]) -> None:
    """Every graph a query names (FROM, FROM NAMED, default-graph-uri, named-graph-uri) must be one the store holds:
    an unknown one would be fetched by a store that loads graphs on demand, and is an error here."""
    for graph in [*shape.from_graphs, *shape.from_named_graphs, *default_graphs, *named_graphs]:
        if graph not in known_graphs:
            raise QueryRefused(f"unknown graph <{graph}>: only the graphs the store holds can be queried "
                               f"(listed in the service description at /sparql)")


