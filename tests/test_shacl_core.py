"""Two shape sets with one source: shapes/ without shapes-sparql.ttl is SHACL Core only (GET /shapes?profile=core),
which any SHACL engine loads; with it, the full set sikg validates with (GET /shapes, POST /validate, `sikg validate`).

The Core set gives the same verdict as the full set on every fixture that no SPARQL constraint is needed for, and a
second SHACL engine, rdf-validate-shacl under Node (tests/shacl-js, installed by `make test` from its lock file), finds
the same results as pySHACL with it.
"""

import json
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate as shacl_validate
from test_validation import expectations

from helpers import FIXTURES, ROOT, canonical, in_default_graph
from sikg.rdf import content
from sikg.validation.shacl import SH, context_for, to_rdflib

pytestmark = pytest.mark.slow  # every fixture through two shape sets and a second engine

SHACL_JS = ROOT / "tests" / "shacl-js"
FIXTURE_FILES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))
SPARQL_COMPONENT = str(SH.SPARQLConstraintComponent)

# SHACL Core (https://www.w3.org/TR/shacl/ part A): the only sh: terms a Core shapes graph may use as a predicate or a
# type. SHACL-SPARQL's (sh:sparql, sh:SPARQLConstraint, sh:declare, sh:prefixes, sh:select…) are not among them.
CORE_TERMS = {SH[name] for name in """
    NodeShape PropertyShape PropertyGroup targetClass targetNode targetObjectsOf targetSubjectsOf property path
    inversePath alternativePath zeroOrMorePath oneOrMorePath zeroOrOnePath class datatype nodeKind minCount maxCount
    minExclusive minInclusive maxExclusive maxInclusive minLength maxLength pattern flags languageIn uniqueLang equals
    disjoint lessThan lessThanOrEquals not and or xone node qualifiedValueShape qualifiedMinCount qualifiedMaxCount
    qualifiedValueShapesDisjoint closed ignoredProperties hasValue in deactivated message severity name description
    order group defaultValue""".split()}


def graph(files) -> rdflib.Graph:
    return to_rdflib(q for f in files for q in content.read(f))


@lru_cache(maxsize=None)
def shapes_set(profile: str) -> rdflib.Graph:
    return graph(content.SHAPE_PROFILES[profile]())


@lru_cache(maxsize=None)
def sparql_constraints() -> frozenset[str]:
    return frozenset(str(s) for s in graph(content.shape_files()).subjects(rdflib.RDF.type, SH.SPARQLConstraint))


def needs_sparql(path) -> bool:
    """An invalid fixture made to trip a SPARQL constraint: the Core set cannot catch it."""
    expect = expectations(path)
    return expect.get("component") == SPARQL_COMPONENT or expect.get("shape") in sparql_constraints()


# -- the two sets ------------------------------------------------------------------------------------------------

def test_the_full_set_is_the_core_set_and_the_sparql_constraints():
    core, full = content.core_shape_files(), content.shape_files()
    assert sorted(full) == sorted(core + [content.home() / "shapes" / content.SPARQL_SHAPES])
    assert {p.name for p in core} >= {"shapes.ttl", "shapes-recommended.ttl", "messages-sv.ttl"}
    sparql_file = graph([content.home() / "shapes" / content.SPARQL_SHAPES])
    assert set(graph(full).subjects(rdflib.RDF.type, SH.SPARQLConstraint)) == \
        set(sparql_file.subjects(rdflib.RDF.type, SH.SPARQLConstraint)) != set()


def test_the_core_set_uses_only_shacl_core():
    core = graph(content.core_shape_files())
    used = {p for p in core.predicates() if str(p).startswith(str(SH))}
    used |= {o for o in core.objects(None, rdflib.RDF.type) if str(o).startswith(str(SH))}
    assert used <= CORE_TERMS, f"not SHACL Core: {sorted(used - CORE_TERMS)}"
    # Nor messages of constraints that are not in it: every subject of the Core set is a shape of it (or a node in one).
    shapes = {s for s in core.subjects() if isinstance(s, rdflib.URIRef)}
    declared = set(core.subjects(rdflib.RDF.type, SH.NodeShape)) | set(core.subjects(rdflib.RDF.type, SH.PropertyShape))
    assert shapes <= declared, sorted(shapes - declared)


def test_get_shapes_serves_the_full_set_and_profile_core_the_core_set(client):
    def served(**query):
        response = client.get("/shapes", query_string={"format": "nt", **query})
        assert response.status_code == 200, response.get_data(as_text=True)
        return canonical(in_default_graph(ox.parse(response.get_data(), ox.RdfFormat.N_TRIPLES)))

    def files(paths):
        return canonical(in_default_graph(q.triple for f in paths for q in content.read(f)))

    full, core = served(), served(profile="core")
    assert full == files(content.shape_files()) == served(profile="full")
    assert core == files(content.core_shape_files())
    assert any(q.predicate.value == str(SH.sparql) for q in full)
    assert not any(q.predicate.value == str(SH.sparql) for q in core)
    assert len(core) > len(full) / 2


def test_an_unknown_shapes_profile_is_400_naming_the_known_ones(client):
    response = client.get("/shapes", query_string={"profile": "sparql-free"})
    assert response.status_code == 400
    assert "core" in response.get_data(as_text=True)


# -- the same verdict ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def data_graph(path) -> list[ox.Triple]:
    """What sikg validates a file as: the file, the ontology, and the curated types of the resources it names."""
    triples = [q.triple for q in content.read(path)]
    triples += [q.triple for f in content.ontology_files() for q in content.read(f)]
    context = context_for(to_rdflib(content.read(path)))
    triples += [ox.Triple(*(ox.NamedNode(str(t)) for t in triple)) for triple in context]
    return triples


@lru_cache(maxsize=None)
def pyshacl_results(path, profile: str):
    """pySHACL's report on `path` (as data_graph) with a shape set: conforms as the SHACL spec says (no result at
    all) and its results as (focus node, path, constraint component, severity); blank nodes by their labels, as
    N-Triples writes them."""
    data = to_rdflib(ox.Quad(t.subject, t.predicate, t.object) for t in data_graph(path))
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes_set(profile), inference="none")

    def name(node):
        if node is None:
            return None
        return f"_:{node}" if isinstance(node, rdflib.BNode) else str(node)

    results = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        results.add((name(report.value(result, SH.focusNode)),
                     "[complex path]" if isinstance(path, rdflib.BNode) else name(path),
                     str(report.value(result, SH.sourceConstraintComponent)),
                     str(report.value(result, SH.resultSeverity))))
    return bool(conforms), results


def sikg_verdict(path, results) -> bool:
    """sikg's verdict on a file: no violation about the file's own subjects (warnings never fail; see validation)."""
    own = {f"_:{s.value}" if isinstance(s, ox.BlankNode) else s.value for s in (q.subject for q in content.read(path))}
    return not any(r[0] in own and r[3] == str(SH.Violation) for r in results)


def test_some_fixtures_need_sparql_and_most_do_not():
    invalid = sorted((FIXTURES / "invalid").glob("*.ttl"))
    assert 0 < sum(map(needs_sparql, invalid)) < len(invalid) // 2


@pytest.mark.parametrize("path", [p for p in FIXTURE_FILES if "invalid" not in p.parts or not needs_sparql(p)],
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_core_set_gives_the_full_sets_verdict(path):
    _, core = pyshacl_results(path, "core")
    _, full = pyshacl_results(path, "full")
    assert sikg_verdict(path, core) == sikg_verdict(path, full)
    # And the same results, but for those of the SPARQL constraints (about other nodes than the fixture's own).
    assert core == {r for r in full if r[2] != SPARQL_COMPONENT}


# -- a second engine -------------------------------------------------------------------------------------------

def node_results(shapes_nt, *data_nt):
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH: the second SHACL engine (rdf-validate-shacl) runs under Node")
    result = subprocess.run(["node", str(SHACL_JS / "validate.mjs"), str(shapes_nt), *map(str, data_nt)],
                            capture_output=True, text=True, timeout=300)
    if "ERR_MODULE_NOT_FOUND" in result.stderr:
        pytest.fail(f"tests/shacl-js is not installed: `make test` installs it (npm ci --prefix tests/shacl-js)\n"
                    f"{result.stderr}")
    return result


def write_nt(triples, path):
    with open(path, "wb") as out:
        ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES)
    return path


@pytest.fixture(scope="module")
def core_nt(tmp_path_factory):
    return write_nt([q.triple for f in content.core_shape_files() for q in content.read(f)],
                    tmp_path_factory.mktemp("shapes") / "core.nt")


def test_the_full_set_stops_a_core_engine_and_the_core_set_does_not(tmp_path, core_nt):
    """What the issue found: a Core-only engine cannot load the full set."""
    data = write_nt(data_graph(FIXTURES / "valid" / "practice.ttl"), tmp_path / "data.nt")
    full = write_nt([q.triple for f in content.shape_files() for q in content.read(f)], tmp_path / "full.nt")
    stopped = node_results(full, data)
    assert stopped.returncode == 2 and "SPARQLConstraintComponent" in stopped.stderr, stopped.stderr
    loaded = node_results(core_nt, data)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["conforms"] in (True, False)


@pytest.fixture(scope="module")
def js_reports(tmp_path_factory, core_nt) -> dict:
    """rdf-validate-shacl's report on every fixture with the Core set, by the fixture's path: one run of Node for them
    all (a run each took 0.3 s, most of it Node's start and reading the shapes), each file validated on its own."""
    directory = tmp_path_factory.mktemp("data")
    files = {write_nt(data_graph(path), directory / f"{path.parent.name}-{path.stem}.nt"): path
             for path in FIXTURE_FILES}
    result = node_results(core_nt, *files)
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [report["file"] for report in reports] == [str(f) for f in files], "a report for each file, in order"
    return {files[Path(report["file"])]: report for report in reports}


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rdf_validate_shacl_agrees_with_pyshacl_on_the_core_set(path, js_reports):
    js = js_reports[path]
    conforms, results = pyshacl_results(path, "core")
    assert js["conforms"] == conforms
    assert {tuple(r) for r in js["results"]} == {r[:3] for r in results}
