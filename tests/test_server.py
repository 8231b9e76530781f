"""`sikg serve --processes N`: several worker processes (granian). Over the embedded on-disk store the content is loaded once,
then each worker opens the store read-only; their answers and ETags agree whichever worker answers, contributions
(the only writes) are refused at start, and queries still run in killable evaluators."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from helpers import ROOT, free_port, run_cli
from sikg.store import EmbeddedStore

pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_a_read_only_store_reads_what_was_written_and_writes_nothing(tmp_path):
    writer = EmbeddedStore(tmp_path / "store")
    writer.load_curated()
    expected = len(writer)
    del writer
    reader = EmbeddedStore(tmp_path / "store", read_only=True, boot="shared")
    assert len(reader) == expected > 4000
    assert reader.snapshot().path == str(tmp_path / "store"), "the directory itself is the evaluators' snapshot"
    assert reader.state_token == EmbeddedStore(tmp_path / "store", read_only=True, boot="shared").state_token
    with pytest.raises(RuntimeError, match="read-write"):  # Oxigraph refuses; the state token stays
        reader.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }")
    assert reader.generation == 0 and len(reader) == expected


def _start(args, env=None):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sikg.cli", "serve", "--port", str(port), *args], cwd=ROOT,
                               env=dict(os.environ, SIKG_EVALUATORS="1", **(env or {})),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.stdout.read().decode(errors="replace")[-2000:])
            time.sleep(0.2)


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def _get(url, accept="application/sparql-results+json"):
    request = urllib.request.Request(url, headers={"Accept": accept, "Connection": "close"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


@pytest.mark.parametrize("store", ["disk", "memory"])
def test_workers_agree_on_answers_and_etags(tmp_path, store):
    spec = str(tmp_path / "store") if store == "disk" else "memory"
    process, url = _start(["--store", spec, "--processes", "2", "--workers", "2"])
    try:
        pids = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert len(pids) >= 2, "granian started fewer than 2 workers"
        query = url + "/sparql?" + urllib.parse.urlencode({"query": COUNT})
        answers = [_get(query) for _ in range(16)]  # new connections: the workers share them out
        assert {status for status, _, _ in answers} == {200}
        assert len({headers["ETag"] for _, headers, _ in answers}) == 1, "workers disagree on the ETag"
        counts = {json.loads(body)["results"]["bindings"][0]["n"]["value"] for _, _, body in answers}
        assert len(counts) == 1 and int(counts.pop()) > 4000
        status, _, body = _get(url + "/export?format=nt", accept="*/*")
        assert status == 200 and len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) > 4000
        request = urllib.request.Request(url + "/contributions", data=b"<urn:x:s> <urn:x:p> <urn:x:o> .",
                                         headers={"Content-Type": "text/turtle"}, method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
    finally:
        _stop(process)


def test_a_runaway_query_is_still_stopped(tmp_path):
    process, url = _start(["--store", str(tmp_path / "store"), "--processes", "2"], env={"SIKG_QUERY_TIMEOUT": "2"})
    try:
        product = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        started = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as stopped:
            _get(url + "/sparql?" + urllib.parse.urlencode({"query": product}))
        assert stopped.value.code == 503 and time.monotonic() - started < 2 + 3
    finally:
        _stop(process)


def test_contributions_and_several_processes_over_the_embedded_store_are_refused(tmp_path):
    result = subprocess.run([sys.executable, "-m", "sikg.cli", "serve", "--store", str(tmp_path / "store"),
                             "--port", str(free_port()), "--processes", "2"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, SIKG_CONTRIB_TOKEN="s3cret"))
    assert result.returncode != 0
    assert "read-only" in result.stderr and "contributions" in result.stderr
    assert not (tmp_path / "store").exists(), "nothing may be written before the refusal"
    assert "--processes" in run_cli("serve", "--help").stdout
