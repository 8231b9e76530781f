"""Reading RDF that someone hands us: a file on the command line, or an HTTP body (an upload to /validate or
/contributions).

Every failure becomes an RdfInputError that names the input, the line and column where the parser gives them, and the
parser's own message, so that the command line and the service can answer it without a traceback.
"""

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import BadRequest, UnsupportedBody
from ..formats import (
    READABLE_EXTENSIONS,
    SPREADSHEET_FORMATS,
    Format,
    rdf_format_for_extension,
    spreadsheet_format,
    upload_format,
    upload_media_types,
)
from . import evidence
from .jsonld import RemoteContextRefused, context_document, context_urls, local_context

# A DOCTYPE can declare entities that expand without bound or read local files; RDF/XML never needs one.
_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


MAX_XML_DEPTH = 200
_XML_TAG = re.compile(rb"<(/?)[^>!?]*?(/?)>")


def _xml_depth(data: bytes) -> int:
    """The deepest element nesting, counted from the tags (comments and CDATA are rare enough in RDF/XML uploads
    that counting their tags too only errs on the side of refusing)."""
    depth = deepest = 0
    for closing, empty in _XML_TAG.findall(data):
        if closing:
            depth -= 1
        elif not empty:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


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
    rdf_format = rdf_format_for_extension(path.suffix) if path.suffix else None
    if rdf_format is None:
        raise RdfInputError(str(path), f"unknown RDF file extension {path.suffix!r} "
                                       f"(known: {', '.join(READABLE_EXTENSIONS)})")
    return rdf_format


def parse_bytes(data: bytes, rdf_format: ox.RdfFormat, source: str, base_iri: str | None = None,
                progress=None) -> list[ox.Quad]:
    """All quads of `data`, with blank nodes renamed so that inputs never share one by accident. `progress(done)` is
    told how many bytes the parser has read, as it reads them."""
    if rdf_format == ox.RdfFormat.RDF_XML:
        if _XML_DECLARATIONS.search(data):
            raise RdfInputError(source, "RDF/XML with a DOCTYPE or ENTITY declaration is refused "
                                        "(entities are never expanded)")
        if _xml_depth(data) > MAX_XML_DEPTH:
            # Oxigraph's RDF/XML parser slows down steeply with depth; no real RDF/XML nests this deep.
            raise RdfInputError(source, f"the RDF/XML is nested too deeply (more than {MAX_XML_DEPTH} elements)")
    try:
        source_bytes = data if progress is None else _Counted(data, progress)
        return list(ox.parse(input=source_bytes, format=rdf_format, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as error:
        # pyoxigraph reports "between line L column C and ...": SyntaxError.lineno/offset carry the start.
        raise RdfInputError(source, error.msg or str(error), error.lineno, error.offset) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise RdfInputError(source, str(error)) from None


class _Counted(io.RawIOBase):
    """`data` as a file the parser reads in chunks, telling `progress` how far it has read."""

    def __init__(self, data: bytes, progress):
        self.data, self.at, self.progress = memoryview(data), 0, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), len(self.data) - self.at)
        buffer[:n] = self.data[self.at:self.at + n]
        self.at += n
        self.progress(self.at)
        return n


def parse_file(path: Path, base_iri: str | None = None, progress=None) -> list[ox.Quad]:
    """A file's quads (its syntax by its extension); `progress`: as parse_bytes."""
    rdf_format = format_for_path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RdfInputError(str(path), error.strerror or str(error)) from None
    if rdf_format == ox.RdfFormat.JSON_LD:
        data = inline_sikg_context(data, str(path))
    return parse_bytes(data, rdf_format, str(path), base_iri, progress)


class UnsupportedMediaType(ValueError):
    pass


def format_for_media_type(media_type: str | None) -> ox.RdfFormat:
    """The RDF syntax of a body by its media type (charset and other parameters ignored: RDF syntaxes are UTF-8)."""
    upload = upload_format(media_type)
    if upload is None:
        raise UnsupportedMediaType(f"unsupported media type {media_type or '(none)'}; send one of "
                                   f"{', '.join(upload_media_types() + [f.media_type for f in SPREADSHEET_FORMATS])}")
    return upload.rdf


def inline_sikg_context(data: bytes, source: str) -> bytes:
    """A JSON-LD document may name the sikg context by URL; it is put inline so that nothing is fetched. Any other
    remote context is refused (Oxigraph's parser, given no document loader, refuses it too)."""
    try:
        document = json.loads(data)
    except RecursionError:
        raise RdfInputError(source, "the JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as error:
        line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
        raise RdfInputError(source, f"not JSON: {getattr(error, 'msg', error)}", line, column) from None
    allowed, inline = context_urls(), context_document()["@context"]

    def resolve(value):
        if isinstance(value, str):
            if value in allowed:
                return inline
            raise RdfInputError(source, f"remote JSON-LD context {value!r} is not fetched; use the sikg context "
                                        f"({sorted(allowed)[0]}) or put the context inline")
        if isinstance(value, list):
            return [resolve(v) for v in value]
        try:  # remote contexts inside one (@import, scoped contexts): refused here, naming the URL
            return local_context(value)
        except RemoteContextRefused as refused:
            raise RdfInputError(source, str(refused)) from None

    def walk(node, depth=0):
        if depth > 200:
            raise RdfInputError(source, "the JSON-LD is nested too deeply")
        if isinstance(node, dict):
            for key, value in node.items():
                node[key] = resolve(value) if key == "@context" else walk(value, depth + 1)
        elif isinstance(node, list):
            return [walk(item, depth + 1) for item in node]
        return node

    try:
        return json.dumps(walk(document)).encode()
    except RecursionError:
        raise RdfInputError(source, "the JSON-LD is nested too deeply") from None


def parse_upload(data: bytes, rdf_format: ox.RdfFormat, source: str) -> list[ox.Quad]:
    """RDF sent by a client: never empty, never fetching anything, errors with line and column."""
    if not data.strip():
        raise RdfInputError(source, "the body is empty: send RDF data")
    if rdf_format == ox.RdfFormat.JSON_LD:
        data = inline_sikg_context(data, source)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RdfInputError(source, f"not UTF-8 ({error.reason} at byte {error.start})") from None
    quads = parse_bytes(data, rdf_format, source)
    if not quads:
        raise RdfInputError(source, "the data holds no triples")
    return evidence.paired(quads)  # a record in the earlier form, one page and its quotations: its evidence nodes


def spreadsheet_for_name(filename: str | None) -> Format | None:
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    return next((f for f in SPREADSHEET_FORMATS if suffix and f.extension == suffix), None)


def read_request_body(http_request) -> tuple[bytes, ox.RdfFormat | Format]:
    """The payload of an HTTP request and its syntax: a body with an RDF media type, or a multipart upload's file
    (by its part's media type, else its file name); or a spreadsheet (formats.SPREADSHEET_FORMATS), which the
    caller reads as rows (contributions/spreadsheet.py). Raises BadRequest or UnsupportedBody."""
    if http_request.mimetype == "multipart/form-data":
        upload = next(iter(http_request.files.values()), None)
        if upload is None:
            raise BadRequest("the multipart body has no file part")
        table = spreadsheet_format(upload.mimetype) or (None if upload_format(upload.mimetype) else
                                                        spreadsheet_for_name(upload.filename))
        if table is not None:
            return upload.read(), table
        try:
            rdf_format = format_for_media_type(upload.mimetype) if upload_format(upload.mimetype) else \
                format_for_path(Path(upload.filename or "upload"))
        except RdfInputError as error:
            raise UnsupportedBody(str(error)) from None
        return upload.read(), rdf_format
    if spreadsheet_format(http_request.mimetype) is not None:
        return http_request.get_data(cache=False), spreadsheet_format(http_request.mimetype)
    try:
        rdf_format = format_for_media_type(http_request.mimetype)
    except UnsupportedMediaType as error:
        raise UnsupportedBody(str(error)) from None
    return http_request.get_data(cache=False), rdf_format
