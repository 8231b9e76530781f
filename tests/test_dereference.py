"""Dereferencing /id/{kind}/{slug} (dereference.py, resources.py): content negotiation by Accept and format=,
406/404 (also for traversing paths), Vary and Link alternates, a description with its qualified records and the
labels of what it links to, the same graph in every serialisation, JSON-LD compacted with the sikg context that the
service reads back, and the HTML page (its qualified links, its sources, its alternates in <head>). The page's
languages are tested in test_languages.py."""

import json
import re
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from markupsafe import escape

from helpers import canonical, ground, html, in_default_graph, offline_quads
from sikg.rdf import jsonld

ID = "https://w3id.org/sikg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT_SOURCE = "http://purl.org/dc/terms/source"
RESOURCES = ["/id/practice/cap-impact", "/id/organisation/avise", "/id/element/realisation",
             "/id/method/incubation-programmes"]
RESOURCE_MEDIA = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
                  "nt": "application/n-triples", "rdfxml": "application/rdf+xml"}
RDF_OF_MEDIA = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}


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
        return offline_quads(response.data)  # its context inline: read with no network access
    return in_default_graph(q.triple for q in ox.parse(response.data, format=RDF_OF_MEDIA[response.mimetype]))


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
    assert document["@context"] == jsonld.context()  # inline, never named by a URL
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


# -- the HTML page --------------------------------------------------------------------------------------------------

def test_practice_page_shows_each_qualified_link_once(client):
    page = client.get("/id/practice/cap-impact", headers={"Accept": "text/html"}).get_data(as_text=True)
    items = re.findall(r"<li>(.*?)</li>", page.split("<h2>Why these links</h2>", 1)[1].split("</ul>", 1)[0], re.S)
    assert len(items) == 6  # 1 element support, 3 method uses, 1 level target, 1 characteristic
    for item in items:
        targets = re.findall(r'<a href="(/id/[^"]+)"', item)
        assert len(targets) == 1, targets
        assert len(re.findall(r"<em>", item)) == 1, item


def test_practice_page_links_its_sources(client, kg):
    sources = [s["s"].value for s in kg.query(f"SELECT ?s WHERE {{ <{ID}practice/cap-impact> <{DCT_SOURCE}> ?s }}")]
    assert len(sources) >= 3
    page = html(client, "/id/practice/cap-impact")
    for source in sources:
        assert f'<a href="{escape(source)}"' in page, source


def test_resource_page_links_its_machine_readable_alternates_in_its_head(client):
    page = html(client, "/id/practice/cap-impact")
    head = page.split("</head>", 1)[0]
    links = re.findall(r'<link rel="alternate" type="([^"]+)" href="\?format=(\w+)">', head)
    assert ("text/turtle", "ttl") in links and ("application/ld+json", "jsonld") in links
    assert all(media != "text/html" for media, _ in links)
    for media, name in links:  # each one answers with what it says it is
        answer = client.get("/id/practice/cap-impact", query_string={"format": name})
        assert answer.status_code == 200 and answer.mimetype == media


# -- issue 16: quotations and partners on the page (planted in a store of the test's own) ------------------------

def planted_client():
    from sikg.namespaces import sparql_prologue
    from sikg.store import open_store
    from sikg.web.app import create_app
    store = open_store("memory")
    store.update(sparql_prologue() + """
        INSERT { GRAPH <urn:x:test> {
          ?record sikg:quotation "Cap Impact accompagne les structures dans l'évaluation de leur impact social."@fr } }
        WHERE { GRAPH ?g { practice:cap-impact sikg:qualifiedMethodUse ?record .
                           ?record sikg:method method:impact-assessment-tools } }""")
    store.update(sparql_prologue() + """INSERT DATA { GRAPH <urn:x:test> {
        practice:cap-impact sikg:partner organisation:avise ;
            sikg:qualifiedPartnership [ a sikg:Partnership ; sikg:organisation organisation:avise ;
                sikg:role "follow-along research"@en ; sikg:basis basis:curated ;
                sikg:rationale "Avise follows the programme as a research partner."@en ;
                dct:source <https://example.org/planted-partner> ;
                sikg:quotation "Avise suit le programme."@fr ] } }""")
    return create_app(store).test_client()


def test_practice_page_shows_each_records_quotation_in_its_language_and_its_partner():
    client = planted_client()
    page = client.get("/id/practice/cap-impact", headers={"Accept": "text/html"}).get_data(as_text=True)
    why = page.split("<h2>Why these links</h2>", 1)[1].split("</ul>", 1)[0]
    quote = str(escape("Cap Impact accompagne les structures dans l'évaluation de leur impact social."))
    assert re.search(r'<blockquote class="quotation" lang="fr"[^>]*><p>' + re.escape(quote) + "</p></blockquote>", why)
    [item] = [i for i in re.findall(r"<li>(.*?)</li>", why, re.S) if quote in i]
    assert "/id/method/impact-assessment-tools" in item
    assert "</span>" in item.split("<blockquote", 1)[0]  # the rationale is still there, beside the quotation
    # the partner: a link of the practice, and its record (role, rationale, quotation) under "Why these links"
    links = page.split('<dl class="links">', 1)[1].split("</dl>", 1)[0]
    assert '<dt>partner</dt>' in links and 'href="/id/organisation/avise"' in links
    [partner] = [i for i in re.findall(r"<li>(.*?)</li>", why, re.S) if "Avise follows the programme" in i]
    assert 'href="/id/organisation/avise"' in partner and "(follow-along research)" in partner
    assert ('<blockquote class="quotation" lang="fr" cite="https://example.org/planted-partner">'
            '<p>Avise suit le programme.</p>') in partner


def test_a_quotation_keeps_its_lang_even_on_a_page_in_its_language():
    client = planted_client()
    page = client.get("/id/practice/cap-impact?lang=fr", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<blockquote class="quotation" lang="fr"' in page


# -- issue 16: the report's findings, on the collection's page and their own ----------------------------------------

def test_collection_page_lists_its_findings_and_each_finding_dereferences(client, kg):
    findings = {r["f"].value: r["label"].value for r in kg.query(f"""
        SELECT ?f ?label WHERE {{ <{ID}collection/buicasus-good-examples> <https://w3id.org/sikg/ontology#finding> ?f .
                                  ?f <{RDFS_LABEL}> ?label FILTER(LANG(?label) = "en") }}""")}
    assert len(findings) >= 1
    page = html(client, "/id/collection/buicasus-good-examples")
    links = page.split('<dl class="links">', 1)[1].split("</dl>", 1)[0]
    assert "<dt>finding</dt>" in links
    for iri, label in findings.items():
        path = "/" + iri.split("https://w3id.org/sikg/", 1)[1]
        assert f'<a href="{path}">{escape(label)}</a>' in links, label
        own = html(client, path)
        assert f"<h1>{escape(label)}</h1>" in own
        for row in kg.query(f"SELECT ?q ?s WHERE {{ <{iri}> <https://w3id.org/sikg/ontology#quotation> ?q ; "
                            f"<{DCT_SOURCE}> ?s }}"):
            quote = (f'<blockquote class="quotation" lang="{row["q"].language}" cite="{escape(row["s"].value)}">'
                     f'<p>{escape(row["q"].value)}</p></blockquote>')
            assert quote in own  # marked with its language even on a page in that language
            assert f'<a href="{escape(row["s"].value)}"' in own
