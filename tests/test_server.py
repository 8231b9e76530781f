"""`sikg serve --processes N`: several worker processes (granian). Over the embedded on-disk store the content is loaded
once, then one writer process holds the store and every worker reads the newest checkpoint it published: their answers
and ETags agree whichever worker answers, a contribution made through one is seen by every other at its next request
and survives a kill -9 right after its 201, queries still run in killable evaluators, and the writer ends with the
service. Over the in-memory store (a copy per worker) contributions are refused at start."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_contributions import AUTH, PRACTICE, _kill_group, _request, _start_server, template

from helpers import ROOT, free_port, run_cli, start_server, stop_server
from sikg.contributions.tokens import FileTokenRegistry, registry_for
from sikg.server import worker_processes
from sikg.settings import Settings
from sikg.sparql.evaluator import EvalRequest
from sikg.sparql.safety import check_query
from sikg.store import EmbeddedStore, SharedStore, StoreUnavailable
from sikg.store.writer import published_file, running_writer

pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SUBJECT = "https://w3id.org/sikg/ontology#SupportPractice"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{SUBJECT}> ?p ?o }}"  # one pattern, few matches: answered in the worker


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


def _start(args, log_path, env=None):
    return start_server(args, log_path, dict(os.environ, SIKG_EVALUATORS="1", **(env or {})))


def _get(url, accept="application/sparql-results+json"):
    request = urllib.request.Request(url, headers={"Accept": accept, "Connection": "close"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


@pytest.mark.parametrize("store", ["disk", "memory"])
def test_workers_agree_on_answers_and_etags(tmp_path, store):
    spec = str(tmp_path / "store") if store == "disk" else "memory"
    process, url = _start(["--store", spec, "--processes", "2", "--workers", "2"], tmp_path / "server.log")
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
        stop_server(process)


def test_a_runaway_query_is_still_stopped(tmp_path):
    process, url = _start(["--store", str(tmp_path / "store"), "--processes", "2"], tmp_path / "server.log",
                          env={"SIKG_QUERY_TIMEOUT": "2"})
    try:
        product = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        started = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as stopped:
            _get(url + "/sparql?" + urllib.parse.urlencode({"query": product}))
        assert stopped.value.code == 503 and time.monotonic() - started < 2 + 3
    finally:
        stop_server(process)


def test_a_write_through_one_shared_store_is_seen_by_the_others(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    store.load_curated()
    curated = len(store)
    del store  # the writer opens it now
    with running_writer(tmp_path / "store", "boot") as writer:
        one, other = SharedStore(tmp_path / "store", writer), SharedStore(tmp_path / "store", writer)
        assert len(one) == len(other) == curated and one.state_token == other.state_token == "boot-0"
        one.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }")
        assert one.state_token == other.state_token == "boot-1"
        assert other.query("ASK { <urn:x:s> <urn:x:p> <urn:x:o> }") and "urn:x:g" in other.named_graphs()
        assert other.snapshot().path == json.loads(published_file(tmp_path / "store").read_text())["checkpoint"]
        with pytest.raises(SyntaxError):  # Oxigraph's refusal, raised in the process that asked; nothing changed
            other.update("INSERT DATA { nonsense")
        assert one.state_token == other.state_token == "boot-1"
        blank = ox.Triple(ox.BlankNode("b"), ox.NamedNode("urn:x:p"), ox.Literal("café"))
        other.replace_graphs({"urn:x:g": [blank], "urn:x:h": []})
        assert {str(q) for q in one.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <urn:x:g> { ?s ?p ?o } }")} \
            == {"_:b <urn:x:p> \"café\""}
        other.remove_graphs(["urn:x:g", "urn:x:h"])
        assert len(one) == curated and one.state_token == "boot-3"
        assert isinstance(registry_for(one), FileTokenRegistry)
    assert not published_file(tmp_path / "store").parent.exists(), "its checkpoints are removed once it has ended"
    with pytest.raises(StoreUnavailable):  # a 503; what was published last is still read (the service is stopping)
        one.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }")
    assert len(one) == curated and one.state_token == "boot-3"


def _until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_a_shared_store_answers_bounded_queries_from_its_checkpoint_copied_into_memory(tmp_path):
    """Each worker copies the checkpoint it reads into memory (evaluator.Mirror) and answers the queries it
    evaluates itself from the copy once it is complete; after a write it reads the new checkpoint at once, never the
    copy of the one before, until the new one's copy is complete."""
    store = EmbeddedStore(tmp_path / "store")
    store.load_curated()
    del store
    with running_writer(tmp_path / "store", "boot") as writer:
        shared = SharedStore(tmp_path / "store", writer)
        assert shared._current.copy is None  # no budget given yet: no copy
        pool = shared.query_evaluator(Settings(worker_mirror_bytes=64 << 20, evaluators=1)).pool
        try:
            assert _until(lambda: _reads_its_copy(shared)), "the copy was never completed"
            before = _answer_here(shared)
            shared.update(f"INSERT DATA {{ GRAPH <urn:x:g> {{ <{SUBJECT}> <urn:x:p> \"written\" }} }}")
            # the new checkpoint at once, or its copy if that was complete by the time the write returned (the worker
            # that wrote waits for the publication, and a small store is copied quickly): never the old one's copy
            assert "written" in _answer_here(shared) != before
            assert _until(lambda: _reads_its_copy(shared)), "no copy after the write"
            assert "written" in _answer_here(shared)
        finally:
            pool.close()
    unbudgeted = tmp_path / "other"
    EmbeddedStore(unbudgeted).load_curated()
    with running_writer(unbudgeted, "boot") as writer:
        shared = SharedStore(unbudgeted, writer)
        pool = shared.query_evaluator(Settings(worker_mirror_bytes=0, evaluators=1)).pool
        try:
            time.sleep(1)
            assert shared._current.copy is None  # SIKG_WORKER_MEMORY=0: never a copy
        finally:
            pool.close()


def _reads_its_copy(shared: SharedStore) -> bool:
    """Whether the checkpoint the shared store reads answers bounded queries from its complete copy in memory."""
    checkpoint = shared._current
    return checkpoint.copy is not None and checkpoint.copy.store is not None \
        and checkpoint.store._bounded_store() is checkpoint.copy.store


def _answer_here(shared: SharedStore) -> str:
    """The lookup evaluated in this process as the service does (bounded: its one pattern has few matches), over the
    checkpoint the shared store reads."""
    shape = check_query(LOOKUP, shared)
    request = EvalRequest(LOOKUP, "json", pattern=shape.pattern, streams=shape.streams)
    answer = shared._current.store._evaluate_bounded(request, 1 << 20)
    assert answer is not None, "the lookup was not answered in this process"
    return b"".join(payload for kind, payload, *_ in answer if kind == "chunk").decode()


def _children(process) -> dict[int, str]:
    """The server's child processes (its workers and the store's writer), each with its command line."""
    pids = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    return {int(pid): Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace") for pid in pids}


def _open_under(pid: int, directory: str) -> bool:
    """Whether process `pid` holds a file of `directory` open (a worker: the checkpoint it reads)."""
    links = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return any(link.startswith(directory + "/") for link in links)


def _gone(pid: int, timeout: float = 10) -> bool:
    status = Path(f"/proc/{pid}/status")
    return _until(lambda: not status.exists() or "\nState:\tZ" in status.read_text(), timeout)


@pytest.mark.parametrize("review", ["0", "1"])
def test_a_contribution_through_one_process_is_seen_by_every_other(tmp_path, review):
    store, port = tmp_path / "store", free_port()
    process = _start_server(store, port, tmp_path / "server.log", SIKG_PROCESSES="2", SIKG_REVIEW=review)
    children = _children(process)
    [writer] = [pid for pid, command in children.items() if "sikg.store.writer" in command]
    workers = set(children) - {writer}
    try:
        assert len(workers) == 2
        status, headers, body = _request(f"http://127.0.0.1:{port}/contributions", "POST", template(),
                                         {**AUTH, "Content-Type": "text/turtle"})
        assert status == (201 if review == "0" else 202), body
        checkpoint = json.loads(published_file(store).read_text())["checkpoint"]
        ask = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": f"ASK {{ <{PRACTICE}> ?p ?o }}"})
        etags, saw = set(), set()
        for _ in range(200):  # new connections, shared out among the workers, till each has answered one
            assert _request(headers["Location"], headers={**AUTH, "Connection": "close"})[0] == 200
            _, answer_headers, answer = _get(ask)
            assert json.loads(answer)["boolean"] is (review == "0"), "a worker answered from before the write"
            etags.add(answer_headers["ETag"])
            saw |= {pid for pid in workers - saw if _open_under(pid, checkpoint)}
            if saw == workers:
                break
        assert saw == workers, "a worker never read the checkpoint holding the contribution"
        assert len(etags) == 1, "workers disagree on the ETag"
    finally:
        stop_server(process)  # the main process only: it stops the workers, then the writer
        writer_gone = _gone(writer)
        _kill_group(process, signal.SIGKILL)
    assert writer_gone, "the store's writer outlived the service"


@pytest.mark.parametrize("review", ["0", "1"])
def test_a_contribution_survives_a_sigkill_of_every_process_right_after_its_201_or_202(tmp_path, review):
    """Published at once (201) or held for review (202): either is acknowledged once the writer committed it."""
    store, port = tmp_path / "store", free_port()
    process = _start_server(store, port, tmp_path / "server-1.log", SIKG_PROCESSES="2", SIKG_REVIEW=review)
    try:
        status, headers, body = _request(f"http://127.0.0.1:{port}/contributions", "POST", template(),
                                         {**AUTH, "Content-Type": "text/turtle"})
        assert status == (201 if review == "0" else 202), body
        _kill_group(process, signal.SIGKILL)  # the workers and the writer at once: nothing but what the answer required
    finally:
        _kill_group(process, signal.SIGKILL)
    process = _start_server(store, port, tmp_path / "server-2.log", SIKG_PROCESSES="2", SIKG_REVIEW=review)
    try:
        assert _request(headers["Location"], headers={**AUTH, "Accept": "text/turtle"})[0] == 200
        ask = urllib.parse.urlencode({"query": f"ASK {{ <{PRACTICE}> ?p ?o }}"})
        assert json.loads(_get(f"http://127.0.0.1:{port}/sparql?{ask}")[2])["boolean"] is (review == "0")
        assert _request(headers["Location"], "DELETE", headers=AUTH)[0] == 204  # and written again
        assert _request(headers["Location"])[0] == 404
    finally:
        _kill_group(process, signal.SIGTERM)


@pytest.mark.parametrize("ending", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_writer_that_dies_is_started_again_and_writes_resume(tmp_path, ending):
    """kill -9 (or a SIGTERM, after which the writer removed its socket's directory, so that it could never be
    started again) of the store's writer while the service runs: writes answer 503 until the server has started it
    again (about a second), then succeed; the new writer's state token is new, so no ETag names both contents."""
    store, port = tmp_path / "store", free_port()
    process, again = _start_server(store, port, tmp_path / "server.log", SIKG_PROCESSES="2"), None
    try:
        [writer] = [pid for pid, command in _children(process).items() if "sikg.store.writer" in command]
        state = json.loads(published_file(store).read_text())["state"]
        os.kill(writer, ending)
        assert _gone(writer)
        statuses = []
        for _ in range(100):
            status, headers, body = _request(f"http://127.0.0.1:{port}/contributions", "POST", template(),
                                             {**AUTH, "Content-Type": "text/turtle"})
            statuses.append(status)
            if status != 503:
                break
            time.sleep(0.1)
        assert statuses[-1] == 201, (statuses, body)
        [again] = [pid for pid, command in _children(process).items() if "sikg.store.writer" in command]
        assert again != writer and json.loads(published_file(store).read_text())["state"] != state
        ask = urllib.parse.urlencode({"query": f"ASK {{ <{PRACTICE}> ?p ?o }}"})
        assert json.loads(_get(f"http://127.0.0.1:{port}/sparql?{ask}")[2])["boolean"] is True
        assert b"starting it again" in (tmp_path / "server.log").read_bytes()
    finally:
        stop_server(process)
        writer_gone = again is None or _gone(again)
        _kill_group(process, signal.SIGKILL)
    assert writer_gone, "the writer started again outlived the service"


STOPPED_AS_A_GROUP = """
import logging, signal, sys, threading, time
from sikg.store.writer import running_writer

logging.basicConfig(stream=sys.stderr, level=logging.INFO)  # what the supervisor logs
with running_writer(sys.argv[1], "boot"):  # as sikg serve starts it, in its main thread
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())  # then granian's main process installs its handler
    print("serving", flush=True)
    stopped.wait()
    time.sleep(3)  # granian stops its workers meanwhile (it waits up to 10 s for each)
print("stopped", flush=True)
"""


def test_a_writer_ended_by_the_stop_of_the_whole_service_is_not_started_again(tmp_path):
    """A SIGTERM to the service's process group (systemd's stop, kill -- -PGID) ends the writer at once (status 0)
    while the main process still stops its workers: the supervisor started it again a second later, and then
    stopped it, on every stop of the service."""
    process = subprocess.Popen([sys.executable, "-c", STOPPED_AS_A_GROUP, str(tmp_path / "store")], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert process.stdout.readline() == b"serving\n", process.stderr.read()
        [writer] = [pid for pid, command in _children(process).items() if "sikg.store.writer" in command]
        os.killpg(process.pid, signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        _kill_group(process, signal.SIGKILL)
    assert (process.returncode, out) == (0, b"stopped\n"), err
    assert _gone(writer) and b"starting it again" not in err, err.decode(errors="replace")


def test_contributions_and_several_processes_over_the_in_memory_store_are_refused():
    result = subprocess.run([sys.executable, "-m", "sikg.cli", "serve", "--store", "memory",
                             "--port", str(free_port()), "--processes", "2"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, SIKG_CONTRIB_TOKEN="s3cret"))
    assert result.returncode != 0
    assert "in-memory" in result.stderr and "contribution" in result.stderr
    assert "--processes" in run_cli("serve", "--help").stdout


def test_serve_runs_a_process_per_core_unless_told_or_in_memory(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    assert worker_processes(Settings(), "disk") == 3 and worker_processes(Settings(), "external") == 3
    assert worker_processes(Settings(), "memory") == 1, "each process would hold a copy of the in-memory store"
    assert (worker_processes(Settings(processes=2), "memory") == 2
            and worker_processes(Settings(processes=1), "disk") == 1)


LOADING_WORKER = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: None)  # what a worker inherits from granian's main process
import sikg.web.app
from sikg.server import _load_app
from sikg.settings import Settings

def still_loading(*args):
    os.kill(os.getpid(), signal.SIGTERM)  # the service is stopped while this worker loads its app
    time.sleep(60)
    print("went on loading")

sikg.web.app.create_app = still_loading
_load_app({"spec": "memory"}, Settings(), "sikg.web.app:create_app")
"""


def test_a_worker_told_to_stop_while_it_loads_its_app_stops_at_once():
    """granian installs a worker's own signal handlers only once its app is loaded: a stop asked for before then
    went unheard, and the worker was killed 10 s later ("refused to gracefully stop")."""
    result = subprocess.run([sys.executable, "-c", LOADING_WORKER], cwd=ROOT, capture_output=True, text=True,
                            timeout=30)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr



STOPPED_TWICE = """
import os, signal
import granian._signals
from sikg.server import _stop_event_set_once

_stop_event_set_once(granian._signals.set_sync_signals)()  # as a worker installs granian's handlers
os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C reaches the whole process group,
os.kill(os.getpid(), signal.SIGTERM)  # then granian's main process stops its workers
print("stopped")
"""


def test_a_worker_told_to_stop_twice_is_not_hung_by_the_second_signal():
    """A second set() of granian's stop event blocked forever, holding the GIL."""
    result = subprocess.run([sys.executable, "-c", STOPPED_TWICE], cwd=ROOT, capture_output=True, text=True,
                            timeout=30)
    assert (result.returncode, result.stdout) == (0, "stopped\n"), result.stderr


SIGNAL_TO_ANOTHER_THREAD = """
import signal, threading, time
from sikg.server import _wake_the_main_thread_on_stop_signals

stopped = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopped.set())  # as granian's handler sets its stop event
_wake_the_main_thread_on_stop_signals()

def another_thread():
    time.sleep(0.5)  # once the main thread sleeps in the lock below
    signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # the signal goes to this thread, not the main one

threading.Thread(target=another_thread, daemon=True).start()
stopped.wait()  # a worker's main thread waits so for granian's stop
print("stopped")
"""


def test_a_stop_signal_that_reaches_another_thread_wakes_the_main_thread():
    result = subprocess.run([sys.executable, "-c", SIGNAL_TO_ANOTHER_THREAD], cwd=ROOT, capture_output=True,
                            text=True, timeout=30)
    assert (result.returncode, result.stdout) == (0, "stopped\n"), result.stderr


EARLIER_WRITER = """
import os, sys
from sikg.store import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
store.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }")
print(store.snapshot().path, flush=True)
os._exit(0)  # as a writer killed with -9 ends: nothing of it tidies up
"""


def test_a_writer_started_again_keeps_the_checkpoint_workers_read_until_its_grace_period_is_over(tmp_path,
                                                                                                 monkeypatch):
    """A restarted writer's first checkpoint deleted every earlier one, the one running workers read included (a
    fresh open of it then failed: issue 24, defect 5)."""
    store = tmp_path / "store"
    ran = subprocess.run([sys.executable, "-c", EARLIER_WRITER, str(store)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    earlier = Path(ran.stdout.strip())
    assert earlier.is_dir()
    writer = EmbeddedStore(store)
    writer.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s2> <urn:x:p> <urn:x:o> } }")
    assert writer.snapshot().path != str(earlier)
    assert earlier.is_dir(), "the checkpoint workers read was deleted at once"
    assert len(EmbeddedStore(earlier, read_only=True, boot="reader")) == 1, "and it still opens"
    monkeypatch.setattr("sikg.store.embedded.SNAPSHOT_GRACE_SECONDS", 0)
    writer.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s3> <urn:x:p> <urn:x:o> } }")
    writer.snapshot()
    assert not earlier.exists(), "once its grace period is over it goes, like any replaced checkpoint"


def test_health_is_503_starting_until_the_evaluators_are_ready():
    """/health answers 503 "starting" (with Retry-After, so that a load balancer waits) while the pool's readiness
    flag is clear, as it is while EvaluatorPool.warm copies the store into memory, and 200 once it is set."""
    from sikg.sparql.evaluator import EvaluatorPool
    from sikg.store import open_store
    from sikg.web.app import create_app

    pool = EvaluatorPool(1, 10.0, 1 << 20)
    try:
        client = create_app(open_store("memory"), Settings(), pool).test_client()
        pool.ready.clear()
        starting = client.get("/health")
        assert starting.status_code == 503 and starting.json["status"] == "starting"
        assert starting.headers["Retry-After"] == "5"
        pool.ready.set()
        ready = client.get("/health")
        assert ready.status_code == 200 and ready.json["status"] == "ok"
    finally:
        pool.close()


def test_the_evaluators_are_divided_among_the_worker_processes():
    """SIKG_EVALUATORS counts the whole service's evaluators (each holds a copy of the store in memory): each worker
    process gets its share, at least one."""
    from sikg.server import evaluators_per_process

    assert evaluators_per_process(Settings(evaluators=2), 2) == 1
    assert evaluators_per_process(Settings(evaluators=4), 2) == 2
    assert evaluators_per_process(Settings(evaluators=1), 2) == 1
    assert evaluators_per_process(Settings(evaluators=3), 1) == 3
