"""The suite's fixtures and hooks; the plain helpers the tests import are in helpers.py."""

import os
from collections import Counter

import pytest
from virtuoso import MISSING as VIRTUOSO_MISSING
from virtuoso import Virtuoso

from helpers import serving
from sikg.sparql.evaluator import EvaluatorPool
from sikg.store import open_store
from sikg.web.app import create_app


@pytest.fixture(scope="session")
def kg():
    """The curated KG in a throwaway in-memory store, loaded once for the session; tests must not write to it."""
    return open_store("memory")


@pytest.fixture(scope="module")
def pool():
    """One small evaluator pool for a module's apps (each would otherwise start its own); a module that needs
    another defines its own."""
    pool = EvaluatorPool(1, 10.0, 64 * 1024 * 1024)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def client(kg):
    """The Flask test client of the service over `kg` (a module may define its own, with other settings)."""
    return create_app(kg).test_client()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`sikg serve` as a user starts it (granian, in-memory store), on a free loopback port, with a 2 s query limit."""
    env = dict(os.environ, SIKG_QUERY_TIMEOUT="2", SIKG_EVALUATORS="2")
    with serving(["--store", "memory", "--workers", "8"], tmp_path_factory.mktemp("server") / "server.log", env) as url:
        yield url


# -- OpenLink Virtuoso (tests/virtuoso.py) -------------------------------------------------------------------------
# One server per worker for the whole session, started when a test first asks for it: starting one takes seconds,
# putting it back as the next test needs it a fraction of one. A test takes it through the fixture saying what it
# needs (an empty store, or the curated KG and nothing else), never through the session fixture alone, so that no
# test depends on what another one left.

def _session_virtuoso(tmp_path_factory, name: str, **options):
    if VIRTUOSO_MISSING:
        pytest.skip(VIRTUOSO_MISSING)
    server = Virtuoso(tmp_path_factory.mktemp(name), **options)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """The worker's Virtuoso, as it is: take it through virtuoso_empty or virtuoso_kg."""
    yield from _session_virtuoso(tmp_path_factory, "virtuoso")


@pytest.fixture
def virtuoso_empty(virtuoso_server):
    """The worker's Virtuoso with every graph written since it started dropped: a store as new."""
    virtuoso_server.clear()
    return virtuoso_server


@pytest.fixture
def virtuoso_kg(virtuoso_server):
    """The worker's Virtuoso holding the curated KG and nothing else, as `sikg load` leaves a new store (loaded again
    only if something was written since it was last loaded)."""
    virtuoso_server.load_curated()
    return virtuoso_server


@pytest.fixture(scope="session")
def virtuoso_capped_server(tmp_path_factory):
    """The worker's Virtuoso whose answers are cut at 1,000 rows (ResultSetMaxRows; its default is 10,000): a
    setting of its virtuoso.ini, so a server of its own. Take it through virtuoso_capped."""
    yield from _session_virtuoso(tmp_path_factory, "virtuoso-capped", max_rows=1000)


@pytest.fixture
def virtuoso_capped(virtuoso_capped_server):
    """The capped Virtuoso holding the curated KG and nothing else."""
    virtuoso_capped_server.load_curated()
    return virtuoso_capped_server


# What `make check` leaves out (-m "not slow"; `make test` runs everything): tests that start real servers, browsers,
# other engines or the command line, run the fuzzers, or check exhaustively for seconds. Whole folders, the tests that
# use a fixture starting such a process, and tests marked @pytest.mark.slow where they start one themselves (or take
# seconds of the quick loop's minute).
SLOW_FOLDERS = {"browser", "robustness"}
PROCESS_FIXTURES = {"live_server", "servers", "oxigraph", "oxigraph_server", "empty_server", "fresh_spec", "js_reports",
                    "core_nt", "cli_exports", "virtuoso_server", "virtuoso_capped_server"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: starts real servers, browsers, other engines or the command line, "
                                       "fuzzes, or checks exhaustively for seconds (left out of `make check`; "
                                       "`make test` runs it)")


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        folder = os.path.relpath(os.path.dirname(item.path), here).split(os.sep)[0]
        if folder in SLOW_FOLDERS or PROCESS_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)
    items.sort(key=_long_first(items))


def _long_first(items):
    """The order the suite runs in: the modules holding the most slow tests first (the long tests: real servers,
    browsers, the command line), each module whole and in its own order, then the others as collected. `--dist
    worksteal` gives each worker a contiguous share of the collection and lets a worker with nothing left take the
    tail of another's queue: the long tests start early and the many short ones fill the gaps at the end, where a
    long one collected last (they sort late by name) kept one worker busy for minutes while the other waited. Read
    from the slow marks, so it follows the suite as it changes (no list of modules to keep up to date)."""
    slow_tests = Counter(item.path for item in items if item.get_closest_marker("slow"))
    return lambda item: -slow_tests[item.path]
