"""Faults, on the real service (`sikg serve`: granian, a worker, its evaluator processes) over loopback:

- the whole service killed with SIGKILL during a stream of contributions to an on-disk store loses none that it
  acknowledged with 201 (after a restart on the same directory each one reads back whole), and holds no half one;
- a worker process killed with SIGKILL is replaced by granian's main process, and the service answers again;
- the external store (a real `oxigraph serve`) stopped and restarted under load: 503s with a reason while it is away,
  then answers again without a restart of sikg; never a 500, never a dropped connection.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import fuzzkit
import pytest

CONTRIBUTION = "https://w3id.org/sikg/graph/contribution/"


class LiveSikg:
    """`sikg serve` in a session of its own (so that SIGKILL can take the whole process group: master, worker,
    forkserver and evaluators), on a free loopback port."""

    def __init__(self, store: str, log: Path, workers: int = 4, env: dict | None = None):
        self.store, self.log_path, self.workers = store, log, workers
        self.env = dict(os.environ, SIKG_CONTRIB_TOKEN=f"faults={fuzzkit.TOKEN}", SIKG_REVIEW="0",
                        SIKG_QUERY_TIMEOUT="2", SIKG_EVALUATORS="2", **(env or {}))
        self.process, self.port = None, None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "LiveSikg":
        self.port = fuzzkit.free_port()
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sikg.cli", "serve", "--port", str(self.port), "--store", self.store,
             "--workers", str(self.workers), "--processes", "1"],  # one worker: these faults are about it (several
            cwd=fuzzkit.ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,  # and their writer: test_server.py)
            start_new_session=True)
        log.close()
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                break
            try:
                if http(self.url + "/health", timeout=2)[0] == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"sikg serve is not healthy after {timeout:g} s; see {self.log_path}:\n"
                           + self.log_path.read_text(errors="replace")[-2000:])

    def worker_pids(self) -> list[int]:
        """The worker processes: the main process's children."""
        return children(self.process.pid)

    def kill_group(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None,
         timeout: float = 30) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def contribute(url: str, body: bytes) -> tuple[int, dict]:
    status, _, answer = http(url + "/contributions", data=body, headers={
        "Content-Type": "text/turtle", **fuzzkit.AUTH}, timeout=60)
    return status, (json.loads(answer) if status == 201 else {"body": answer[:300]})


def sparql_rows(url: str, query: str) -> list[dict]:
    status, _, body = http(url + "/sparql?" + urllib.parse.urlencode({"query": query}),
                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body[:300]
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(body)["results"]["bindings"]]


@pytest.fixture(scope="module")
def disk_server(tmp_path_factory):
    """`sikg serve` over an on-disk store in a temporary directory."""
    directory = tmp_path_factory.mktemp("faults")
    server = LiveSikg(str(directory / "store"), directory / "server.log").start()
    yield server
    server.stop()


def test_a_killed_worker_is_replaced_and_the_service_answers_again(disk_server):
    [worker] = disk_server.worker_pids()
    assert http(disk_server.url + "/health")[0] == 200
    os.kill(worker, signal.SIGKILL)
    started = time.monotonic()
    recovered = disk_server.wait_healthy(60)
    replacement = disk_server.worker_pids()
    assert replacement and replacement != [worker], (worker, replacement)
    # The new worker reopened the on-disk store (the dead one's lock is gone) and has evaluators of its own.
    rows = sparql_rows(disk_server.url, "SELECT (COUNT(*) AS ?n) WHERE { ?p a "
                                        "<https://w3id.org/sikg/ontology#SupportPractice> }")
    assert int(rows[0]["n"]) >= 35
    print(f"worker {worker} killed; {replacement[0]} answering after {recovered:.1f} s "
          f"({time.monotonic() - started:.1f} s to a query)")


def practice(n: int) -> bytes:
    """The contributor template as a practice (and organisation) of its own: the n-th of a stream."""
    return fuzzkit.template_practice().replace(b"example-neighbourhood-voucher", b"example-stream-%d" % n).replace(
        b"example-regional-agency", b"example-stream-%d-agency" % n)


def test_sigkill_during_contributions_loses_none_that_were_acknowledged(disk_server, tmp_path):
    acknowledged: list[str] = []
    failures: Counter = Counter()
    refusals: list = []
    stop = threading.Event()
    numbers = iter(range(1, 1_000_000))

    def stream():
        while not stop.is_set():
            try:
                status, answer = contribute(disk_server.url, practice(next(numbers)))
            except OSError as error:  # the kill: a connection reset or refused, never acknowledged
                failures[type(error).__name__] += 1
                time.sleep(0.05)
                continue
            if status == 201:
                acknowledged.append(answer["id"])
            else:
                failures[status] += 1
                refusals.append(answer)

    # One contribution alone first, acknowledged before the stream starts.
    status, answer = contribute(disk_server.url, practice(0))
    assert status == 201, answer
    acknowledged.append(answer["id"])
    threads = [threading.Thread(target=stream, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    disk_server.kill_group()  # mid-stream: four contributions are on their way
    killed_at = len(acknowledged)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert killed_at >= 6, f"only {killed_at} contributions acknowledged before the kill ({failures})"
    assert not refusals, f"refusals before the kill: {failures} {refusals[:2]}"

    restarted = LiveSikg(disk_server.store, tmp_path / "restart.log").start()
    try:
        for contribution in acknowledged:
            status, _, data = http(f"{restarted.url}/contributions/{contribution}",
                                   headers={"Accept": "application/n-triples"})
            assert status == 200, f"acknowledged contribution {contribution} is lost after SIGKILL: {status}"
            assert data.count(b"\n") > 40, f"contribution {contribution} came back partial"
        # No contribution, acknowledged or cut off by the kill, is there in part: each graph holds the whole practice
        # and its provenance, as many triples as every other.
        sizes = sparql_rows(restarted.url, f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
            FILTER(STRSTARTS(STR(?g), "{CONTRIBUTION}")) }} GROUP BY ?g""")
        counts = Counter(int(row["n"]) for row in sizes)
        assert len(counts) == 1, f"contribution graphs of different sizes after the kill: {counts}"
        listed = {c["id"] for c in json.loads(http(restarted.url + "/contributions")[2])}
        assert set(acknowledged) <= listed
        print(f"{len(acknowledged)} acknowledged before SIGKILL, all back after the restart; "
              f"{len(sizes)} contribution graphs, each of {next(iter(counts))} triples")
    finally:
        restarted.stop()


# -- the external store going away under load -----------------------------------------------------------------------

LOAD_MIX = [
    ("sparql", "/sparql?query=" + urllib.parse.quote(
        "SELECT ?p WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> } LIMIT 5")),
    ("sparql-count", "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")),
    ("lookup", "/id/practice/cap-impact"),
    ("curated", "/queries/practices-per-country"),
    ("health", "/health"),
    ("contributions", "/contributions"),
]


def test_the_external_store_stopped_and_restarted_under_load_gives_503s_then_recovers(tmp_path):
    from sikg.store import open_store

    store_server = fuzzkit.OxigraphServer(tmp_path / "oxigraph")
    store_server.start()
    open_store(store_server.query_url, timeout=5).load_curated()
    sikg = LiveSikg(store_server.query_url, tmp_path / "server.log", workers=8).start()
    outcomes: list[tuple[float, str, int, bytes, dict]] = []
    stop = threading.Event()

    def client(offset: int):
        i = offset
        while not stop.is_set():
            kind, path = LOAD_MIX[i % len(LOAD_MIX)]
            i += 1
            sent = time.monotonic()
            try:
                status, headers, body = http(sikg.url + path, timeout=15)
            except OSError as error:  # sikg itself must never drop a connection
                status, headers, body = -1, {}, repr(error).encode()
            outcomes.append((sent, kind, status, body[:200], headers))

    try:
        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        stopped_at = time.monotonic()
        store_server.stop()
        time.sleep(2.0)
        relaunched_at = time.monotonic()
        store_server.start()  # the same directory, the same port
        restarted_at = time.monotonic()
        time.sleep(2.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
    finally:
        stop.set()
        sikg.stop()
        store_server.stop()

    statuses = Counter(status for _, _, status, _, _ in outcomes)
    print(f"{len(outcomes)} requests: {dict(statuses)}")
    bad = [(kind, status, body) for _, kind, status, body, _ in outcomes if status not in (200, 503)]
    assert not bad, f"answers other than 200/503 while the store went away and came back: {bad[:5]}"
    before = [status for at, _, status, _, _ in outcomes if at < stopped_at - 0.5]
    during = [(status, body, headers) for at, _, status, body, headers in outcomes
              if stopped_at + 0.2 < at < relaunched_at]
    after = [status for at, _, status, _, _ in outcomes if at > restarted_at + 1.0]
    assert before and set(before) == {200}, Counter(before)
    assert during and all(status == 503 for status, _, _ in during), Counter(s for s, _, _ in during)
    for _, body, headers in during:
        assert headers.get("Retry-After") and (b"unreachable" in body or b"unavailable" in body), (body, headers)
    assert after and set(after) == {200}, f"no recovery after the store came back: {Counter(after)}"


# -- concurrency on a cold service ------------------------------------------------------------------------------------

def test_concurrent_first_validations_on_a_fresh_service_all_succeed():
    """The first validations of a fresh process, sent by four clients at once (threads switching every 5 µs): rdflib's
    SPARQL parser (pyparsing) is not thread-safe, and the first parses of the shapes' queries, run together, once
    broke it for good (every validation and contribution a 500 until a restart)."""
    answer = fuzzkit.call_isolated(dict(method="POST", path="/validate", data=fuzzkit.template_practice(),
                                        content_type="text/turtle", concurrent=4), budget=60)
    assert answer.headers["X-Concurrent-Statuses"] == "200,200,200,200", answer.headers["X-Concurrent-Statuses"]
    assert answer.status == 200, f"a later validation, alone: {answer.status} {answer.text[:200]}"
