"""A store keeps the base (SIKG_BASE) its content was published under: loading or serving it under another base is
refused with a clear message, never done by adding the content a second time under the new base."""

import os
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT, free_port, run_cli


def _cli(*args: str, base: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("SIKG_BASE", None)
    if base:
        env["SIKG_BASE"] = base
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _quads(store) -> str:
    return _cli("stats", "--store", str(store)).stdout


def test_loading_a_store_under_another_base_is_refused_and_changes_nothing(tmp_path):
    store = tmp_path / "store"
    assert _cli("load", "--store", str(store)).returncode == 0
    before = _quads(store)
    refused = _cli("load", "--store", str(store), base="http://127.0.0.1:8765/")
    assert refused.returncode == 2, refused.stderr
    assert "https://w3id.org/sikg/" in refused.stderr and "http://127.0.0.1:8765/" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _quads(store) == before  # nothing added under the new base
    again = _cli("load", "--store", str(store))  # under its own base it loads as before
    assert again.returncode == 0 and _quads(store) == before


def test_serving_a_store_under_another_base_is_refused_before_it_starts(tmp_path):
    store = tmp_path / "store"
    assert _cli("load", "--store", str(store)).returncode == 0
    port = free_port()
    refused = _cli("serve", "--store", str(store), "--port", str(port), base=f"http://127.0.0.1:{port}/")
    assert refused.returncode != 0
    assert "SIKG_BASE" in refused.stderr and "Traceback" not in refused.stderr


def test_an_on_disk_store_is_served_with_its_content_loaded_first(tmp_path):
    """serve loads the curated content into the on-disk store before its worker opens it (the check above runs
    there): the service answers with the whole KG."""
    store, port = tmp_path / "store", free_port()
    env = {k: v for k, v in os.environ.items() if k != "SIKG_BASE"}
    log = open(tmp_path / "serve.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "sikg.cli", "serve", "--store", str(store), "--port", str(port)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
    assert "4113" in run_cli("stats", "--store", str(store)).stdout.replace(",", "")


def test_an_external_store_with_content_under_another_base_is_refused_by_load_and_serve(tmp_path):
    """The same check over an external SPARQL store (Oxigraph server), where the graphs are all sikg sees."""
    from test_backends import OxigraphServer

    server = OxigraphServer(tmp_path / "oxigraph")
    server.start()
    try:
        assert _cli("load", "--store", server.query_url).returncode == 0
        other = "http://127.0.0.1:8765/"
        refused = _cli("load", "--store", server.query_url, base=other)
        assert refused.returncode == 2 and other in refused.stderr, refused.stderr
        port = free_port()
        served = _cli("serve", "--store", server.query_url, "--port", str(port), base=other)
        assert served.returncode != 0 and "SIKG_BASE" in served.stderr and "Traceback" not in served.stderr
    finally:
        server.stop()
