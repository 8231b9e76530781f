"""sikg.rdf.framing, the practices frame without a JSON-LD processor, against pyld's framing (helpers.pyld_frame,
what the export used before and the reference here): the same JSON byte for byte on the curated KG, on the curated KG
with synthetic practices, on the curated triples under other frames and on random small graphs; and the framed export
read back as RDF gives exactly the triples of the CONSTRUCT it was built from, all of them in the KG."""

import io
import json
import random

import pyoxigraph as ox
import pytest

from helpers import pyld_frame, to_quads
from sikg import formats, synth
from sikg.rdf import exports, framing, jsonld
from sikg.store import EmbeddedStore

SIKG = "https://w3id.org/sikg/ontology#"
ID = "https://w3id.org/sikg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SYNTHETIC_PRACTICES = 100


def dumps(document: dict) -> str:
    """As the export writes it: key order and array order count, not just equality of the parsed values."""
    return json.dumps(document, ensure_ascii=False, indent=1)


def construct(store) -> list[ox.Triple]:
    return list(store.query((exports.FRAMES / "practices.rq").read_text(encoding="utf-8")))


def read_back(document: dict) -> set[ox.Triple]:
    """The triples of a JSON-LD document, by pyld with the local context loader."""
    nquads = "\n".join(to_quads(document)).encode()
    return {q.triple for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}


@pytest.fixture(scope="module")
def with_synthetic() -> EmbeddedStore:
    """The curated KG and 100 synthetic practices (with their organisations) in one in-memory store."""
    store = EmbeddedStore()
    store.load_curated()
    output = io.BytesIO()
    synth.write_synthetic(output, SYNTHETIC_PRACTICES)
    store.replace_graphs({"https://w3id.org/sikg/graph/file/synth.nt":
                          ox.parse(output.getvalue(), format=ox.RdfFormat.N_TRIPLES)})
    return store


@pytest.fixture(scope="module")
def stores(kg, with_synthetic) -> dict:
    return {"curated": (kg, 35), "curated + synthetic": (with_synthetic, 35 + SYNTHETIC_PRACTICES)}


@pytest.mark.parametrize("name", ["curated", "curated + synthetic"])
def test_same_json_as_pyld(stores, name):
    store, practices = stores[name]
    triples = construct(store)
    document = exports.frame_document()
    framed = framing.frame(triples, document)
    assert len(framed["graph"]) == practices
    assert dumps(framed) == dumps(pyld_frame(triples, document))


def practices_frame(store) -> dict:
    """The practices frame as `sikg export --frame practices` writes it, read back."""
    output = io.BytesIO()
    exports.export(store, exports.ExportRequest(formats.JSON_LD, "practices"), output)
    return json.loads(output.getvalue())


def test_export_is_the_fast_frame_with_the_context_inline(kg):
    reference = pyld_frame(construct(kg), exports.frame_document())
    assert reference["@context"] == jsonld.context()
    assert dumps(practices_frame(kg)) == dumps(reference)


def test_the_written_frame_is_the_frame(with_synthetic):
    """What the export writes, a practice at a time, is exactly sikg's framing of the CONSTRUCT (order included)."""
    framed = framing.frame(construct(with_synthetic), exports.frame_document())
    written = practices_frame(with_synthetic)
    assert written["graph"] == framed["graph"]
    assert list(written) == ["@context", "graph"]


def test_synthetic_practices_have_empty_sets_for_missing_links(with_synthetic):
    """Most synthetic practices target no level: the frame's default, an empty array under a @set term."""
    framed = practices_frame(with_synthetic)
    synthetic = [p for p in framed["graph"] if p["id"].startswith("practice:synth-")]
    assert len(synthetic) == SYNTHETIC_PRACTICES
    assert any(p["targetsLevel"] == [] for p in synthetic)
    assert any(p["targetsLevel"] for p in framed["graph"])


@pytest.mark.parametrize("name", ["curated", "curated + synthetic"])
def test_framed_export_read_back_is_the_construct(stores, name):
    store, _ = stores[name]
    read = read_back(practices_frame(store))
    assert read == set(construct(store))
    assert read <= set(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))


def test_the_frame_file_is_what_is_interpreted():
    frame, _ = framing.read_frame(json.loads((exports.FRAMES / "practices.frame.jsonld").read_text(encoding="utf-8")))
    assert frame.types == {SIKG + "SupportPractice"}
    assert set(frame.properties) == {SIKG + p for p in
                                     ("operatedBy", "country", "supportsElement", "usesMethod", "targetsLevel")}
    assert all(p.embed == "@always" for p in frame.properties.values())
    actor_type = frame.properties[SIKG + "operatedBy"].properties[SIKG + "actorType"]
    assert actor_type.embed == "@always" and not actor_type.properties


# Other frames, within what framing interprets: nodes matched by property instead of type, @once and @never,
# a type test on embedded nodes (a node of another type, and every literal, is then left out), @embed at the top.
OTHER_FRAMES = [
    {"operatedBy": {"@embed": "@always", "actorType": {"@embed": "@once"}}, "source": {"@embed": "@never"}},
    {"type": ["SupportPractice", "Organisation"], "operatedBy": {"type": "Organisation", "@embed": "@once"},
     "source": {"@embed": "@once"}},
    {"@embed": "@always", "type": "SupportPractice"},
    {"type": "Organisation", "actorType": {"@embed": "@never"},
     "http://example.org/p/other": {"@embed": "@always", "country": {"@embed": "@always"}}},
]


@pytest.mark.parametrize("other", range(len(OTHER_FRAMES)))
def test_same_json_as_pyld_under_other_frames(kg, other):
    document = {"@context": jsonld.context(), **OTHER_FRAMES[other]}
    triples = construct(kg)
    assert dumps(framing.frame(triples, document)) == dumps(pyld_frame(triples, document))


PREDICATES = ["http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/2000/01/rdf-schema#label",
              "http://purl.org/dc/terms/description", "http://purl.org/dc/terms/source", SIKG + "country",
              SIKG + "operatedBy", SIKG + "supportsElement", SIKG + "usesMethod", SIKG + "targetsLevel",
              SIKG + "actorType", "http://www.w3.org/2004/02/skos/core#prefLabel",
              "http://www.w3.org/2004/02/skos/core#notation", "http://www.w3.org/2004/02/skos/core#altLabel",
              "http://xmlns.com/foaf/0.1/homepage", "http://purl.org/dc/terms/spatial", "http://example.org/p/other"]
TYPES = [SIKG + "SupportPractice", SIKG + "Organisation", SIKG + "ProcessElement", "http://example.org/T"]
NODES = [ID + "practice/a", ID + "practice/b", ID + "organisation/o", ID + "organisation/p", ID + "element/e",
         ID + "actor-type/t", "http://example.org/x", "http://example.org/y"]


def random_graph(seed: int) -> list[ox.Triple]:
    """Up to 40 triples among 8 nodes: cycles, self-references, nodes reached twice, shared nodes, literals of every
    kind (language-tagged, plain, typed) under terms of every kind (language map, @set, @type @id, plain, none)."""
    rng = random.Random(seed)

    def literal() -> ox.Literal:
        return rng.choice([lambda: ox.Literal(rng.choice("ab"), language=rng.choice(["en", "sv"])),
                           lambda: ox.Literal(rng.choice("ab")),
                           lambda: ox.Literal(str(rng.randrange(2)), datatype=ox.NamedNode(XSD + "integer")),
                           lambda: ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date"))])()

    triples = []
    for _ in range(rng.randrange(1, 40)):
        predicate = rng.choice(PREDICATES)
        if predicate == PREDICATES[0]:
            obj = ox.NamedNode(rng.choice(TYPES))
        else:
            obj = ox.NamedNode(rng.choice(NODES)) if rng.random() < 0.5 else literal()
        triples.append(ox.Triple(ox.NamedNode(rng.choice(NODES)), ox.NamedNode(predicate), obj))
    return triples


@pytest.mark.slow  # fuzzes: 150 random graphs a frame, each framed by pyld too
@pytest.mark.parametrize("frame_document", [None, *range(len(OTHER_FRAMES))])
def test_same_json_as_pyld_on_random_graphs(frame_document):
    document = (exports.frame_document() if frame_document is None
                else {"@context": jsonld.context(), **OTHER_FRAMES[frame_document]})
    for seed in range(150):
        triples = random_graph(seed)
        assert dumps(framing.frame(triples, document)) == dumps(pyld_frame(triples, document)), seed


@pytest.mark.parametrize("entries", [
    {"type": "SupportPractice", "@explicit": True},
    {"type": "SupportPractice", "operatedBy": {"@embed": "@link"}},
    {"type": "SupportPractice", "label": {}},  # a language map: pyld would read the frame as one
    {"type": {}},
    {"id": "https://w3id.org/sikg/id/practice/a"},
    {"country": "http://publications.europa.eu/resource/authority/country/FRA"},
])
def test_other_framing_features_are_refused(entries):
    with pytest.raises(framing.UnsupportedFrame):
        framing.frame([], {"@context": jsonld.CANONICAL_CONTEXT_URL, **entries})
