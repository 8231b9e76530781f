"""Linked data: whole-KG exports that round-trip through two independent RDF libraries, the JSON-LD views (framed
practices, schema.org), dereferenceable IRIs with content negotiation and languages, the JSON-LD context document
served, and a service published under its own base IRI (SIKG_BASE). sikg.jsonld on its own (no network, the
context's terms, the writer) is tested in test_jsonld.py."""

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from markupsafe import escape
from pyld import jsonld as pyld

from helpers import ROOT, run_cli
from sikg import jsonld as sikg_jsonld
from sikg.app import create_app

ID = "https://w3id.org/sikg/id/"
SIKG = "https://w3id.org/sikg/ontology#"
SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT_SOURCE = "http://purl.org/dc/terms/source"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"

# name: (media type, file name of the download, Oxigraph format, rdflib parser)
EXPORTS = {
    "jsonld": ("application/ld+json", "sikg.jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
    "ttl": ("text/turtle", "sikg.ttl", ox.RdfFormat.TURTLE, "turtle"),
    "nt": ("application/n-triples", "sikg.nt", ox.RdfFormat.N_TRIPLES, "nt"),
    "nq": ("application/n-quads", "sikg.nq", ox.RdfFormat.N_QUADS, "nquads"),
    "trig": ("application/trig", "sikg.trig", ox.RdfFormat.TRIG, "trig"),
    "rdfxml": ("application/rdf+xml", "sikg.rdf", ox.RdfFormat.RDF_XML, "xml"),
}
RESOURCES = ["/id/practice/cap-impact", "/id/organisation/avise", "/id/element/realisation",
             "/id/method/incubation-programmes"]
RESOURCE_MEDIA = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
                  "nt": "application/n-triples", "rdfxml": "application/rdf+xml"}
RDF_OF_MEDIA = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}
REALISATION_SV = "Förverkligande – implementering och uppskalning"
REALISATION_EN = "Realisation: implementation and scaling"


# -- helpers -----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(kg):
    return create_app(kg).test_client()


def canonical(quads) -> ox.Dataset:
    """A dataset with its blank nodes canonically renamed, so that isomorphic datasets compare equal with ==."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def in_default_graph(triples) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]


def union_graph(kg) -> list[ox.Quad]:
    return in_default_graph(kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))


def ground(triples) -> set[ox.Triple]:
    return {ox.Triple(t.subject, t.predicate, t.object) for t in triples
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


def from_nquads(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))


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


def to_quads_with_pyld(document: dict, loader=sikg_jsonld.local_document_loader) -> list[ox.Quad]:
    return from_nquads(pyld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader}))


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
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run_cli, "export", *args, "-o", str(directory / name)) for name, args in
                   runs.items()}
    results = {}
    for name, future in futures.items():
        result = future.result()
        assert result.returncode == 0, (name, result.stderr)
        results[name] = (directory / name).read_bytes()
    return results


# -- 1. round trips ----------------------------------------------------------------------------------------------

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


# -- 2. JSON-LD: pyld expansion, the practices frame, the schema.org view ----------------------------------------

@pytest.mark.parametrize("source", ["http", "cli"])
def test_jsonld_export_expanded_by_pyld_is_the_store(http_exports, cli_exports, store_dataset, source):
    data = http_exports["jsonld"].data if source == "http" else cli_exports["jsonld"]
    document = json.loads(data)
    assert canonical(to_quads_with_pyld(document)) == store_dataset


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
    assert document["@context"] == sikg_jsonld.CANONICAL_CONTEXT_URL
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

    # Expanded (its context is the canonical URL, which the local loader resolves): all of it is in the KG.
    quads = to_quads_with_pyld(document)
    assert {q.subject.value for q in quads if q.predicate.value == RDF_TYPE
            and q.object.value == SIKG + "SupportPractice"} == practices
    union = ground(kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    assert ground(quads) <= union, sorted(map(str, ground(quads) - union))[:5]
    assert len(ground(quads)) > 35 * 10  # labels, links and nested objects, not just the types


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


def test_schema_org_views_agree(schema_org_views):
    views = [canonical(in_default_graph(schema_org_triples(*v))) for v in schema_org_views.values()]
    assert views[0] == views[1] == views[2]


# -- 3. dereferencing /id/{kind}/{slug} --------------------------------------------------------------------------

@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("accept,expected", [
    ("text/html", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("application/ld+json;q=0.2, application/rdf+xml;q=0.3, text/turtle;q=0.9", "text/turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),  # a browser
    ("image/png, application/n-triples;q=0.1", "application/n-triples"),
    ("text/*;q=0.1, application/rdf+xml", "application/rdf+xml"),
])
def test_resource_conneg(client, path, accept, expected):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.data
    assert response.mimetype == expected


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("accept,allowed", [
    (None, set(RESOURCE_MEDIA.values())),
    ("*/*", set(RESOURCE_MEDIA.values())),
    ("text/*", {"text/html", "text/turtle"}),
    ("application/*", {"application/ld+json", "application/n-triples", "application/rdf+xml"}),
    ("image/png, */*;q=0.1", set(RESOURCE_MEDIA.values())),
])
def test_resource_conneg_wildcards(client, path, accept, allowed):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype in allowed


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("fmt", list(RESOURCE_MEDIA))
def test_resource_format_parameter_wins_over_accept(client, path, fmt):
    response = client.get(path, query_string={"format": fmt}, headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.mimetype == RESOURCE_MEDIA[fmt]


@pytest.mark.parametrize("path", RESOURCES)
def test_resource_unsupported_type_is_406(client, path):
    assert client.get(path, headers={"Accept": "image/png"}).status_code == 406
    assert client.get(path, query_string={"format": "png"}).status_code in (400, 406)


@pytest.mark.parametrize("path", ["/id/practice/no-such-practice", "/id/organisation/nobody", "/id/nokind/avise",
                                  "/id/practice/..%2F..%2Fetc%2Fpasswd", "/id/../app.py", "/id/practice/%00",
                                  "/id/practice/../../src/sikg/app.py", "/id/practice/%2e%2e",
                                  "/id/practice/cap-impact%00", "/id/practice/cap-impact/../cap-impact"])
def test_unknown_or_traversing_paths_are_404(client, path):
    for accept in ("text/html", "text/turtle"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 404, (path, response.status_code)
        body = response.get_data(as_text=True)
        assert "root:" not in body and "import " not in body and "Traceback" not in body


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("fmt", list(RESOURCE_MEDIA))
def test_resource_vary_and_link_alternates(client, path, fmt):
    response = client.get(path, query_string={"format": fmt})
    assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]
    link = response.headers["Link"]
    alternates = re.findall(r'<([^>]+)>\s*;\s*rel="alternate"\s*;\s*type="([^"]+)"', link)
    assert {media for _, media in alternates} == set(RESOURCE_MEDIA.values())
    for url, _ in alternates:
        assert urlsplit(url).path == path


def description(client, path: str, fmt: str) -> list[ox.Quad]:
    response = client.get(path, query_string={"format": fmt})
    assert response.status_code == 200
    if fmt == "jsonld":
        return to_quads_with_pyld(json.loads(response.data), loader=service_loader(client))
    return in_default_graph(q.triple for q in ox.parse(response.data, format=RDF_OF_MEDIA[response.mimetype]))


def service_loader(client):
    """A pyld document loader that reads this service's own documents (its /context.jsonld) through the test client,
    and nothing else."""
    def load(url, options=None):
        parts = urlsplit(url)
        assert parts.netloc == "localhost", f"the JSON-LD names a context elsewhere: {url}"
        response = client.get(parts.path)
        assert response.status_code == 200 and response.mimetype == "application/ld+json", url
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(response.data)}
    return load


def test_practice_turtle_has_own_triples_qualified_records_and_labels(client, kg):
    iri = ox.NamedNode(ID + "practice/cap-impact")
    described = description(client, "/id/practice/cap-impact", "ttl")
    triples = {q.triple for q in described}
    union = list(kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    own = [t for t in union if t.subject == iri]
    # Its own triples: every ground one, and as many blank-node objects per property as in the store.
    assert ground(own) <= triples
    for predicate in {t.predicate for t in own if isinstance(t.object, ox.BlankNode)}:
        assert (sum(1 for t in own if t.predicate == predicate)
                == len({t.object for t in triples if t.subject == iri and t.predicate == predicate})), predicate
    # The qualified-link records, whole: the same subgraph, blank nodes and all.
    def records(ts):
        blanks = {t.object for t in ts if t.subject == iri and isinstance(t.object, ox.BlankNode)}
        return canonical(in_default_graph(t for t in ts if t.object in blanks or t.subject in blanks))

    assert records(triples) == records(set(union))
    assert sum(1 for t in triples if t.subject == iri and isinstance(t.object, ox.BlankNode)) >= 3
    # The labels of what it links to.
    assert ox.Triple(ox.NamedNode(ID + "element/societal-change"), ox.NamedNode(SKOS_PREFLABEL),
                     ox.Literal("Creating societal change", language="en")) in triples
    labels = {t for t in union if t.predicate.value in (SKOS_PREFLABEL, RDFS_LABEL)}
    for target in {t.object for t in own if isinstance(t.object, ox.NamedNode) and t.predicate.value != RDF_TYPE}:
        expected = {t for t in labels if t.subject == target}
        assert expected <= triples, target


@pytest.mark.parametrize("path", RESOURCES)
def test_resource_serialisations_are_the_same_graph(client, path):
    turtle = canonical(description(client, path, "ttl"))
    assert len(turtle) > 5
    for fmt in ("nt", "rdfxml", "jsonld"):
        assert canonical(description(client, path, fmt)) == turtle, fmt


def jsonld_nodes(document: dict, iri: str) -> list[dict]:
    """The node objects of a compacted document that describe `iri` (by compact or full IRI)."""
    graph = document.get("graph", document.get("@graph"))
    assert isinstance(graph, list), document.keys()
    names = {iri, iri.replace(ID + "practice/", "practice:").replace(ID + "organisation/", "organisation:")}
    return [node for node in graph if node.get("id") in names]


@pytest.mark.parametrize("path,kind,keys", [
    ("/id/practice/cap-impact", "SupportPractice", {"label", "operatedBy", "supportsElement", "usesMethod",
                                                    "country", "source", "description"}),
    ("/id/organisation/avise", "Organisation", {"label", "operates", "homepage", "actorType", "source"}),
])
def test_resource_jsonld_is_compacted_with_the_sikg_context(client, path, kind, keys):
    document = json.loads(client.get(path, headers={"Accept": "application/ld+json"}).data)
    context = document["@context"]
    if isinstance(context, str):  # by reference: this service's /context.jsonld
        assert urlsplit(context).path == "/context.jsonld"
    else:  # inline
        assert context == sikg_jsonld.context()
    nodes = jsonld_nodes(document, ID + path[len("/id/"):])
    assert nodes
    merged = {key for node in nodes for key in node}
    assert keys <= merged, merged
    assert [node["type"] for node in nodes if "type" in node] == [kind]
    assert all(isinstance(node["label"], dict) for node in nodes if "label" in node)  # language maps
    assert not any(key.startswith(("http://", "https://")) for node in nodes for key in node)


@pytest.mark.parametrize("path", RESOURCES)
def test_resource_jsonld_has_one_node_object_per_subject(client, path):
    document = json.loads(client.get(path, headers={"Accept": "application/ld+json"}).data)
    ids = [node.get("id") for node in document.get("graph", document.get("@graph"))]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_resource_jsonld_reads_back_into_the_service(client):
    """What the service serves as JSON-LD, it reads back (its context must not count as remote)."""
    turtle = client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"}).data
    document = client.get("/id/practice/cap-impact", headers={"Accept": "application/ld+json"}).data
    as_turtle = client.post("/validate", data=turtle, content_type="text/turtle")
    as_jsonld = client.post("/validate", data=document, content_type="application/ld+json")
    assert as_turtle.status_code == 200
    assert as_jsonld.status_code == 200, as_jsonld.data
    assert as_jsonld.get_json()["conforms"] == as_turtle.get_json()["conforms"]


def test_resource_ntriples_has_no_duplicate_statements(client):
    lines = client.get("/id/practice/cap-impact", query_string={"format": "nt"}).get_data(as_text=True).splitlines()
    assert len(lines) == len(set(lines))


def test_practice_page_shows_each_qualified_link_once(client):
    page = client.get("/id/practice/cap-impact", headers={"Accept": "text/html"}).get_data(as_text=True)
    items = re.findall(r"<li>(.*?)</li>", page.split("<h2>Why these links</h2>", 1)[1].split("</ul>", 1)[0], re.S)
    assert len(items) == 7  # 3 element supports, 3 method uses, 1 level target
    for item in items:
        targets = re.findall(r'<a href="(/id/[^"]+)"', item)
        assert len(targets) == 1, targets
        assert len(re.findall(r"<em>", item)) == 1, item


# -- 4. languages ------------------------------------------------------------------------------------------------

def html_of(client, path, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_swedish_by_parameter(client):
    page = html_of(client, "/id/element/realisation", query_string={"lang": "sv"})
    assert f"<h1>{REALISATION_SV}</h1>" in page
    assert REALISATION_EN not in page
    assert 'lang="sv"' in page


def test_swedish_by_accept_language(client):
    page = html_of(client, "/id/element/realisation", headers={"Accept-Language": "sv"})
    assert f"<h1>{REALISATION_SV}</h1>" in page
    assert REALISATION_EN not in page
    page = html_of(client, "/id/element/realisation", headers={"Accept-Language": "de, sv;q=0.5"})
    assert f"<h1>{REALISATION_SV}</h1>" in page


def test_unsupported_language_falls_back_to_english(client):
    page = html_of(client, "/id/element/realisation", query_string={"lang": "de"})
    assert f"<h1>{REALISATION_EN}</h1>" in page
    assert REALISATION_SV not in page
    assert REALISATION_EN in html_of(client, "/id/element/realisation", headers={"Accept-Language": "de"})


def test_lang_parameter_wins_over_accept_language(client):
    page = html_of(client, "/id/element/realisation", query_string={"lang": "en"}, headers={"Accept-Language": "sv"})
    assert f"<h1>{REALISATION_EN}</h1>" in page


def test_html_varies_by_accept_language(client):
    response = client.get("/id/element/realisation", headers={"Accept-Language": "sv"})
    assert "Accept-Language" in [v.strip() for v in response.headers["Vary"].split(",")]


def test_practice_page_links_its_sources(client, kg):
    sources = [s["s"].value for s in kg.query(f"SELECT ?s WHERE {{ <{ID}practice/cap-impact> <{DCT_SOURCE}> ?s }}")]
    assert len(sources) >= 3
    page = html_of(client, "/id/practice/cap-impact")
    for source in sources:
        assert f'<a href="{escape(source)}"' in page, source


# -- 5. the JSON-LD context document is served -------------------------------------------------------------------

def test_context_document_is_served(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = json.loads(response.data)
    context = document["@context"]
    assert context["@version"] == 1.1
    for term, iri in (("label", "rdfs:label"), ("prefLabel", "skos:prefLabel"), ("description", "dct:description")):
        assert context[term] == {"@id": iri, "@container": "@language"}, term
    assert document == sikg_jsonld.context_document()


# -- 6. SIKG_BASE ------------------------------------------------------------------------------------------------

def run_cli_with_base(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SIKG_BASE="http://127.0.0.1:8765/")
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_sikg_base_moves_instance_iris():
    result = run_cli_with_base("query", "--format", "csv",
                               "SELECT ?p WHERE { ?p a sikg:SupportPractice } LIMIT 1")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0] == "p" and len(rows) == 2
    assert rows[1].startswith("http://127.0.0.1:8765/id/practice/"), rows[1]


def test_sikg_base_leaves_nothing_under_the_canonical_instance_space():
    result = run_cli_with_base("query", "--format", "csv", """SELECT ?s ?p ?o WHERE { ?s ?p ?o
        FILTER(CONTAINS(STR(?s), "w3id.org/sikg/id/") || CONTAINS(STR(?o), "w3id.org/sikg/id/")) }""")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == []


