"""The curated query catalogue: queries/*.rq, each with a header of `# title:`, `# description:` and
`# param: name type default` lines; `# title@sv:`, `# description@sv:` (any language tag) give the title and the
description in another language, English (the untagged lines) being the fallback.

Parameters are bound as RDF terms through SPARQL substitution (SEP-0007), never pasted into the query text, so a
parameter value cannot change the query's shape. `run_query` runs any query, a curated one or the command line's,
with the same checks as the endpoint.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import PREFIXES, XSD, rebase_text
from ..rdf.content import queries_dir
from .safety import QueryRefused, check_query

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_HEADER = re.compile(r"#\s*(title|description|param)(?:@([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*))?:\s*(.*)$")
_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def expand_curie(value: str) -> str:
    """A prefixed name with one of sikg's prefixes (practice:cap-impact) as its full IRI, as people write IRIs in
    sikg's own SPARQL and JSON-LD; anything else (a full IRI) as it is."""
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


class UnknownQuery(LookupError):
    pass


class ParameterError(ValueError):
    pass


@dataclass
class Parameter:
    name: str
    type: str  # iri, string, lang, integer
    default: str | None

    def term(self, raw: str):
        if self.type == "iri":
            try:
                return ox.NamedNode(expand_curie(raw))
            except ValueError as error:
                raise ParameterError(f"parameter {self.name}: {raw!r} is not an IRI ({error}); give a full IRI "
                                     f"or a prefixed name such as practice:cap-impact") from None
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", raw):
                raise ParameterError(f"parameter {self.name}: {raw!r} is not an integer")
            # xsd:integer is unbounded, but Oxigraph compares integers as 64 bits: a bigger one would make every
            # comparison an error and the query silently answer nothing, so it is refused with the range. The length
            # is looked at first: Python refuses to convert a string of thousands of digits.
            if len(raw.lstrip("+-").lstrip("0")) > 19 or not _INT64_MIN <= int(raw) <= _INT64_MAX:
                raise ParameterError(f"parameter {self.name}: {raw} is out of range (the store's integers run from "
                                     f"{_INT64_MIN} to {_INT64_MAX})")
            return ox.Literal(raw, datatype=XSD.term("integer"))
        if self.type == "lang":
            if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", raw):
                raise ParameterError(f"parameter {self.name}: {raw!r} is not a language tag")
            return ox.Literal(raw.lower())
        return ox.Literal(raw)


@dataclass
class CuratedQuery:
    name: str
    title: str  # English, as are the description and the JSON catalogue's title and description
    description: str
    text: str
    parameters: list[Parameter] = field(default_factory=list)
    path: Path | None = None
    titles: dict[str, str] = field(default_factory=dict)  # by language tag, English under "en"
    descriptions: dict[str, str] = field(default_factory=dict)

    def title_in(self, language: str) -> str:
        return self.titles.get(language) or self.title

    def description_in(self, language: str) -> str:
        return self.descriptions.get(language) or self.description

    def title_language(self, language: str) -> str:
        """The language title_in(language) is in: `language` where the query has a title in it, else English."""
        return language if self.titles.get(language) else "en"

    def description_language(self, language: str) -> str:
        return language if self.descriptions.get(language) else "en"


def parse_query_file(path: Path) -> CuratedQuery:
    text = rebase_text(path.read_text(encoding="utf-8"))
    header: dict[str, dict[str, str]] = {"title": {}, "description": {}}
    parameters = []
    for line in text.splitlines():
        match = _HEADER.match(line)
        if not match:
            if line.strip() and not line.startswith("#"):
                break  # the header ends where the query starts
            continue
        key, language, value = match.groups()
        if key == "param":
            name, type_, *default = value.split(None, 2)
            parameters.append(Parameter(name, type_, default[0] if default else None))
        else:
            language = (language or "en").lower()
            header[key][language] = (header[key].get(language, "") + " " + value).strip()
    titles, descriptions = header["title"], header["description"]
    return CuratedQuery(path.stem, titles.get("en", ""), descriptions.get("en", ""), text, parameters, path,
                        titles, descriptions)


def catalogue() -> dict[str, CuratedQuery]:
    return {q.name: q for q in map(parse_query_file, sorted(queries_dir().glob("*.rq")))}


def get(name: str) -> CuratedQuery:
    if not _NAME.match(name or ""):
        raise UnknownQuery(f"no curated query named {name!r}")
    path = queries_dir() / f"{name}.rq"
    if not path.is_file():
        raise UnknownQuery(f"no curated query named {name!r}")
    return parse_query_file(path)


def bind(name: str, values: dict[str, str]) -> tuple[str, dict]:
    """The query text and its parameter bindings; unknown parameters are an error, missing ones take the default."""
    query = get(name)
    known = {p.name: p for p in query.parameters}
    unknown = set(values) - set(known)
    if unknown:
        raise ParameterError(f"query {name} has no parameter(s) {', '.join(sorted(unknown))}; "
                             f"it takes: {', '.join(known) or 'none'}")
    bindings = {}
    for parameter in query.parameters:
        raw = values.get(parameter.name, parameter.default)
        if raw is not None and raw != "":
            bindings[parameter.name] = parameter.term(raw)
    return query.text, bindings


def catalogue_json(service_root: str) -> list[dict]:
    """The catalogue as GET /queries answers it in JSON: each query with its parameters, its URL and its text."""
    return [{"name": q.name, "title": q.title, "description": q.description,
             "titles": q.titles, "descriptions": q.descriptions,
             "parameters": [{"name": p.name, "type": p.type, "default": p.default} for p in q.parameters],
             "url": f"{service_root}queries/{q.name}", "sparql": q.text} for q in catalogue().values()]


class QueryError(Exception):
    """A query the client sent that cannot be run (syntax error, unsupported form); carries the parser's message."""


def run_query(store, sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
              prefixes: dict[str, str] | None = None):
    """Evaluates `sparql` over the union of all named graphs, or over the dataset its FROM / FROM NAMED define;
    parameters are bound as RDF terms, never pasted in. The query gets the same checks as on /sparql (safety.py):
    no update, no SERVICE (no connection is ever opened because of a query), no unknown graph.

    `prefixes` are declared for the query's convenience (the command line passes sikg's); the protocol endpoint passes
    none, so that a query means the same there as on any other SPARQL 1.1 service.
    """
    try:
        shape = check_query(sparql, store, prefixes=prefixes)
    except QueryRefused as refusal:
        raise QueryError(str(refusal)) from None
    bindings = {ox.Variable(name): term for name, term in (substitutions or {}).items()}
    try:
        return store.query(sparql, prefixes=prefixes, substitutions=bindings or None,
                           use_default_graph_as_union=not shape.names_its_dataset)
    except SyntaxError as error:
        raise QueryError(str(error)) from None
