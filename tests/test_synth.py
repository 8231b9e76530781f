"""The synthetic benchmark data: deterministic, counted right, loadable, and conforming to the shapes."""

import io
from collections import defaultdict

import pyoxigraph as ox

from sikg import synth
from sikg.namespaces import PREFIXES
from sikg.rdf import content
from sikg.store import EmbeddedStore
from sikg.validation.shacl import validate_files

SIKG = PREFIXES["sikg"]


def generate(practices: int, seed: int = 0) -> tuple[bytes, int]:
    output = io.BytesIO()
    count = synth.write_synthetic(output, practices, seed)
    return output.getvalue(), count


def parse(data: bytes) -> list[ox.Triple]:
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))


def test_same_seed_same_bytes_other_seed_other_bytes():
    first, _ = generate(200, seed=7)
    assert first == generate(200, seed=7)[0]
    assert first != generate(200, seed=8)[0]


def test_count_is_the_number_of_triples_written():
    data, count = generate(500)
    triples = parse(data)
    assert count == len(triples) == len(set(triples))


def test_practices_are_as_described():
    triples = parse(generate(500)[0])
    by_subject: dict[ox.NamedNode | ox.BlankNode, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        by_subject[t.subject][t.predicate.value].append(t.object)
    practice_class = ox.NamedNode(SIKG + "SupportPractice")
    practices = [s for s, props in by_subject.items() if practice_class in props[PREFIXES["rdf"] + "type"]]
    assert len(practices) == 500
    for practice in practices:
        props = by_subject[practice]
        assert len(props[PREFIXES["dct"] + "description"][0].value) >= 80
        elements = {e.value.rsplit("/", 1)[-1] for e in props[SIKG + "supportsElement"]}
        allowed = {m for e in elements for m in synth.METHODS_BY_ELEMENT[e]}
        assert 1 <= len(elements) <= 2
        assert {m.value.rsplit("/", 1)[-1] for m in props[SIKG + "usesMethod"]} <= allowed
        assert len(props[SIKG + "usesMethod"]) <= 2 and len(props[SIKG + "targetsLevel"]) <= 1


def test_concept_tables_match_schemes():
    """The module hard-codes the concept IRIs for speed; this keeps them in step with schemes.ttl."""
    triples = list(ox.parse(path=str(content.home() / "ontology" / "schemes.ttl")))
    of_class = defaultdict(set)
    for t in triples:
        if t.predicate.value == PREFIXES["rdf"] + "type":
            of_class[t.object.value].add(t.subject.value.rsplit("/", 1)[-1])
    for_element = {t.subject.value.rsplit("/", 1)[-1]: t.object.value.rsplit("/", 1)[-1]
                   for t in triples if t.predicate.value == SIKG + "forElement"}
    assert set(synth.ELEMENTS) == of_class[SIKG + "ProcessElement"]
    assert set(synth.LEVELS) == of_class[SIKG + "Level"]
    assert set(synth.ACTOR_TYPES) == of_class[SIKG + "ActorType"]
    assert {m: e for e, ms in synth.METHODS_BY_ELEMENT.items() for m in ms} == for_element


def test_loads_into_the_store():
    graph = "https://w3id.org/sikg/graph/file/synth.nt"
    store = EmbeddedStore()
    store.replace_graphs({graph: parse(generate(20)[0])})
    result = store.query(f"SELECT (COUNT(?p) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?p a sikg:SupportPractice }} }}",
                         prefixes=PREFIXES)
    assert int(next(iter(result))["n"].value) == 20


def test_conforms_to_the_shapes(tmp_path):
    # 60 practices (seed 0) is the smallest sample that holds every kind of link, including a practice with two
    # elements, so that every qualified-record pattern the module writes is validated.
    path = tmp_path / "synth.nt"
    with path.open("wb") as output:
        synth.write_synthetic(output, 60)
    triples = parse(path.read_bytes())
    assert {SIKG + "usesMethod", SIKG + "targetsLevel"} <= {t.predicate.value for t in triples}
    elements = [t.subject for t in triples if t.predicate.value == SIKG + "supportsElement"]
    assert len(elements) > len(set(elements)), "no practice with two elements in the sample"
    report = validate_files([path])
    assert report.conforms and report.count("Violation") == 0, report.to_text()


def test_benchmark_size():
    # A few seconds: it is the size the benchmarks use, so its triple count is what they are tuned on.
    _, count = generate(20_000)
    assert 200_000 <= count <= 300_000
