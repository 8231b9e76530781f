#!/usr/bin/env python3
"""sikg's /sparql against raw `oxigraph serve` and rdflib-endpoint, side by side, on one synthetic KG.

One run builds the data, starts every server on a free 127.0.0.1 port in a temporary directory, drives each with the
same three queries at concurrency 1 and 8, prints one table, and stops every server again (also on Ctrl-C, SIGTERM or
an error). See bench/README.md for how to run it and what the numbers mean.

    .venv/bin/python bench/sparql_bench.py            # full size: 20,000 synthetic practices, 8 s a cell
    .venv/bin/python bench/sparql_bench.py --quick    # 2,000 practices, 3 s a cell

Servers (all hold the same ~290k quads, the default graph being the union of the named graphs):
  oxigraph         `oxigraph load` of kg.nq, then `oxigraph serve --union-default-graph`      GET /query
  sikg             `sikg load --store DIR synth.nt`, then `sikg serve --store DIR`           GET /sparql
  sikg-nocache     the same, a copy of the store, with SIKG_CACHE_BYTES=0 (answer cache off)  GET /sparql
  rdflib-endpoint  `rdflib-endpoint serve kg.nq` (rdflib's in-memory Dataset, union default)   GET /
where kg.nq is `sikg export --format nq` of sikg's store, so that all of them hold the same quads.
With --external, also sikg-over-oxigraph: `sikg serve --store http://127.0.0.1:P/query` over the oxigraph server above
(sikg's external backend), SIKG_CACHE_BYTES=0, with its overhead ratio over oxigraph direct.

Only the Python standard library is used here; the servers come from the project's `bench` extra.
"""

import argparse
import http.client
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ACCEPT = "application/sparql-results+json"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MAX_REQUESTS_PER_CELL = 2_000_000  # a bound on the loop count besides the time bound
LOOKUP_PRACTICES = 500
JOIN_OFFSETS = (0, 20, 40, 100, 1000)

PROLOGUE = """PREFIX sikg: <https://w3id.org/sikg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX practice: <https://w3id.org/sikg/id/practice/>
"""

LOOKUP = PROLOGUE + """SELECT ?p ?o WHERE {{ practice:synth-{i:06d} ?p ?o }}"""

JOIN = PROLOGUE + """SELECT ?practice ?label ?operator ?country WHERE {{
  ?practice a sikg:SupportPractice ; rdfs:label ?label ; sikg:operatedBy ?org ; sikg:country ?c .
  ?org rdfs:label ?operator .
  ?c skos:notation ?country .
}} ORDER BY STR(?label) ?practice ?operator LIMIT 20 OFFSET {offset}"""

AGGREGATE = PROLOGUE + """SELECT ?element ?country (COUNT(DISTINCT ?practice) AS ?practices) WHERE {
  ?practice a sikg:SupportPractice ; sikg:supportsElement ?e ; sikg:country ?c .
  ?e skos:notation ?element .
  ?c skos:notation ?country .
} GROUP BY ?element ?country ORDER BY ?element ?country"""

QUAD_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def query_texts(practices: int) -> dict[str, list[str]]:
    """Each benchmark query's variants, cycled through by the client threads."""
    step = max(1, practices // LOOKUP_PRACTICES)
    lookups = [LOOKUP.format(i=i) for i in range(0, practices, step)][:LOOKUP_PRACTICES]
    offsets = [o for o in JOIN_OFFSETS if o < practices] or [0]
    return {"lookup": lookups, "join": [JOIN.format(offset=o) for o in offsets], "aggregate": [AGGREGATE]}


# -- processes --------------------------------------------------------------------------------------------------------

def _executable(name: str) -> str:
    """A console script beside this interpreter (the venv's), else on PATH."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        raise SystemExit(f"sparql_bench: cannot find `{name}`; install the bench extra: "
                         "pip install -e '.[test,bench]'")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(command: list[str], log: Path, env: dict | None = None) -> float:
    """Runs a setup command to completion (output to `log`); returns its wall time."""
    started = time.monotonic()
    with open(log, "ab") as out:
        out.write(("$ " + " ".join(command) + "\n").encode())
        out.flush()
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` failed with exit code {done.returncode}; see {log}:\n"
                           + log.read_text(errors="replace")[-2000:])
    return time.monotonic() - started


def _session_processes(session: int) -> list[tuple[int, int, int]]:
    """(pid, cpu ticks incl. reaped children, rss pages) of every live process in a session."""
    rows = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                data = f.read().decode(errors="replace")
        except OSError:
            continue
        fields = data[data.rfind(")") + 2:].split()
        # fields[0] is field 3 (state): session is field 6, utime..cstime fields 14-17, rss field 24
        if int(fields[3]) == session:
            rows.append((int(entry), sum(int(x) for x in fields[11:15]), int(fields[21])))
    return rows


def _machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (from /proc/stat): with the server's and this script's own,
    what else ran on the machine during a cell."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / CLK_TCK


@dataclass
class Server:
    name: str
    command: list[str]
    path: str  # where its SPARQL query endpoint answers
    log: Path
    env: dict | None = None
    startup_timeout: float = 300.0
    port: int = 0
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    ready_after: float = 0.0

    def start(self) -> None:
        self._log_file = open(self.log, "ab")
        self._log_file.write(("$ " + " ".join(self.command) + "\n").encode())
        self._log_file.flush()
        # Its own session: its whole process tree can be measured and stopped by its id, and a Ctrl-C in the terminal
        # reaches only this script, which then stops the servers itself.
        self.process = subprocess.Popen(self.command, stdout=self._log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=self.env, start_new_session=True)
        self.started_at = time.monotonic()

    def wait_ready(self) -> None:
        deadline = self.started_at + self.startup_timeout
        path = self.path + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode} while starting; "
                                   f"see {self.log}:\n" + self.log.read_text(errors="replace")[-3000:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", path, headers={"Accept": ACCEPT})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    self.ready_after = time.monotonic() - self.started_at
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer within {self.startup_timeout:g} s; see {self.log}")

    def cpu_seconds(self) -> float:
        return sum(ticks for _, ticks, _ in _session_processes(self.process.pid)) / CLK_TCK

    def rss_mb(self) -> float:
        return sum(rss for _, _, rss in _session_processes(self.process.pid)) * PAGE_SIZE / 2**20

    def wait_idle(self, limit: float = 300.0, threshold: float = 0.05, quiet_windows: int = 4) -> float:
        """Waits until the server's processes have used under `threshold` of a core in `quiet_windows` windows of
        0.25 s in a row (work that clients gave up on, e.g. a timed-out rdflib query, must not run during the next
        server's cell; several windows, because on a busy machine a running server can be starved for a moment);
        returns the time waited."""
        started, quiet = time.monotonic(), 0
        while time.monotonic() - started < limit and quiet < quiet_windows:
            before, t0 = self.cpu_seconds(), time.monotonic()
            time.sleep(0.25)
            quiet = quiet + 1 if (self.cpu_seconds() - before) / (time.monotonic() - t0) < threshold else 0
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process is None:
            return
        pid = self.process.pid
        members = [p for p, _, _ in _session_processes(pid)]
        for sig, grace in ((signal.SIGINT, 5.0), (signal.SIGKILL, 5.0)):
            if self.process.poll() is not None and not [p for p, _, _ in _session_processes(pid)]:
                break
            try:
                os.killpg(pid, sig)  # the group this script created for it (start_new_session)
            except ProcessLookupError:
                pass
            for member in members:  # any that left the group but not the session
                try:
                    if member != pid:
                        os.kill(member, sig)
                except ProcessLookupError:
                    pass
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
            end = time.monotonic() + grace
            while [p for p, _, _ in _session_processes(pid)] and time.monotonic() < end:
                time.sleep(0.1)
        self.process = None
        self._log_file.close()


# -- the load generator ----------------------------------------------------------------------------------------------

@dataclass
class Cell:
    server: str
    query: str
    concurrency: int
    seconds: float = 0.0
    ok: int = 0
    errors: dict = field(default_factory=dict)
    error_samples: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    other_cpu: float = 0.0  # CPU time of everything else on the machine during the cell
    idle_wait: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))] * 1000.0

    def summary(self) -> dict:
        return {"server": self.server, "query": self.query, "concurrency": self.concurrency,
                "seconds": round(self.seconds, 3), "ok": self.ok, "errors": self.errors,
                "error_samples": self.error_samples, "idle_wait_s": round(self.idle_wait, 1),
                "req_per_s": round(self.rps, 2), "p50_ms": _round(self.percentile(0.50)),
                "p99_ms": _round(self.percentile(0.99)),
                "server_cpu_ms_per_req": _round(1000 * self.server_cpu / self.ok) if self.ok else None,
                "server_cpu_cores": round(self.server_cpu / self.seconds, 2) if self.seconds else None,
                "client_cpu_cores": round(self.client_cpu / self.seconds, 2) if self.seconds else None,
                "other_cpu_cores": round(self.other_cpu / self.seconds, 2) if self.seconds else None}


def _round(value):
    return None if value is None else round(value, 3)


def drive(server: Server, paths: list[str], concurrency: int, duration: float, timeout: float,
          cell: Cell | None = None) -> Cell:
    """`concurrency` threads, each with its own keep-alive connection, send GETs cycling over `paths` until
    `duration` has passed (or MAX_REQUESTS_PER_CELL were sent). Requests in flight at the deadline are waited for
    (up to `timeout`) and counted."""
    cell = cell or Cell(server.name, "", concurrency)
    cycle = itertools.cycle(paths)
    cycle_lock = threading.Lock()
    budget = [MAX_REQUESTS_PER_CELL]
    results = []
    start_gate = threading.Barrier(concurrency + 1)
    timing = {}

    in_flight: list = [None] * concurrency  # per thread: (start, connection) of the request under way
    expired = [False] * concurrency

    def worker(index: int):
        latencies, ok, errors, samples, ends = [], 0, {}, {}, 0.0
        # The socket timeout is a backstop; the watchdog below enforces `timeout` on the whole request.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout + 5)
        start_gate.wait()
        deadline = timing["deadline"]
        while True:
            with cycle_lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
                path = next(cycle)
            if time.perf_counter() >= deadline:
                break
            t0 = time.perf_counter()
            in_flight[index] = (t0, conn)
            try:
                conn.request("GET", path, headers={"Accept": ACCEPT})
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - t0
                in_flight[index] = None
                if response.status == 200 and body[:1] == b"{":
                    ok += 1
                    latencies.append(elapsed)
                else:
                    key = f"HTTP {response.status}"
                    errors[key] = errors.get(key, 0) + 1
                    samples.setdefault(key, body[:200].decode(errors="replace"))
            except Exception as error:  # counted, whatever it is; the run goes on
                in_flight[index] = None
                key = "timeout" if expired[index] or isinstance(error, TimeoutError) else type(error).__name__
                expired[index] = False
                errors[key] = errors.get(key, 0) + 1
                conn.close()  # http.client opens a fresh connection on the next request
                time.sleep(0.05)  # never spin on a server that refuses connections
            ends = time.perf_counter()
        conn.close()
        results.append((latencies, ok, errors, samples, ends))

    def watchdog():
        """Cuts the connection of a request that has run `timeout` seconds: its thread counts a timeout."""
        while any(t.is_alive() for t in threads):
            time.sleep(0.2)
            now = time.perf_counter()
            for index, entry in enumerate(in_flight):
                if entry is not None and now - entry[0] > timeout and not expired[index]:
                    expired[index] = True
                    sock = entry[1].sock
                    if sock is not None:
                        try:
                            sock.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass

    threads = [threading.Thread(target=worker, args=(i,), daemon=True, name=f"client-{i}")
               for i in range(concurrency)]
    for t in threads:
        t.start()
    guard = threading.Thread(target=watchdog, daemon=True, name="watchdog")
    guard.start()
    cpu0, client0, machine0 = server.cpu_seconds(), time.process_time(), _machine_busy_seconds()
    timing["start"] = time.perf_counter()
    timing["deadline"] = timing["start"] + duration
    start_gate.wait()
    for t in threads:
        t.join(duration + timeout + 30)
    guard.join(1)
    finished = max([r[4] for r in results] + [timing["start"] + duration])
    cell.seconds = finished - timing["start"]
    cell.server_cpu = server.cpu_seconds() - cpu0
    cell.client_cpu = time.process_time() - client0
    cell.other_cpu = max(0.0, _machine_busy_seconds() - machine0 - cell.server_cpu - cell.client_cpu)
    for latencies, ok, errors, samples, _ in results:
        cell.latencies.extend(latencies)
        cell.ok += ok
        for key, count in errors.items():
            cell.errors[key] = cell.errors.get(key, 0) + count
        for key, sample in samples.items():
            cell.error_samples.setdefault(key, sample)
    if len(results) < concurrency:
        cell.errors["client threads still waiting"] = concurrency - len(results)
    return cell


def fetch(server: Server, query: str, timeout: float) -> tuple[int, bytes]:
    return fetch_path(server, server.path + "?" + urllib.parse.urlencode({"query": query}), timeout)


def fetch_path(server: Server, path: str, timeout: float) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": ACCEPT})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def normalised(body: bytes, ordered: bool):
    """A result's rows as values only (blank nodes as one token): engines differ in bnode ids and in how they spell
    a COUNT's datatype, not in what the answer is."""
    data = json.loads(body)
    names = data["head"]["vars"]
    rows = []
    for binding in data["results"]["bindings"]:
        row = []
        for name in names:
            term = binding.get(name)
            row.append(None if term is None else "_:b" if term["type"] in ("bnode", "blank") else term["value"])
        rows.append(tuple(row))
    return rows if ordered else sorted(rows, key=repr)


# -- the run ----------------------------------------------------------------------------------------------------------

def machine_facts() -> dict:
    facts = {"date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
             "python": platform.python_version(), "kernel": platform.release()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                facts["cpu_model"] = line.split(":", 1)[1].strip()
                break
        facts["mem_total_gib"] = round(int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal"))
                                           .split()[1]) / 2**20, 1)
        facts["loadavg_at_start"] = open("/proc/loadavg").read().split()[:3]
    except (OSError, StopIteration):
        pass
    from importlib import metadata, util
    spec = util.find_spec("sikg")  # the code the sikg servers run; the tree is edited often, so name its state
    if spec and spec.origin:
        import hashlib
        digest = hashlib.sha256()
        root = Path(spec.origin).parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".jsonld", ".json"):
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        facts["sikg_source"] = str(root)
        facts["sikg_source_sha256"] = digest.hexdigest()[:16]
    for package in ("sikg", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "uvicorn", "granian", "flask"):
        try:
            facts[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            facts[package] = None
    return facts


def build_data(tmp: Path, practices: int, with_nocache: bool, log) -> dict:
    sikg, oxigraph = _executable("sikg"), _executable("oxigraph")
    setup_log = tmp / "setup.log"
    times = {}
    log(f"synthesising {practices} practices …")
    times["synth"] = _run([sikg, "synth", "--practices", str(practices), "-o", str(tmp / "synth.nt")], setup_log)
    log("sikg load …")
    times["sikg_load"] = _run([sikg, "load", "--store", str(tmp / "sikg-store"), str(tmp / "synth.nt")], setup_log)
    times["sikg_export"] = _run([sikg, "export", "--store", str(tmp / "sikg-store"), "--format", "nq", "-o",
                                 str(tmp / "kg.nq")], setup_log)
    with open(tmp / "kg.nq", "rb") as f:
        quads = sum(1 for line in f if line.strip() and not line.startswith(b"#"))
    log(f"kg.nq: {quads} quads; oxigraph load …")
    times["oxigraph_load"] = _run([oxigraph, "load", "--location", str(tmp / "oxigraph-store"), "--file",
                                   str(tmp / "kg.nq")], setup_log)
    if with_nocache:
        shutil.copytree(tmp / "sikg-store", tmp / "sikg-store-nocache")
    return {"quads_in_kg_nq": quads, "setup_seconds": {k: round(v, 1) for k, v in times.items()}}


def make_servers(tmp: Path, with_nocache: bool, with_rdflib: bool, sikg_threads: int | None,
                 external: bool = False, sikg_processes: int | None = None) -> list[Server]:
    sikg = _executable("sikg")
    servers = [Server("oxigraph", [_executable("oxigraph"), "serve", "--location", str(tmp / "oxigraph-store"),
                                   "--bind", "127.0.0.1:{port}", "--union-default-graph"], "/query",
                      tmp / "oxigraph.log")]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SIKG_")}
    variants = [("sikg", "sikg-store", {})]
    if with_nocache:
        variants.append(("sikg-nocache", "sikg-store-nocache", {"SIKG_CACHE_BYTES": "0"}))
    for name, store, extra in variants:
        command = [sikg, "serve", "--host", "127.0.0.1", "--port", "{port}", "--store", str(tmp / store)]
        if sikg_threads:
            command += ["--workers", str(sikg_threads)]
        if sikg_processes:
            command += ["--processes", str(sikg_processes)]
        servers.append(Server(name, command, "/sparql", tmp / f"{name}.log", env=base_env | extra))
    if with_rdflib:
        servers.append(Server("rdflib-endpoint", [_executable("rdflib-endpoint"), "serve", "--host", "127.0.0.1",
                                                  "--port", "{port}", str(tmp / "kg.nq")], "/",
                              tmp / "rdflib-endpoint.log", startup_timeout=1200.0))
    if external:  # sikg's external backend in front of the oxigraph server above (docs/deployment.md, shape 2)
        command = [sikg, "serve", "--host", "127.0.0.1", "--port", "{port}", "--store",
                   "http://127.0.0.1:{oxigraph_port}/query"]
        if sikg_threads:
            command += ["--workers", str(sikg_threads)]
        servers.append(Server("sikg-over-oxigraph", command, "/sparql", tmp / "sikg-over-oxigraph.log",
                              env=base_env | {"SIKG_CACHE_BYTES": "0"}))
    for server in servers:
        server.port = _free_port()
    for server in servers:
        server.command = [part.replace("{port}", str(server.port)).replace("{oxigraph_port}", str(servers[0].port))
                          for part in server.command]
    return servers


def check_servers(servers: list[Server], texts: dict, timeout: float, log) -> dict:
    """Every server holds the same quads and gives the same answers (values only) to one variant of each query."""
    report = {"quads": {}, "answers": {}}
    for server in servers:
        try:
            status, body = fetch(server, QUAD_COUNT, max(timeout, 120))
            report["quads"][server.name] = (int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
                                            if status == 200 else f"HTTP {status}")
        except (OSError, ValueError, KeyError, IndexError) as error:
            report["quads"][server.name] = f"{type(error).__name__}"
    log("quads held: " + ", ".join(f"{k} {v}" for k, v in report["quads"].items()))
    for query, variants in texts.items():
        answers = {}
        for server in servers:
            try:
                status, body = fetch(server, variants[0], max(timeout, 120))
                answers[server.name] = normalised(body, ordered=query != "lookup") if status == 200 else status
            except (OSError, ValueError, KeyError) as error:
                answers[server.name] = type(error).__name__
        reference = answers[servers[0].name]
        rows = len(reference) if isinstance(reference, list) else reference
        same = {name: answer == reference for name, answer in answers.items()}
        report["answers"][query] = {"rows": rows, "same_as_" + servers[0].name: same}
        log(f"{query}: {rows} rows; same answer as {servers[0].name}: "
            + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in same.items()))
    return report


def run(args) -> int:
    started = time.monotonic()
    say = lambda message: print(f"[{time.monotonic() - started:7.1f}s] {message}", file=sys.stderr, flush=True)
    facts = machine_facts()
    texts = query_texts(args.practices)
    paths_for = lambda server: {q: [server.path + "?" + urllib.parse.urlencode({"query": t}) for t in ts]
                                for q, ts in texts.items()}
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    queries = [q for q in args.queries.split(",")]
    servers: list[Server] = []
    tmp = Path(tempfile.mkdtemp(prefix="sikg-bench-", dir=args.tmpdir))
    cells: list[Cell] = []
    try:
        data = build_data(tmp, args.practices, not args.no_nocache, say)
        servers = make_servers(tmp, not args.no_nocache, not args.no_rdflib, args.sikg_threads, args.external,
                               args.sikg_processes)
        # rdflib-endpoint parses kg.nq into memory at start, which takes long: start it first, the others meanwhile.
        # sikg-over-oxigraph needs oxigraph up (it reloads the curated graphs into it at start): it starts last.
        later = [s for s in servers if s.name == "sikg-over-oxigraph"]
        for server in sorted((s for s in servers if s not in later), key=lambda s: s.name != "rdflib-endpoint"):
            server.start()
        for server in servers:
            if server in later:
                servers[0].wait_ready()
                server.start()
            server.wait_ready()
            say(f"{server.name} ready on 127.0.0.1:{server.port} after {server.ready_after:.1f} s")
        facts["servers"] = {s.name: {"command": " ".join(s.command), "endpoint": s.path,
                                     "ready_after_s": round(s.ready_after, 1)} for s in servers}
        checks = check_servers(servers, texts, args.timeout, say)
        for server in servers:  # first warm-up: every variant of every query once, one at a time
            warm = time.monotonic()
            for query in queries:
                for path in paths_for(server)[query]:
                    try:
                        fetch_path(server, path, args.timeout)
                    except OSError:
                        pass
            server.wait_idle()
            say(f"{server.name} warmed up: every variant once in {time.monotonic() - warm:.1f} s")
        for number, (query, concurrency) in enumerate((q, c) for q in queries for c in concurrencies):
            # The servers take turns going first, so that drift in the machine's load favours none of them.
            turn = number % len(servers)
            for server in servers[turn:] + servers[:turn]:
                paths = paths_for(server)[query]
                idle = server.wait_idle()
                drive(server, paths, concurrency, args.warmup, args.timeout)  # warm-up for this cell
                idle += server.wait_idle()
                cell = drive(server, paths, concurrency, args.seconds, args.timeout,
                             Cell(server.name, query, concurrency))
                cell.idle_wait = idle
                cells.append(cell)
                say(f"{query:9} c={concurrency} {server.name:15} {cell.rps:9.1f} req/s  "
                    f"p50 {_fmt(cell.percentile(0.5))} ms  p99 {_fmt(cell.percentile(0.99))} ms  "
                    f"errors {cell.error_count}")
        for server in servers:
            facts["servers"][server.name]["rss_mb_at_end"] = round(server.rss_mb())
        facts["loadavg_at_end"] = open("/proc/loadavg").read().split()[:3]
    except KeyboardInterrupt:
        say("interrupted: stopping the servers")
        return 130
    finally:
        for server in servers:
            try:
                server.stop()
            except Exception as error:  # keep stopping the others
                print(f"could not stop {server.name}: {error}", file=sys.stderr)
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    text = render(cells, facts, data, checks, args)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps({"facts": facts, "data": data, "checks": checks,
                                               "args": vars(args), "cells": [c.summary() for c in cells]},
                                              indent=2) + "\n")
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    return 1 if any(c.error_count for c in cells if c.server.startswith("sikg")) else 0


def _fmt(value, width=0, digits=1) -> str:
    text = "-" if value is None else f"{value:.{digits}f}"
    return text.rjust(width)


def _ratio(a, b) -> float | None:
    return a / b if a is not None and b not in (None, 0) else None


def render(cells: list[Cell], facts: dict, data: dict, checks: dict, args) -> str:
    by_key = {(c.server, c.query, c.concurrency): c for c in cells}
    servers = list(dict.fromkeys(c.server for c in cells))
    measured = sum(c.seconds for c in cells)
    other = sum(c.other_cpu for c in cells) / measured if measured else 0.0
    lines = [f"# sikg SPARQL benchmark — {facts['date_utc']}", "",
             f"machine: {facts.get('cpus')} CPUs ({facts.get('cpu_model', '?')}), {facts.get('mem_total_gib')} GiB, "
             f"load average at start {' '.join(facts.get('loadavg_at_start', []))}, at end "
             f"{' '.join(facts.get('loadavg_at_end', []))}; other processes used {other:.2f} cores on average "
             f"during the cells; Python {facts['python']}; "
             f"pyoxigraph {facts['pyoxigraph']}, oxigraph CLI {facts['oxigraph']}, rdflib {facts['rdflib']}, "
             f"rdflib-endpoint {facts['rdflib-endpoint']}; sikg {facts.get('sikg')} (source digest "
             f"{facts.get('sikg_source_sha256')})",
             f"data: {args.practices} synthetic practices + the curated KG = {data['quads_in_kg_nq']} quads "
             f"(held: {', '.join(f'{k} {v}' for k, v in checks['quads'].items())})",
             f"cells: {args.seconds:g} s measured after a {args.warmup:g} s warm-up; client: threads, one keep-alive "
             f"http.client connection each, GET …?query=, Accept: {ACCEPT}; per-request timeout {args.timeout:g} s",
             "answers checked: " + "; ".join(
                 f"{q} {a['rows']} rows, " + ", ".join(f"{k} {'same' if v else 'DIFFERENT'}"
                                                       for k, v in list(a.values())[1].items() if k != servers[0])
                 for q, a in checks["answers"].items()),
             "",
             "| query | conc | server | ok | errors | req/s | p50 ms | p99 ms | server CPU ms/req | server cores | client cores | other cores |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for query in dict.fromkeys(c.query for c in cells):
        for concurrency in dict.fromkeys(c.concurrency for c in cells):
            for server in servers:
                c = by_key.get((server, query, concurrency))
                if c is None:
                    continue
                errors = ", ".join(f"{k}: {v}" for k, v in c.errors.items() if v) or "0"
                lines.append(f"| {query} | {concurrency} | {server} | {c.ok} | {errors} | {c.rps:.1f} | "
                             f"{_fmt(c.percentile(0.5), digits=2)} | {_fmt(c.percentile(0.99), digits=2)} | "
                             f"{_fmt(1000 * c.server_cpu / c.ok if c.ok else None, digits=2)} | "
                             f"{c.server_cpu / c.seconds:.2f} | {c.client_cpu / c.seconds:.2f} | "
                             f"{c.other_cpu / c.seconds:.2f} |")
    samples = [f"- {c.server}, {c.query}, c={c.concurrency}, {key}: {text.strip()[:160]!r}"
               for c in cells for key, text in c.error_samples.items()]
    if samples:
        lines += ["", "Error bodies (first of each kind per cell):", "", *samples]
    sikgs = [s for s in servers if s.startswith("sikg")]
    lines += ["", "Ratios (throughput = req/s; latency = p50):", "",
              "| query | conc | " + " | ".join(f"{s}/oxigraph req/s | {s}/rdflib req/s | {s}/oxigraph p50"
                                             for s in sikgs) + " |",
              "|---|---:|" + "---:|---:|---:|" * len(sikgs)]
    ratios = {}
    for query in dict.fromkeys(c.query for c in cells):
        for concurrency in dict.fromkeys(c.concurrency for c in cells):
            row = []
            for s in sikgs:
                mine, ox, rd = (by_key.get((n, query, concurrency)) for n in (s, "oxigraph", "rdflib-endpoint"))
                r = {"thr_vs_oxigraph": _ratio(mine.rps, ox.rps) if mine and ox else None,
                     "thr_vs_rdflib": _ratio(mine.rps, rd.rps) if mine and rd else None,
                     "p50_vs_oxigraph": _ratio(mine.percentile(0.5), ox.percentile(0.5)) if mine and ox else None}
                ratios[(s, query, concurrency)] = r
                row.append(" | ".join(_fmt(r[k], digits=2) for k in ("thr_vs_oxigraph", "thr_vs_rdflib",
                                                                     "p50_vs_oxigraph")))
            lines.append(f"| {query} | {concurrency} | " + " | ".join(row) + " |")
    if "sikg-over-oxigraph" in servers:  # the external backend's overhead over the store it forwards to
        lines += ["", "Overhead of sikg's external backend (sikg-over-oxigraph, answer cache off) over oxigraph "
                  "direct:", "", "| query | conc | req/s ratio | p50 ratio | p99 ratio | server CPU ms/req ratio |",
                  "|---|---:|---:|---:|---:|---:|"]
        for query in dict.fromkeys(c.query for c in cells):
            for concurrency in dict.fromkeys(c.concurrency for c in cells):
                ext, ox = (by_key.get((n, query, concurrency)) for n in ("sikg-over-oxigraph", "oxigraph"))
                if not (ext and ox):
                    continue
                # the external server's CPU is only sikg's process tree; oxigraph's share of its requests is not in it
                cpu = _ratio(ext.server_cpu / ext.ok if ext.ok else None, ox.server_cpu / ox.ok if ox.ok else None)
                lines.append(f"| {query} | {concurrency} | {_fmt(_ratio(ext.rps, ox.rps), digits=3)} | "
                             f"{_fmt(_ratio(ext.percentile(0.5), ox.percentile(0.5)), digits=2)} | "
                             f"{_fmt(_ratio(ext.percentile(0.99), ox.percentile(0.99)), digits=2)} | "
                             f"{_fmt(cpu, digits=2)} |")
    lines += ["", "Targets:", ""]
    targets = [("lookup", "thr_vs_oxigraph", ">=", 0.25, "lookup throughput ≥ 0.25× oxigraph"),
               ("lookup", "thr_vs_rdflib", ">=", 3.0, "lookup throughput ≥ 3× rdflib-endpoint"),
               ("aggregate", "p50_vs_oxigraph", "<=", 1.5, "aggregate p50 latency ≤ 1.5× oxigraph")]
    for query, key, op, bound, label in targets:
        parts = []
        for s in sikgs:
            for concurrency in dict.fromkeys(c.concurrency for c in cells):
                value = ratios.get((s, query, concurrency), {}).get(key)
                if value is None:
                    parts.append(f"{s} c={concurrency}: n/a")
                    continue
                passed = value >= bound if op == ">=" else value <= bound
                parts.append(f"{s} c={concurrency}: {value:.3f} {'PASS' if passed else 'FAIL'}")
        lines.append(f"- {label}: " + "; ".join(parts))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=20000, help="synthetic practices (default 20000)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per cell (default 8)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds per cell (default seconds/4, "
                        "at most 2)")
    parser.add_argument("--quick", action="store_true", help="a fast check: 2000 practices, 3 s per cell")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated client thread counts (default 1,8)")
    parser.add_argument("--queries", default="lookup,join,aggregate")
    parser.add_argument("--timeout", type=float, default=60.0, help="per-request timeout, seconds (default 60)")
    parser.add_argument("--no-nocache", action="store_true", help="skip the sikg run with SIKG_CACHE_BYTES=0")
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib-endpoint")
    parser.add_argument("--external", action="store_true", help="add sikg-over-oxigraph: `sikg serve --store "
                        "http://…/query` in front of the oxigraph server, SIKG_CACHE_BYTES=0")
    parser.add_argument("--sikg-threads", type=int, default=None, help="`sikg serve --workers` (default: its own)")
    parser.add_argument("--sikg-processes", type=int, default=None,
                        help="`sikg serve --processes` (default: its own, 1; more serve the store read-only)")
    parser.add_argument("--json", help="also write every cell's numbers to this JSON file")
    parser.add_argument("--markdown", help="also write the printed report to this file")
    parser.add_argument("--tmpdir", default=None, help="where the temporary directory goes (default: the system's)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, stores, logs)")
    args = parser.parse_args(argv)
    if args.quick:
        args.practices, args.seconds = 2000, 3.0
    if args.warmup is None:
        args.warmup = min(2.0, args.seconds / 4)
    if args.practices < 1 or args.seconds <= 0 or args.timeout <= 0:
        parser.error("--practices, --seconds and --timeout must be positive")
    unknown = set(args.queries.split(",")) - {"lookup", "join", "aggregate"}
    if unknown:
        parser.error(f"unknown queries: {', '.join(sorted(unknown))}")

    def terminate(signum, frame):  # SIGTERM / SIGHUP: stop the servers as Ctrl-C does
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
