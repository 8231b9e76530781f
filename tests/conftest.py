"""The suite's fixtures and hooks; the plain helpers the tests import are in helpers.py."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from helpers import ROOT, free_port
from sikg.app import create_app
from sikg.store import open_store


@pytest.fixture(scope="session")
def kg():
    """The curated KG in a throwaway in-memory store, loaded once for the session; tests must not write to it."""
    return open_store("memory")


@pytest.fixture(scope="module")
def client(kg):
    """The Flask test client of the service over `kg` (a module may define its own, with other settings)."""
    return create_app(kg).test_client()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`sikg serve` as a user starts it (gunicorn, in-memory store), on a free loopback port, with a 2 s query limit."""
    port = free_port()
    env = dict(os.environ, SIKG_QUERY_TIMEOUT="2", SIKG_EVALUATORS="2")
    log = open(tmp_path_factory.mktemp("server") / "server.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "sikg.cli", "serve", "--port", str(port), "--store", "memory",
                                "--workers", "8"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sikg serve did not start; see {log.name}")
            time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that starts and kills real servers (runs in `make test` too)")
