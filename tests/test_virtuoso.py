"""OpenLink Virtuoso (Debian's virtuoso-opensource 7.2) as sikg's external store, tested as an Oxigraph server is:
the store contract (tests/test_store.py) over a real Virtuoso started here (tests/virtuoso.py: a temporary database,
free ports, +foreground, stopped at the end), and `sikg load` as docs/deployment.md shows it. The route comparison
over it, beside the embedded store and Oxigraph server, is in tests/test_remote_store.py. What Virtuoso answers
differently is handled in store/remote.py (its Dialect and the answers read there), each with a test there.
"""

import pytest
from test_store import CommandLineContract, StoreContract
from virtuoso import MISSING, Virtuoso

from helpers import run_cli
from sikg.store import open_store

pytestmark = [pytest.mark.skipif(MISSING is not None, reason=MISSING or ""), pytest.mark.slow]


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    yield server
    server.stop()


class TestVirtuoso(StoreContract, CommandLineContract):
    grouped = True  # all_quads() asks for ORDER BY ?g ?s

    @pytest.fixture(scope="class")
    @classmethod
    def store(cls, virtuoso):
        store = open_store(virtuoso.sparql_url, timeout=30)
        store.load_curated()
        return store

    @pytest.fixture
    def fresh_spec(self, tmp_path):
        """A new, empty Virtuoso: named by its query endpoint alone (its update and Graph Store Protocol endpoints
        are found beside it, where Virtuoso keeps them)."""
        server = Virtuoso(tmp_path / "virtuoso")
        server.start()
        yield server.sparql_url
        server.stop()

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
