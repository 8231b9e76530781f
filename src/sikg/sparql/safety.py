"""What a query sent to the public endpoint or `sikg query` may do, decided before it is evaluated.

The endpoint is read-only and never opens a connection because of a query: SPARQL Update, SERVICE, LOAD and a
FROM / FROM NAMED of a graph the store does not hold are refused with the reason. The checks work on the query's
tokens with comments, strings and IRIs set apart, so a keyword inside a literal or an IRI does not trip them and a
keyword hidden by odd spacing or case does not slip through.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import pyoxigraph as ox

from ..namespaces import BASE

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'\'\'(?:[^'\\]|\\.|'(?!''))*+\'\'\'|\"\"\"(?:[^"\\]|\\.|"(?!""))*+\"\"\"
               |'(?:[^'\\\n\r]|\\.)*+'|"(?:[^"\\\n\r]|\\.)*+")
  | (?P<unterminated>["'][^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z][\w.\-]*+)?:(?:[\w.\-:]++|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*+)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)  # white space first, and no backtracking in a name: the commonest tokens fail fastest

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
# What makes a one-pattern query read matches that add nothing to its answer (a duplicate, a row sorted or skipped).
STREAM_BREAKERS = {"DISTINCT", "REDUCED", "ORDER", "OFFSET"}


class QueryRefused(ValueError):
    """A query the endpoint will not run; the message says why, for a 400 answer."""


@dataclass
class QueryShape:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE (None if the text is not a query at all)
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    # A query that is one triple pattern and nothing else (bounded_pattern): its subject, predicate and object in
    # N-Triples, None for a variable; None for every other query.
    pattern: tuple[str | None, str | None, str | None] | None = None
    # Whether that query's answer grows with every match it reads (ASK, or SELECT with no DISTINCT, REDUCED, ORDER BY
    # or OFFSET): reading it is then bounded by the size of its answer.
    streams: bool = False

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
    return [(kind, value) for kind, value, _, _ in _scan(text)[1]]


def _scan(text: str) -> tuple[str, list[tuple[str, str, int, int]]]:
    """The text with its codepoint escapes read, and its tokens (comments and white space left out) as (kind, text,
    start, end), read once for every check: the bounded-pattern grammar reads their places in the text too."""
    # SPARQL processes \u and \U escapes anywhere in the query before parsing it (SPARQL 1.1, 19.2), and Oxigraph
    # does: "\u0053ERVICE" is SERVICE. Read the text the way the parser will.
    if "\\" in text:
        text = _CODEPOINT_ESCAPE.sub(_codepoint, text)
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "space" or kind == "comment":
            continue
        value, (start, end) = match.group(), match.span()
        if kind == "pname" and value[-1] == ".":  # "ex:a." is ex:a then the end of a triple: a local name never
            dots = len(value) - len(value.rstrip("."))  # ends with a dot (SPARQL 1.1, PN_LOCAL)
            tokens.append((kind, value[:-dots], start, end - dots))
            tokens.extend(("other", ".", position, position + 1) for position in range(end - dots, end))
        else:
            tokens.append((kind, value, start, end))
    return text, tokens


def _codepoint(match: re.Match) -> str:
    value = int(match.group(1) or match.group(2), 16)
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        raise QueryRefused(f"invalid codepoint escape {match.group(0)}")
    return chr(value)


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
    text, tokens = _scan(text)
    # Bare words are keywords (a language tag after "@" is not); variables, prefixed names, strings and IRIs are
    # separate tokens, so "?delete", "ex:insert" or "LOAD" inside a literal never count.
    words = [(i, token[1].upper()) for i, token in enumerate(tokens)
             if token[0] == "word" and not (i and tokens[i - 1][1] == "@")]
    declared, base = _prologue(tokens, words)
    # The query's own PREFIX wins, as it does for the parser.
    extra, prefixes = prefixes, {**(prefixes or {}), **declared}
    form = next((w for _, w in words if w in QUERY_FORMS), None)
    for _, word in words:
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
        target = (tokens[position + 2 if named else position + 1]
                  if position + (2 if named else 1) < len(tokens) else None)
        iri = _resolve(target, prefixes, base)
        if iri is None:
            raise QueryRefused("FROM must be followed by a graph IRI")
        (shape.from_named_graphs if named else shape.from_graphs).append(iri)
    if form in ("SELECT", "ASK"):
        shape.pattern = bounded_pattern(text, tokens, extra)
        shape.streams = shape.pattern is not None and not STREAM_BREAKERS & {word for _, word in words}
    return shape


def _prologue(tokens: list[tuple], words: list[tuple[int, str]]) -> tuple[dict[str, str], str | None]:
    prefixes, base = {}, None
    for i, word in words:
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
        elif word == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = tokens[i + 1][1][1:-1]
    return prefixes, base


def _resolve(token, prefixes: dict[str, str], base: str | None) -> str | None:
    if token is None:
        return None
    kind, value = token[:2]
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


# -- queries that are one triple pattern -------------------------------------------------------------------------
#
# The service evaluates such a query in its own process when the store holds few matches of the pattern (see
# store/embedded.py): its cost is then bounded without the evaluator's time limit. So the grammar here is strict, and
# whatever it does not know is not one: prologue (PREFIX, BASE), then
#   SELECT [DISTINCT|REDUCED] (* | ?v…) [WHERE] { s p o [.] } [ORDER BY ?v…] [LIMIT n] [OFFSET n]  (either order)
#   ASK [WHERE] { s p o [.] }
# with s, p, o IRIs, prefixed names, variables, `a`, literals, numbers or booleans. The terms are read by Oxigraph's
# own Turtle parser (the same term syntax, the same IRI resolution), so that the pattern is the one the query
# evaluator will match, not this module's idea of it.

_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+"
                     r"|[0-9]*\.[0-9]+|[0-9]+)")
_INTEGER = re.compile(r"[0-9]+")
_VARIABLE = "<urn:x-sikg:variable>"  # stands for a variable in the Turtle given to the parser
_POSITIONS = ("subject", "predicate", "object")


class _Cursor:
    """Reads the tokens of a query in order; each method takes what it names and returns it, or None (and takes
    nothing) when the next tokens are something else."""

    def __init__(self, text: str, tokens: list[tuple[str, str, int, int]]):
        self.text, self.position, self.tokens, self.count = text, 0, tokens, len(tokens)
        self.end = (None, "", len(text), len(text))

    def peek(self, ahead: int = 0) -> tuple:
        index = self.position + ahead
        return self.tokens[index] if index < self.count else self.end

    def take(self, kind: str, *values: str) -> tuple | None:
        token = self.tokens[self.position] if self.position < self.count else self.end
        if token[0] != kind or (values and (token[1].upper() if kind == "word" else token[1]) not in values):
            return None
        self.position += 1
        return token

    def through(self, pattern: re.Pattern) -> str | None:
        """A number spelt over several tokens ("1", ".", "5", "e3"): the text the pattern reads from the next token,
        if it ends where a token ends."""
        start = self.peek()[2]
        found = pattern.match(self.text, start)
        if found is None or self.peek()[0] != "other":
            return None
        index = self.position
        while index < self.count and self.tokens[index][2] < found.end():
            index += 1
        if self.tokens[index - 1][3] != found.end():
            return None
        self.position = index
        return found.group()

    def at_end(self) -> bool:
        return self.position == self.count


def bounded_pattern(text: str, tokens: list[tuple[str, str, int, int]],
                    prefixes: dict[str, str] | None = None) -> tuple[str | None, str | None, str | None] | None:
    """The triple pattern of a query that is that one pattern and nothing else (the grammar above), as N-Triples
    terms (None for a variable); None for any other query. `text` and `tokens`: from _scan; `prefixes`: those the
    caller declares for the query."""
    cursor = _Cursor(text, tokens)
    prologue = _read_prologue(cursor)
    form = cursor.take("word", "SELECT", "ASK")
    if prologue is None or form is None or (form[1].upper() == "SELECT" and not _read_projection(cursor)):
        return None
    cursor.take("word", "WHERE")
    if not cursor.take("other", "{"):
        return None
    terms = [_read_term(cursor, position) for position in _POSITIONS]
    cursor.take("other", ".")
    if None in terms or not cursor.take("other", "}"):
        return None
    if form[1].upper() == "SELECT" and not _read_modifiers(cursor):
        return None
    if not cursor.at_end():
        return None
    declared = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items())
    return _parse_terms(declared + prologue, terms)


def _read_prologue(cursor: _Cursor) -> str | None:
    """The PREFIX and BASE declarations, as Turtle declares them too."""
    lines = []
    while keyword := cursor.take("word", "PREFIX", "BASE"):
        name = cursor.take("pname") if keyword[1].upper() == "PREFIX" else None
        if name is not None and not (name[1].endswith(":") and name[1].count(":") == 1):
            return None
        iri = cursor.take("iri")
        if iri is None or (keyword[1].upper() == "PREFIX" and name is None):
            return None
        lines.append(f"PREFIX {name[1]} {iri[1]}\n" if name else f"BASE {iri[1]}\n")
    return "".join(lines)


def _read_projection(cursor: _Cursor) -> bool:
    cursor.take("word", "DISTINCT", "REDUCED")
    if cursor.take("other", "*"):
        return True
    count = 0
    while cursor.take("var"):
        count += 1
    return count > 0


def _read_modifiers(cursor: _Cursor) -> bool:
    """[ORDER BY ?v…] then LIMIT and OFFSET, each at most once, in either order."""
    if cursor.take("word", "ORDER"):
        if not cursor.take("word", "BY") or not cursor.take("var"):
            return False
        while cursor.take("var"):
            pass
    seen = set()
    while keyword := cursor.take("word", "LIMIT", "OFFSET"):
        if keyword[1].upper() in seen or cursor.through(_INTEGER) is None:
            return False
        seen.add(keyword[1].upper())
    return True


def _read_term(cursor: _Cursor, position: str) -> str | None:
    """The term's text as the query spells it, _VARIABLE for a variable, or None for anything else."""
    kind, value, start, _ = cursor.peek()
    if kind == "var":
        cursor.position += 1
        return _VARIABLE
    if kind in ("iri", "pname") or (position == "predicate" and kind == "word" and value == "a"):
        cursor.position += 1
        return value
    if position != "object":
        return None
    if kind == "word" and value in ("true", "false"):
        cursor.position += 1
        return value
    if kind == "string":
        cursor.position += 1
        if cursor.peek()[1] == "@" and cursor.peek(1)[0] == "word":
            cursor.position += 2
        elif cursor.peek()[1] == "^" and cursor.peek(1)[1] == "^" and cursor.peek(2)[0] in ("iri", "pname"):
            cursor.position += 3
        return cursor.text[start:cursor.peek(-1)[3]]
    return cursor.through(_NUMBER)


def _parse_terms(prologue: str, terms: list[str]) -> tuple[str | None, str | None, str | None] | None:
    """The terms as Oxigraph reads them (prefixes expanded, IRIs resolved against the query's base or the service's,
    literals unescaped), in N-Triples; None when the parser takes them otherwise than as one triple of IRIs and
    literals."""
    if any("\\u" in term or "\\U" in term for term in terms):
        return None  # an escape written by a codepoint escape: SPARQL reads its text once, Turtle would again
    try:
        quads = list(ox.parse(f"{prologue}{' '.join(terms)} .", format=ox.RdfFormat.TURTLE, base_iri=BASE))
    except (SyntaxError, ValueError):
        return None
    if len(quads) != 1:
        return None
    read = (quads[0].subject, quads[0].predicate, quads[0].object)
    if not all(isinstance(term, (ox.NamedNode, ox.Literal)) for term in read):
        return None
    return tuple(None if written == _VARIABLE else str(term) for written, term in zip(terms, read))
