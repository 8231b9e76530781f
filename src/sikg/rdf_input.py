"""Reading RDF that someone hands us: a file on the command line, later an HTTP body.

Every failure becomes an RdfInputError that names the input, the line and column where the parser gives them, and the
parser's own message, so that the command line and the service can answer it without a traceback.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

FORMAT_BY_EXTENSION = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}

# A DOCTYPE can declare entities that expand without bound or read local files; RDF/XML never needs one.
_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class RdfInputError(Exception):
    source: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.message}"


def format_for_path(path: Path) -> ox.RdfFormat:
    try:
        return FORMAT_BY_EXTENSION[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMAT_BY_EXTENSION))
        raise RdfInputError(str(path), f"unknown RDF file extension {path.suffix!r} (known: {known})") from None


def parse_bytes(data: bytes, rdf_format: ox.RdfFormat, source: str, base_iri: str | None = None) -> list[ox.Quad]:
    """All quads of `data`, with blank nodes renamed so that inputs never share one by accident."""
    if rdf_format == ox.RdfFormat.RDF_XML and _XML_DECLARATIONS.search(data):
        raise RdfInputError(source, "RDF/XML with a DOCTYPE or ENTITY declaration is refused (entities are never expanded)")
    try:
        return list(ox.parse(input=data, format=rdf_format, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as error:
        # pyoxigraph reports "between line L column C and ...": SyntaxError.lineno/offset carry the start.
        raise RdfInputError(source, error.msg or str(error), error.lineno, error.offset) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise RdfInputError(source, str(error)) from None


def parse_file(path: Path, base_iri: str | None = None) -> list[ox.Quad]:
    rdf_format = format_for_path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RdfInputError(str(path), error.strerror or str(error)) from None
    return parse_bytes(data, rdf_format, str(path), base_iri)
