"""OpenLink Virtuoso (Debian's virtuoso-opensource 7.2) as sikg's external store, tested as an Oxigraph server is:
the store contract (tests/test_store.py) over a real Virtuoso (tests/virtuoso.py: a temporary database, free ports,
+foreground; one per worker for the session, emptied or loaded again as each test needs it: tests/conftest.py), and
`sikg load` as docs/deployment.md shows it. The route comparison
over it, beside the embedded store and Oxigraph server, is in tests/test_remote_store.py. What Virtuoso answers
differently is handled in store/remote.py (its Dialect and the answers read there), each with a test there.
"""

import pyoxigraph as ox
import pytest
from test_store import CommandLineContract, StoreContract
from virtuoso import MISSING

from helpers import run_cli
from sikg.store import open_store

pytestmark = [pytest.mark.skipif(MISSING is not None, reason=MISSING or ""), pytest.mark.slow]


@pytest.fixture
def virtuoso(virtuoso_kg):
    """The worker's one Virtuoso (tests/conftest.py), holding the curated KG and nothing else."""
    return virtuoso_kg


class TestVirtuoso(StoreContract, CommandLineContract):
    grouped = True  # all_quads() asks for ORDER BY ?g ?s

    @pytest.fixture(scope="class")
    @classmethod
    def store(cls, virtuoso_server):
        store = open_store(virtuoso_server.sparql_url, timeout=30)
        store.named_graphs()  # a first answer, which says what kind of store it is (as loading it did)
        return store

    @pytest.fixture(autouse=True)
    def curated(self, request, virtuoso_server):
        """Before each test the store holds the curated KG and nothing else (loaded again if the last test wrote),
        but for a test that asks for an empty store (fresh_spec)."""
        if "fresh_spec" not in request.fixturenames:
            virtuoso_server.load_curated()

    @pytest.fixture
    def fresh_spec(self, virtuoso_empty):
        """A new, empty Virtuoso (the worker's, cleared): named by its query endpoint alone (its update and Graph
        Store Protocol endpoints are found beside it, where Virtuoso keeps them)."""
        return virtuoso_empty.sparql_url

    def test_the_store_is_known_as_virtuoso_and_its_own_graphs_are_not_the_kg(self, store):
        assert store.dialect.name == "Virtuoso"
        assert store.update_url == store.query_url and store.store_url.endswith("/sparql-graph-crud")
        graphs = store.named_graphs()
        assert graphs and all(g.startswith("https://w3id.org/sikg/") for g in graphs), graphs
        assert store.unusable() is None


def test_sikg_load_as_the_deployment_guide_shows_it(virtuoso):
    """The command of issue 28 (it stopped with a traceback), then `sikg stats` as over the embedded store."""
    loaded = run_cli("load", *virtuoso.store_args())
    assert loaded.returncode == 0, loaded.stderr
    assert "Traceback" not in loaded.stderr
    assert run_cli("stats", "--store", virtuoso.sparql_url).stdout == run_cli("stats", "--store", "memory").stdout


def test_sikg_serve_over_virtuoso_answers_as_over_the_embedded_store(virtuoso, tmp_path):
    """`sikg serve` as a user starts it over the loaded Virtuoso: healthy, and curated queries (gaps-in-country for
    Latvia among them: 9 rows, not 2) say what the embedded store's say (the full comparison, in-process:
    tests/test_remote_store.py)."""
    import os
    import urllib.request

    from helpers import serving
    from sikg.web.app import create_app

    assert run_cli("load", *virtuoso.store_args()).returncode == 0
    embedded = create_app(open_store("memory")).test_client()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIKG_")}
    with serving(["--store", virtuoso.sparql_url, "--processes", "1"], tmp_path / "serve.log", env) as url:
        with urllib.request.urlopen(url + "/health", timeout=30) as answer:
            assert answer.read() == embedded.get("/health").data
        for path in (
            "/queries/practices-per-country?format=csv",
            "/queries/gaps-in-country?format=csv&country=http://publications.europa.eu/resource/authority/country/LVA",
        ):
            with urllib.request.urlopen(url + path, timeout=30) as answer:
                served = answer.read()
            assert sorted(served.splitlines()) == sorted(embedded.get(path).data.splitlines()), path


# -- big writes, atomic replacements, answers cut at the row cap (issue 28, item 1 follow-up) -------------------

BIG = 150  # synthetic practices: about 2,200 triples, twice what Virtuoso's compiler takes in one INSERT


def _synthetic(practices: int, seed: int, prefix: str = "") -> bytes:
    import io

    from sikg.synth import write_synthetic

    out = io.BytesIO()
    write_synthetic(out, practices, seed=seed)
    return (
        out.getvalue()
        .replace(b"/practice/", f"/practice/{prefix}".encode())
        .replace(b"/organisation/", f"/organisation/{prefix}".encode())
    )


def _staging_graphs(store) -> list[str]:
    from sikg.store.staging import GRAPH_STAGING

    rows = store.query_private(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{GRAPH_STAGING}')) }}"
    )
    return [row["g"].value for row in rows]


def _practices(store, prefix: str) -> int:
    rows = store.query(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice>"
        f" FILTER(STRSTARTS(STR(?p), 'https://w3id.org/sikg/id/practice/{prefix}')) }}"
    )
    return int(next(iter(rows))["n"].value)


@pytest.fixture
def contributions(virtuoso):
    """An app over the loaded Virtuoso (review on), a contributor's and a curator's headers."""
    from sikg.settings import Settings
    from sikg.web.app import create_app

    store = open_store(virtuoso.sparql_url, timeout=60)
    app = create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=tok-alice"}))
    curator = app.extensions["sikg"].contributions.tokens.add("carol", "curator")
    return app.test_client(), store, {"Authorization": "Bearer tok-alice"}, {"Authorization": f"Bearer {curator}"}


@pytest.mark.parametrize("key", [None, '"big-batch"'])
def test_a_contribution_of_150_practices_is_posted_and_accepted(contributions, key):
    """Over 2,000 triples in one contribution: with an Idempotency-Key it is one conditional INSERT template, which
    Virtuoso refused ("memory exhausted"); its blocks are now staged and copied in by the same operation."""
    client, store, alice, carol = contributions
    prefix = "keyed-" if key else "plain-"
    headers = {**alice, **({"Idempotency-Key": key} if key else {})}
    made = client.post(
        "/contributions", data=_synthetic(BIG, 7, prefix), content_type="application/n-triples", headers=headers
    )
    assert made.status_code == 202, made.data[:400]
    assert _practices(store, prefix) == 0  # pending: private
    if key:  # the same request again answers the same contribution, writing nothing
        again = client.post(
            "/contributions", data=_synthetic(BIG, 7, prefix), content_type="application/n-triples", headers=headers
        )
        assert again.status_code == 202 and again.json["id"] == made.json["id"]
    accepted = client.post(
        f"/contributions/{made.json['id']}/review", headers=carol, json={"decision": "accept", "comment": "checked"}
    )
    assert accepted.status_code == 200, accepted.data[:400]
    assert accepted.json["status"] == "accepted"
    assert _practices(store, prefix) == BIG
    assert _staging_graphs(store) == []


def test_a_revision_of_150_practices_is_accepted(contributions):
    """Issue 26's conditional write (the current description out, the new one in, the versions moved) over a
    revision of 150 practices."""
    client, store, alice, carol = contributions
    first = client.post(
        "/contributions", data=_synthetic(BIG, 8, "revised-"), content_type="application/n-triples", headers=alice
    )
    assert (
        client.post(f"/contributions/{first.json['id']}/review", headers=carol, json={"decision": "accept"}).status_code
        == 200
    )
    changed = _synthetic(BIG, 8, "revised-").replace(b" Network ", b" Netzwerk ")
    revision = client.post(
        "/contributions?comment=renamed", data=changed, content_type="application/n-triples", headers=alice
    )
    assert revision.status_code == 202, revision.data[:400]
    accepted = client.post(
        f"/contributions/{revision.json['id']}/review", headers=carol, json={"decision": "accept", "comment": "checked"}
    )
    assert accepted.status_code == 200, accepted.data[:400]
    names = {
        row["n"].value
        for row in store.query(
            "SELECT ?n WHERE { ?o a <https://w3id.org/sikg/ontology#Organisation> ; "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?n "
            "FILTER(STRSTARTS(STR(?o), 'https://w3id.org/sikg/id/organisation/revised-')) }"
        )
    }
    assert names and not any(" Network " in n for n in names) and any(" Netzwerk " in n for n in names)
    assert _practices(store, "revised-") == BIG


class _FailingOnPut:
    """The store's HTTP requests, with the `fail_at`-th Graph Store Protocol request failing (a store gone)."""

    def __init__(self, store, fail_at: int):
        self.request, self.count, self.fail_at = store._request, 0, fail_at

    def __call__(self, method, url, **options):
        from sikg.errors import StoreUnavailable

        if method in ("PUT", "POST") and "graph=" in url:
            self.count += 1
            if self.count == self.fail_at:
                raise StoreUnavailable("the external store is unreachable (a test)")
        return self.request(method, url, **options)


def test_a_big_write_that_fails_midway_leaves_nothing(virtuoso, monkeypatch):
    """A staged update whose second block fails to upload writes nothing (no staging graph stays behind either)."""
    from sikg.errors import StoreUnavailable

    store = open_store(virtuoso.sparql_url, timeout=60)

    def block(graph: str, n: int) -> str:
        return (
            f"GRAPH <{graph}> {{ "
            + " ".join(f'<urn:s{i}> <urn:p> _:b{i} . _:b{i} <urn:q> "{i}" .' for i in range(n))
            + " }"
        )

    update = f"INSERT DATA {{ {block('urn:big:one', 600)} {block('urn:big:two', 600)} }}"
    monkeypatch.setattr(store, "_request", _FailingOnPut(store, 2))
    before = store.state_token
    with pytest.raises(StoreUnavailable):
        store.update(update)
    monkeypatch.undo()
    assert not store.query_private("ASK { GRAPH ?g { ?s <urn:p> ?o } }")
    assert _staging_graphs(store) == []
    assert store.state_token == before
    store.update(update)  # and the same, not failing: every triple, its blank nodes joined
    rows = store.query_private("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <urn:p> ?b . ?b <urn:q> ?v } }")
    assert next(iter(rows))["n"].value == "1200"
    assert _staging_graphs(store) == []


def test_a_replacement_of_several_graphs_that_fails_midway_leaves_the_previous_content(virtuoso, monkeypatch):
    """replace_graphs sends each graph to a staging graph and moves them in with one small update: the second
    graph failing to upload leaves both graphs as they were; then the replacement done is whole."""
    from sikg.errors import StoreUnavailable

    store = open_store(virtuoso.sparql_url, timeout=60)
    graphs = ["https://w3id.org/sikg/graph/test-one", "https://w3id.org/sikg/graph/test-two"]

    def triples(word: str) -> list[ox.Triple]:
        return [ox.Triple(ox.NamedNode(f"urn:{word}:{i}"), ox.NamedNode("urn:p"), ox.Literal(word)) for i in range(50)]

    store.replace_graphs({g: triples("old") for g in graphs})
    monkeypatch.setattr(store, "_request", _FailingOnPut(store, 2))
    with pytest.raises(StoreUnavailable):
        store.replace_graphs({g: triples("new") for g in graphs})
    monkeypatch.undo()
    for graph in graphs:
        values = {r["o"].value for r in store.query_private(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")}
        assert values == {"old"}, graph
    assert _staging_graphs(store) == []
    store.replace_graphs({g: triples("new") for g in graphs})
    for graph in graphs:
        rows = store.query_private(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert [r["o"].value for r in rows] == ["new"] * 50
    store.remove_graphs(graphs)


@pytest.fixture
def capped(virtuoso_capped):
    """A Virtuoso whose ResultSetMaxRows is 1,000 (its default is 10,000), holding the curated KG (tests/conftest.py:
    one per worker)."""
    return virtuoso_capped


def _without_blank_nodes(text: str) -> set[str]:
    return {line for line in text.splitlines() if "_:" not in line}


def test_an_export_over_a_row_cap_is_whole(capped):
    """Every quad is read in pages under the cap once the store says it cut the answer: the export over a Virtuoso
    capped at 1,000 rows holds the curated KG's every quad, as over the embedded store."""
    exported = run_cli("export", "--store", capped.sparql_url, "--format", "nq")
    assert exported.returncode == 0, exported.stderr
    embedded = run_cli("export", "--store", "memory", "--format", "nq")
    assert len(exported.stdout.splitlines()) == len(embedded.stdout.splitlines()) > 1000
    assert _without_blank_nodes(exported.stdout) == _without_blank_nodes(embedded.stdout)


def test_an_answer_cut_at_the_row_cap_is_a_503_not_a_short_answer(capped):
    from sikg.errors import StoreUnavailable
    from sikg.web.app import create_app

    store = open_store(capped.sparql_url, timeout=60)
    with pytest.raises(StoreUnavailable, match="cut its answer at 1000 rows"):
        store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert len(store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 999")) == 999
    client = create_app(store).test_client()
    answer = client.get(
        "/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
    )
    assert answer.status_code == 503 and b"cut its answer at 1000 rows" in answer.data
