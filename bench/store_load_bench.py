#!/usr/bin/env python3
"""`sikg load` against the engine's own loader, side by side (issue 32): the same synthetic file, whole commands,
each into a new directory, in turns, medians of the rounds.

    .venv/bin/python bench/store_load_bench.py                  # 20,000 synthetic practices, 3 rounds
    .venv/bin/python bench/store_load_bench.py --practices 2000 --rounds 5
    .venv/bin/python bench/store_load_bench.py --remote         # also an external store: an `oxigraph serve`

On-disk stores, each run a new directory:

    oxigraph load           oxigraph load --location D --file F  (the default graph: what issue 32 measured)
    oxigraph load --graph   the same into sikg's named graph for the file (the same quads sikg stores)
    sikg load               sikg load --store D F  (the file's graph, and the ontology and curated graphs)

With --remote, a new `oxigraph serve` (loopback) for each run:

    oxigraph /store         the whole file in one POST to its Graph Store Protocol endpoint (…/store?graph=G)
    sikg load URL           sikg load --store http://…/query F  (Graph Store Protocol, in chunks: store/upload.py)

For each: the wall time (median), CPU seconds of the command (user + system, median: the machine may be shared),
peak resident memory and the store directory's size (its files' bytes once the command ended); then sikg's ratios to
the engine's. Only the standard library and the repository's virtual environment are used.
"""

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OXIGRAPH = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
FILE_GRAPH = "https://w3id.org/sikg/graph/file/"


def run(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of a command that must succeed."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode(errors='replace')[-2000:]}")
    process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def size_mb(directory: Path) -> float:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file()) / 1e6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """`oxigraph serve` over a new directory on a free loopback port."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", str(directory), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/query?query=ASK%7B%7D", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("oxigraph serve did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def post_file(url: str, path: Path) -> float:
    """Seconds to POST the file, streamed from disk, as one Turtle body; the answer must be a success."""
    started = time.monotonic()
    with open(path, "rb") as body:
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "text/turtle", "Content-Length": str(path.stat().st_size)},
        )
        with urllib.request.urlopen(request, timeout=3600) as response:
            response.read()
    return time.monotonic() - started


def on_disk(file: Path, work: Path, rounds: int) -> dict[str, list[tuple]]:
    graph = FILE_GRAPH + file.name
    commands = {
        "oxigraph load": lambda d: [OXIGRAPH, "load", "--location", str(d), "--file", str(file)],
        "oxigraph load --graph": lambda d: [
            OXIGRAPH,
            "load",
            "--location",
            str(d),
            "--file",
            str(file),
            "--graph",
            graph,
        ],
        "sikg load": lambda d: [sys.executable, "-m", "sikg.cli", "load", "--store", str(d), str(file)],
    }
    results: dict[str, list[tuple]] = {name: [] for name in commands}
    for round_number in range(rounds):
        order = list(commands) if round_number % 2 == 0 else list(reversed(commands))  # neither always goes first
        for name in order:
            directory = work / f"store-{round_number}-{len(results[name])}-{name.replace(' ', '_')}"
            wall, cpu, rss = run(commands[name](directory))
            results[name].append((wall, cpu, rss, size_mb(directory)))
            shutil.rmtree(directory)
            print(f"  round {round_number + 1}: {name:<24}{wall:7.2f} s {cpu:7.2f} s CPU", flush=True)
    return results


def remote(file: Path, work: Path, rounds: int) -> dict[str, list[tuple]]:
    graph = FILE_GRAPH + file.name
    results: dict[str, list[tuple]] = {"oxigraph /store": [], "sikg load URL": []}
    for round_number in range(rounds):
        order = list(results) if round_number % 2 == 0 else list(reversed(results))
        for name in order:
            directory = work / f"server-{round_number}-{name.replace(' ', '_').replace('/', '')}"
            server = OxigraphServer(directory)
            try:
                if name == "oxigraph /store":
                    wall = post_file(f"{server.base}/store?graph={urllib.parse.quote(graph, safe='')}", file)
                    cpu = rss = float("nan")
                else:
                    wall, cpu, rss = run(
                        [sys.executable, "-m", "sikg.cli", "load", "--store", f"{server.base}/query", str(file)]
                    )
            finally:
                server.stop()
            results[name].append((wall, cpu, rss, size_mb(directory)))
            shutil.rmtree(directory)
            print(f"  round {round_number + 1}: {name:<24}{wall:7.2f} s", flush=True)
    return results


def table(results: dict[str, list[tuple]], peer: list[str], ours: str, quads: int) -> None:
    print(f"\n{'command':<26}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}{'disk MB':>9}{'quads/s':>10}")
    medians = {}
    for name, rows in results.items():
        wall, cpu = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
        rss, disk = max(r[2] for r in rows), statistics.median(r[3] for r in rows)
        medians[name] = (wall, cpu, rss, disk)
        print(f"{name:<26}{wall:9.2f}{cpu:9.2f}{rss:9.0f}{disk:9.1f}{quads / wall:10,.0f}")
    for name in peer:
        wall, cpu, _, disk = medians[name]
        print(
            f"{ours} / {name}: wall {medians[ours][0] / wall:.2f}x, CPU {medians[ours][1] / cpu:.2f}x, "
            f"disk {medians[ours][3] / disk:.2f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=20000)
    parser.add_argument("--file", help="load this file instead of a synthetic one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--remote", action="store_true", help="also load an external store (oxigraph serve)")
    args = parser.parse_args()
    if not OXIGRAPH:
        raise SystemExit("no oxigraph command (the `oxigraph` package's CLI) in the virtual environment or on PATH")
    with tempfile.TemporaryDirectory(prefix="sikg-load-bench-") as temporary:
        work = Path(temporary)
        if args.file:
            file = Path(args.file).resolve()
        else:
            file = work / f"synth-{args.practices}.ttl"
            subprocess.run(
                [sys.executable, "-m", "sikg.cli", "synth", "--practices", str(args.practices), "-o", str(file)],
                check=True,
                cwd=ROOT,
                stderr=subprocess.DEVNULL,
            )
        quads = sum(1 for line in open(file, "rb") if line.strip() and not line.startswith(b"#"))
        print(
            f"{file.name}: {file.stat().st_size / 1e6:.1f} MB, {quads:,} lines; {args.rounds} rounds; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        results = on_disk(file, work, args.rounds)
        table(results, ["oxigraph load", "oxigraph load --graph"], "sikg load", quads)
        if args.remote:
            print("\nexternal store (oxigraph serve, loopback):", flush=True)
            table(remote(file, work, args.rounds), ["oxigraph /store"], "sikg load URL", quads)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
