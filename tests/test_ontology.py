"""The ontology: metadata, version agreement with the package, labels and definitions, one spelling of schema.org."""

import re
import tomllib

import pytest

from helpers import ROOT, select

ONTOLOGY = "https://w3id.org/sikg/ontology"


def package_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_ontology_metadata(kg):
    rows = select(kg, f"""
        SELECT ?title ?description ?license ?creator ?version ?versionIRI ?prefix WHERE {{
          <{ONTOLOGY}> a owl:Ontology ; dct:title ?title ; dct:description ?description ; dct:license ?license ;
              dct:creator ?creator ; owl:versionInfo ?version ; owl:versionIRI ?versionIRI ;
              vann:preferredNamespacePrefix ?prefix .
        }}""")
    assert rows, "the ontology lacks one of title, description, license, creator, version, versionIRI, prefix"
    assert {r["prefix"] for r in rows} == {"sikg"}


def test_ontology_version_is_the_package_version(kg):
    rows = select(kg, f"SELECT ?v ?iri WHERE {{ <{ONTOLOGY}> owl:versionInfo ?v ; owl:versionIRI ?iri }}")
    assert len(rows) == 1
    assert rows[0]["v"] == package_version()
    assert rows[0]["iri"] == f"{ONTOLOGY}/{package_version()}"


def test_installed_package_reports_the_same_version():
    import sikg

    assert sikg.__version__ == package_version()


REQUIRED_CLASSES = ["SupportPractice", "Organisation", "ProcessElement", "SupportMethod", "Level",
                    "PracticeCollection", "SourceDocument", "ActorType", "Characteristic"]
REQUIRED_PROPERTIES = ["operatedBy", "country", "supportsElement", "usesMethod", "targetsLevel", "hasCharacteristic",
                       "actorType", "forElement", "basis", "rationale"]


@pytest.mark.parametrize("term", REQUIRED_CLASSES + REQUIRED_PROPERTIES)
def test_term_is_declared_with_labels_and_definitions_in_en_and_sv(kg, term):
    rows = select(kg, f"""
        SELECT ?kind (GROUP_CONCAT(DISTINCT LANG(?label)) AS ?labels) (GROUP_CONCAT(DISTINCT LANG(?def)) AS ?defs)
        WHERE {{ sikg:{term} a ?kind ; rdfs:label ?label ; skos:definition ?def .
                 FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) }} GROUP BY ?kind""")
    assert rows, f"sikg:{term} is not declared as an OWL class or property with labels and definitions"
    assert set(rows[0]["labels"].split()) >= {"en", "sv"}
    assert set(rows[0]["defs"].split()) >= {"en", "sv"}


CONTENT_DIRS = ["ontology", "data", "shapes", "queries", "src", "tests/fixtures"]


def content_files():
    for folder in CONTENT_DIRS:
        yield from (p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in
                    {".ttl", ".rq", ".py", ".jsonld", ".json", ".html", ".trig", ".nq", ".nt", ".rdf"})


def test_schema_org_has_one_spelling_and_no_legacy_dublin_core():
    offenders = []
    for path in content_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for bad in (r"http://schema\.org", r"purl\.org/dc/elements/1\.1"):
            if re.search(bad, text) and path.name != "test_ontology.py":
                offenders.append(f"{path.relative_to(ROOT)}: {bad}")
    assert not offenders, offenders


def test_alignments_live_in_their_own_files():
    names = {p.stem for p in (ROOT / "ontology" / "alignments").glob("*.ttl")}
    assert {"schema-org", "org", "prov", "dcat", "essglobal"} <= names


def test_alignment_targets_use_the_documented_namespaces(kg):
    targets = {r["o"] for r in select(kg, """
        SELECT DISTINCT ?o WHERE { GRAPH <https://w3id.org/sikg/graph/ontology> {
          ?s rdfs:subClassOf|rdfs:subPropertyOf|skos:closeMatch ?o } }""")}
    assert "https://schema.org/Service" in targets
    assert "http://www.w3.org/ns/org#Organization" in targets
    assert "http://www.w3.org/ns/prov#Influence" in targets
    assert "http://www.w3.org/ns/dcat#Resource" in targets
    assert "http://purl.org/essglobal/vocab/SSEInitiative" in targets
    assert not any(t.startswith("https://www.w3.org/TR/") for t in targets)
