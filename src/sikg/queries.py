"""The curated query catalogue: queries/*.rq, each with a header of `# title:`, `# description:` and
`# param: name type default` lines.

Parameters are bound as RDF terms through SPARQL substitution (SEP-0007), never pasted into the query text, so a
parameter value cannot change the query's shape.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .content import queries_dir
from .namespaces import rebase_text

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_XSD = "http://www.w3.org/2001/XMLSchema#"


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
                return ox.NamedNode(raw)
            except ValueError as error:
                raise ParameterError(f"parameter {self.name}: {raw!r} is not an IRI ({error})") from None
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", raw):
                raise ParameterError(f"parameter {self.name}: {raw!r} is not an integer")
            return ox.Literal(raw, datatype=ox.NamedNode(_XSD + "integer"))
        if self.type == "lang":
            if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", raw):
                raise ParameterError(f"parameter {self.name}: {raw!r} is not a language tag")
            return ox.Literal(raw.lower())
        return ox.Literal(raw)


@dataclass
class CuratedQuery:
    name: str
    title: str
    description: str
    text: str
    parameters: list[Parameter] = field(default_factory=list)
    path: Path | None = None


def parse_query_file(path: Path) -> CuratedQuery:
    text = rebase_text(path.read_text(encoding="utf-8"))
    header = {"title": "", "description": ""}
    parameters = []
    for line in text.splitlines():
        match = re.match(r"#\s*(title|description|param):\s*(.*)$", line)
        if not match:
            if line.strip() and not line.startswith("#"):
                break  # the header ends where the query starts
            continue
        key, value = match.groups()
        if key == "param":
            name, type_, *default = value.split(None, 2)
            parameters.append(Parameter(name, type_, default[0] if default else None))
        else:
            header[key] = (header[key] + " " + value).strip()
    return CuratedQuery(path.stem, header["title"], header["description"], text, parameters, path)


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
