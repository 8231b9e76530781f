"""The fast engine (validation/engine.py) against pySHACL, the reference: the same report on every RDF fixture in
tests/, on synthetic uploads (whole, and damaged so that every kind of constraint fails somewhere), on mutants of the
valid practice, with the curated data and with a store as reference, and on shapes made to reach the corners of each
constraint component. "The same report" is the same verdict, the same results (focus node, path, constraint
component, severity, and also the shape, the value and the messages in every language) and, where the report graph is
small enough to compare, an isomorphic sh:ValidationReport graph with the same prefixes.
"""

import json
import random
from collections import Counter
from io import BytesIO
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from helpers import FIXTURES, ROOT
from sikg.rdf import content, reading
from sikg.synth import write_synthetic
from sikg.validation import engine as fast
from sikg.validation import shacl

FIXTURE_FILES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))
RDF_SUFFIXES = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf"}


def readable_hostile_files() -> list[Path]:
    """The RDF files of tests/hostile that parse (the others are refused before any validation)."""
    readable = []
    for path in sorted((ROOT / "tests" / "hostile").iterdir()):
        if path.suffix in RDF_SUFFIXES:
            try:
                reading.parse_upload(path.read_bytes(), reading.format_for_path(path), path.name)
            except Exception:  # noqa: BLE001 - unreadable on purpose: refused with a 4xx, never validated
                continue
            readable.append(path)
    return readable


def results(report, blank_names: bool = True) -> Counter:
    def described(result) -> str:
        data = result.as_json()
        if not blank_names and data["focusNode"].startswith("["):
            data["focusNode"] = "[blank node]"
        return json.dumps(data, sort_keys=True, ensure_ascii=False)
    return Counter(map(described, report.results))


def several_parents(quads) -> bool:
    """Whether a blank node of the input is the object of more than one triple. pySHACL then names it by one of them
    picked by rdflib's set order, which changes with the process's hash seed (PYTHONHASHSEED): the JSON's name of
    such a focus node is not a fixed part of the report, and the sh:focusNode of the report graph is compared."""
    return any(n > 1 for n in Counter(q.object for q in quads if isinstance(q.object, ox.BlankNode)).values())


def differences(quads, reference=shacl.curated_reference, compare_graphs: bool = True) -> list[str]:
    """What the fast engine's report and pySHACL's do not share (nothing: the same report)."""
    quads = list(quads)
    ours = shacl.validate_quads(quads, reference, engine="fast")
    theirs = shacl.validate_quads(quads, reference, engine="pyshacl")
    found = []
    if ours.conforms != theirs.conforms:
        found.append(f"conforms: fast {ours.conforms}, pySHACL {theirs.conforms}")
    named = not several_parents(quads)
    assert named or compare_graphs, "a blank node of several parents: only the graphs say which node a result is about"
    ours_only = results(ours, named) - results(theirs, named)
    theirs_only = results(theirs, named) - results(ours, named)
    found += [f"only fast: {r}" for r in sorted(ours_only)] + [f"only pySHACL: {r}" for r in sorted(theirs_only)]
    if compare_graphs and not found:
        if not isomorphic(ours.graph, theirs.graph):
            found.append("the sh:ValidationReport graphs differ")
        prefixes = lambda report: sorted(line for line in report.to_turtle().splitlines() if line.startswith("@"))
        if prefixes(ours) != prefixes(theirs):
            found.append(f"prefixes: fast {prefixes(ours)}, pySHACL {prefixes(theirs)}")
    return found


def quads_of(path: Path) -> list:
    return reading.parse_upload(path.read_bytes(), reading.format_for_path(path), path.name)


# -- the fast engine is the one that runs -------------------------------------------------------------------------

def test_the_fast_engine_knows_all_of_sikgs_shapes():
    """Else POST /validate silently falls back to pySHACL, 30 times slower."""
    compiled = shacl.fast_shapes()
    assert compiled is not None
    constraints = [c for shape in compiled.targeted for c in shape.sparql]
    assert len(constraints) == 6
    assert all(c.once_for_all for c in constraints), "each SPARQL constraint runs once for all focus nodes"


def test_validation_uses_the_fast_engine(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("pySHACL ran")

    monkeypatch.setattr(shacl, "_validate_with_pyshacl", refuse)
    report = shacl.validate_files([FIXTURES / "invalid" / "practice-no-country.ttl"])
    assert not report.conforms


# -- the fixtures ----------------------------------------------------------------------------------------------------

# One of each kind, for `make check`: core components, SPARQL constraints, blank nodes, warnings, the valid ones.
QUICK = ["valid/practice.ttl", "valid/practice-partner-characteristic.ttl", "invalid/practice-no-country.ttl",
         "invalid/practice-label-bad-language.ttl", "invalid/practice-element-without-record.ttl",
         "invalid/misspelt-property.ttl", "invalid/misspelt-class.ttl", "invalid/link-quotation-too-long.ttl",
         "invalid/organisation-label-untagged.ttl", "invalid/practice-operator-not-organisation.ttl"]


@pytest.mark.parametrize("name", QUICK)
def test_a_fixture_of_each_kind_gets_pyshacls_report(name):
    assert not differences(content.read(FIXTURES / name))


@pytest.mark.slow  # the whole corpus through two engines
@pytest.mark.parametrize("path", FIXTURE_FILES + readable_hostile_files(),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fixture_gets_pyshacls_report(path):
    assert not differences(quads_of(path))


@pytest.mark.slow
@pytest.mark.parametrize("path", [FIXTURES / "valid" / "practice.ttl", FIXTURES / "invalid" / "misspelt-property.ttl",
                                  FIXTURES / "invalid" / "practice-partner-without-record.ttl"],
                         ids=lambda p: p.stem)
def test_with_the_store_as_reference_too(path, kg):
    """As the service validates: the store's types of what the input names, and what it says of what it describes."""
    assert not differences(quads_of(path), shacl.store_reference(kg))


def test_re_describing_a_curated_practice_is_checked_as_its_whole_new_description(kg):
    """Data that describes a curated practice proposes its whole new description (a revision, issue 26): checked
    alone, not beside the description it replaces, a lone English label lacks the country, and is no second label."""
    data = (b'<https://w3id.org/sikg/id/practice/cap-impact> <http://www.w3.org/2000/01/rdf-schema#label> '
            b'"Another name"@en .\n')
    quads = list(ox.parse(data, ox.RdfFormat.N_TRIPLES))
    assert not differences(quads, shacl.store_reference(kg))
    report = shacl.validate_quads(quads, shacl.store_reference(kg))
    assert not any(r.constraint_component.endswith("UniqueLangConstraintComponent") for r in report.results)
    assert any(r.path and r.path.endswith("#country") for r in report.results)


# -- synthetic uploads --------------------------------------------------------------------------------------------

def synthetic(practices: int, seed: int = 0) -> list:
    output = BytesIO()
    write_synthetic(output, practices, seed=seed)
    return list(ox.parse(output.getvalue(), ox.RdfFormat.N_TRIPLES))


def damaged(quads: list, seed: int) -> list:
    """The upload with some triples dropped, some objects swapped for a literal, a blank node or another IRI, and
    some languages changed: every constraint of the shapes fails on some node."""
    rng = random.Random(seed)
    others = [ox.Literal("x"), ox.Literal("01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
              ox.BlankNode(), ox.NamedNode("https://w3id.org/sikg/id/element/nowhere"),
              ox.NamedNode("https://w3id.org/sikg/ontology#Nothing")]
    out = []
    for quad in quads:
        roll = rng.random()
        if roll < 0.04:
            continue
        if roll < 0.07:
            other = rng.choice(others)  # a blank node of its own each time (the mutants below share them)
            quad = ox.Quad(quad.subject, quad.predicate, ox.BlankNode() if isinstance(other, ox.BlankNode) else other)
        elif roll < 0.09 and isinstance(quad.object, ox.Literal):
            quad = ox.Quad(quad.subject, quad.predicate, ox.Literal(quad.object.value + " ",
                                                                    language=rng.choice(["en", "sv", "EN-gb", "xx"])))
        elif roll < 0.10:
            quad = ox.Quad(quad.subject, ox.NamedNode("https://w3id.org/sikg/ontology#misspelt"), quad.object)
        out.append(quad)
    return out


def test_a_small_damaged_upload_gets_pyshacls_report():
    assert not differences(damaged(synthetic(20), seed=1))


COUNTRY = "https://w3id.org/sikg/ontology#country"

# The synthetic upload compared with pySHACL at 800 practices, not the 2,000: every shape of sikg is about one
# node and what it links to (no constraint counts or compares across practices), so a practice's results do not depend
# on how many others come with it, and 800 is the first size of `sikg synth` at which every term of the 2,000-practice
# upload occurs (the rarer methods appear from about 750 on; measured with seed 0). pySHACL on the 2,000 took 130 s of
# the suite's 660; the scale itself is checked below, by the fast engine alone.
COMPARED_PRACTICES = 800


@pytest.mark.slow  # pySHACL takes some 20 s
@pytest.mark.parametrize("country", [True, False], ids=["with-country", "without-country"])
def test_the_synthetic_upload_gets_pyshacls_report(country):
    """The upload of the issue (`sikg synth`), as written and without sikg:country (a violation on every practice)."""
    quads = [q for q in synthetic(COMPARED_PRACTICES) if country or q.predicate.value != COUNTRY]
    assert not differences(quads, compare_graphs=False)


@pytest.mark.slow  # the full-size upload, made and validated in 2-4 s
def test_the_synthetic_uploads_terms_are_all_in_the_compared_size():
    """What makes COMPARED_PRACTICES enough: the compared upload uses every predicate and every IRI object (but the
    upload's own practices, organisations and pages, all with "/synth" in their IRIs) that the issue's 2,000-practice
    upload uses, and literals of every kind it has."""
    def terms(quads) -> set:
        return {(q.predicate.value, q.object.value if isinstance(q.object, ox.NamedNode) and "/synth" not in
                 q.object.value else (type(q.object).__name__, getattr(q.object, "language", None),
                                      str(getattr(q.object, "datatype", None)))) for q in quads}
    assert terms(synthetic(2000)) == terms(synthetic(COMPARED_PRACTICES))


@pytest.mark.slow  # the full-size upload, made and validated in 2-4 s
def test_the_2000_practice_upload_gets_its_warnings_from_the_fast_engine():
    """The issue's upload at its full size (`sikg synth --practices 2000`): 6,066 warnings and no violation, and
    without sikg:country a violation more for each practice."""
    quads = synthetic(2000)
    report = shacl.validate_quads(quads, shacl.curated_reference, engine="fast")
    assert report.conforms and Counter(r.severity for r in report.results) == {"Warning": 6066}
    without_country = shacl.validate_quads([q for q in quads if q.predicate.value != COUNTRY],
                                           shacl.curated_reference, engine="fast")
    assert Counter(r.severity for r in without_country.results) == {"Warning": 6066, "Violation": 2000}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
def test_damaged_uploads_get_pyshacls_report(seed, kg):
    quads = damaged(synthetic(150, seed=seed), seed)
    assert not differences(quads, compare_graphs=False)
    assert not differences(quads, shacl.store_reference(kg), compare_graphs=False)


# -- mutants of the valid practice -----------------------------------------------------------------------------------

def mutants(count: int, seed: int = 11) -> list[list]:
    """The valid practice, each time with one to three changes: a triple dropped or duplicated with another language,
    an object made a literal, a typed literal, a blank node with its own description, or a term of another kind."""
    base = list(content.read(FIXTURES / "valid" / "practice-partner-characteristic.ttl"))
    rng = random.Random(seed)
    blank = ox.BlankNode("mutant")
    extras = [ox.Literal("x"), ox.Literal("", language="fr"), ox.Literal("true", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#boolean")), blank, ox.NamedNode("https://example.org/other"),
        ox.NamedNode("https://w3id.org/sikg/id/organisation/avise"), ox.NamedNode("https://w3id.org/sikg/id/level/meso")]
    found = []
    for _ in range(count):
        quads = list(base)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(quads))
            s, p, o = quads[i].subject, quads[i].predicate, quads[i].object
            change = rng.randrange(4)
            if change == 0:
                del quads[i]
            elif change == 1 and isinstance(o, ox.Literal):
                quads.append(ox.Quad(s, p, ox.Literal(o.value + " (2)", language=rng.choice(["en", "sv", "EN"]))))
            elif change == 2:
                quads[i] = ox.Quad(s, p, rng.choice(extras))
            else:
                quads.append(ox.Quad(blank, p, o))
                quads.append(ox.Quad(s, p, blank))
        found.append(quads)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("index", range(30))
def test_mutants_of_the_valid_practice_get_pyshacls_report(index):
    assert not differences(MUTANTS[index])


MUTANTS = mutants(30)


# -- the corners of each component, on shapes made for them ----------------------------------------------------------

CORNER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .

ex:Thing_Shape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:targetNode ex:named ;
    sh:property ex:code , ex:label , ex:when , ex:link , ex:kind , ex:note , ex:warned , ex:twice ;
    sh:sparql ex:no_partner , ex:first_only , ex:failing .
ex:code a sh:PropertyShape ; sh:path ex:code ; sh:pattern "^1$" ; sh:maxLength 2 ; sh:minLength 1 ;
    sh:datatype xsd:integer ; sh:message "code"@en , "kod"@sv .
ex:label a sh:PropertyShape ; sh:path rdfs:label ; sh:uniqueLang true ; sh:languageIn ( "en" "sv" ) ;
    sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ; sh:qualifiedMaxCount 1 ; sh:qualifiedMinCount 1 ;
    sh:message "label"@en .
ex:when a sh:PropertyShape ; sh:path ex:when ; sh:datatype xsd:date ; sh:message "when"@en .
ex:link a sh:PropertyShape ; sh:path ex:link ; sh:class ex:Thing ; sh:nodeKind sh:BlankNodeOrIRI ;
    sh:in ( ex:a ex:b ex:named ) ; sh:maxCount 2 ; sh:message "link"@en .
ex:kind a sh:PropertyShape ; sh:path rdf:type ;
    sh:or ( [ sh:not [ sh:pattern "^https://example\\\\.org/" ; sh:flags "i" ] ] [ sh:class rdfs:Class ] ) ;
    sh:message "kind"@en .
ex:note a sh:PropertyShape ; sh:path ex:note ; sh:or ( [ sh:severity sh:Warning ; sh:minLength 50 ] ) ;
    sh:pattern "o" ; sh:severity sh:Info ; sh:message "note"@en .
ex:warned a sh:PropertyShape ; sh:path ex:warned ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "warned"@en .
ex:twice a sh:PropertyShape ; sh:path ex:twice ; sh:maxCount 0 ; sh:deactivated true ; sh:message "twice"@en .

ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .
ex:no_partner a sh:SPARQLConstraint ; sh:prefixes ex:prefixes ;
    sh:message "{?value} has no partner of {$this} ({?extra})"@en , "{?value} saknar partner"@sv ;
    sh:select '''SELECT $this ?value ?extra WHERE { $this ex:link ?value . OPTIONAL { ?value ex:code ?extra }
                                                    FILTER NOT EXISTS { ?value ex:partner $this } }''' .
ex:first_only a sh:SPARQLConstraint ; sh:prefixes ex:prefixes ; sh:message "no note on {$this}"@en ;
    sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:note ?n } }" .
ex:failing a sh:SPARQLConstraint ; sh:prefixes ex:prefixes ; sh:message "failure {?path}"@en ;
    sh:select "SELECT $this ?failure ?path WHERE { $this ?path ex:broken . BIND(true AS ?failure) } LIMIT 1" .

ex:Part_Shape a sh:NodeShape ; sh:targetSubjectsOf ex:part ; sh:targetObjectsOf ex:part ;
    sh:property [ sh:path ex:code ; sh:minCount 1 ; sh:message "part code"@en ] .
"""

CORNER_DATA = """
@prefix ex: <https://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Special rdfs:subClassOf ex:Thing .
ex:a a ex:Special ; ex:code "01"^^xsd:integer , "abc"^^xsd:integer , "1" ; rdfs:label "A"@en , "A2"@EN , "B"@en-GB ,
    "C"@fr , "plain" ; ex:when "2020-13-01"^^xsd:date , "2020-01-01"^^xsd:date ; ex:link ex:b , ex:c , "lit" , [] ;
    ex:note "short" ; ex:part [ ex:code "9"^^xsd:integer ] , ex:named ; ex:x ex:broken .
ex:b a ex:Thing , ex:Other ; rdfs:label "B"@sv ; ex:link ex:a ; ex:partner ex:a ; ex:note "x" ; ex:warned "w" ;
    ex:twice 1 , 2 .
ex:named ex:code "1"^^xsd:integer ; ex:y ex:broken .
ex:c ex:link ex:c .
"""


@pytest.fixture
def corner_shapes(monkeypatch):
    graph = rdflib.Graph().parse(data=CORNER_SHAPES, format="turtle")
    monkeypatch.setattr(shacl, "shapes_graph", lambda: graph)
    return graph


def test_the_corners_of_each_component_get_pyshacls_report(corner_shapes):
    quads = list(ox.parse(CORNER_DATA.encode(), ox.RdfFormat.TURTLE))
    compiled = shacl.fast_shapes()
    assert compiled is not None
    once = {str(c.node).rsplit("/", 1)[-1]: c.once_for_all for s in compiled.targeted for c in s.sparql}
    assert once == {"no_partner": True, "first_only": False, "failing": False}
    assert not differences(quads)
    report = shacl.validate_quads(quads, engine="fast")
    components = {r.constraint_component.rsplit("#", 1)[-1] for r in report.results}
    assert components >= {"PatternConstraintComponent", "MaxLengthConstraintComponent", "DatatypeConstraintComponent",
                          "UniqueLangConstraintComponent", "LanguageInConstraintComponent",
                          "QualifiedMaxCountConstraintComponent", "ClassConstraintComponent",
                          "NodeKindConstraintComponent", "InConstraintComponent", "MaxCountConstraintComponent",
                          "OrConstraintComponent", "MinCountConstraintComponent", "SPARQLConstraintComponent"}
    assert {r.severity for r in report.results} == {"Violation", "Warning", "Info"}


def test_shapes_the_fast_engine_does_not_know_are_validated_by_pyshacl(monkeypatch):
    without_this = CORNER_SHAPES.replace('"SELECT $this ?failure ?path', '"SELECT ?failure ?path')
    assert fast.compile_shapes(rdflib.Graph().parse(data=without_this, format="turtle")) is None
    unknown = CORNER_SHAPES.replace('sh:maxLength 2 ;', 'sh:maxLength 2 ; sh:hasValue 1 ;')
    graph = rdflib.Graph().parse(data=unknown, format="turtle")
    assert fast.compile_shapes(graph) is None
    monkeypatch.setattr(shacl, "shapes_graph", lambda: graph)
    quads = list(ox.parse(CORNER_DATA.encode(), ox.RdfFormat.TURTLE))
    auto, reference = shacl.validate_quads(quads), shacl.validate_quads(quads, engine="pyshacl")
    assert results(auto) == results(reference)
    assert any(r.constraint_component.endswith("HasValueConstraintComponent") for r in auto.results)
    with pytest.raises(ValueError):
        shacl.validate_quads(quads, engine="fast")


# -- the comparison itself ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("broken, fixture", [
    ("_max_length", "invalid/link-quotation-too-long.ttl"),  # a component that no longer fails
    ("_language_in", "valid/practice.ttl"),  # one that fails too often
])
def test_a_wrong_engine_is_caught(monkeypatch, broken, fixture):
    """The comparison is not vacuous: an engine whose component is wrong disagrees with pySHACL on a fixture."""
    wrong = {"_max_length": lambda n: lambda engine, focus, values: iter(()),
             "_language_in": lambda wanted: lambda engine, focus, values: iter(values)}[broken]
    monkeypatch.setattr(fast, broken, wrong)
    monkeypatch.setattr(shacl, "_COMPILED", None)  # compiled again, with the wrong component
    assert differences(content.read(FIXTURES / fixture))
