import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def kg():
    """The curated KG in a throwaway in-memory store, loaded once for the session; tests must not write to it."""
    from sikg.store import open_store

    return open_store("memory")


def select(kg, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings, with sikg's prefixes declared."""
    from sikg.namespaces import PREFIXES

    result = kg.query(query, prefixes=PREFIXES)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Runs the installed `sikg` command as a user would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`sikg serve` as a user starts it (gunicorn, in-memory store), on a free loopback port, with a 2 s query limit."""
    import os
    import time
    import urllib.request

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
