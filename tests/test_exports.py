"""Exports (exports.py: what an export holds) and the views of the KG and the JSON-LD around them, as a client meets
them through GET /export and `sikg export`: contexts that match the IRIs (also under SIKG_BASE), a schema.org view of
typed and named nodes only, conflicting view requests refused, remote contexts refused by name, whole-KG exports in
every format that read back, by Oxigraph and by rdflib, isomorphic to the store (formats chosen by format= and by
Accept), and the JSON-LD exports: expanded by pyld to the store, the practices frame, the schema.org view."""

import dataclasses
import io
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
import rdflib

from helpers import ROOT, canonical, ground, in_default_graph, offline_quads, run_cli
from sikg.formats import JSON_LD
from sikg.namespaces import GRAPH_TOKENS, PREFIXES
from sikg.rdf import engine_pipe, exports, jsonld, nquads_compaction
from sikg.settings import Settings
from sikg.sparql.evaluator import EvaluatorPool
from sikg.store import open_store
from sikg.web.app import create_app

SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OTHER_BASE = "http://127.0.0.1:8765/"


# -- 1. under SIKG_BASE, JSON-LD carries the context whose IRIs are the data's; VoID/DCAT addresses follow the base --

REBASED_REQUESTS = r"""
import json, sys
from pyld import jsonld as pyld
from sikg.web.app import create_app
from sikg.store import open_store

store = open_store("memory")
client = create_app(store).test_client()
union = {str(t) for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") if "_:" not in str(t)}
framed = json.loads(client.get("/export?frame=practices").data)
listed = json.loads(client.get("/practices", headers={"Accept": "application/ld+json"}).data)
def refuse(url, options=None):
    raise ValueError(f"no network: {url}")
nquads = pyld.to_rdf(framed, {"documentLoader": refuse, "format": "application/n-quads"})
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


@pytest.mark.slow
def test_rebased_jsonld_carries_the_services_own_context(rebased):
    assert rebased["framed"] == rebased["listed"]
    assert rebased["framed"]["practice"] == OTHER_BASE + "id/practice/"


def test_rebased_framed_export_expands_to_triples_of_the_kg(rebased):
    assert rebased["expanded"] > 35 * 10
    assert rebased["not_in_kg"] == 0


def test_rebased_void_addresses_follow_the_base(rebased):
    assert "https://w3id.org/sikg/sparql" not in rebased["void"]
    assert "https://w3id.org/sikg/export" not in rebased["void"]
    assert f"<{OTHER_BASE}export?format=ttl>" in rebased["void"]


# -- 2. the schema.org view: typed, named nodes; no qualified-link fragments; no contribution provenance ------------

def schema_org_view(store) -> list[ox.Triple]:
    from sikg.rdf import exports
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
    of_type = lambda cls: {t.subject for t in triples
                           if t.predicate.value == RDF_TYPE and t.object.value == SCHEMA + cls}
    named = {t.subject for t in triples if t.predicate.value == SCHEMA + "name"}
    assert len(of_type("DefinedTerm")) == 36 and of_type("DefinedTerm") <= named
    assert ox.NamedNode(PREFIXES["scheme"] + "link-bases") in of_type("DefinedTermSet") & named
    assert len(of_type("Service")) == 35


def test_schema_org_view_leaves_out_contribution_provenance(monkeypatch):
    store = open_store("memory")
    monkeypatch.setenv("SIKG_CONTRIB_TOKEN", "alice=s3cret")
    monkeypatch.setenv("SIKG_REVIEW", "0")  # published at once, so that the view has a contribution to leave out
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
@pytest.mark.slow
def test_cli_conflicting_export_options_exit_2(args):
    result = run_cli("export", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "JSON-LD only" in result.stderr or "two different views" in result.stderr, result.stderr


# -- 4. the frame is described as what it is ------------------------------------------------------------------------

@pytest.mark.slow
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


# -- 6. whole-KG exports round-trip through two independent RDF libraries -------------------------------------------

SIKG = "https://w3id.org/sikg/ontology#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"

EXPORTS = {
    "jsonld": ("application/ld+json", "sikg.jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
    "ttl": ("text/turtle", "sikg.ttl", ox.RdfFormat.TURTLE, "turtle"),
    "nt": ("application/n-triples", "sikg.nt", ox.RdfFormat.N_TRIPLES, "nt"),
    "nq": ("application/n-quads", "sikg.nq", ox.RdfFormat.N_QUADS, "nquads"),
    "trig": ("application/trig", "sikg.trig", ox.RdfFormat.TRIG, "trig"),
    "rdfxml": ("application/rdf+xml", "sikg.rdf", ox.RdfFormat.RDF_XML, "xml"),
}


def union_graph(kg) -> list[ox.Quad]:
    return in_default_graph(kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))


def rdflib_quads(parsed) -> list[ox.Quad]:
    """rdflib's parse, term by term in Oxigraph's terms (blank nodes mapped one to one), to canonicalise and compare
    with the store. (rdflib.compare.isomorphic takes seconds on the curated graph's ~1,900 blank-node triples.)"""
    blanks: dict = {}

    def term(t):
        if isinstance(t, rdflib.BNode):
            return blanks.setdefault(t, ox.BlankNode())
        if isinstance(t, rdflib.URIRef):
            return ox.NamedNode(str(t))
        assert isinstance(t, rdflib.Literal), t
        if t.language:
            return ox.Literal(str(t), language=t.language)
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype or XSD_STRING)))

    if isinstance(parsed, rdflib.Dataset):
        quads = []
        for s, p, o, g in parsed.quads((None, None, None, None)):
            name = getattr(g, "identifier", g)
            graph = (ox.DefaultGraph() if name is None or name == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
                     else term(name))
            quads.append(ox.Quad(term(s), term(p), term(o), graph))
        return quads
    return [ox.Quad(term(s), term(p), term(o), ox.DefaultGraph()) for s, p, o in parsed]


def parse_with(parser: str, data: bytes, fmt: str) -> list[ox.Quad]:
    _, _, ox_format, rdflib_format = EXPORTS[fmt]
    if parser == "oxigraph":
        return list(ox.parse(data, format=ox_format))
    parsed = rdflib.Dataset() if ox_format.supports_datasets else rdflib.Graph()
    parsed.parse(data=data, format=rdflib_format)
    return rdflib_quads(parsed)


@pytest.fixture(scope="module")
def store_dataset(kg) -> ox.Dataset:
    return canonical(kg.all_quads())


@pytest.fixture(scope="module")
def store_union(kg) -> ox.Dataset:
    return canonical(union_graph(kg))


@pytest.fixture(scope="module")
def practices(kg) -> set[str]:
    found = {s["p"].value for s in kg.query(f"SELECT ?p WHERE {{ ?p a <{SIKG}SupportPractice> }}")}
    assert len(found) == 35
    return found


@pytest.fixture(scope="module")
def http_exports(client) -> dict:
    """Every whole-KG format once, through GET /export?format=…"""
    return {fmt: client.get("/export", query_string={"format": fmt}) for fmt in EXPORTS}


@pytest.fixture(scope="module")
def cli_exports(tmp_path_factory) -> dict:
    """`sikg export` in every format and both views, as a user runs it (in parallel, to keep the module fast)."""
    directory = tmp_path_factory.mktemp("exports")
    runs = {fmt: ("--format", fmt) for fmt in EXPORTS}
    runs["frame"] = ("--frame", "practices")
    runs["schema-org"] = ("--schema-org",)
    runs["schema-org-jsonld"] = ("--schema-org", "--format", "jsonld")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run_cli, "export", *args, "-o", str(directory / name)) for name, args in
                   runs.items()}
    results = {}
    for name, future in futures.items():
        result = future.result()
        assert result.returncode == 0, (name, result.stderr)
        results[name] = (directory / name).read_bytes()
    return results


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_http_export_media_type_and_download_name(http_exports, fmt):
    media_type, filename, _, _ = EXPORTS[fmt]
    response = http_exports[fmt]
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "Content-Profile" not in response.headers  # the plain KG is no profile's view


@pytest.mark.parametrize("parser", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("source", ["http", "cli"])
@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_export_parses_back_isomorphic_to_the_store(http_exports, cli_exports, store_dataset, store_union, fmt,
                                                    source, parser):
    data = http_exports[fmt].data if source == "http" else cli_exports[fmt]
    parsed = canonical(parse_with(parser, data, fmt))
    if EXPORTS[fmt][2].supports_datasets:  # every quad, in its named graph
        assert parsed == store_dataset, f"{source} {fmt} read by {parser} differs from the store's quads"
    else:  # triple formats carry the union graph
        assert parsed == store_union, f"{source} {fmt} read by {parser} differs from the union graph"


@pytest.mark.parametrize("accept,fmt", [("application/n-quads", "nq"), ("application/trig", "trig"),
                                        ("application/rdf+xml", "rdfxml"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "jsonld")])
def test_export_format_by_accept(client, accept, fmt):
    response = client.get("/export", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == EXPORTS[fmt][0]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{EXPORTS[fmt][1]}"'
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("query", ["format=xyz", "frame=other", "profile=foo"])
def test_export_unknown_format_or_view_is_a_client_error(client, query):
    response = client.get("/export?" + query)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"


def test_export_unsupported_accept_is_406(client):
    response = client.get("/export", headers={"Accept": "image/png"})
    assert response.status_code == 406


# -- 7. JSON-LD exports: pyld expansion, the practices frame, the schema.org view -----------------------------------

@pytest.mark.parametrize("source", ["http", "cli"])
def test_jsonld_export_expanded_by_pyld_is_the_store(http_exports, cli_exports, store_dataset, source):
    data = http_exports["jsonld"].data if source == "http" else cli_exports["jsonld"]
    assert canonical(offline_quads(data)) == store_dataset  # the context inline: nothing fetched


@pytest.fixture(scope="module")
def framed_http(client):
    response = client.get("/export", query_string={"frame": "practices"})
    assert response.status_code == 200
    return response


def test_framed_export_headers(framed_http):
    assert framed_http.mimetype == "application/ld+json"
    assert framed_http.headers["Content-Profile"] == "<https://w3id.org/sikg/profile/practices>"
    assert framed_http.headers["Content-Disposition"] == 'attachment; filename="sikg-practices.jsonld"'


def test_practices_profile_by_accept_profile_is_the_frame(client, framed_http):
    response = client.get("/export", headers={"Accept-Profile": "<https://w3id.org/sikg/profile/practices>"})
    assert response.status_code == 200
    assert response.headers["Content-Profile"] == "<https://w3id.org/sikg/profile/practices>"
    assert json.loads(response.data) == json.loads(framed_http.data)


@pytest.mark.parametrize("source", ["http", "cli"])
def test_framed_export_nests_35_practices(framed_http, cli_exports, kg, practices, source):
    document = json.loads(framed_http.data if source == "http" else cli_exports["frame"])
    assert isinstance(document, dict)
    assert document["@context"] == jsonld.context()  # inline, not named by a URL
    graph = document["graph"]
    assert isinstance(graph, list) and len(graph) == 35
    for practice in graph:
        name = practice["id"]
        assert practice["type"] == "SupportPractice", name
        assert practice["label"] and all(isinstance(v, str) for v in practice["label"].values()), name
        for key in ("supportsElement", "usesMethod"):
            assert practice[key], (name, key)
            for linked in practice[key]:
                assert isinstance(linked, dict), (name, key, linked)  # nested, not a bare reference
                assert linked["prefLabel"].get("en"), (name, key, linked)
        assert practice["operatedBy"], name
        for organisation in practice["operatedBy"]:
            assert isinstance(organisation, dict) and organisation["type"] == "Organisation", (name, organisation)
            assert organisation["label"], (name, organisation)
        country = practice["country"]
        assert isinstance(country, dict) and country["id"].startswith(EU_COUNTRY), (name, country)
        assert country["prefLabel"]["en"], (name, country)

    # Expanded with no network access: all of it is in the KG.
    quads = offline_quads(document)
    assert {q.subject.value for q in quads if q.predicate.value == RDF_TYPE
            and q.object.value == SIKG + "SupportPractice"} == practices
    union = ground(kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    assert ground(quads) <= union, sorted(map(str, ground(quads) - union))[:5]
    assert len(ground(quads)) > 35 * 10  # labels, links and nested objects, not just the types
    # exactly the view's graph: the triples of the CONSTRUCT the frame nests
    from sikg.rdf import exports
    view = kg.query((exports.FRAMES / "practices.rq").read_text(encoding="utf-8"))
    assert canonical(quads) == canonical(in_default_graph(view))


def schema_org_triples(data: bytes, rdf_format: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(data, format=rdf_format)}


@pytest.fixture(scope="module")
def schema_org_views(client, cli_exports) -> dict:
    by_param = client.get("/export", query_string={"profile": "schema.org", "format": "jsonld"})
    by_header = client.get("/export", query_string={"format": "jsonld"},
                           headers={"Accept-Profile": "<https://schema.org/>"})
    for response in (by_param, by_header):
        assert response.status_code == 200
        assert response.mimetype == "application/ld+json"
        assert response.headers["Content-Profile"] == "<https://schema.org/>"
        assert "Accept-Profile" in response.headers["Vary"]
    return {"profile=schema.org": (by_param.data, ox.RdfFormat.JSON_LD),
            "Accept-Profile": (by_header.data, ox.RdfFormat.JSON_LD),
            "sikg export --schema-org": (cli_exports["schema-org"], ox.RdfFormat.TURTLE)}


@pytest.mark.parametrize("view", ["profile=schema.org", "Accept-Profile", "sikg export --schema-org"])
def test_schema_org_view_has_35_services_with_providers(schema_org_views, practices, view):
    data, rdf_format = schema_org_views[view]
    assert b"http://schema.org/" not in data
    triples = schema_org_triples(data, rdf_format)
    objects = lambda s, p: {t.object for t in triples if t.subject == s and t.predicate.value == p}
    services = {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object.value == SCHEMA + "Service"}
    assert {s.value for s in services} == practices
    for service in services:
        assert objects(service, SCHEMA + "name"), service
        providers = objects(service, SCHEMA + "provider")
        assert providers, service
        for provider in providers:
            assert ox.NamedNode(SCHEMA + "Organization") in objects(provider, RDF_TYPE), (service, provider)
            assert objects(provider, SCHEMA + "name"), provider
    assert not any(t.predicate.value.startswith(SIKG) for t in triples)  # only schema.org terms


def test_schema_org_views_agree(schema_org_views, cli_exports):
    views = [canonical(in_default_graph(schema_org_triples(*v))) for v in schema_org_views.values()]
    assert views[0] == views[1] == views[2]
    # and the JSON-LD ones, read by pyld with no network access, are the Turtle's graph
    for data in (schema_org_views["profile=schema.org"][0], schema_org_views["Accept-Profile"][0],
                 cli_exports["schema-org-jsonld"]):
        assert canonical(offline_quads(data)) == views[2]


# -- the whole-KG JSON-LD of an on-disk store, compacted while the engine writes it (issue 28, item 5) ---------------

TRICKY = """
_:shared <https://w3id.org/sikg/ontology#label> "a \\"quoted\\"\\nline, a tab\\t and \\u00e9\\u4e2d" .
<https://w3id.org/sikg/practice/\\u00e9> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> _:shared .
<https://w3id.org/sikg/practice/\\u00e9> <http://www.w3.org/2000/01/rdf-schema#label> "\\u00e9t\\u00e9"@fr .
<https://w3id.org/sikg/practice/\\u00e9> <http://www.w3.org/2000/01/rdf-schema#label> "summer"@en-GB .
<https://w3id.org/sikg/practice/\\u00e9> <http://www.w3.org/2000/01/rdf-schema#label> "plain" .
<https://w3id.org/sikg/practice/\\u00e9> <http://example.org/count> "0042"^^<http://www.w3.org/2001/XMLSchema#integer> .
<https://w3id.org/sikg/practice/\\u00e9> <http://example.org/other> "x"^^<http://example.org/datatype> .
<https://w3id.org/sikg/practice/\\u00e9> <http://example.org/link> _:shared .
<https://w3id.org/sikg/practice/\\u00e9> <http://example.org/link> <http://example.org/a%20b?c=d#e> .
"""


@pytest.fixture(scope="module")
def disk_kg(tmp_path_factory):
    """An on-disk store holding the curated KG, a graph of awkward terms (a blank node as subject and object, escapes,
    languages, datatypes, IRIs outside the context's prefixes), a default-graph triple and a private graph."""
    store = open_store(str(tmp_path_factory.mktemp("disk-export") / "store"))
    store.load_curated()
    store.replace_graphs({"https://w3id.org/sikg/graph/file/tricky.nt": list(ox.parse(TRICKY.encode(),
                                                                             format=ox.RdfFormat.N_TRIPLES)),
                          GRAPH_TOKENS: [ox.Triple(ox.NamedNode("http://example.org/token"),
                                                   ox.NamedNode("http://example.org/secret"), ox.Literal("s3cret"))]})
    store.update("INSERT DATA { <http://example.org/in-default> <http://example.org/p> 'default' }")
    return store


@pytest.fixture(params=["engine pipe", "python objects"])
def export_path(request, monkeypatch):
    """Both ways an on-disk store's quads are read, whatever the machine: the engine's dump into a pipe
    (rdf/engine_pipe.py, with more than one core) and quads_for_pattern through Python."""
    monkeypatch.setattr(exports, "_cores", lambda: 2 if request.param == "engine pipe" else 1)
    return request.param


def test_disk_store_jsonld_export_expands_to_the_stores_dataset(disk_kg, export_path):
    """Either way (the engine writing the quads while they are compacted, or Python reading them) the document is the
    sikg context's compact JSON-LD, and it expands, by pyld and by Oxigraph, to exactly the public dataset, blank
    nodes up to isomorphism; the private graph stays out."""
    assert exports._written_by_the_engine(disk_kg) == (export_path == "engine pipe")
    output = io.BytesIO()
    exports.export(disk_kg, exports.ExportRequest(JSON_LD), output)
    document = json.loads(output.getvalue())
    assert document["@context"] == jsonld.context()
    expected = canonical(disk_kg.all_quads())
    assert any(q.graph_name == ox.DefaultGraph() for q in expected)
    assert not any(isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == GRAPH_TOKENS for q in expected)
    assert canonical(offline_quads(document)) == expected
    assert canonical(ox.parse(output.getvalue(), format=ox.RdfFormat.JSON_LD)) == expected


def test_disk_store_jsonld_export_is_the_one_written_from_python_objects(disk_kg, monkeypatch):
    """Node for node, the engine pipe's document is the one the writer makes from the quads read through Python."""
    monkeypatch.setattr(exports, "_cores", lambda: 2)
    engine, objects = io.BytesIO(), io.BytesIO()
    exports.export(disk_kg, exports.ExportRequest(JSON_LD), engine)
    jsonld.write_compacted(disk_kg.all_quads(), objects, grouped=True)
    nodes = lambda data: sorted(json.dumps(n, sort_keys=True) for n in json.loads(data)["@graph"])
    assert nodes(engine.getvalue()) == nodes(objects.getvalue())


def test_engine_dump_that_fails_is_an_error_not_a_short_export():
    """The writer's failure is raised, and the line it cut short is never handed over."""
    lines = []

    def fails_midway(path):
        with open(path, "wb") as pipe:
            pipe.write(b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n<http://exa")
        raise OSError("the disk went away")

    with pytest.raises(engine_pipe.EngineDumpFailed, match="the disk went away"):
        for batch in engine_pipe.lines_while_written(fails_midway):
            lines += batch
    assert "<http://exa" not in lines and all(line.endswith("\n") for line in lines)


def test_engine_dump_whose_reader_stops_early_ends():
    """A reader that stops early (a client gone, an IRI JSON-LD cannot hold) closes the pipe: the writer's next write
    fails and its thread ends, rather than waiting on a full pipe for ever."""
    line = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
    ended = []

    def writes_for_ever(path):
        try:
            with open(path, "wb") as pipe:
                while True:
                    pipe.write(line * 1000)
        except BrokenPipeError:
            ended.append(True)
            raise

    batches = engine_pipe.lines_while_written(writes_for_ever)
    next(batches)
    batches.close()
    assert ended
    assert not [t for t in threading.enumerate() if t.name == "engine-dump"]


def test_disk_store_http_export_is_the_stores_dataset(disk_kg, tmp_path, export_path):
    """GET /export?format=jsonld over the same on-disk store, either way it is read: the same dataset."""
    settings = dataclasses.replace(Settings.from_environment(), evaluators=1, export_cache=str(tmp_path / "dumps"))
    app = create_app(disk_kg, settings)
    try:
        response = app.test_client().get("/export", query_string={"format": "jsonld"})
        assert response.status_code == 200
        assert canonical(offline_quads(response.data)) == canonical(disk_kg.all_quads())
    finally:
        app.extensions["sikg"].pool.close()


# -- the same document from the dump's own text (rdf/nquads_compaction.py) ------------------------------------------

SIKG_ONTOLOGY, RDFS_LABEL, XSD = "https://w3id.org/sikg/ontology#", "http://www.w3.org/2000/01/rdf-schema#label", \
    "http://www.w3.org/2001/XMLSchema#"
PRIVATE_GRAPH = "<" + GRAPH_TOKENS + ">"


def _awkward_quads() -> list[ox.Quad]:
    """Every kind of term the export meets, in graphs grouped as an on-disk store dumps them: literals with escapes
    (quotes, a backslash at the end, newlines, tabs, control characters), spaces, "@", "^^" and " <" inside them,
    unicode, languages under a language-map term and outside one, datatypes (xsd:string, a context type, outside
    the context), blank nodes as subject, object, type and graph name, IRIs outside the context's prefixes, the
    default graph and a private graph."""
    practice, other, blank = (ox.NamedNode("https://w3id.org/sikg/id/practice/caf\u00e9-1"),
                              ox.NamedNode("http://example.org/a%20b?c=d#e"), ox.BlankNode("b0"))
    p = lambda iri: ox.NamedNode(iri)
    literals = [ox.Literal('say "hi"\\'), ox.Literal("line\nbreak\ttab\r\x01\x7f"), ox.Literal("a <b> c .@x ^^<y>"),
                ox.Literal("\u00e9t\u00e9 \u4e2d\u6587 \U0001f600"), ox.Literal("\u00e9t\u00e9", language="fr"),
                ox.Literal("quoted \"\"", language="en-GB"), ox.Literal("plain"),
                ox.Literal("0042", datatype=p(XSD + "integer")), ox.Literal("x", datatype=p("http://example.org/dt")),
                ox.Literal("true", datatype=p(XSD + "boolean")), ox.Literal("s", datatype=p(XSD + "string"))]
    quads = [ox.Quad(other, p("http://example.org/p"), literal, ox.DefaultGraph()) for literal in literals[:3]]
    for graph in (p("https://w3id.org/sikg/graph/file/a.nt"), ox.BlankNode("g1")):
        quads += [ox.Quad(practice, p(RDF_TYPE), p(SIKG_ONTOLOGY + "Practice"), graph),
                  ox.Quad(practice, p(RDF_TYPE), blank, graph),
                  ox.Quad(practice, p(SIKG_ONTOLOGY + "country"), other, graph),
                  ox.Quad(practice, p(SIKG_ONTOLOGY + "operatedBy"), blank, graph),
                  ox.Quad(practice, p("http://example.org/link"), other, graph)]
        quads += [ox.Quad(practice, p(predicate), literal, graph) for literal in literals
                  for predicate in (RDFS_LABEL, SIKG_ONTOLOGY + "reviewedBySource", "http://example.org/p")]
        quads += [ox.Quad(blank, p(RDFS_LABEL), literal, graph) for literal in literals]
    quads += [ox.Quad(other, p("http://example.org/secret"), ox.Literal("s3cret"), p(GRAPH_TOKENS))]
    return quads


def _from_lines(lines: list[str]) -> bytes:
    output = io.BytesIO()
    nodes = nquads_compaction.compacted_nodes([lines[:5], lines[5:]], jsonld.Compactor(jsonld.context()),
                                              lambda graph: graph != PRIVATE_GRAPH)
    jsonld.write_nodes(nodes, output, jsonld.context())
    return output.getvalue()


def _parses_counted(monkeypatch) -> list:
    """Counts Oxigraph's parses of single lines: the lines the text path leaves to Oxigraph."""
    parsed, parse = [], ox.parse
    monkeypatch.setattr(nquads_compaction.ox, "parse", lambda *args, **kw: parsed.append(args) or parse(*args, **kw))
    return parsed


def test_the_dumps_text_compacts_to_the_document_of_its_quads(monkeypatch):
    """The document written from the N-Quads lines as Oxigraph writes them is, byte for byte, the one the writer
    makes of the same quads (private graph left out); a line forced to Oxigraph's parser (any line with a backslash:
    here a comment that holds one) gives the same bytes as the line read as text."""
    quads = _awkward_quads()
    expected = io.BytesIO()
    jsonld.write_compacted([q for q in quads if q.graph_name != ox.NamedNode(GRAPH_TOKENS)], expected, grouped=True)
    lines = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode().splitlines(keepends=True)
    assert len(lines) == len(quads)
    parsed = _parses_counted(monkeypatch)
    assert _from_lines(lines) == expected.getvalue()
    escaped = [line for line in lines if "\\" in line]
    assert len(parsed) == len(escaped) > 10  # the other lines were read as text
    parsed.clear()
    assert _from_lines([line[:-1] + " # \\\n" for line in lines]) == expected.getvalue()
    assert len(parsed) == len(lines)
    assert b"s3cret" not in expected.getvalue()


@pytest.mark.parametrize("comment", ["", " # \\"])
def test_the_dumps_text_with_a_base_direction_or_a_triple_term(comment):
    """RDF 1.2: a literal's base direction is written as the writer writes it (a value object with @direction); a
    triple term has no JSON-LD form and is refused as the writer refuses it, read as text or by Oxigraph."""
    a, b = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b")
    directed = ox.Literal("x", language="ar", direction=ox.BaseDirection.RTL)
    quads = [ox.Quad(a, b, directed, ox.DefaultGraph()), ox.Quad(a, ox.NamedNode(RDFS_LABEL), directed)]
    expected = io.BytesIO()
    jsonld.write_compacted(quads, expected, grouped=True)
    lines = [line[:-1] + comment + "\n" for line in ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode()
             .splitlines(keepends=True)]
    assert _from_lines(lines) == expected.getvalue()
    assert b'"@direction":"rtl"' in expected.getvalue()
    triple_term = ox.serialize([ox.Quad(a, b, ox.Triple(a, b, directed))], format=ox.RdfFormat.N_QUADS).decode()
    with pytest.raises(ValueError, match="triple term"):
        _from_lines([triple_term[:-1] + comment + "\n"])
    with pytest.raises(ValueError, match="triple term"):
        jsonld.write_compacted([ox.Quad(a, b, ox.Triple(a, b, directed))], io.BytesIO(), grouped=True)


def test_disk_store_jsonld_export_from_the_dumps_text_is_byte_for_byte_the_writers(disk_kg, monkeypatch):
    """Over the on-disk store (curated KG, awkward terms, default graph, private graph), the document compacted from
    the engine's text is byte for byte the one the writer makes from the quads read through Python."""
    monkeypatch.setattr(exports, "_cores", lambda: 2)
    engine, objects = io.BytesIO(), io.BytesIO()
    exports.export(disk_kg, exports.ExportRequest(JSON_LD), engine)
    jsonld.write_compacted(disk_kg.all_quads(), objects, grouped=True)
    assert engine.getvalue() == objects.getvalue()


def test_n_quads_lines_oxigraph_does_not_write_itself_read_as_it_reads_them():
    """Lines of any N-Quads writer: an explicit xsd:string datatype, escapes in IRIs, in the default graph."""
    text = ('<http://example.org/caf\\u00E9> <http://example.org/p> "s"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
            '<http://example.org/caf\\u00E9> <http://www.w3.org/2000/01/rdf-schema#label> '
            '"t"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
            '<http://example.org/b> <http://example.org/p> "s"^^<http://www.w3.org/2001/XMLSchema#string> .\n')
    expected = io.BytesIO()
    jsonld.write_compacted(ox.parse(text, format=ox.RdfFormat.N_QUADS), expected, grouped=True)
    assert _from_lines(text.splitlines(keepends=True)) == expected.getvalue()
    assert b'{"id":"http://example.org/b","http://example.org/p":"s"}' in expected.getvalue()


def test_engine_pipe_lines_end_only_at_newline(tmp_path, monkeypatch):
    """Oxigraph writes U+2028, U+2029 and NEL inside a literal as they are: the pipe's lines end at "\\n" alone (a
    reader splitting at every Unicode line break would cut the quad in two)."""
    store = open_store(str(tmp_path / "store"))
    subject, graph = ox.NamedNode("http://example.org/a"), "https://w3id.org/sikg/graph/file/x.nt"
    store.replace_graphs({graph: [
        ox.Triple(subject, ox.NamedNode(RDFS_LABEL), ox.Literal("one\u2028two\x85three\u2029four", language="en")),
        ox.Triple(subject, ox.NamedNode("http://example.org/p"), ox.Literal("x\u2028y"))]})
    monkeypatch.setattr(exports, "_cores", lambda: 2)
    engine, objects = io.BytesIO(), io.BytesIO()
    exports.export(store, exports.ExportRequest(JSON_LD), engine)
    jsonld.write_compacted(store.all_quads(), objects, grouped=True)
    assert engine.getvalue() == objects.getvalue()
    assert "one\u2028two\x85three\u2029four".encode() in engine.getvalue()
