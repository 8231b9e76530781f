"""Whole-KG exports and the two views of it: the practices frame (nested JSON for web developers) and the
schema.org view (the practices as schema.org types and properties, from ontology/alignments/schema-org.ttl).

What an export holds and the rules of what may be asked for (one place for the command line and GET /export);
written by Oxigraph's writers for the RDF syntaxes, jsonld.write_compacted for compact JSON-LD. Sending and keeping
dumps over HTTP is http/dumps.py's.
"""

import json
import os
from collections.abc import Iterator
from contextlib import closing
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import orjson
import pyoxigraph as ox

from ..errors import BadRequest
from ..formats import DUMP_FORMATS, JSON_LD, TURTLE, Format
from ..namespaces import GRAPH_PRIVATE, PREFIXES, PROFILE, RDF, RDFS, SCHEMA, SKOS, values
from . import content, engine_pipe, framing, jsonld, nquads_compaction

FRAMES = Path(__file__).parent / "frames"

SCHEMA_ORG_PROFILE = str(SCHEMA)
PRACTICES_PROFILE = PROFILE.practices
PROFILES = {"practices": PRACTICES_PROFILE, "schema.org": SCHEMA_ORG_PROFILE}  # the views, by the profile they are
# What profile= and Accept-Profile may name each view by.
VIEW_NAMES = {"schema.org": "schema.org", SCHEMA_ORG_PROFILE: "schema.org", PRACTICES_PROFILE: "practices",
              "practices": "practices"}
ACCEPT_PROFILE_NAMES = {SCHEMA_ORG_PROFILE: "schema.org", SCHEMA_ORG_PROFILE.rstrip("/"): "schema.org",
                        PRACTICES_PROFILE: "practices"}


class UnknownView(BadRequest):
    """An export that cannot be made: an unknown frame or profile, or two that contradict each other."""


def read_view(frame: str | None, profile: str | None, accept_profile: str | None = None) -> str | None:
    """The view asked for: None (the whole KG), "practices" (the frame) or "schema.org", from frame= or --frame,
    profile= or --schema-org, else the Accept-Profile header. Raises UnknownView."""
    view = None
    if frame:
        if frame != "practices":
            raise UnknownView(f"unknown frame {frame!r}; the only frame is 'practices'")
        view = "practices"
    if profile:
        named = VIEW_NAMES.get(profile)
        if named is None:
            raise UnknownView(f"unknown profile {profile!r}; use schema.org or practices")
        if view not in (None, named):  # an explicit conflict is refused rather than one of the two silently dropped
            raise UnknownView(f"frame={frame} and profile={profile} are two different views; ask for one of them")
        return named
    if view is None and accept_profile:
        # W3C Content Negotiation by Profile: a list of <uri>;q= entries; the first one offered wins.
        for entry in accept_profile.split(","):
            view = ACCEPT_PROFILE_NAMES.get(entry.split(";")[0].strip().strip("<>"))
            if view:
                break
    return view


def offered_formats(view: str | None) -> tuple[Format, ...]:
    """The formats a view can be written in, the default first: the practices frame exists only as JSON-LD."""
    if view == "practices":
        return (JSON_LD,)
    return (TURTLE, *(f for f in DUMP_FORMATS if f is not TURTLE))


class ExportRequest:
    """One export: a format of formats.DUMP_FORMATS and a view (None for the whole KG). Raises UnknownView for a
    combination that cannot be made, so the command line and GET /export refuse the same things."""

    def __init__(self, fmt: Format, view: str | None = None):
        if fmt not in offered_formats(view):
            raise UnknownView(f"the practices frame is JSON-LD only: format {fmt.name} cannot be combined with it "
                              f"(ask for jsonld, or leave the format out)")
        self.format, self.view = fmt, view
        self.media_type = fmt.media_type

    @property
    def headers(self) -> dict:
        suffix = {"practices": "-practices", "schema.org": "-schema-org"}.get(self.view, "")
        headers = {"Content-Disposition": f'attachment; filename="sikg{suffix}.{self.format.extension}"',
                   "Vary": "Accept, Accept-Profile"}
        if self.view:
            headers["Content-Profile"] = f"<{PROFILES[self.view]}>"
        return headers


def export(store, request: ExportRequest, output: BinaryIO) -> None:
    if request.view is None:
        _export_kg(store, request.format, output)
    elif request.view == "practices":
        write_practices_frame(store, output)
    else:
        _write_triples(schema_org_triples(store), request.format, output, _schema_context())


def _export_kg(store, fmt: Format, output: BinaryIO) -> None:
    if fmt != JSON_LD:
        store.dump(output, fmt.rdf, prefixes=PREFIXES)
    elif _written_by_the_engine(store):
        with closing(engine_pipe.lines_while_written(store.write_quads_file)) as lines:
            nodes = nquads_compaction.compacted_nodes(lines, jsonld.Compactor(jsonld.context()), _public_graph)
            jsonld.write_nodes(nodes, output, jsonld.context())
    else:  # compact, with the sikg context: Oxigraph's own JSON-LD writer expands
        jsonld.write_compacted(store.all_quads(), output, grouped=store.quads_grouped)


def _written_by_the_engine(store) -> bool:
    """An on-disk embedded store, whose quads the engine writes itself (write_quads_file) as N-Quads while their
    text is compacted (nquads_compaction.py), on a machine with a second core to do it: reading the store is the
    engine's work, and this way it runs beside the writer's instead of before it (issue 28, item 5). In CPU it
    costs no more than reading the quads through Python (bench/README.md, "Export from the dump's text"); with one
    core, where the two measured alike, and where there is no /dev/fd, the quads are read through Python."""
    return (store.quads_grouped and hasattr(store, "write_quads_file") and os.path.isdir("/dev/fd")
            and _cores() > 1)


def _cores() -> int:
    """The cores this process may run on (its affinity, which a container or taskset narrows), else the machine's.
    (The load average was tried as a sign of a free core and misled: bench/README.md.)"""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _public_graph(graph: str) -> bool:
    """Whether the graph of this N-Quads name (<iri>, _:id, "" for the default graph) is public (all_quads()'
    rule)."""
    return not graph.startswith(_PRIVATE_GRAPHS)


_PRIVATE_GRAPHS = f"<{GRAPH_PRIVATE}"


def _write_triples(triples, fmt: Format, output: BinaryIO, ctx: dict) -> None:
    if fmt == JSON_LD:
        quads = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        jsonld.write_compacted(quads, output, ctx=ctx)
    else:
        ox.serialize(triples, output, fmt.rdf, prefixes={"schema": str(SCHEMA)} | PREFIXES)


@lru_cache(maxsize=1)
def frame_document() -> dict:
    """The practices frame (frames/practices.frame.jsonld) with the sikg context inlined, as framing reads it."""
    document = json.loads((FRAMES / "practices.frame.jsonld").read_text(encoding="utf-8"))
    document["@context"] = jsonld.context()
    return document


def write_practices_frame(store, output: BinaryIO) -> None:
    """A JSON-LD document whose graph is the array of practices, each nested with its elements, methods,
    organisations, country, level and sources, with their labels; written a practice at a time. (framing.framed_nodes
    gives what pyld's framing would, in linear time.) The context is written inline, first: the document is read
    with no network access, and a processor that streams it meets the context before the practices."""
    output.write(b'{"@context":' + orjson.dumps(jsonld.context()) + b',\n"graph":[')
    separator = b"\n"
    for practice in _practices(store):
        output.write(separator + orjson.dumps(practice))
        separator = b",\n"
    output.write(b"\n]}\n")


def _practices(store) -> Iterator[dict]:
    triples = store.query((FRAMES / "practices.rq").read_text(encoding="utf-8"))
    return framing.framed_nodes(triples, frame_document())


# -- the schema.org view ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def schema_org_mapping() -> tuple[dict[str, str], dict[str, str]]:
    """(class map, property map) from the schema.org alignment file: sikg term (or reused term) -> schema.org."""
    classes, properties = {}, {}
    for quad in content.read(content.home() / "ontology" / "alignments" / "schema-org.ttl"):
        target = quad.object.value
        if not target.startswith(SCHEMA):
            continue
        if quad.predicate.value == RDFS.subClassOf:
            classes.setdefault(quad.subject.value, target)
        elif quad.predicate.value in (RDFS.subPropertyOf, SKOS.closeMatch):
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
    names = [iri for iri, target in properties.items() if target == SCHEMA.name]
    # The nodes first, once each (a FILTER EXISTS per triple took far longer: bench/README.md, the schema.org view)
    query = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
        {{ SELECT DISTINCT ?s WHERE {{ ?s a ?class ; ?name ?label . {values("class", classes)}
                                     {values("name", names)} }} }}
        ?s ?p ?o . {values("p", [RDF.type, *properties])} }}"""
    for triple in store.query(query):
        predicate = triple.predicate.value
        if predicate == RDF.type:
            if triple.object.value in classes:
                yield ox.Triple(triple.subject, RDF.term("type"), ox.NamedNode(classes[triple.object.value]))
        elif predicate in properties:
            yield ox.Triple(triple.subject, ox.NamedNode(properties[predicate]), triple.object)


def _schema_context() -> dict:
    ctx = {"@vocab": str(SCHEMA), "schema": str(SCHEMA), "id": "@id", "type": "@type", "graph": "@graph"}
    for prefix in ("practice", "organisation", "scheme", "collection", "actortype", "characteristic", "xsd"):
        ctx[prefix] = PREFIXES[prefix]
    for name in ("provider", "areaServed", "serviceType", "category", "audience", "citation", "url",
                 "inDefinedTermSet"):
        ctx[name] = {"@id": SCHEMA[name], "@type": "@id"}
    for name in ("name", "description"):
        ctx[name] = {"@id": SCHEMA[name], "@container": "@language"}
    return ctx
