"""SHACL shapes: everything in data/ conforms, every constraint has a failing fixture that it catches."""

import re
from pathlib import Path

import pytest
import rdflib

from helpers import FIXTURES, ROOT, run_cli, select
from sikg.validation.shacl import SH, shapes_graph, validate_files, validate_quads

DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))


def expectations(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^# expect-(\w+): (.+)$", path.read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_curated_data_conforms(path):
    report = validate_files([path])
    assert report.conforms, report.to_text()


def test_all_curated_data_together_conforms():
    report = validate_files(DATA_FILES)
    assert report.conforms, report.to_text()
    assert report.count("Violation") == 0


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_fixture_conforms_without_any_result(path):
    report = validate_files([path])
    assert report.conforms and report.results == [], report.to_text()


@pytest.mark.slow  # the whole corpus of fixtures through the validator
@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_is_caught_by_its_constraint(path):
    expect = expectations(path)
    report = validate_files([path])
    matching = [r for r in report.results
                if expect["shape"] in (r.source_shape, r.source_constraint)
                and r.focus_node == expect["focus"]
                and r.constraint_component == expect["component"]
                and (r.path or "-") == expect["path"]
                and r.severity == expect["severity"]]
    assert matching, f"expected {expect}, got:\n{report.to_text()}"
    assert report.conforms == (expect["severity"] != "Violation")


def constraints_in_shapes() -> set[str]:
    """Every named property shape and SPARQL constraint: each one is a constraint a fixture must trip."""
    graph = shapes_graph()
    named = {s for s in graph.subjects(rdflib.RDF.type, SH.PropertyShape) if isinstance(s, rdflib.URIRef)}
    named |= {s for s in graph.subjects(rdflib.RDF.type, SH.SPARQLConstraint) if isinstance(s, rdflib.URIRef)}
    return {str(s) for s in named}


def test_every_constraint_has_a_failing_fixture():
    covered = {expectations(p)["shape"] for p in INVALID}
    missing = constraints_in_shapes() - covered
    assert not missing, f"constraints without a failing fixture: {sorted(missing)}"


def test_every_constraint_has_a_message_and_a_severity():
    graph = shapes_graph()
    for shape in constraints_in_shapes():
        node = rdflib.URIRef(shape)
        assert graph.value(node, SH.message) is not None, shape
        assert graph.value(node, SH.severity) in (SH.Violation, SH.Warning), shape


def test_labels_are_guarded_by_unique_lang_and_language_in():
    graph = shapes_graph()
    label_shapes = set(graph.subjects(SH.path, rdflib.RDFS.label))
    assert any(graph.value(s, SH.uniqueLang) for s in label_shapes)
    assert any(graph.value(s, SH.languageIn) for s in label_shapes)


def test_in_lists_match_the_concept_schemes(kg):
    """sh:in keeps element, method, level and actor-type values inside their schemes: the lists must be complete."""
    graph = shapes_graph()
    for shape, cls in [("Practice_element_in_scheme", "ProcessElement"), ("Practice_method_in_scheme", "SupportMethod"),
                       ("Practice_level_in_scheme", "Level"), ("Organisation_actor_type_in_scheme", "ActorType"),
                       ("QualifiedLink_basis_in_scheme", "LinkBasis"),
                       ("CharacteristicLink_in_scheme", "Characteristic")]:
        listed = {str(x) for x in rdflib.collection.Collection(
            graph, graph.value(rdflib.URIRef("https://w3id.org/sikg/shapes#" + shape), SH["in"]))}
        in_scheme = {r["c"] for r in select(kg, f"SELECT ?c WHERE {{ ?c a sikg:{cls} }}")}
        assert listed == in_scheme, shape


@pytest.mark.parametrize("path", [p for p in INVALID if expectations(p)["severity"] == "Violation"][:6],
                         ids=lambda p: p.stem)
@pytest.mark.slow
def test_cli_exits_1_and_names_the_focus_node(path):
    result = run_cli("validate", str(path))
    assert result.returncode == 1, result.stderr
    assert expectations(path)["focus"] in result.stdout


@pytest.mark.slow
def test_cli_exits_0_on_the_curated_data():
    result = run_cli("validate", *map(str, DATA_FILES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 violation(s)" in result.stdout


@pytest.mark.slow
def test_cli_json_and_turtle_reports(tmp_path):
    import json
    bad = FIXTURES / "invalid" / "practice-no-country.ttl"
    report = json.loads(run_cli("validate", "--format", "json", str(bad)).stdout)
    assert report["conforms"] is False
    assert {"focusNode", "path", "severity", "message", "sourceShape", "value"} <= set(report["results"][0])
    turtle = run_cli("validate", "--format", "ttl", str(bad)).stdout
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert (None, SH.conforms, rdflib.Literal(False)) in graph
    assert len(set(graph.subjects(rdflib.RDF.type, SH.ValidationResult))) == len(report["results"])


def test_report_never_speaks_of_the_context():
    """A contribution's report lists its own problems, not warnings about curated organisations it points at."""
    report = validate_files([FIXTURES / "valid" / "practice.ttl"])
    assert all("fixture" in r.focus_node for r in report.results)


def test_blank_node_links_are_validated_and_named_by_their_practice(tmp_path):
    source = (FIXTURES / "valid" / "practice.ttl").read_text()
    # Turn the IRI-named link records into blank nodes and drop one basis.
    broken = source.replace("sikg:qualifiedElementSupport link:element", """sikg:qualifiedElementSupport [
        sikg:element element:idea-generation ; sikg:rationale "Tests ideas."@en ;
        dct:source <https://example.org/fixture-source> ]""")
    broken = re.sub(r"link:element a sikg:ElementSupport ;.*?\.\n", "", broken, flags=re.S)
    path = tmp_path / "blank.ttl"
    path.write_text(broken)
    report = validate_files([path])
    assert not report.conforms
    [result] = [r for r in report.results if r.source_shape.endswith("QualifiedLink_basis")]
    assert result.focus_node.startswith("[sikg:qualifiedElementSupport of https://w3id.org/sikg/id/practice/")


def test_the_json_ld_report_uses_the_sikg_context_and_keeps_the_triples():
    """The contract: /context.jsonld is the context of every JSON-LD the service writes, the report too (with the sh:
    prefix it needs), not rdflib's default prefixes; the triples are those of the Turtle report."""
    import json

    from rdflib.compare import isomorphic

    from sikg.rdf import jsonld

    report = validate_files(INVALID[:1])
    assert not report.conforms
    document = json.loads(report.to_jsonld())
    assert document["@context"] == jsonld.context()  # inline: the report parses without fetching anything
    assert jsonld.context()["sh"] == str(SH)
    text = report.to_jsonld()
    assert "brick" not in text and "csvw" not in text and "wgs" not in text
    from_jsonld = rdflib.Graph().parse(data=text, format="json-ld")
    assert isomorphic(from_jsonld, rdflib.Graph().parse(data=report.to_turtle(), format="turtle"))


def test_every_quotation_in_the_data_is_short_non_empty_and_language_tagged(kg):
    """A quotation is a passage copied from its page: never empty, at most 300 characters, tagged with the page's
    language (trivially true before the research adds them; binding once it has)."""
    for row in kg.query("SELECT ?q WHERE { ?record <https://w3id.org/sikg/ontology#quotation> ?q }"):
        quotation = row["q"]
        assert quotation.value.strip(), quotation
        assert len(quotation.value) <= 300, quotation.value
        assert quotation.language, quotation.value


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_sparql_constraints_value_with_a_backslash_is_written_as_it_is(engine):
    """pySHACL wrote a SPARQL constraint's row into its message with re.sub, the value as the template: an element
    "a\\d" stopped the validation (re.error: bad escape), and POST /validate answered 500."""
    import pyoxigraph as ox

    body = (b'<https://w3id.org/sikg/id/practice/p> a <https://w3id.org/sikg/ontology#SupportPractice> ; '
            b'<https://w3id.org/sikg/ontology#supportsElement> "a\\\\d \\\\g<0> \\\\1" .\n')
    report = validate_quads(list(ox.parse(body, ox.RdfFormat.TURTLE)), engine=engine)
    [message] = [r.messages[""] for r in report.results if r.source_constraint
                 and r.source_constraint.endswith("Practice_element_qualified")]
    assert "a\\d \\g<0> \\1 (sikg:supportsElement" in message


def test_post_validate_answers_a_value_with_a_backslash(client):
    body = (b'<https://w3id.org/sikg/id/practice/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
            b'<https://w3id.org/sikg/ontology#SupportPractice> .\n<https://w3id.org/sikg/id/practice/p> '
            b'<https://w3id.org/sikg/ontology#supportsElement> "a\\\\d" .\n')
    response = client.post("/validate", data=body, content_type="application/n-triples")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["conforms"] is False
