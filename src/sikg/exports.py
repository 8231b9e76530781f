"""Whole-KG exports and the two views of it: the practices frame (nested JSON for web developers) and the
schema.org view (the practices as schema.org types and properties, from ontology/alignments/schema-org.ttl).

Dumps are streamed: Oxigraph's writers for the RDF syntaxes, jsonld.write_compacted for compact JSON-LD.
"""

import json
import logging
import re
import traceback
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import orjson
import pyoxigraph as ox

from . import content, framing, jsonld
from .namespaces import PREFIXES

log = logging.getLogger(__name__)
DUMP_NAME = re.compile(r"[0-9a-f]{16}-[a-z]+-[a-z]+\Z")  # what DumpFiles.etag names a kept dump
FRAMES = Path(__file__).parent / "frames"
SCHEMA = PREFIXES["schema"]
RDFS_SUBCLASS = PREFIXES["rdfs"] + "subClassOf"
RDFS_SUBPROPERTY = PREFIXES["rdfs"] + "subPropertyOf"
CLOSE_MATCH = PREFIXES["skos"] + "closeMatch"
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")

FORMATS = {  # name: (media type, file extension, Oxigraph format or None for compact JSON-LD)
    "jsonld": ("application/ld+json", "jsonld", None),
    "ttl": ("text/turtle", "ttl", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", "nt", ox.RdfFormat.N_TRIPLES),
    "nq": ("application/n-quads", "nq", ox.RdfFormat.N_QUADS),
    "trig": ("application/trig", "trig", ox.RdfFormat.TRIG),
    "rdfxml": ("application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML),
}
VIEWS = {"practices": "frame", "schema.org": "profile"}
SCHEMA_ORG_PROFILE = "https://schema.org/"
PRACTICES_PROFILE = "https://w3id.org/sikg/profile/practices"


class UnknownView(ValueError):
    status = 400


class NotAcceptable(UnknownView):
    status = 406


class ExportFailed(RuntimeError):
    """A dump could not be written to the end (the response was cut short)."""


class ExportRequest:
    """What GET /export asks for: a format (format= or Accept) and a view (frame=, profile= or Accept-Profile)."""

    def __init__(self, format_name: str, view: str | None):
        self.format, self.view = format_name, view
        self.media_type = "application/ld+json" if view == "practices" else FORMATS[format_name][0]

    @property
    def headers(self) -> dict:
        suffix = {"practices": "-practices", "schema.org": "-schema-org"}.get(self.view, "")
        extension = "jsonld" if self.view == "practices" else FORMATS[self.format][1]
        headers = {"Content-Disposition": f'attachment; filename="sikg{suffix}.{extension}"',
                   "Vary": "Accept, Accept-Profile"}
        profile = {"practices": PRACTICES_PROFILE, "schema.org": SCHEMA_ORG_PROFILE}.get(self.view)
        if profile:
            headers["Content-Profile"] = f"<{profile}>"
        return headers


def read_export_request(args, accept_profile: str | None, accept) -> ExportRequest:
    """Raises UnknownView (a 400 or 406 for the caller) for what cannot be exported."""
    view = None
    if args.get("frame"):
        if args["frame"] != "practices":
            raise UnknownView(f"unknown frame {args['frame']!r}; the only frame is 'practices'")
        view = "practices"
    if args.get("profile"):
        asked = view
        view = {"schema.org": "schema.org", SCHEMA_ORG_PROFILE: "schema.org", PRACTICES_PROFILE: "practices",
                "practices": "practices"}.get(args["profile"])
        if view is None:
            raise UnknownView(f"unknown profile {args['profile']!r}; use schema.org or practices")
        if asked not in (None, view):  # an explicit conflict is refused rather than one of the two silently dropped
            raise UnknownView(f"frame={args['frame']} and profile={args['profile']} are two different views; "
                              f"ask for one of them")
    elif view is None and accept_profile:
        # W3C Content Negotiation by Profile: a list of <uri>;q= entries; the first one offered wins.
        for entry in accept_profile.split(","):
            uri = entry.split(";")[0].strip().strip("<>")
            view = {SCHEMA_ORG_PROFILE: "schema.org", SCHEMA_ORG_PROFILE.rstrip("/"): "schema.org",
                    PRACTICES_PROFILE: "practices"}.get(uri)
            if view:
                break
    format_name = args.get("format")
    if format_name is None:
        by_media = {media: name for name, (media, _, _) in FORMATS.items()}
        default = "jsonld" if view == "practices" else "ttl"
        # The practices frame exists only as JSON-LD: an Accept that excludes it is a 406, not another format.
        offers = [FORMATS[default][0]] + [m for m in by_media if m != FORMATS[default][0] and view != "practices"]
        best = accept.best_match(offers) if accept else FORMATS[default][0]
        if best is None:  # list what this view can be: the practices frame is JSON-LD (also as application/json)
            usable = ["application/ld+json", "application/json"] if view == "practices" else \
                [media for media, _, _ in FORMATS.values()]
            raise NotAcceptable("none of the accepted media types is available; use one of " + ", ".join(usable))
        format_name = by_media[best]
    if format_name not in FORMATS:
        raise UnknownView(f"unknown format {format_name!r}; use one of {', '.join(FORMATS)}")
    if view == "practices" and format_name != "jsonld":
        raise UnknownView(f"the practices frame is JSON-LD only: format={format_name} cannot be combined with it "
                          f"(use format=jsonld, or leave format out)")
    return ExportRequest(format_name, view)


def export(store, format_name: str, output: BinaryIO, view: str | None = None) -> None:
    if view is None:
        _export_kg(store, format_name, output)
    elif view == "practices":
        if format_name != "jsonld":
            raise UnknownView("the practices frame is JSON-LD only (format=jsonld)")
        write_practices_frame(store, output)
    elif view == "schema.org":
        _write_triples(schema_org_triples(store), format_name, output, _schema_context())
    else:
        raise UnknownView(f"unknown view {view!r}: use frame=practices or profile=schema.org")


def _export_kg(store, format_name: str, output: BinaryIO) -> None:
    media_type, _, rdf_format = FORMATS[format_name]
    if rdf_format is None:
        jsonld.write_compacted(store.all_quads(), output, grouped=store.quads_grouped)
    else:
        store.dump(output, rdf_format, prefixes=PREFIXES)


def _write_triples(triples, format_name: str, output: BinaryIO, ctx: dict) -> None:
    rdf_format = FORMATS[format_name][2]
    if rdf_format is None:
        quads = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        jsonld.write_compacted(quads, output, ctx=ctx)
    else:
        ox.serialize(triples, output, rdf_format, prefixes={"schema": SCHEMA} | PREFIXES)


@lru_cache(maxsize=1)
def _frame_document() -> dict:
    document = json.loads((FRAMES / "practices.frame.jsonld").read_text(encoding="utf-8"))
    document["@context"] = jsonld.context()
    return document


def practices_frame(store) -> dict:
    """A JSON array (under "@graph") of practices, each nested with its elements, methods, organisations, country,
    level and sources, with their labels. (framing.frame gives what pyld's framing would, in linear time.)"""
    return {"@context": jsonld.context_url(), "graph": list(_practices(store))}


def write_practices_frame(store, output: BinaryIO) -> None:
    """practices_frame(store) as JSON, written a practice at a time."""
    output.write(b'{"@context":' + orjson.dumps(jsonld.context_url()) + b',"graph":[')
    separator = b"\n"
    for practice in _practices(store):
        output.write(separator + orjson.dumps(practice))
        separator = b",\n"
    output.write(b"\n]}\n")


def _practices(store) -> Iterator[dict]:
    triples = store.query((FRAMES / "practices.rq").read_text(encoding="utf-8"))
    return framing.framed_nodes(triples, _frame_document())


# -- the schema.org view ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def schema_org_mapping() -> tuple[dict[str, str], dict[str, str]]:
    """(class map, property map) from the schema.org alignment file: sikg term (or reused term) -> schema.org."""
    classes, properties = {}, {}
    for quad in content.read(content.home() / "ontology" / "alignments" / "schema-org.ttl"):
        target = quad.object.value
        if not target.startswith(SCHEMA):
            continue
        if quad.predicate.value == RDFS_SUBCLASS:
            classes.setdefault(quad.subject.value, target)
        elif quad.predicate.value in (RDFS_SUBPROPERTY, CLOSE_MATCH):
            # closeMatch between a class and a schema.org class (skos:ConceptScheme ~ DefinedTermSet) is a class map
            (classes if target[len(SCHEMA):][:1].isupper() else properties).setdefault(quad.subject.value, target)
    return classes, properties


def schema_org_triples(store) -> Iterator[ox.Triple]:
    """The triples about every node that the view can present, i.e. that has a schema.org type and a schema:name,
    whose predicate (and, for rdf:type, class) has a schema.org counterpart, mapped. Other nodes are left out rather
    than written as untyped or nameless fragments, which schema.org consumers cannot present: the qualified-link
    records (their sources are already each practice's schema:citation), a contribution's provenance (its agent is
    the token holder, an operational record, not a fact about practices), source documents known only by their URL
    (which stay the objects of schema:citation)."""
    classes, properties = schema_org_mapping()
    names = [iri for iri, target in properties.items() if target == SCHEMA + "name"]
    values = lambda iris: " ".join(f"<{iri}>" for iri in iris)
    # The nodes first, once each (a FILTER EXISTS per triple took four times as long on 20,000 practices)
    query = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
        {{ SELECT DISTINCT ?s WHERE {{ ?s a ?class ; ?name ?label . VALUES ?class {{ {values(classes)} }}
                                     VALUES ?name {{ {values(names)} }} }} }}
        ?s ?p ?o . VALUES ?p {{ <{RDF_TYPE.value}> {values(properties)} }} }}"""
    for triple in store.query(query):
        predicate = triple.predicate.value
        if predicate == RDF_TYPE.value:
            if triple.object.value in classes:
                yield ox.Triple(triple.subject, RDF_TYPE, ox.NamedNode(classes[triple.object.value]))
        elif predicate in properties:
            yield ox.Triple(triple.subject, ox.NamedNode(properties[predicate]), triple.object)


def _schema_context() -> dict:
    ctx = {"@vocab": SCHEMA, "schema": SCHEMA, "id": "@id", "type": "@type", "graph": "@graph"}
    for prefix in ("practice", "organisation", "scheme", "collection", "actortype", "characteristic", "xsd"):
        ctx[prefix] = PREFIXES[prefix]
    for name in ("provider", "areaServed", "serviceType", "category", "audience", "citation", "url",
                 "inDefinedTermSet"):
        ctx[name] = {"@id": SCHEMA + name, "@type": "@id"}
    for name in ("name", "description"):
        ctx[name] = {"@id": SCHEMA + name, "@container": "@language"}
    return ctx


class _QueueWriter:
    """A file object whose writes become chunks in a bounded queue, for streaming a writer that pushes; `keep` (a
    _Keeper) gets a copy of every byte."""

    def __init__(self, chunks, chunk_bytes: int, keep: "_Keeper | None" = None):
        self.chunks, self.chunk_bytes, self.keep = chunks, chunk_bytes, keep
        self.buffer, self.closed_by_reader = bytearray(), False

    def write(self, data) -> int:
        if self.closed_by_reader:
            raise BrokenPipeError("the client went away")
        if self.keep is not None:
            self.keep.write(data)
        self.buffer += data
        if len(self.buffer) >= self.chunk_bytes:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.chunks.put(bytes(self.buffer))
            self.buffer.clear()


def stream(write_to, chunk_bytes: int = 256 * 1024, keep=None) -> Iterator[bytes]:
    """Runs `write_to(file)` in a thread and yields what it writes as it comes: an HTTP response body that starts at
    once and holds at most a few chunks in memory, whatever the size of the dump. `keep` (a DumpFiles.keeper) gets
    a copy, committed only if the whole dump was written."""
    import queue
    import threading

    chunks: queue.Queue = queue.Queue(maxsize=8)
    writer, done, failure = _QueueWriter(chunks, chunk_bytes, keep), object(), []

    def work():
        try:
            write_to(writer)
            writer.flush()
            if keep:
                keep.commit()
        except BrokenPipeError:
            pass
        except Exception as error:  # reported to the reader, which cuts the response short
            # As text: the exception's frames hold the export's Oxigraph iterators, which must not be dropped on
            # another thread (pyo3 refuses, and leaks them).
            log.error("export failed:\n%s", traceback.format_exc())
            failure.append(ExportFailed(f"{type(error).__name__}: {error}"))
        finally:
            if keep:
                keep.discard()  # after a commit, a no-op
            chunks.put(done)

    threading.Thread(target=work, daemon=True, name="sikg-export").start()
    try:
        while (chunk := chunks.get()) is not done:
            yield chunk
        if failure:
            raise failure[0]
    finally:
        writer.closed_by_reader = True
        while not chunks.empty():  # unblock the writer if it is waiting on a full queue
            chunks.get_nowait()


# -- dumps kept per store state --------------------------------------------------------------------------------------

class DumpFiles:
    """Exports kept as files, one set per store state, so that a dump is written once and then sent as a file
    (mirrors and crawlers fetch the same dump again and again; writing it costs seconds on a large KG: bench/README.md,
    "Export"). A dump's name is its ETag: the store's state token (hashed), the format and the view. A write starts a
    new set, and the first dump of a new state removes the files of older ones (a response still sending one keeps
    its open file). A dump being written is sent to its client at the same time and kept only if it was written
    whole. `directory` None keeps nothing."""

    def __init__(self, directory: Path | None):
        self.directory = directory

    @staticmethod
    def etag(state_token: str, request: ExportRequest) -> str:
        import hashlib
        state = hashlib.sha256(state_token.encode()).hexdigest()[:16]
        return f"{state}-{request.format}-{request.view or 'kg'}".replace(".", "")

    @classmethod
    def from_setting(cls, setting: str) -> "DumpFiles":
        """SIKG_EXPORT_CACHE: a directory, "off", or unset for a temporary directory removed when the process ends."""
        if setting == "off":
            return cls(None)
        if setting:
            return cls(Path(setting))
        import atexit
        import shutil
        import tempfile
        directory = Path(tempfile.mkdtemp(prefix="sikg-exports-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        return cls(directory)

    @staticmethod
    def validator(etag: str, request: ExportRequest, media_type: str | None) -> str:
        """The ETag sent for a dump labelled `media_type`: the kept file's name for the format's own media type, that
        name with the label added for another (JSON-LD sent as application/json). The bytes are the same, and so is
        the kept file, but each representation has its own validator (RFC 9110 §8.8.3)."""
        if media_type is None or media_type == request.media_type:
            return etag
        return f"{etag}-as-{re.sub(r'[^a-z0-9]+', '-', media_type.lower())}"

    def answer(self, store, request: ExportRequest, if_none_match, wrap_file,
               media_type: str | None = None) -> tuple[int, object, dict]:
        """(status, body, headers) for GET /export: 304 for a dump the client has, the kept file, or a dump written
        now (and kept). `wrap_file` is the server's file wrapper (sendfile where it has one); `media_type` is what
        the response is labelled with, when not the format's own."""
        etag = self.etag(store.state_token, request)
        validator = self.validator(etag, request, media_type)
        headers = {**request.headers, "ETag": f'"{validator}"', "Cache-Control": "no-cache"}
        if if_none_match is not None and if_none_match.contains_weak(validator):
            return 304, b"", headers
        kept = self.open(etag)
        if kept is not None:
            import os
            return 200, wrap_file(kept), {**headers, "Content-Length": str(os.fstat(kept.fileno()).st_size)}
        body = stream(lambda output: export(store, request.format, output, request.view), keep=self.keeper(etag))
        return 200, body, headers

    def open(self, etag: str) -> BinaryIO | None:
        if self.directory is None:
            return None
        try:
            return (self.directory / etag).open("rb")
        except OSError:  # not kept (yet), or the directory went away: the dump is written again
            return None

    def keeper(self, etag: str) -> "_Keeper | None":
        """Where a dump being written is copied; None when nothing is kept. Keeping is a saving, never a condition:
        a directory that cannot be written (full, read-only, gone) only means the dump is not kept."""
        if self.directory is None:
            return None
        state = etag.split("-")[0]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for old in self.directory.iterdir():  # only dumps of older states: the directory may hold other files
                if DUMP_NAME.match(old.name) and not old.name.startswith(state):
                    old.unlink(missing_ok=True)
            return _Keeper(self.directory / etag)
        except OSError as error:
            log.warning("export dumps are not kept in %s: %s", self.directory, str(error))
            return None


def honoured_range(environ: dict, length: int) -> dict:
    """The request environ with the Range header to act on for a kept dump of `length` bytes: one byte range, a suffix
    longer than the dump meaning all of it. Anything else (another unit, several ranges, bad syntax) is dropped, so
    the whole dump is sent with 200, as RFC 9110 asks of a server that does not support such a range."""
    from werkzeug.http import parse_range_header

    header = environ.get("HTTP_RANGE")
    if header is None:
        return environ
    parsed = parse_range_header(header)
    environ = {k: v for k, v in environ.items() if k != "HTTP_RANGE"}
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return environ
    start, _ = parsed.ranges[0]
    if start < 0 and -start > length:
        header = "bytes=0-"  # a suffix longer than the representation: all of it
    return {**environ, "HTTP_RANGE": header}


class _Keeper:
    """A dump being written beside its response: renamed into place only when written whole. A failed write (a full
    disk) stops the keeping, not the response. (Errors are logged as text, as in stream().)"""

    def __init__(self, target: Path):
        import tempfile
        self.target = target
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        self.temporary, self.file, self.failed = Path(temporary), open(handle, "wb"), False

    def write(self, data) -> None:
        if self.failed:
            return
        try:
            self.file.write(data)
        except OSError as error:
            log.warning("export dump %s is not kept: %s", self.target.name, str(error))
            self.failed = True

    def commit(self) -> None:
        if self.failed:
            return
        try:
            self.file.close()
            self.temporary.replace(self.target)
        except OSError as error:
            log.warning("export dump %s is not kept: %s", self.target.name, str(error))

    def discard(self) -> None:
        try:
            self.file.close()
        except OSError:
            pass
        self.temporary.unlink(missing_ok=True)
