"""The service behaves the same over both backends: the embedded store, and a real Oxigraph server (the `oxigraph`
package's CLI, started here on a free loopback port with a temporary directory) reached only through the SPARQL 1.1
Protocol, SPARQL 1.1 Update and the Graph Store Protocol."""

import csv
import io
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, ROOT, free_port
from sikg.app import create_app
from sikg.store import open_store

ORGANISATION_COUNT = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <https://w3id.org/sikg/ontology#Organisation> }"


class OxigraphServer:
    def __init__(self, directory: Path):
        self.directory, self.port, self.process = directory, free_port(), None
        self.executable = shutil.which("oxigraph") or str(Path(__import__("sys").executable).parent / "oxigraph")

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def start(self) -> None:
        self.process = subprocess.Popen([self.executable, "serve", "--location", str(self.directory), "--bind",
                                         f"127.0.0.1:{self.port}", "--union-default-graph"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["embedded", "external"])
def backend(request, oxigraph_server, monkeypatch_module):
    """(store, Flask test client) for each backend, with the curated KG loaded and contributions switched on."""
    monkeypatch_module.setenv("SIKG_CONTRIB_TOKEN", "tester=t0ken")
    if request.param == "embedded":
        store = open_store("memory")
    else:
        store = open_store(oxigraph_server.query_url, timeout=5)
        store.load_curated()
    return request.param, store, create_app(store).test_client()


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def sparql_csv(client, query: str) -> list[dict]:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.data
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_select_and_count(backend):
    _, store, client = backend
    assert sparql_csv(client, "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }"
                      ) == [{"n": "35"}]
    assert int(sparql_csv(client, ORGANISATION_COUNT)[0]["n"]) >= 30


def test_construct_in_every_graph_format(backend):
    _, _, client = backend
    query = "CONSTRUCT WHERE { ?l a <https://w3id.org/sikg/ontology#Level> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?x }"
    for media_type, rdf_format in [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                   ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML)]:
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
        assert response.status_code == 200 and response.mimetype == media_type
        assert len(list(ox.parse(input=response.data, format=rdf_format))) == 9  # 3 levels × (type + 2 labels)


def test_safety_rules_hold_in_front_of_the_external_store(backend):
    _, _, client = backend
    for query in ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                  "SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }"]:
        assert client.get("/sparql", query_string={"query": query}).status_code == 400


def test_curated_query_with_a_parameter(backend):
    _, _, client = backend
    response = client.get("/queries/practices-for-method",
                          query_string={"method": "https://w3id.org/sikg/id/method/incubation-programmes",
                                        "format": "csv"})
    assert response.status_code == 200, response.data
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and all(r["method"] == "https://w3id.org/sikg/id/method/incubation-programmes" for r in rows
                        if "method" in r)


def test_export_has_the_same_quads_on_both_backends(backend):
    _, store, client = backend
    response = client.get("/export?format=nq")
    assert response.status_code == 200
    exported = list(ox.parse(input=response.data, format=ox.RdfFormat.N_QUADS))
    reference = open_store("memory")
    ground = lambda quads: {q for q in quads if not isinstance(q.subject, ox.BlankNode)
                            and not isinstance(q.object, ox.BlankNode)}
    assert ground(exported) == ground(reference.all_quads())
    assert len(exported) == len(reference)


def test_resource_page_and_description(backend):
    _, _, client = backend
    assert client.get("/id/practice/cap-impact", headers={"Accept": "text/html"}).status_code == 200
    turtle = client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"})
    triples = list(ox.parse(input=turtle.data, format=ox.RdfFormat.TURTLE))
    assert any(q.predicate.value.endswith("#operatedBy") for q in triples)
    assert client.get("/id/practice/no-such-practice").status_code == 404


def test_validation_uses_the_store_as_reference(backend):
    _, _, client = backend
    body = (FIXTURES / "valid" / "practice.ttl").read_bytes()
    report = client.post("/validate", data=body, content_type="text/turtle").get_json()
    assert report == {"conforms": True, "results": []}


def test_contribution_round_trip(backend):
    name, store, client = backend
    auth = {"Authorization": "Bearer t0ken"}
    body = (FIXTURES / "valid" / "practice.ttl").read_bytes()
    etag_before = client.get("/sparql", query_string={"query": ORGANISATION_COUNT}).headers["ETag"]
    created = client.post("/contributions", data=body, content_type="text/turtle", headers=auth)
    assert created.status_code == 201, created.data
    contribution = created.get_json()["id"]
    assert sparql_csv(client, "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }"
                      ) == [{"n": "36"}]
    # The write changed the store's state: the ETag of an answer changes with it (also across instances, for the
    # external store, where the state token lives in the store).
    assert client.get("/sparql", query_string={"query": ORGANISATION_COUNT}).headers["ETag"] != etag_before
    listed = client.get("/contributions").get_json()
    assert [c["contributor"] for c in listed if c["id"] == contribution] == ["tester"]
    assert client.delete(f"/contributions/{contribution}", headers=auth).status_code == 204
    assert sparql_csv(client, "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }"
                      ) == [{"n": "35"}]


def test_a_second_instance_sees_the_first_ones_writes(oxigraph_server, monkeypatch):
    """Stateless instances over one store: a write through one invalidates the other's cached answers."""
    monkeypatch.setenv("SIKG_CONTRIB_TOKEN", "tester=t0ken")
    first = create_app(open_store(oxigraph_server.query_url)).test_client()
    second = create_app(open_store(oxigraph_server.query_url)).test_client()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }"
    before = sparql_csv(second, count)
    created = first.post("/contributions", data=(FIXTURES / "valid" / "practice.ttl").read_bytes(),
                         content_type="text/turtle", headers={"Authorization": "Bearer t0ken"})
    assert created.status_code == 201
    after = sparql_csv(second, count)
    assert int(after[0]["n"]) == int(before[0]["n"]) + 1
    first.delete(f"/contributions/{created.get_json()['id']}", headers={"Authorization": "Bearer t0ken"})


def test_store_down_gives_503_and_recovers_without_restart(tmp_path):
    server = OxigraphServer(tmp_path / "store")
    server.start()
    store = open_store(server.query_url, timeout=3)
    store.load_curated()
    client = create_app(store).test_client()
    assert client.get("/health").status_code == 200
    server.stop()
    started = time.monotonic()
    for path in ["/health", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "/id/practice/cap-impact",
                 "/queries/practices-per-country"]:
        response = client.get(path)
        assert response.status_code == 503, (path, response.status_code, response.data)
        assert b"unreachable" in response.data or b"unavailable" in response.data
    assert time.monotonic() - started < 3 * 4  # each within the time limit
    server.start()  # same port, same directory
    assert client.get("/health").status_code == 200
    assert json.loads(client.get("/health").data)["triples"] == len(open_store("memory"))
    server.stop()


def test_sikg_load_without_files_replaces_only_the_curated_graphs(oxigraph_server):
    """`sikg load --store URL` with no file, as docs/deployment.md shows it."""
    from conftest import run_cli
    result = run_cli("load", "--store", oxigraph_server.query_url)
    assert result.returncode == 0, result.stderr
    assert "store holds" in result.stdout
