#!/usr/bin/env python3
"""A bounded load run against `sikg serve`: N concurrent clients for T seconds, on loopback only, with the mix of a
public knowledge-graph site; prints requests per second, p50 and p99 latency per kind of request and overall, and
the error count, which must be 0 (the exit code is 1 otherwise).

    .venv/bin/python bench/load.py                       # starts `sikg serve --store memory` itself; 32 clients, 30 s
    .venv/bin/python bench/load.py --clients 8 --duration 10
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000   # a running service (loopback addresses only)
    .venv/bin/python bench/load.py --json load.json     # also write the numbers

The mix (weights out of 100; each client draws its next request at random, seeded):

    page      24  GET /, /practices, /sparql (the query page), as a browser asks for them (Accept: text/html)
    lookup    24  GET /id/practice/{slug} as HTML, Turtle or JSON-LD (a linked-data client or a browser)
    sparql    24  a SPARQL lookup by GET /sparql: what the KG says about one practice (SPARQL JSON)
    curated   20  GET /queries/{name}, every curated query, with its parameters' defaults (SPARQL JSON)
    export     4  GET /export?format=ttl (the whole KG, streamed)
    validate   4  POST /validate of the contributor template (data/templates/practice.ttl, else the valid fixture)

Every client keeps one HTTP/1.1 connection open (reconnecting if the server closes it), reads each answer to the
end and counts as an error anything but a 200 with a body, and any failed connection. Before the timed run, each kind
is requested once, one at a time (a warm-up: caches, the first SHACL validation); --no-warmup skips it.

Only the Python standard library is used.
"""

import argparse
import http.client
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
WEIGHTS = {"page": 24, "lookup": 24, "sparql": 24, "curated": 20, "export": 4, "validate": 4}
SIKG = "https://w3id.org/sikg/ontology#"
PRACTICE = "https://w3id.org/sikg/id/practice/"


def template() -> bytes:
    path = ROOT / "data" / "templates" / "practice.ttl"
    return (path if path.is_file() else ROOT / "tests" / "fixtures" / "valid" / "practice.ttl").read_bytes()


class Server:
    """`sikg serve --store memory` on a free loopback port, in a process group of its own."""

    def __init__(self, workers: int, log: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = log
        out = open(log, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sikg.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--store", "memory", "--workers", str(workers)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        out.close()
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if get(self.url, "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"sikg serve did not start; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def get(base: str, path: str, headers: dict | None = None, timeout: float = 30) -> tuple[int, bytes]:
    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def build_mix(base: str) -> dict[str, list[tuple]]:
    """Every request of each kind, as (method, path, headers, body), from what the service itself lists."""
    status, body = get(base, "/queries", {"Accept": "application/json"})
    if status != 200:
        raise SystemExit(f"GET /queries answered {status}")
    curated = [q["name"] for q in json.loads(body)]
    query = f"SELECT ?p WHERE {{ ?p a <{SIKG}SupportPractice> }} ORDER BY ?p"
    status, body = get(base, "/sparql?" + urllib.parse.urlencode({"query": query}),
                       {"Accept": "application/sparql-results+json"})
    if status != 200:
        raise SystemExit(f"the practice list query answered {status}")
    practices = [row["p"]["value"] for row in json.loads(body)["results"]["bindings"]]
    slugs = [iri.rsplit("/", 1)[1] for iri in practices]
    html = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "Accept-Language": "en"}
    sparql_json = {"Accept": "application/sparql-results+json"}
    return {
        "page": [("GET", path, html, None) for path in ("/", "/practices", "/sparql")],
        "lookup": [("GET", f"/id/practice/{slug}", {"Accept": accept}, None) for slug in slugs
                   for accept in (html["Accept"], "text/turtle", "application/ld+json")],
        "sparql": [("GET", "/sparql?" + urllib.parse.urlencode({"query": f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"}),
                    sparql_json, None) for iri in practices],
        "curated": [("GET", f"/queries/{name}", sparql_json, None) for name in curated],
        "export": [("GET", "/export?format=ttl", {"Accept": "text/turtle"}, None)],
        "validate": [("POST", "/validate", {"Content-Type": "text/turtle", "Accept": "application/json"},
                      template())],
    }


class Client(threading.Thread):
    def __init__(self, base: str, mix: dict, seed: int, until: float, results: list):
        super().__init__(daemon=True)
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.mix, self.random, self.until, self.results = mix, random.Random(seed), until, results
        self.kinds, self.weights = list(WEIGHTS), list(WEIGHTS.values())
        self.connection = None

    def run(self) -> None:
        while time.monotonic() < self.until:
            kind = self.random.choices(self.kinds, self.weights)[0]
            self.results.append(self.send(kind, self.random.choice(self.mix[kind])))
        if self.connection:
            self.connection.close()

    def send(self, kind: str, request: tuple) -> tuple:
        method, path, headers, body = request
        started = time.monotonic()
        for attempt in (1, 2):  # one reconnect: the server may close an idle keep-alive connection
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                if response.will_close:
                    self.connection.close()
                    self.connection = None
                ok = response.status == 200 and len(data) > 0
                return kind, time.monotonic() - started, ok, response.status
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine) as error:
                if self.connection:
                    self.connection.close()
                self.connection = None
                if attempt == 2:
                    return kind, time.monotonic() - started, False, type(error).__name__
            except OSError as error:
                if self.connection:
                    self.connection.close()
                self.connection = None
                return kind, time.monotonic() - started, False, type(error).__name__
        raise AssertionError("unreachable")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[index]


def report(results: list[tuple], seconds: float) -> dict:
    by_kind = defaultdict(list)
    for row in results:
        by_kind[row[0]].append(row)
    rows = {}
    for kind in [*WEIGHTS, "overall"]:
        subset = results if kind == "overall" else by_kind.get(kind, [])
        latencies = [r[1] * 1000 for r in subset]
        errors = [r for r in subset if not r[2]]
        rows[kind] = {"requests": len(subset), "per_second": len(subset) / seconds,
                      "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
                      "errors": len(errors), "error_statuses": sorted({str(r[3]) for r in errors})}
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the timed run")
    parser.add_argument("--url", help="a running sikg service on a loopback address (default: start one)")
    parser.add_argument("--workers", type=int, default=8, help="threads of the service started here")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-warmup", action="store_true")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()
    if not 1 <= args.clients <= 512 or not 0 < args.duration <= 600:
        parser.error("the run is bounded: 1 to 512 clients, at most 600 s")

    server = None
    if args.url:
        host = urllib.parse.urlsplit(args.url).hostname or ""
        if host not in LOOPBACK:
            parser.error(f"--url must be a loopback address (127.0.0.1, localhost, ::1), not {host!r}")
        base = args.url.rstrip("/")
    else:
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"sikg-load-{os.getpid()}.log"
        print(f"starting sikg serve --store memory --workers {args.workers} (log: {log}) …", flush=True)
        server = Server(args.workers, log)
        base = server.url
    try:
        mix = build_mix(base)
        if not args.no_warmup:
            warm = Client(base, mix, args.seed, 0, [])
            for kind in WEIGHTS:
                for request in mix[kind][:3]:
                    _, _, ok, status = warm.send(kind, request)
                    if not ok:
                        print(f"warm-up: {kind} {request[1][:80]} answered {status}", file=sys.stderr)
        print(f"{args.clients} clients for {args.duration:g} s against {base} …", flush=True)
        results: list[tuple] = []
        started = time.monotonic()
        clients = [Client(base, mix, args.seed * 1000 + i, started + args.duration, results)
                   for i in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=args.duration + 120)
        seconds = time.monotonic() - started
    finally:
        if server:
            server.stop()

    rows = report(results, seconds)
    print(f"\n{'kind':<10}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for kind, row in rows.items():
        print(f"{kind:<10}{row['requests']:>10}{row['per_second']:>10.1f}{row['p50_ms']:>10.1f}"
              f"{row['p99_ms']:>10.1f}{row['errors']:>8}" + (f"  {', '.join(row['error_statuses'])}"
                                                               if row["errors"] else ""))
    errors = rows["overall"]["errors"]
    print(f"\nerrors: {errors}" + ("" if errors == 0 else "  (must be 0)"))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "clients": args.clients,
            "duration_s": args.duration, "workers": None if args.url else args.workers, "url": base,
            "python": platform.python_version(), "cpus": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
