#!/usr/bin/env python3
"""Issue 28, items 3 and 4: `sikg serve`'s memory beside Oxigraph server's, with the lookup and aggregate ratios of
the same run, and how fast the first aggregates are once /health says 200.

    .venv/bin/python bench/memory_bench.py                       # 20,000 synthetic practices, 10 s a run
    .venv/bin/python bench/memory_bench.py --quick               # 2,000 practices, 3 s a run
    .venv/bin/python bench/memory_bench.py --configs default,rocksdb --markdown out.md

One Oxigraph server runs throughout; each sikg configuration (--configs) is started in turn over the same on-disk
store (sparql_bench's data), side by side with it:
  default         `sikg serve --store DIR` at its defaults
  per-process     the copies issue 28 measured: two evaluators a worker process (SIKG_EVALUATORS=4) and a copy in
                  each worker too (SIKG_WORKER_MEMORY=256 MiB)
  rocksdb         no copy anywhere: the evaluators answer from the RocksDB checkpoint (SIKG_EVALUATOR_MEMORY=0)
  one-process     --processes 1 (no writer process; one worker, two evaluators)
For each: the seconds until /health answers 200 and the first three aggregates right after it; distinct lookups at 8
connections and distinct aggregates at 1 connection (traffic_bench's wrk runs, each text another practice), sikg and
Oxigraph in turn; then the memory of each process tree once the traffic is over: RSS summed over its processes, and
PSS (from /proc/PID/smaps_rollup: a page shared by n processes counts 1/n in each; the copies in memory are not
shared, the interpreter's and libraries' pages partly are). Needs wrk (apt-get install wrk).
"""

import argparse
import http.client
import json
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sparql_bench as sb  # noqa: E402  (this directory is not a package)
import traffic_bench as tb  # noqa: E402

MIB = 2**20
CONFIGS = {
    "default": ([], {}),
    "per-process": ([], {"SIKG_EVALUATORS": "4", "SIKG_WORKER_MEMORY": str(256 * MIB)}),
    "rocksdb": ([], {"SIKG_EVALUATOR_MEMORY": "0"}),
    "one-process": (["--processes", "1"], {}),
}
# Targets of issue 28: memory of the default at most 600 MB; lookups >= 0.25x Oxigraph's req/s; aggregates <= 1.0x
# its p50; the first aggregates after /health at most 1.5x the steady p50.
RSS_TARGET_MB, LOOKUP_RATIO, AGGREGATE_RATIO, START_RATIO = 600, 0.25, 1.0, 1.5


def memory_mb(server: sb.Server) -> tuple[float, float, int]:
    """(RSS, PSS, processes) of the server's session, in MiB."""
    rss = pss = 0
    pids = [pid for pid, _, _ in sb._session_processes(server.process.pid)]
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/smaps_rollup"):
                key, _, value = line.partition(":")
                if key == "Rss":
                    rss += int(value.split()[0])
                elif key == "Pss":
                    pss += int(value.split()[0])
        except OSError:
            continue
    return rss / 1024, pss / 1024, len(pids)


def _get(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": sb.ACCEPT})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_and_first_aggregates(server: sb.Server, practices: int, timeout: float) -> tuple[float, list[float]]:
    """Starts `server`, returns the seconds until /health said 200 and the times of three aggregates sent at once
    after it, one after the other."""
    server.start()
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited while starting; see {server.log}")
        try:
            if _get(server.port, "/health", 10)[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    ready = time.monotonic() - server.started_at
    times = []
    for number in range(3):
        query = tb.variant(tb.aggregate_template(), (number * 7919) % practices, f"first{number}")
        t0 = time.perf_counter()
        status, _ = _get(server.port, server.path + "?" + urllib.parse.urlencode({"query": query}), timeout)
        times.append(time.perf_counter() - t0 if status == 200 else float("nan"))
    return ready, times


def measure(name: str, store: Path, tmp: Path, oxigraph: sb.Server, args, say) -> dict:
    options, env = CONFIGS[name]
    server = tb.sikg_server(f"sikg-{name}", store, tmp, env=env)
    server.command += options
    try:
        ready, first = start_and_first_aggregates(server, args.practices, args.timeout)
        say(f"{name}: /health 200 after {ready:.1f} s; first aggregates {', '.join(f'{t:.3f}' for t in first)} s")
        rows = {}
        for cell, template, conns in (("lookup", tb.LOOKUP_TEMPLATE, 8), ("aggregate", tb.aggregate_template(), 1)):
            for peer in (server, oxigraph) if cell == "lookup" else (oxigraph, server):
                rows[(cell, peer.name)] = row = tb.run_distinct(peer, cell, template, args.practices, conns, args)
                say(f"{name}: {cell:9} {peer.name:16} {row.rps:9.1f} req/s  p50 {sb._fmt(row.p50_ms)} ms  "
                    f"errors {row.error_count}")
        server.wait_idle()
        rss, pss, processes = memory_mb(server)
        ox_rss, ox_pss, _ = memory_mb(oxigraph)
        sikg_lookup, ox_lookup = rows[("lookup", server.name)], rows[("lookup", "oxigraph")]
        sikg_agg, ox_agg = rows[("aggregate", server.name)], rows[("aggregate", "oxigraph")]
        result = {"config": name, "rss_mb": rss, "pss_mb": pss, "processes": processes, "oxigraph_rss_mb": ox_rss,
                  "oxigraph_pss_mb": ox_pss, "ready_s": ready, "first_aggregates_s": first,
                  "lookup_rps": sikg_lookup.rps, "oxigraph_lookup_rps": ox_lookup.rps,
                  "aggregate_p50_ms": sikg_agg.p50_ms, "oxigraph_aggregate_p50_ms": ox_agg.p50_ms,
                  "errors": sikg_lookup.error_count + sikg_agg.error_count}
        result["lookup_ratio"] = sikg_lookup.rps / ox_lookup.rps if ox_lookup.rps else None
        result["aggregate_ratio"] = (sikg_agg.p50_ms / ox_agg.p50_ms if sikg_agg.p50_ms and ox_agg.p50_ms else None)
        result["start_ratio"] = (max(first) * 1000 / sikg_agg.p50_ms) if sikg_agg.p50_ms else None
        say(f"{name}: RSS {rss:.0f} MiB, PSS {pss:.0f} MiB in {processes} processes; oxigraph RSS {ox_rss:.0f} MiB")
        return result
    finally:
        server.stop()


def render(results: list[dict], facts: dict, data: dict, args) -> str:
    lines = [f"# sikg serve memory beside Oxigraph server — {facts['date_utc']}", "",
             f"machine: {facts.get('cpus')} CPUs, load average at start {' '.join(facts.get('loadavg_at_start', []))}"
             f"; data: {args.practices} synthetic practices + the curated KG = {data['quads_in_kg_nq']} quads; "
             f"wrk runs of {args.seconds} s after {args.warmup} s of warm-up, distinct texts", "",
             "| config | sikg RSS MiB | sikg PSS MiB | processes | oxigraph RSS MiB | lookups req/s sikg / oxigraph "
             "| lookup ratio | aggregate p50 ms sikg / oxigraph | aggregate ratio | /health 200 after s | first "
             "aggregates s | first / steady | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {r['config']} | {r['rss_mb']:.0f} | {r['pss_mb']:.0f} | {r['processes']} | "
            f"{r['oxigraph_rss_mb']:.0f} | "
            f"{r['lookup_rps']:.0f} / {r['oxigraph_lookup_rps']:.0f} | {sb._fmt(r['lookup_ratio'], digits=3)} | "
            f"{sb._fmt(r['aggregate_p50_ms'])} / {sb._fmt(r['oxigraph_aggregate_p50_ms'])} | "
            f"{sb._fmt(r['aggregate_ratio'], digits=3)} | {r['ready_s']:.1f} | "
            f"{', '.join(f'{t:.3f}' for t in r['first_aggregates_s'])} | {sb._fmt(r['start_ratio'], digits=2)} | "
            f"{r['errors']} |")
    default = next((r for r in results if r["config"] == "default"), None)
    if default:
        checks = [("total RSS of sikg serve", default["rss_mb"], "<=", RSS_TARGET_MB),
                  ("distinct lookups, sikg/oxigraph req/s", default["lookup_ratio"], ">=", LOOKUP_RATIO),
                  ("distinct aggregates, sikg/oxigraph p50", default["aggregate_ratio"], "<=", AGGREGATE_RATIO),
                  ("slowest of the first aggregates after /health / steady p50", default["start_ratio"], "<=",
                   START_RATIO)]
        lines += ["", "Targets (the default configuration):", ""]
        for label, value, op, bound in checks:
            passed = value is not None and (value <= bound if op == "<=" else value >= bound)
            lines.append(f"- {label}: {sb._fmt(value, digits=3)} (target {op} {bound}) {'PASS' if passed else 'FAIL'}")
    return "\n".join(lines)


def run(args) -> int:
    started = time.monotonic()
    say = lambda message: print(f"[{time.monotonic() - started:7.1f}s] {message}", file=sys.stderr, flush=True)
    facts = sb.machine_facts()
    tmp = Path(tempfile.mkdtemp(prefix="sikg-memory-bench-", dir=args.tmpdir))
    oxigraph = None
    results = []
    try:
        data = sb.build_data(tmp, args.practices, False, say)
        oxigraph = sb.make_servers(tmp, False, False, None)[0]
        oxigraph.start()
        oxigraph.wait_ready()
        for name in args.configs.split(","):
            results.append(measure(name, tmp / "sikg-store", tmp, oxigraph, args, say))
    except KeyboardInterrupt:
        say("interrupted: stopping the servers")
        return 130
    finally:
        if oxigraph is not None:
            oxigraph.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    text = render(results, facts, data, args)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps({"facts": facts, "data": data, "results": results}, indent=2) + "\n")
    return 1 if any(r["errors"] for r in results) else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds of each wrk run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds before each wrk run (default 2)")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="2,000 practices, 3 s runs")
    parser.add_argument("--configs", default="default,per-process,rocksdb,one-process",
                        help=f"comma-separated, of: {', '.join(CONFIGS)}")
    parser.add_argument("--markdown", help="also write the report to this file")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--tmpdir", default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.practices, args.seconds = 2000, 3
    unknown = set(args.configs.split(",")) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configurations: {', '.join(sorted(unknown))}")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
