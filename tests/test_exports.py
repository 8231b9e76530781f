"""The views of the KG and the JSON-LD around them, as a client meets them: contexts that match the IRIs (also under
SIKG_BASE), a schema.org view of typed and named nodes only, conflicting view requests refused, and remote contexts refused by name."""

import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest

from helpers import ROOT, run_cli
from sikg import jsonld
from sikg.app import create_app
from sikg.evaluator import EvaluatorPool
from sikg.namespaces import PREFIXES
from sikg.settings import Settings
from sikg.store import open_store

SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OTHER_BASE = "http://127.0.0.1:8765/"


@pytest.fixture(scope="module")
def client(kg):
    return create_app(kg).test_client()


# -- 1. under SIKG_BASE, JSON-LD names the context whose IRIs are the data's; VoID/DCAT addresses follow the base ---

REBASED_REQUESTS = r"""
import json, sys
from pyld import jsonld as pyld
from sikg import jsonld
from sikg.app import create_app
from sikg.store import open_store

store = open_store("memory")
client = create_app(store).test_client()
union = {str(t) for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") if "_:" not in str(t)}
framed = json.loads(client.get("/export?frame=practices").data)
listed = json.loads(client.get("/practices", headers={"Accept": "application/ld+json"}).data)
nquads = pyld.to_rdf(framed, {"documentLoader": jsonld.local_document_loader, "format": "application/n-quads"})
expanded = {line[:-2] for line in nquads.splitlines() if line and "_:" not in line}
void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
json.dump({"framed": framed["@context"], "listed": listed["@context"], "void": void,
           "not_in_kg": len({t for t in expanded if t not in union}), "expanded": len(expanded)}, sys.stdout)
"""


@pytest.fixture(scope="module")
def rebased() -> dict:
    result = subprocess.run([sys.executable, "-c", REBASED_REQUESTS], cwd=ROOT, capture_output=True, text=True,
                            env=dict(os.environ, SIKG_BASE=OTHER_BASE), timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_rebased_jsonld_names_the_services_own_context(rebased):
    assert rebased["framed"] == rebased["listed"] == OTHER_BASE + "context.jsonld"


def test_rebased_framed_export_expands_to_triples_of_the_kg(rebased):
    assert rebased["expanded"] > 35 * 10
    assert rebased["not_in_kg"] == 0


def test_rebased_void_addresses_follow_the_base(rebased):
    assert "https://w3id.org/sikg/sparql" not in rebased["void"]
    assert "https://w3id.org/sikg/export" not in rebased["void"]
    assert f"<{OTHER_BASE}export?format=ttl>" in rebased["void"]


# -- 2. the schema.org view: typed, named nodes; no qualified-link fragments; no contribution provenance ------------

def schema_org_view(store) -> list[ox.Triple]:
    from sikg import exports
    return list(exports.schema_org_triples(store))


def test_schema_org_view_nodes_have_a_type_and_a_name(kg):
    triples = schema_org_view(kg)
    subjects = {t.subject for t in triples}
    typed = {t.subject for t in triples if t.predicate.value == RDF_TYPE}
    named = {t.subject for t in triples if t.predicate.value == SCHEMA + "name"}
    assert subjects and subjects == typed == named, sorted(map(str, subjects - (typed & named)))[:5]
    assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)
    assert all(t.predicate.value == RDF_TYPE or t.predicate.value.startswith(SCHEMA) for t in triples)


def test_schema_org_view_names_defined_terms_and_term_sets(kg):
    triples = schema_org_view(kg)
    of_type = lambda cls: {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object.value == SCHEMA + cls}
    named = {t.subject for t in triples if t.predicate.value == SCHEMA + "name"}
    assert len(of_type("DefinedTerm")) == 36 and of_type("DefinedTerm") <= named
    assert ox.NamedNode(PREFIXES["scheme"] + "link-bases") in of_type("DefinedTermSet") & named
    assert len(of_type("Service")) == 35


def test_schema_org_view_leaves_out_contribution_provenance(monkeypatch):
    store = open_store("memory")
    monkeypatch.setenv("SIKG_CONTRIB_TOKEN", "alice=s3cret")
    pool = EvaluatorPool(1, 10.0, 64 * 1024 * 1024)
    try:
        client = create_app(store, settings=Settings.from_environment(), pool=pool).test_client()
        body = (ROOT / "data" / "templates" / "practice.ttl").read_bytes()
        response = client.post("/contributions", data=body, content_type="text/turtle",
                               headers={"Authorization": "Bearer s3cret"})
        assert response.status_code == 201, response.get_data(as_text=True)
        triples = schema_org_view(store)
    finally:
        pool.close()
    assert not any(t.object.value == "alice" for t in triples if isinstance(t.object, ox.Literal))
    services = {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object.value == SCHEMA + "Service"}
    assert len(services) == 36  # the contributed practice is in the view, its provenance is not


# -- 3. conflicting view requests are refused -----------------------------------------------------------------------

@pytest.mark.parametrize("query", ["frame=practices&format=ttl", "frame=practices&format=nq",
                                   "profile=schema.org&frame=practices", "profile=practices&format=ttl"])
def test_conflicting_export_request_is_400(client, query):
    response = client.get("/export?" + query)
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert "practices" in message and ("JSON-LD only" in message or "two different views" in message), message


def test_practices_frame_with_an_accept_that_excludes_json_ld_is_406(client):
    assert client.get("/export?frame=practices", headers={"Accept": "text/turtle"}).status_code == 406


@pytest.mark.parametrize("query", ["frame=practices&format=jsonld", "profile=practices&frame=practices"])
def test_consistent_frame_requests_are_answered(client, query):
    response = client.get("/export?" + query)
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"


@pytest.mark.parametrize("args", [("--frame", "practices", "--format", "ttl"),
                                  ("--frame", "practices", "--format", "nq"),
                                  ("--frame", "practices", "--schema-org")])
def test_cli_conflicting_export_options_exit_2(args):
    result = run_cli("export", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "JSON-LD only" in result.stderr or "two different views" in result.stderr, result.stderr


# -- 4. the frame is described as what it is ------------------------------------------------------------------------

def test_frame_is_described_as_a_json_ld_document(client):
    help_text = run_cli("export", "--help").stdout
    assert "JSON array" not in help_text and "JSON-LD document" in help_text
    frame = next(p for p in client.get("/openapi.json").get_json()["paths"]["/export"]["get"]["parameters"]
                 if p["name"] == "frame")
    assert "JSON-LD document" in frame["description"]


# -- 5. remote contexts inside a context (@import, scoped) are refused by URL ---------------------------------------

NESTED_REMOTE = {
    "@import": {"@context": {"@version": 1.1, "@import": "http://127.0.0.1:9/import.jsonld"},
                "@id": "https://example.org/s", "https://example.org/p": "x"},
    "scoped": {"@context": {"@version": 1.1, "p": {"@id": "https://example.org/p",
                                                   "@context": "http://127.0.0.1:9/scoped.jsonld"}},
               "@id": "https://example.org/s", "p": {"@id": "https://example.org/o", "https://example.org/q": "1"}},
}


@pytest.mark.parametrize("case", list(NESTED_REMOTE))
def test_validate_names_a_nested_remote_context_and_the_policy(client, case):
    response = client.post("/validate", data=json.dumps(NESTED_REMOTE[case]), content_type="application/ld+json")
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert "http://127.0.0.1:9/" in message and "only the sikg context" in message, message
    assert "LoadDocumentCallback" not in message


@pytest.mark.parametrize("case", ["@import", "scoped"])
def test_the_sikg_context_is_resolved_inside_a_context(client, case):
    url = jsonld.CANONICAL_CONTEXT_URL
    document = ({"@context": {"@import": url, "@version": 1.1}, "id": "practice:x", "label": {"en": "X"}}
                if case == "@import" else
                {"@context": {"@version": 1.1, "p": {"@id": "https://example.org/p", "@context": url}},
                 "@id": "https://example.org/s", "p": {"id": "practice:x", "label": {"en": "X"}}})
    response = client.post("/validate", data=json.dumps(document), content_type="application/ld+json")
    assert response.status_code == 200, response.get_data(as_text=True)
