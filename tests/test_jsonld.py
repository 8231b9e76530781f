"""sikg.rdf.jsonld on its own: a context term for every ontology term and for everything the KG says, the canonical
context URL, provenance written with terms, the whole-KG writer against pyld's compaction, and a document loader that
never goes to the network (remote contexts refused without a connection, the canonical context resolved locally);
the context document as the service serves it (/context.jsonld); and every JSON-LD document the service serves or
writes read with no network access at all, as the same graph as the Turtle (or TriG) of the same view."""

import io
import json
import socket
import threading

import pyoxigraph as ox
import pytest

from helpers import FIXTURES, canonical, offline_quads, run_cli, text, to_quads
from sikg.namespaces import PREFIXES
from sikg.rdf import content, jsonld

ID = "https://w3id.org/sikg/id/"
SIKG = "https://w3id.org/sikg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


# -- 1. the context: its URL, a term for every ontology term and for everything the KG says ------------------------

def test_context_url_is_the_canonical_one_without_a_base():
    assert jsonld.context_url() == jsonld.CANONICAL_CONTEXT_URL


def context_iris() -> set[str]:
    ctx = jsonld.context()

    def expand(value: str) -> str:
        prefix, _, local = value.partition(":")
        return ctx[prefix] + local if isinstance(ctx.get(prefix), str) and local else value
    return {expand(d if isinstance(d, str) else d["@id"]) for k, d in ctx.items() if not k.startswith("@")}


def test_every_ontology_term_has_a_context_term():
    sikg = PREFIXES["sikg"]
    declared = {q.subject.value for q in content.read(content.home() / "ontology" / "sikg.ttl")
                if q.subject.value.startswith(sikg) and q.subject.value != sikg}
    assert {sikg + "Contribution", sikg + "payloadSha256", sikg + "validationOutcome"} <= declared
    assert declared - context_iris() == set()


def test_every_class_and_property_of_the_kg_has_a_context_term(kg):
    # rdf:first/rest are the cells of RDF lists (skos:memberList, a @list term), not vocabulary of their own
    cells = {PREFIXES["rdf"] + "first", PREFIXES["rdf"] + "rest", RDF_TYPE}
    used = {q.predicate.value for q in kg.all_quads()} - cells
    used |= {q.object.value for q in kg.all_quads() if q.predicate.value == RDF_TYPE}
    assert used - context_iris() == set()


def test_contribution_provenance_is_written_with_terms():
    g, agent = ox.NamedNode(PREFIXES["practice"][:-len("id/practice/")] + "graph/contribution/x"), ox.BlankNode("a")
    xsd, prov, sikg = PREFIXES["xsd"], PREFIXES["prov"], PREFIXES["sikg"]
    triples = [ox.Triple(g, ox.NamedNode(RDF_TYPE), ox.NamedNode(sikg + "Contribution")),
               ox.Triple(g, ox.NamedNode(prov + "generatedAtTime"),
                         ox.Literal("2026-11-28T00:00:00Z", datatype=ox.NamedNode(xsd + "dateTime"))),
               ox.Triple(g, ox.NamedNode(prov + "wasAttributedTo"), agent),
               ox.Triple(agent, ox.NamedNode(RDF_TYPE), ox.NamedNode(prov + "Agent")),
               ox.Triple(g, ox.NamedNode(sikg + "payloadSha256"), ox.Literal("ab12")),
               ox.Triple(g, ox.NamedNode(sikg + "validationOutcome"), ox.Literal("conforms; 0 warning(s)"))]
    compacted = jsonld.compact(triples)
    keys = {key for node in compacted["graph"] for key in node}
    assert {"generatedAtTime", "wasAttributedTo", "payloadSha256", "validationOutcome"} <= keys
    assert {node.get("type") for node in compacted["graph"]} == {"Contribution", "ProvAgent"}


# -- 2. the whole-KG writer writes each node as pyld compacts it ---------------------------------------------------

def _sorted_values(node: dict) -> dict:
    """A node object with every array (also inside language maps) sorted, so that value order does not count."""
    def norm(value):
        if isinstance(value, list):
            return sorted((norm(v) for v in value), key=json.dumps)
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        return value
    return norm(node)


def test_dump_writer_writes_each_node_as_pyld_compacts_it():
    """The whole-KG writer's node objects are what a JSON-LD compactor makes of them with the same context: language
    maps for labels (also for altLabel, whose container is [@language, @set] and so keeps arrays), @type @id links
    as plain strings, @set terms as arrays, typed literals as value objects."""
    skos, sikg_ns = "http://www.w3.org/2004/02/skos/core#", "https://w3id.org/sikg/ontology#"
    subject = ox.NamedNode(ID + "practice/example")
    triples = [
        ox.Triple(subject, ox.NamedNode(jsonld_rdf_type()), ox.NamedNode(sikg_ns + "SupportPractice")),
        ox.Triple(subject, ox.NamedNode(skos + "prefLabel"), ox.Literal("Example", language="en")),
        ox.Triple(subject, ox.NamedNode(skos + "prefLabel"), ox.Literal("Exempel", language="sv")),
        ox.Triple(subject, ox.NamedNode(skos + "altLabel"), ox.Literal("Ex", language="en")),
        ox.Triple(subject, ox.NamedNode(skos + "altLabel"), ox.Literal("Sample", language="en")),
        ox.Triple(subject, ox.NamedNode(skos + "altLabel"), ox.Literal("Prov", language="sv")),
        ox.Triple(subject, ox.NamedNode(sikg_ns + "country"), ox.NamedNode(ID + "country/se")),
        ox.Triple(subject, ox.NamedNode("http://purl.org/dc/terms/source"), ox.NamedNode("https://example.org/a")),
        ox.Triple(subject, ox.NamedNode("http://purl.org/dc/terms/modified"),
                  ox.Literal("2026-11-28", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
    ]
    output = io.BytesIO()
    jsonld.write_compacted((ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples),
                                output)
    [written] = json.loads(output.getvalue())["@graph"]
    expected = jsonld.compact(triples)
    expected.pop("@context")
    assert written["altLabel"] == {"en": ["Ex", "Sample"], "sv": ["Prov"]}
    assert _sorted_values(written) == _sorted_values(expected)


def jsonld_rdf_type() -> str:
    return RDF_TYPE


# -- 3. JSON-LD never goes to the network ----------------------------------------------------------------------

@pytest.fixture
def listener():
    """A TCP listener on the loopback that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)
    connections, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except (TimeoutError, socket.timeout):
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    stop.set()
    thread.join(timeout=2)
    server.close()


def remote_documents(url: str) -> dict:
    return {
        "context": {"@context": f"{url}/context.jsonld", "@id": "http://example.org/a", "name": "a"},
        "context list": {"@context": [{"ex": "http://example.org/"}, f"{url}/context.jsonld"],
                         "@id": "http://example.org/a", "ex:name": "a"},
        "@import": {"@context": {"@version": 1.1, "@import": f"{url}/import.jsonld"}, "@id": "http://example.org/a"},
        "scoped": {"@context": {"@version": 1.1, "x": {"@id": "http://example.org/x", "@context": f"{url}/s.jsonld"}},
                   "@id": "http://example.org/a", "x": {"http://example.org/y": "1"}},
    }


def cause_chain(error: BaseException) -> list[BaseException]:
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = getattr(error, "cause", None) or error.__cause__ or error.__context__
    return chain


@pytest.mark.parametrize("form", ["context", "context list", "@import", "scoped"])
def test_remote_context_is_refused_without_a_connection(listener, form):
    url, connections = listener
    with pytest.raises(Exception) as raised:
        to_quads(remote_documents(url)[form])
    assert any(isinstance(e, jsonld.RemoteContextRefused) for e in cause_chain(raised.value)), raised.value
    assert connections == []


def test_to_quads_raises_remote_context_refused(listener):
    url, connections = listener
    with pytest.raises(jsonld.RemoteContextRefused):
        to_quads(remote_documents(url)["context"])
    assert connections == []


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a network connection was attempted: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_canonical_context_resolves_locally(no_network):
    loaded = jsonld.local_document_loader(jsonld.CANONICAL_CONTEXT_URL)
    assert loaded["document"] == jsonld.context_document()
    lines = to_quads({"@context": jsonld.CANONICAL_CONTEXT_URL, "id": "practice:x",
                      "type": "SupportPractice", "label": {"en": "X", "sv": "X på svenska"},
                      "operatedBy": ["organisation:y"]})
    assert set(lines) == {
        f"<{ID}practice/x> <{RDF_TYPE}> <{SIKG}SupportPractice> .",
        f'<{ID}practice/x> <{RDFS_LABEL}> "X"@en .',
        f'<{ID}practice/x> <{RDFS_LABEL}> "X på svenska"@sv .',
        f"<{ID}practice/x> <{SIKG}operatedBy> <{ID}organisation/y> .",
    }


# -- 4. the context document, as the service serves it --------------------------------------------------------------

def test_context_document_is_served(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = json.loads(response.data)
    context = document["@context"]
    assert context["@version"] == 1.1
    for term, iri in (("label", "rdfs:label"), ("prefLabel", "skos:prefLabel"), ("description", "dct:description")):
        assert context[term] == {"@id": iri, "@container": "@language"}, term
    assert document == jsonld.context_document()


# -- 5. every JSON-LD document the service serves or writes is read with no network access --------------------------
# Each is expanded by pyld with a document loader that refuses every URL (the sikg context's too) and compared with
# the Turtle (TriG for the whole KG) of the same view: the context is in the document, and it is the sikg context.

PRACTICES_IN_LATVIA = f"""CONSTRUCT {{ ?p ?pred ?o }} WHERE {{
    ?p a <{SIKG}SupportPractice> ; <{SIKG}country> <http://publications.europa.eu/resource/authority/country/LVA> ;
       ?pred ?o . FILTER(!isBlank(?o)) }}"""
RECORDS = f"CONSTRUCT {{ ?r ?p ?o }} WHERE {{ ?s <{SIKG}qualifiedElementSupport> ?r . ?r ?p ?o }}"


def rdf_of(response) -> list[ox.Quad]:
    assert response.status_code in (200, 422), text(response)[:500]
    return list(ox.parse(response.data, format=ox.RdfFormat.from_media_type(response.mimetype)))


def sparql(client, query: str, fmt: str):
    return client.get("/sparql", query_string={"query": query, "format": fmt})


def validated(client, accept: str):
    data = (FIXTURES / "invalid" / "practice-no-country.ttl").read_bytes()
    return client.post("/validate", data=data, content_type="text/turtle", headers={"Accept": accept})


def framed_view(client, fmt: str):
    from sikg.rdf import exports
    return sparql(client, (exports.FRAMES / "practices.rq").read_text(encoding="utf-8"), fmt)


# name -> (the JSON-LD response, the response of the same view in Turtle or TriG), each from the test client
SERVED = {
    "/export?format=jsonld": (lambda c: c.get("/export?format=jsonld"), lambda c: c.get("/export?format=trig")),
    "/export?frame=practices": (lambda c: c.get("/export?frame=practices"), lambda c: framed_view(c, "ttl")),
    "/export?profile=schema.org&format=jsonld": (lambda c: c.get("/export?profile=schema.org&format=jsonld"),
                                                 lambda c: c.get("/export?profile=schema.org&format=ttl")),
    "/practices?format=jsonld": (lambda c: c.get("/practices?format=jsonld&country=LVA"),
                                 lambda c: sparql(c, PRACTICES_IN_LATVIA, "ttl")),
    "/practices as JSON-LD by Accept": (
        lambda c: c.get("/practices?country=LVA", headers={"Accept": "application/ld+json"}),
        lambda c: sparql(c, PRACTICES_IN_LATVIA, "ttl")),
    "/id/practice/cap-impact": (lambda c: c.get("/id/practice/cap-impact", headers={"Accept": "application/ld+json"}),
                                lambda c: c.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"})),
    "/id/organisation/avise": (lambda c: c.get("/id/organisation/avise?format=jsonld"),
                               lambda c: c.get("/id/organisation/avise?format=ttl")),
    "/id/element/societal-change": (lambda c: c.get("/id/element/societal-change?format=jsonld"),
                                    lambda c: c.get("/id/element/societal-change?format=ttl")),
    "/sparql CONSTRUCT": (lambda c: sparql(c, RECORDS, "jsonld"), lambda c: sparql(c, RECORDS, "ttl")),
    "/sparql Service Description": (lambda c: c.get("/sparql", headers={"Accept": "application/ld+json"}),
                                    lambda c: c.get("/sparql", headers={"Accept": "text/turtle"})),
    "/ontology": (lambda c: c.get("/ontology?format=jsonld"), lambda c: c.get("/ontology?format=ttl")),
    "/shapes": (lambda c: c.get("/shapes", headers={"Accept": "application/ld+json"}),
                lambda c: c.get("/shapes", headers={"Accept": "text/turtle"})),
    "/.well-known/void": (lambda c: c.get("/.well-known/void", headers={"Accept": "application/ld+json"}),
                          lambda c: c.get("/.well-known/void", headers={"Accept": "text/turtle"})),
    "POST /validate report": (lambda c: validated(c, "application/ld+json"), lambda c: validated(c, "text/turtle")),
}


@pytest.mark.parametrize("name", list(SERVED))
def test_served_jsonld_is_read_with_no_network_access(client, name):
    as_jsonld, as_turtle = (get(client) for get in SERVED[name])
    assert as_jsonld.mimetype == "application/ld+json", name
    document = json.loads(as_jsonld.data)
    assert isinstance(document["@context"], dict), "the context is inline, not named by a URL"
    expected = canonical(rdf_of(as_turtle))
    assert len(expected) > 0, name
    assert canonical(offline_quads(document)) == expected, name


def test_the_practices_frame_writes_its_context_first(client):
    """The frame is written a practice at a time: the context comes before the first of them."""
    data = client.get("/export?frame=practices").data
    assert data.startswith(b'{"@context":{')
    assert data.index(b'"graph":[') > data.index(b'"@version"')


def test_an_empty_practice_list_carries_its_context(client):
    response = client.get("/practices?format=jsonld&q=no-practice-is-called-this")
    document = json.loads(response.data)
    assert document["@context"] == jsonld.context()
    assert document["graph"] == [] and offline_quads(document) == []


@pytest.mark.slow
def test_cli_construct_as_jsonld_is_read_with_no_network_access(client, tmp_path):
    result = run_cli("query", "--format", "jsonld", RECORDS)
    assert result.returncode == 0, result.stderr
    assert canonical(offline_quads(result.stdout)) == canonical(rdf_of(sparql(client, RECORDS, "ttl")))


def test_the_sikg_context_by_url_is_still_validated(client):
    """Documents that name the sikg context by URL (the contribution template, older exports) are still read:
    POST /validate resolves it locally."""
    document = json.loads(client.get("/practices?format=jsonld&country=LVA").data)
    for url in sorted(jsonld.context_urls()):
        response = client.post("/validate", data=json.dumps({**document, "@context": url}),
                               content_type="application/ld+json")
        assert response.status_code == 200, text(response)
