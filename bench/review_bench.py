#!/usr/bin/env python3
"""The curator's queue and the contributions' pace (issue 31). See bench/README.md ("Reviewing at scale").

    .venv/bin/python bench/review_bench.py                   # 100 contributions at 8 concurrent, queue at 100 and 1,000
    .venv/bin/python bench/review_bench.py --contributions 100 --queue 100,1000 --processes 0

In one run, on one machine, against `sikg serve --store <a new on-disk store>` (its defaults: one worker process per
core and the store's writer), on a loopback port:

1. **Contributions at 8 concurrent.** `data/templates/practice.ttl` with N different slugs (`example-…-bench-i`),
   sent as POST /contributions by 8 threads, each its own connection per request; each one timed from the request
   sent to its 202 read. Printed: the rate (N / wall time), p50 and p99 of the latencies, and that all are 202.
2. **The queue.** Pending contributions are added (the same way, 8 at a time) till the queue holds 100, then 1,000;
   at each size GET /review (the first page, HTML) and GET /contributions?status=pending (JSON, first page) are timed,
   5 times each after one to warm up, as the curator (a token made by `sikg token add --role curator`), and one
   contribution's own review page (GET /review/{id}).
3. **Nothing lost**: the service is killed with SIGKILL (the whole process group), started again on the same store,
   and the pending total (X-Total-Count) must be every contribution sent.
"""

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-alice-token"
TEMPLATE_SLUG = b"example-neighbourhood-voucher"


def template() -> bytes:
    return (ROOT / "data" / "templates" / "practice.ttl").read_bytes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """`sikg serve` over the on-disk store `store`, in a process group of its own."""

    def __init__(self, store: Path, log: Path, processes: int, environment: dict | None = None):
        self.port = free_port()
        self.url = f"127.0.0.1:{self.port}"
        env = {**os.environ, "SIKG_CONTRIB_TOKEN": f"alice={TOKEN},bob=bench-bob-token", "SIKG_REVIEW": "1",
               **(environment or {})}
        arguments = [sys.executable, "-m", "sikg.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                     "--store", str(store)]
        if processes:
            arguments += ["--processes", str(processes)]
        with open(log, "ab") as out:
            self.process = subprocess.Popen(arguments, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if request(self.url, "GET", "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.kill()
        raise SystemExit(f"sikg serve did not start; see {log}")

    def kill(self, how=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, how)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def request(url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    host, port = url.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def contribute(url: str, first: int, count: int, concurrency: int = 8) -> dict:
    """`count` one-practice contributions (slugs first … first+count-1), `concurrency` at a time."""
    body, latencies, codes, lock = template(), [], [], threading.Lock()
    todo = iter(range(first, first + count))

    def sender():
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            data = body.replace(TEMPLATE_SLUG, f"example-bench-{i}".encode())
            started = time.perf_counter()
            code, _, answer = request(url, "POST", "/contributions", data,
                                      {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                codes.append(code)
            if code != 202:
                print(f"  contribution {i}: {code} {answer[:200]!r}", file=sys.stderr)

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"count": count, "accepted_202": codes.count(202), "seconds": wall, "rate": count / wall,
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "max": latencies[-1]}


def load() -> str:
    """The machine's load average (1, 5, 15 minutes) now: printed with each figure, as the machine is shared."""
    return "load average " + ", ".join(f"{v:.1f}" for v in os.getloadavg())


def percentile(values: list[float], q: float) -> float:
    index = min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))
    return values[index]


def timed(url: str, path: str, headers: dict, rounds: int = 5) -> dict:
    times, size, status = [], 0, None
    for round_ in range(rounds + 1):
        started = time.perf_counter()
        status, answer_headers, body = request(url, "GET", path, headers=headers)
        if round_:
            times.append(time.perf_counter() - started)
        size = len(body)
    return {"status": status, "median": statistics.median(times), "max": max(times), "bytes": size,
            "total": answer_headers.get("x-total-count")}


def curator_token(store: Path) -> str:
    made = subprocess.run([sys.executable, "-m", "sikg.cli", "token", "add", "bench-curator", "--role", "curator",
                           "--store", str(store)], capture_output=True, text=True, cwd=ROOT)
    if made.returncode:
        raise SystemExit(made.stderr)
    return made.stdout.strip()


def side_by_side(args) -> int:
    """The contributions at 8 concurrent, on a new store each time, against the service as it is ("this") and with
    the --peer environment ("peer"), interleaved round by round so that the machine's drift hits both alike."""
    peer = dict(item.split("=", 1) for item in args.peer)
    if args.peer_src:
        peer["PYTHONPATH"] = str(Path(args.peer_src).resolve())
    runs: dict[str, list[dict]] = {"this": [], "peer": []}
    for round_ in range(args.rounds):
        for name, environment in (("this", {}), ("peer", peer)):
            with tempfile.TemporaryDirectory(prefix="sikg-review-bench-") as directory:
                service = Service(Path(directory) / "store", Path(directory) / "serve.log", args.processes,
                                  environment)
                try:
                    contribute(service.url, 10**6, 16)  # warm up every worker (its shapes compiled)
                    run = contribute(service.url, 0, args.contributions)
                finally:
                    service.kill()
            run["load"] = os.getloadavg()
            runs[name].append(run)
            print(f"round {round_ + 1}, {name}: {run['rate']:.1f}/s, p50 {run['p50'] * 1000:.0f} ms, "
                  f"p99 {run['p99'] * 1000:.0f} ms ({run['accepted_202']} of {run['count']} answered 202; {load()})",
                  flush=True)
    median = lambda name, key: statistics.median(r[key] for r in runs[name])
    described = ", ".join(args.peer + ([f"src {args.peer_src}"] if args.peer_src else []))
    print(f"medians, this vs peer ({described}): rate {median('this', 'rate'):.1f}/s vs "
          f"{median('peer', 'rate'):.1f}/s (ratio {median('this', 'rate') / median('peer', 'rate'):.2f}); p99 "
          f"{median('this', 'p99') * 1000:.0f} ms vs {median('peer', 'p99') * 1000:.0f} ms (ratio "
          f"{median('this', 'p99') / median('peer', 'p99'):.2f}); {load()}")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contributions", type=int, default=100)
    parser.add_argument("--queue", default="100,1000", help="queue sizes at which /review is timed")
    parser.add_argument("--processes", type=int, default=0, help="sikg serve --processes (0: its default)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--peer", action="append", default=[], metavar="NAME=VALUE",
                        help="compare: the contributions run side by side (interleaved, --rounds each) against a "
                             "service with these environment variables too (e.g. SIKG_EVALUATOR_MEMORY=0)")
    parser.add_argument("--peer-src", metavar="DIR",
                        help="compare: the peer service runs the sikg package in DIR (the src/ of a checkout of "
                             "another commit: git worktree add --detach /tmp/before COMMIT) instead")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.peer or args.peer_src:
        return side_by_side(args)
    figures = {"python": platform.python_version(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="sikg-review-bench-") as directory:
        store, log = Path(directory) / "store", Path(directory) / "serve.log"
        token = curator_token(store)
        curator = {"Authorization": f"Bearer {token}"}  # the JSON API's credentials
        signed_in = {"Cookie": f"sikg_token={token}"}  # the review pages': signed in
        service = Service(store, log, args.processes)
        sent = 0
        try:
            contribute(service.url, 10**6, 16)  # warm up every worker (its shapes compiled; not counted as the run)
            sent += 16
            run = contribute(service.url, 0, args.contributions)
            sent += args.contributions
            figures["contributions"] = run
            print(f"{args.contributions} contributions, 8 concurrent: {run['accepted_202']} answered 202 in "
                  f"{run['seconds']:.2f} s: {run['rate']:.1f}/s, p50 {run['p50'] * 1000:.0f} ms, "
                  f"p99 {run['p99'] * 1000:.0f} ms, max {run['max'] * 1000:.0f} ms ({load()})", flush=True)
            figures["queue"] = {}
            for size in [int(s) for s in args.queue.split(",") if s]:
                if size > sent:
                    contribute(service.url, sent, size - sent)
                    sent = size
                queue = timed(service.url, "/review", {**signed_in, "Accept": "text/html"})
                listing = timed(service.url, "/contributions?status=pending", {**curator,
                                                                                 "Accept": "application/json"})
                _, _, first = request(service.url, "GET", "/contributions?status=pending&limit=1", headers=curator)
                one = timed(service.url, f"/review/{json.loads(first)[0]['id']}", {**signed_in, "Accept": "text/html"})
                figures["queue"][size] = {"review": queue, "json": listing, "item": one}
                print(f"queue of {size} pending: GET /review {queue['status']} median "
                      f"{queue['median'] * 1000:.0f} ms (max {queue['max'] * 1000:.0f} ms, {queue['bytes']:,} bytes); "
                      f"JSON first page {listing['status']} median {listing['median'] * 1000:.0f} ms, "
                      f"X-Total-Count {listing['total']}; one item's page median {one['median'] * 1000:.0f} ms "
                      f"({load()})", flush=True)
            service.kill(signal.SIGKILL)
            service = Service(store, log, args.processes)
            status, headers, _ = request(service.url, "GET", "/contributions?status=pending&limit=1",
                                         headers=curator)
            figures["after_sigkill"] = {"sent": sent, "pending": headers.get("x-total-count")}
            print(f"after kill -9 and a restart: {headers.get('x-total-count')} pending of {sent} sent "
                  f"({'nothing lost' if str(sent) == headers.get('x-total-count') else 'LOST SOME'})")
        finally:
            service.kill()
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
