"""The store interface (sikg.store.base.KnowledgeGraphStore) and the one contract every backend meets.

`StoreContract` holds the tests; a subclass per backend runs them all, as Oxigraph's own Python tests do for its
stores: the embedded store in memory, the embedded store on disk, the on-disk store as each worker of `sikg serve
--processes N` reads it (a SharedStore, with a real writer process), and a real Oxigraph server (the `oxigraph`
package's CLI, started here on a free loopback port with a temporary directory) reached only through the SPARQL 1.1
Protocol, SPARQL 1.1 Update and the Graph Store Protocol. Each backend holds the curated KG and serves it through the
app, with contributions switched on. The shared store's failure paths (its writer's, its checkpoints') are tested
beside its class.

A store keeps the base (SIKG_BASE) its content was published under: loading or serving it under another base is
refused with a clear message, never done by adding the content a second time under the new base.
"""

import ast
import contextlib
import csv
import inspect
import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers import FIXTURES, ROOT, OxigraphServer, free_port, run_cli
from sikg.errors import BaseMismatch
from sikg.namespaces import BASE, GRAPH_CURATED, GRAPH_FILE, GRAPH_ONTOLOGY, GRAPH_PENDING, GRAPH_TOKENS
from sikg.server import _prepare
from sikg.settings import Settings
from sikg.store import EmbeddedStore, KnowledgeGraphStore, QueryEvaluator, RemoteStore, SharedStore, open_store
from sikg.store import shared as shared_module
from sikg.store import writer as writer_module
from sikg.store.writer import published_file, running_writer
from sikg.web.app import create_app

ORGANISATION_COUNT = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <https://w3id.org/sikg/ontology#Organisation> }"
PRACTICE_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }"
OTHER_BASE = "http://127.0.0.1:8765/"


@pytest.fixture(scope="module", params=[True, False], ids=["union", "no-union"])
def oxigraph_server(request, tmp_path_factory):
    """A real Oxigraph server, with and without the union of its named graphs as default graph: sikg names the
    dataset of every query, so it serves the same from either (tests/test_remote_store.py compares them)."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), union=request.param)
    server.start()
    yield server
    server.stop()


def sparql_csv(client, query: str) -> list[dict]:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.data
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _cli(*args: str, base: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("SIKG_BASE", None)
    if base:
        env["SIKG_BASE"] = base
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _quads(store) -> str:
    return _cli("stats", "--store", str(store)).stdout


def _in_runs(keys: list) -> bool:
    """Whether each key's occurrences are all side by side."""
    starts = [key for i, key in enumerate(keys) if i == 0 or keys[i - 1] != key]
    return len(starts) == len(set(starts))


# -- the interface -----------------------------------------------------------------------------------------------

INTERFACE = {"query", "query_private", "named_graphs", "__len__", "state_token", "quads_grouped", "all_quads", "update",
             "replace_graphs", "remove_graphs", "query_evaluator"}


def test_both_backends_implement_the_interface():
    assert isinstance(EmbeddedStore(), KnowledgeGraphStore)
    assert isinstance(RemoteStore("http://127.0.0.1:9/query"), KnowledgeGraphStore)  # (no request is made)
    assert KnowledgeGraphStore.__abstractmethods__ == INTERFACE


def _backend(name: str, members: set[str]) -> type:
    """A backend implementing only `members` of the interface (doing nothing)."""
    implement = lambda member: (property(lambda self: "") if member in ("state_token", "quads_grouped")
                                else (lambda self, *args, **kwargs: 0))
    return type(name, (KnowledgeGraphStore,), {member: implement(member) for member in members})


def test_the_interface_cannot_be_instantiated_nor_a_backend_missing_a_method():
    with pytest.raises(TypeError):
        KnowledgeGraphStore()
    for missing in sorted(INTERFACE):
        with pytest.raises(TypeError, match=missing):
            _backend(f"Without_{missing.strip('_')}", INTERFACE - {missing})()
    assert isinstance(_backend("Complete", INTERFACE)(), KnowledgeGraphStore)


def test_each_backend_says_how_the_endpoint_evaluates():
    """The embedded store: evaluator processes over its snapshots (the pool given, else its own); the external
    store evaluates itself, with no pool."""
    settings, pool = Settings.from_environment(), object()
    embedded = EmbeddedStore().query_evaluator(settings, pool)
    assert isinstance(embedded, QueryEvaluator) and embedded.pool is pool and callable(embedded.run)
    remote = RemoteStore("http://127.0.0.1:9/query").query_evaluator(settings, pool)
    assert isinstance(remote, QueryEvaluator) and remote.pool is None and callable(remote.run)


# -- the contract ------------------------------------------------------------------------------------------------

class StoreContract:
    """Every test here runs on every backend. A subclass provides `store` (class scope: a store holding the curated
    KG, shared by its tests, which leave it as they found it) and `grouped` (what its quads_grouped says)."""
    grouped: bool

    @pytest.fixture(scope="class")
    @classmethod
    def client(cls, store):
        patch = pytest.MonkeyPatch()
        patch.setenv("SIKG_CONTRIB_TOKEN", "tester=t0ken")
        patch.setenv("SIKG_REVIEW", "0")  # the round trip below publishes at once; review: test_review.py
        yield create_app(store).test_client()
        patch.undo()

    # -- the interface, directly ---------------------------------------------------------------------------------
    def test_reading(self, store):
        assert GRAPH_ONTOLOGY in store.named_graphs() and store.named_graphs() == sorted(store.named_graphs())
        assert len(store) == len(list(store.all_quads())) == len(open_store("memory"))
        assert bool(store.query(f"ASK {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}"))
        rows = list(store.query("SELECT ?x WHERE { ?x a ex:Class FILTER(isIRI(?x)) }",  # not the unionOf domain
                                prefixes={"ex": "http://www.w3.org/2002/07/owl#"}))
        assert rows and all(isinstance(row["x"], ox.NamedNode) for row in rows)

    def test_quads_grouped_says_how_all_quads_come(self, store):
        assert store.quads_grouped is self.grouped
        if store.quads_grouped:  # each graph, and each subject within it, comes in one run
            quads = list(store.all_quads())
            assert _in_runs([q.graph_name for q in quads]) and _in_runs([(q.graph_name, q.subject) for q in quads])

    def test_dump_writes_every_quad_or_the_union_graph(self, store):
        quads, triples = io.BytesIO(), io.BytesIO()
        store.dump(quads, ox.RdfFormat.N_QUADS)
        assert len(list(ox.parse(input=quads.getvalue(), format=ox.RdfFormat.N_QUADS))) == len(store)
        store.dump(triples, ox.RdfFormat.TURTLE, prefixes={"sikg": "https://w3id.org/sikg/ontology#"})
        parsed = list(ox.parse(input=triples.getvalue(), format=ox.RdfFormat.TURTLE))
        assert parsed and all(q.graph_name == ox.DefaultGraph() for q in parsed)
        assert b"@prefix sikg:" in triples.getvalue()

    def test_writes_are_seen_and_change_the_state_token(self, store):
        graph, before, token = GRAPH_FILE + "contract-test", len(store), store.state_token
        triple = ox.Triple(ox.NamedNode("urn:sikg:s"), ox.NamedNode("urn:sikg:p"), ox.Literal("o"))
        store.replace_graphs({graph: [triple]})
        assert graph in store.named_graphs() and len(store) == before + 1 and store.state_token != token
        token = store.state_token
        store.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:sikg:s> <urn:sikg:p> "p" }} }}')
        assert len(store) == before + 2 and store.state_token != token
        store.replace_graphs({graph: [triple]})
        assert len(store) == before + 1  # replaced, not added to
        token = store.state_token
        store.remove_graphs([graph])
        assert graph not in store.named_graphs() and len(store) == before and store.state_token != token

    def test_load_files_gives_each_file_a_graph_of_its_own(self, store):
        path, before = FIXTURES / "valid" / "practice.ttl", len(store)
        loaded = store.load_files([path])
        graph = GRAPH_FILE + path.name
        assert list(loaded) == [graph] and loaded[graph] > 0 and len(store) == before + loaded[graph]
        assert store.load_files([path]) == loaded and len(store) == before + loaded[graph]  # loaded again: replaced
        store.remove_graphs([graph])
        assert len(store) == before

    def test_content_under_another_base_is_refused_and_nothing_is_added(self, store):
        foreign = OTHER_BASE + GRAPH_ONTOLOGY[len(BASE):]
        triple = ox.Triple(ox.NamedNode(OTHER_BASE + "x"), ox.NamedNode(OTHER_BASE + "p"), ox.Literal("o"))
        store.replace_graphs({foreign: [triple]})
        try:
            before = len(store)
            with pytest.raises(BaseMismatch, match=OTHER_BASE):
                store.check_base()
            with pytest.raises(BaseMismatch, match="SIKG_BASE"):
                store.load_curated()
            assert len(store) == before
        finally:
            store.remove_graphs([foreign])
        store.check_base()

    def test_private_graphs_are_hidden_from_everything_but_query_private(self, store, client):
        """A graph under GRAPH_PRIVATE is in no dataset a query sees unless the caller asks for query_private: not
        in the default graph, not under GRAPH ?g, not in named_graphs(), len(), all_quads(), dump(); naming it in
        FROM, FROM NAMED or the protocol's graph parameters is naming an unknown graph (400)."""
        graphs, before, listed = (GRAPH_PENDING + "contract", GRAPH_TOKENS), len(store), store.named_graphs()
        hidden = ox.Triple(ox.NamedNode("urn:sikg:hidden7f3e"), ox.NamedNode("urn:sikg:p"), ox.Literal("hidden7f3e"))
        ask = "ASK { <urn:sikg:hidden7f3e> ?p ?o }"
        store.replace_graphs({graph: [hidden] for graph in graphs})
        try:
            assert store.named_graphs() == listed and len(store) == before
            assert not any(q.subject == hidden.subject for q in store.all_quads())
            assert not bool(store.query(ask)) and not bool(store.query(f"ASK {{ GRAPH ?g {{ {ask[5:-1]} }} }}"))
            assert (bool(store.query_private(ask))
                    and bool(store.query_private(f"ASK {{ GRAPH <{graphs[0]}> {{ ?s ?p ?o }} }}")))
            assert bool(store.query(f"ASK {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}"))  # the public ones stay
            dumped = io.BytesIO()
            store.dump(dumped, ox.RdfFormat.N_QUADS)
            assert b"hidden7f3e" not in dumped.getvalue()
            store.dump(dumped, ox.RdfFormat.TURTLE)
            assert b"hidden7f3e" not in dumped.getvalue()
            assert sparql_csv(client, PRACTICE_COUNT) == [{"n": "35"}]
            for query in [ask, "ASK { GRAPH ?g { <urn:sikg:hidden7f3e> ?p ?o } }",
                          f"ASK FROM NAMED <{GRAPH_CURATED}> {{ GRAPH ?g {{ <urn:sikg:hidden7f3e> ?p ?o }} }}",
                          "SELECT ?g WHERE { GRAPH ?g { } }"]:
                response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
                assert (response.status_code == 200 and b"hidden7f3e" not in response.data
                        and b"/graph/private/" not in response.data)
            for params in [{"query": f"ASK FROM <{graphs[0]}> {{ ?s ?p ?o }}"},
                           {"query": f"ASK FROM NAMED <{graphs[1]}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
                           {"query": "ASK { ?s ?p ?o }", "default-graph-uri": graphs[0]},
                           {"query": "ASK { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": graphs[1]}]:
                response = client.get("/sparql", query_string=params)
                assert response.status_code == 400 and b"unknown graph" in response.data, params
            only_named = client.get("/sparql", query_string={"query": ask, "named-graph-uri": GRAPH_ONTOLOGY})
            assert only_named.status_code == 200 and b"false" in only_named.data
            exported = client.get("/export?format=nq")
            assert (exported.status_code == 200 and b"hidden7f3e" not in exported.data
                    and b"/graph/private/" not in exported.data)
            assert json.loads(client.get("/health").data)["triples"] == before
        finally:
            store.remove_graphs(graphs)
        assert store.named_graphs() == listed and len(store) == before

    # -- through the app -----------------------------------------------------------------------------------------
    def test_select_and_count(self, client):
        assert sparql_csv(client, PRACTICE_COUNT) == [{"n": "35"}]
        assert int(sparql_csv(client, ORGANISATION_COUNT)[0]["n"]) >= 30

    def test_construct_in_every_graph_format(self, client):
        query = ("CONSTRUCT WHERE { ?l a <https://w3id.org/sikg/ontology#Level> ; "
                 "<http://www.w3.org/2004/02/skos/core#prefLabel> ?x }")
        for media_type, rdf_format in [("text/turtle", ox.RdfFormat.TURTLE),
                                       ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                       ("application/ld+json", ox.RdfFormat.JSON_LD),
                                       ("application/rdf+xml", ox.RdfFormat.RDF_XML)]:
            response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
            assert response.status_code == 200 and response.mimetype == media_type
            # 3 levels × (their type + a label in each of the five languages)
            assert len(list(ox.parse(input=response.data, format=rdf_format))) == 3 * (1 + 5)

    def test_safety_rules_hold_in_front_of_the_store(self, client):
        for query in ["INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                      "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                      "SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }"]:
            assert client.get("/sparql", query_string={"query": query}).status_code == 400

    def test_curated_query_with_a_parameter(self, client):
        response = client.get("/queries/practices-for-method",
                              query_string={"method": "https://w3id.org/sikg/id/method/incubation-programmes",
                                            "format": "csv"})
        assert response.status_code == 200, response.data
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert rows and all(r["method"] == "https://w3id.org/sikg/id/method/incubation-programmes" for r in rows
                            if "method" in r)

    def test_export_has_the_same_quads_on_every_backend(self, client):
        response = client.get("/export?format=nq")
        assert response.status_code == 200
        exported = list(ox.parse(input=response.data, format=ox.RdfFormat.N_QUADS))
        reference = open_store("memory")
        ground = lambda quads: {q for q in quads if not isinstance(q.subject, ox.BlankNode)
                                and not isinstance(q.object, ox.BlankNode)}
        assert ground(exported) == ground(reference.all_quads())
        assert len(exported) == len(reference)

    def test_resource_page_and_description(self, client):
        assert client.get("/id/practice/cap-impact", headers={"Accept": "text/html"}).status_code == 200
        turtle = client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"})
        triples = list(ox.parse(input=turtle.data, format=ox.RdfFormat.TURTLE))
        assert any(q.predicate.value.endswith("#operatedBy") for q in triples)
        assert client.get("/id/practice/no-such-practice").status_code == 404

    def test_validation_uses_the_store_as_reference(self, client):
        body = (FIXTURES / "valid" / "practice.ttl").read_bytes()
        report = client.post("/validate", data=body, content_type="text/turtle").get_json()
        assert report == {"conforms": True, "results": []}

    def test_contribution_round_trip(self, client):
        auth = {"Authorization": "Bearer t0ken"}
        body = (FIXTURES / "valid" / "practice.ttl").read_bytes()
        etag_before = client.get("/sparql", query_string={"query": ORGANISATION_COUNT}).headers["ETag"]
        created = client.post("/contributions", data=body, content_type="text/turtle", headers=auth)
        assert created.status_code == 201, created.data
        contribution = created.get_json()["id"]
        assert sparql_csv(client, PRACTICE_COUNT) == [{"n": "36"}]
        # The write changed the store's state: the ETag of an answer changes with it (also across instances, for the
        # external store, where the state token lives in the store).
        assert client.get("/sparql", query_string={"query": ORGANISATION_COUNT}).headers["ETag"] != etag_before
        listed = client.get("/contributions").get_json()
        assert [c["contributor"] for c in listed if c["id"] == contribution] == ["tester"]
        assert client.delete(f"/contributions/{contribution}", headers=auth).status_code == 204
        assert sparql_csv(client, PRACTICE_COUNT) == [{"n": "35"}]



class CommandLineContract:
    """The same through the command line, for every backend another process can open: a subclass provides
    `fresh_spec`, a `--store` value naming a new empty store."""

    def test_loading_a_store_under_another_base_is_refused_and_changes_nothing(self, fresh_spec):
        assert _cli("load", "--store", fresh_spec).returncode == 0
        before = _quads(fresh_spec)
        refused = _cli("load", "--store", fresh_spec, base=OTHER_BASE)
        assert refused.returncode == 2, refused.stderr
        assert "https://w3id.org/sikg/" in refused.stderr and OTHER_BASE in refused.stderr
        assert "Traceback" not in refused.stderr
        assert _quads(fresh_spec) == before  # nothing added under the new base
        again = _cli("load", "--store", fresh_spec)  # under its own base it loads as before
        assert again.returncode == 0 and _quads(fresh_spec) == before

    def test_serving_a_store_under_another_base_is_refused_before_it_starts(self, fresh_spec):
        assert _cli("load", "--store", fresh_spec).returncode == 0
        port = free_port()
        refused = _cli("serve", "--store", fresh_spec, "--port", str(port), base=f"http://127.0.0.1:{port}/")
        assert refused.returncode != 0
        assert "SIKG_BASE" in refused.stderr and "Traceback" not in refused.stderr


class TestInMemory(StoreContract):
    grouped = False  # the in-memory store iterates in no useful order

    @pytest.fixture(scope="class")
    @classmethod
    def store(cls):
        return open_store("memory")


class TestOnDisk(StoreContract, CommandLineContract):
    grouped = True  # RocksDB iterates in key order

    @pytest.fixture(scope="class")
    @classmethod
    def store(cls, tmp_path_factory):
        store = open_store(str(tmp_path_factory.mktemp("disk") / "store"))
        store.load_curated()
        return store

    @pytest.fixture
    def fresh_spec(self, tmp_path):
        return str(tmp_path / "store")

    @pytest.mark.slow
    def test_an_on_disk_store_is_served_with_its_content_loaded_first(self, tmp_path):
        """serve loads the curated content into the on-disk store before its worker opens it (the base check runs
        there): the service answers with the whole KG."""
        store, port = tmp_path / "store", free_port()
        env = {k: v for k, v in os.environ.items() if k != "SIKG_BASE"}
        log = open(tmp_path / "serve.log", "wb")
        process = subprocess.Popen([sys.executable, "-m", "sikg.cli", "serve", "--store", str(store), "--port",
                                    str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/id/practice/cap-impact?format=nt") as answer:
                        assert answer.status == 200 and b"cap-impact" in answer.read()
                        break
                except OSError:
                    assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                    time.sleep(0.3)
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        expected = len(open_store("memory"))  # the repository's content, as `sikg serve` loaded it
        assert f"quads: {expected}" in run_cli("stats", "--store", str(store)).stdout.replace(",", "")


@contextlib.contextmanager
def _served_by_a_writer(path: Path, boot: str = "shared"):
    """The on-disk store at `path` as `sikg serve --processes N` serves it: the content loaded first (server._prepare),
    then its writer started (writer.running_writer); yields the writer's address, which each worker's store is
    opened with (open_store(..., writer=...), as server._load_app opens it)."""
    _prepare("disk", {"spec": str(path)})
    with running_writer(path, boot) as writer:
        yield writer


@pytest.mark.slow  # starts the store's writer process
class TestShared(StoreContract):
    """The contract over the store each worker process of `sikg serve --processes N` over an on-disk store reads: a
    SharedStore, reading the checkpoints a real writer process publishes and writing through it. Every test of the
    contract holds there as it is: a write returns once the writer committed and published it, and the process
    that wrote reads the checkpoint holding it at once (test_writes_are_seen_and_change_the_state_token)."""
    grouped = True  # a RocksDB checkpoint iterates in key order

    @pytest.fixture(scope="class")
    @classmethod
    def store(cls, tmp_path_factory):
        path = tmp_path_factory.mktemp("shared") / "store"
        with _served_by_a_writer(path) as writer:
            yield open_store(str(path), boot="shared", writer=writer)

    def test_a_shared_store_holds_the_checkpoint_it_reads_and_is_no_read_only_store_that_writes(self, store):
        """It is a store of its own (KnowledgeGraphStore), made of the checkpoint it reads and the writer it writes
        through: not an EmbeddedStore opened read-only, which it was while it wrote."""
        assert isinstance(store, SharedStore) and isinstance(store, KnowledgeGraphStore)
        assert not isinstance(store, EmbeddedStore) and not getattr(store, "read_only", False)
        assert [kind.__name__ for kind in SharedStore.__mro__] == ["SharedStore", "KnowledgeGraphStore", "ABC",
                                                                   "object"]


@pytest.mark.parametrize("module", [shared_module, writer_module], ids=["shared", "writer"])
def test_the_shared_store_and_its_writer_use_no_other_class_s_private_members(module):
    """Neither reaches into another object's private members (SharedStore into the EmbeddedStore it inherited from,
    the writer into the store's tidying): only self's, and the stores' public interface."""
    foreign = [f"line {node.lineno}: {ast.unparse(node)}" for node in ast.walk(ast.parse(inspect.getsource(module)))
               if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
               and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))]
    assert foreign == []


def _aggregate(client):
    """A query the worker hands to its evaluator processes (not one triple pattern), which open its checkpoint."""
    query = ("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> ; "
             "<https://w3id.org/sikg/ontology#country> ?country }")
    return client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})


@pytest.mark.slow  # starts the store's writer process
def test_a_write_the_writer_committed_but_could_not_publish_is_acknowledged(tmp_path, monkeypatch):
    """The writer commits a write, then publishes it (a new checkpoint, named in the published file). If that
    fails (a full disk, say), the write is stored all the same: the caller is told it is done (201), never a 503,
    which a client would answer by sending it again; the writer publishes it as soon as it can, and it is there
    once."""
    monkeypatch.setenv("SIKG_CONTRIB_TOKEN", "tester=t0ken")
    monkeypatch.setenv("SIKG_REVIEW", "0")
    monkeypatch.setattr("sikg.store.shared.PUBLISHED_WAIT_SECONDS", 1.0, raising=False)  # the writer's wait for it
    path, auth = tmp_path / "store", {"Authorization": "Bearer t0ken"}
    inserted = '<urn:sikg:committed> <urn:sikg:p> "unpublished"'
    with _served_by_a_writer(path) as writer:
        store = open_store(str(path), boot="shared", writer=writer)
        client = create_app(store).test_client()
        published = published_file(path)
        before = json.loads(published.read_text())
        published.unlink()
        published.mkdir()  # the writer's new published file cannot be renamed over a directory: publication fails
        try:
            created = client.post("/contributions", data=(FIXTURES / "valid" / "practice.ttl").read_bytes(),
                                  content_type="text/turtle", headers=auth)
            assert created.status_code == 201, created.data
            store.update(f"INSERT DATA {{ GRAPH <{GRAPH_FILE}committed> {{ {inserted} }} }}")  # returns: done
        finally:
            published.rmdir()
        deadline = time.monotonic() + 30  # the writer publishes what it could not (twice a second)
        while not published.is_file() or json.loads(published.read_text())["generation"] < before["generation"] + 2:
            assert time.monotonic() < deadline, "the writer never published the writes it acknowledged"
            time.sleep(0.1)
        assert sparql_csv(client, PRACTICE_COUNT) == [{"n": "36"}]
        assert sparql_csv(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ {inserted} }}") == [{"n": "1"}]


def _unreadable_once_deleted(monkeypatch) -> None:
    """A RocksDB handle opened read-only holds its files open and reads on once its directory is deleted; a read that
    must open a file again then fails with RocksDB's I/O error (pyoxigraph's OSError). Reads of an embedded store
    whose directory is gone are made to fail so."""
    query = EmbeddedStore.query

    def failing(self, *args, **kwargs):
        if self.path is not None and not self.path.exists():
            raise OSError(f"IO error: No such file or directory: While open a file for random read: {self.path}/x.sst")
        return query(self, *args, **kwargs)
    monkeypatch.setattr(EmbeddedStore, "query", failing)


@pytest.mark.slow  # starts the store's writer process
def test_a_worker_whose_checkpoint_went_reads_the_newest_one_or_answers_503(tmp_path, monkeypatch):
    """The checkpoint a worker reads is deleted (a replaced one at the end of its grace period, or every one once the
    writer has stopped): its evaluators cannot open it, and reads in the worker fail. The worker then reads the
    newest checkpoint published (the writer publishes a new one of the same content when the one it published went),
    or answers 503 when there is none; never a 500, nor a 400 that blames the client's query."""
    _unreadable_once_deleted(monkeypatch)
    path = tmp_path / "store"
    with _served_by_a_writer(path) as writer:
        store = open_store(str(path), boot="shared", writer=writer)
        client = create_app(store).test_client()  # new evaluators: they open the checkpoint at their first query
        shutil.rmtree(store.snapshot().path)
        answers = [_aggregate(client), client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"})]
        assert all(answer.status_code in (200, 503) for answer in answers), [(a.status_code, a.data) for a in answers]
        deadline = time.monotonic() + 30
        while _aggregate(client).status_code != 200:
            assert time.monotonic() < deadline, "the worker never read the checkpoint published anew"
            time.sleep(0.1)
        assert sparql_csv(client, PRACTICE_COUNT) == [{"n": "35"}]
        assert client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"}).status_code == 200
    # The writer has stopped, and its checkpoints went with it (as once the service stops): nothing left to read.
    client = create_app(store).test_client()
    for answer in [_aggregate(client), client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"}),
                   client.get("/health")]:
        assert answer.status_code == 503, (answer.status_code, answer.data)


class TestExternal(StoreContract, CommandLineContract):
    grouped = True  # all_quads() asks for ORDER BY ?g ?s

    @pytest.fixture(scope="class")
    @classmethod
    def store(cls, oxigraph_server):
        store = open_store(oxigraph_server.query_url, timeout=5)
        store.load_curated()
        return store

    @pytest.fixture
    def fresh_spec(self, tmp_path, oxigraph_server):
        server = OxigraphServer(tmp_path / "oxigraph", union=oxigraph_server.union)
        server.start()
        yield server.query_url
        server.stop()

    def test_a_second_instance_sees_the_first_ones_writes(self, store, oxigraph_server, monkeypatch):
        """Stateless instances over one store: a write through one invalidates the other's cached answers."""
        monkeypatch.setenv("SIKG_CONTRIB_TOKEN", "tester=t0ken")
        monkeypatch.setenv("SIKG_REVIEW", "0")
        first = create_app(open_store(oxigraph_server.query_url)).test_client()
        second = create_app(open_store(oxigraph_server.query_url)).test_client()
        before = sparql_csv(second, PRACTICE_COUNT)
        created = first.post("/contributions", data=(FIXTURES / "valid" / "practice.ttl").read_bytes(),
                             content_type="text/turtle", headers={"Authorization": "Bearer t0ken"})
        assert created.status_code == 201
        after = sparql_csv(second, PRACTICE_COUNT)
        assert int(after[0]["n"]) == int(before[0]["n"]) + 1
        first.delete(f"/contributions/{created.get_json()['id']}", headers={"Authorization": "Bearer t0ken"})

    def test_store_down_gives_503_and_recovers_without_restart(self, tmp_path, oxigraph_server):
        server = OxigraphServer(tmp_path / "store", union=oxigraph_server.union)
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

    def test_sikg_load_without_files_replaces_only_the_curated_graphs(self, store, oxigraph_server):
        """`sikg load --store URL` with no file, as docs/deployment.md shows it."""
        result = run_cli("load", "--store", oxigraph_server.query_url)
        assert result.returncode == 0, result.stderr
        assert "store holds" in result.stdout
