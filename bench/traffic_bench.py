#!/usr/bin/env python3
"""Issue 18's targets measured side by side with wrk as the client: distinct SPARQL lookups and aggregates against
raw `oxigraph serve`, a public site's mix, and `sikg serve --processes N`.

    .venv/bin/python bench/traffic_bench.py                  # 20,000 synthetic practices, 15 s a cell
    .venv/bin/python bench/traffic_bench.py --quick          # 2,000 practices, 3 s a cell
    .venv/bin/python bench/traffic_bench.py --cells mix --seconds 15 --json out.json --markdown out.md

Cells (see bench/README.md, "Real traffic"):
  lookup     distinct lookups (bench/lua/distinct.lua), every request about another practice, none repeated, at 8
             connections: oxigraph, sikg (answer cache on, its default) and sikg-nocache (SIKG_CACHE_BYTES=0)
  aggregate  the element x country COUNT(DISTINCT) aggregate of sparql_bench.AGGREGATE with a FILTER that leaves
             out one practice, another per request, at 1 and 8 connections: the same servers
  mix        a public site's mix on the curated KG (bench/lua/mix.lua) at 32 connections, sikg alone
  processes  lookup (synthetic KG) and mix (curated KG) with `sikg serve --processes 1` and `--processes 2`,
             contributions on (SIKG_CONTRIB_TOKEN set) unless --processes-contributions off; a server that refuses to
             start is reported as refused

The servers, the data and the CPU accounting are sparql_bench's (imported). Servers listen on free 127.0.0.1 ports,
everything lives in a temporary directory removed at the end, and every server is stopped on Ctrl-C, SIGTERM or an
error. Exit code 1 when any request to sikg failed (a status outside 2xx/3xx, or a socket error or timeout).
"""

import argparse
import http.client
import itertools
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sparql_bench as sb  # noqa: E402  (this directory is not a package)

LUA = Path(__file__).resolve().parent / "lua"
ACCEPT_JSON = "application/sparql-results+json"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LANGUAGES = ("en", "sv", "fr", "es", "lv")
PRACTICE_BASE = "https://w3id.org/sikg/id/practice/"
# Thresholds of issue 18; "grows" for --processes is read as: N=2 gives at least 1.2x the requests a second of N=1.
LOOKUP_RATIO, AGGREGATE_P50_RATIO, MIX_RPS, PROCESSES_GROWTH = 0.25, 1.3, 800.0, 1.2
# The site mix: each kind's share of the requests, and the share of requests that are conditional repeats.
MIX_WEIGHTS = {"page": 40, "rdf": 15, "sparql": 25, "query": 20}
MIX_CONDITIONAL = 0.3
MIX_LIST_LENGTH = 4000

# Every request's text differs: NNNNNN is the practice (6 digits), TAG a variable suffix unique to a run and round.
LOOKUP_TEMPLATE = sb.PROLOGUE + "SELECT ?p_TAG ?o_TAG WHERE { practice:synth-NNNNNN ?p_TAG ?o_TAG }"
_salts = itertools.count()


def aggregate_template() -> str:
    """sparql_bench's AGGREGATE with one practice filtered out (NNNNNN) and its count renamed per run (TAG)."""
    head, group_by, tail = sb.AGGREGATE.partition("} GROUP BY")
    if not group_by or "AS ?practices)" not in head:
        raise SystemExit("traffic_bench: sparql_bench.AGGREGATE no longer has the shape this script edits "
                         "(`AS ?practices)` … `} GROUP BY`); update aggregate_template()")
    return (head.replace("AS ?practices)", "AS ?practices_TAG)") + "  FILTER(?practice != practice:synth-NNNNNN)\n"
            + group_by + tail)


def variant(template: str, number: int, tag: str = "check") -> str:
    return template.replace("NNNNNN", f"{number:06d}").replace("TAG", tag)


# -- wrk ------------------------------------------------------------------------------------------------------------

@dataclass
class Row(sb.Cell):
    """One wrk run: sparql_bench's Cell (query is the cell's name, concurrency the connections) with what wrk and the
    Lua scripts report instead of a list of latencies."""
    processes: int | None = None  # --processes given to sikg serve; None: its default (one per core)
    requests: int = 0
    statuses: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    conditionals: int = 0
    p50_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    refused: str = ""

    @property
    def cell(self) -> str:
        return self.query

    @property
    def connections(self) -> int:
        return self.concurrency


def wrk_path() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("traffic_bench: `wrk` is not installed; on Debian/Ubuntu: apt-get install wrk")
    return found


def _wrk_text_errors(text: str) -> dict:
    """wrk's own lines: `Socket errors: connect 0, read 1, write 0, timeout 2` and `Non-2xx or 3xx responses: 5`."""
    errors = {}
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if found:
        errors.update(zip(("connect", "read", "write", "timeout"), map(int, found.groups())))
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if found:
        errors["status"] = int(found.group(1))
    return errors


def run_wrk(server: sb.Server, row: Row, script: str, script_args: list[str], threads: int, seconds: int,
            timeout: float) -> Row:
    """One wrk run against `server`, filling `row` with its counts, latencies and the CPU each side used."""
    command = [wrk_path(), "-t", str(threads), "-c", str(row.connections), "-d", f"{seconds}s", "--timeout",
               f"{int(timeout)}s", "-s", str(LUA / script), f"http://127.0.0.1:{server.port}", "--", *script_args]
    cpu0, machine0 = server.cpu_seconds(), sb._machine_busy_seconds()
    child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60)
    child1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    row.server_cpu = server.cpu_seconds() - cpu0
    row.client_cpu = (child1.ru_utime - child0.ru_utime) + (child1.ru_stime - child0.ru_stime)
    row.other_cpu = max(0.0, sb._machine_busy_seconds() - machine0 - row.server_cpu - row.client_cpu)
    line = next((l for l in done.stdout.splitlines() if l.startswith("JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit code {done.returncode}): {' '.join(command)}\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    report = json.loads(line[5:])
    row.seconds = report["duration_us"] / 1e6
    row.requests = int(report["requests"])
    socket_errors = {k: int(v) for k, v in report["errors"].items() if k != "status" and v}
    row.statuses = {k: int(v) for k, v in report["statuses"].items()}
    row.kinds = report["kinds"]
    row.conditionals = int(report["totals"].get("conditionals", 0))
    if row.statuses:  # the script counted every status itself: 2xx and 3xx (304 too) are successes
        bad = {f"HTTP {k}": v for k, v in row.statuses.items() if not 200 <= int(k) < 400}
    else:  # wrk's count of statuses >= 400
        bad = {"HTTP >= 400": int(report["errors"].get("status", 0))} if report["errors"].get("status") else {}
    row.errors = socket_errors | bad
    text_errors = _wrk_text_errors(done.stdout)  # a cross-check of the JSON against wrk's own summary lines
    if sum(v for k, v in text_errors.items() if k != "status") != sum(socket_errors.values()):
        row.errors["wrk summary disagrees"] = 1
    row.ok = row.requests - sum(bad.values())
    percentiles = report["latency_us"]["percentiles"]
    row.p50_ms, row.p90_ms, row.p99_ms = (percentiles.get(p) and percentiles[p] / 1000 for p in ("50", "90", "99"))
    return row


def run_distinct(server: sb.Server, cell: str, template: str, practices: int, connections: int, args,
                 processes: int | None = None) -> Row:
    """A warm-up run, then the measured run, each with a salt of its own so that no text of one is in the other."""
    threads = min(2, connections)

    def once(seconds: int, row: Row) -> Row:
        salt = f"r{next(_salts)}"
        return run_wrk(server, row, "distinct.lua", [server.path, template, str(practices), salt, str(threads)],
                       threads, seconds, args.timeout)
    server.wait_idle()
    once(args.warmup, Row(server.name, cell, connections))
    server.wait_idle()
    return once(args.seconds, Row(server.name, cell, connections, processes=processes))


# -- the site mix ---------------------------------------------------------------------------------------------------

def _get(server: sb.Server, path: str, headers: dict, timeout: float) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def mix_items(server: sb.Server, timeout: float) -> dict[str, list[dict]]:
    """What the mix asks for, by kind, from what the server holds: its practices and its curated queries."""
    query = sb.PROLOGUE + "SELECT ?p WHERE { ?p a sikg:SupportPractice } ORDER BY ?p"
    status, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": query}), {"Accept": ACCEPT_JSON},
                        timeout)
    iris = [b["p"]["value"] for b in json.loads(body)["results"]["bindings"]] if status == 200 else []
    iris = [iri for iri in iris if iri.startswith(PRACTICE_BASE) and "/synth-" not in iri]
    status, body = _get(server, "/queries", {"Accept": "application/json"}, timeout)
    names = [q["name"] for q in json.loads(body)] if status == 200 else []
    if not iris or not names:
        raise RuntimeError(f"{server.name}: no curated practices ({len(iris)}) or queries ({len(names)}) to mix")
    html = lambda path, language: {"path": path, "headers": {"Accept": BROWSER_ACCEPT, "Accept-Language": language}}
    pages = [html(p, lang) for p in ["/", "/practices"] + ["/id/" + iri.split("/id/", 1)[1] for iri in iris]
             for lang in LANGUAGES]
    pages += [html(f"{p['path']}?lang={lang}", "en") for p in pages[::len(LANGUAGES)] for lang in LANGUAGES[1:]]
    rdf = [{"path": "/id/" + iri.split("/id/", 1)[1], "headers": {"Accept": accept}}
           for iri in iris for accept in ("text/turtle", "application/ld+json")]
    sparql = [{"path": "/sparql?" + urllib.parse.urlencode({"query": f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"}),
               "headers": {"Accept": ACCEPT_JSON}} for iri in iris]
    queries = [{"path": f"/queries/{urllib.parse.quote(name)}", "headers": {"Accept": ACCEPT_JSON}}
               for name in names]
    return {"page": pages, "rdf": rdf, "sparql": sparql, "query": queries}


def check_mix(server: sb.Server, items: dict[str, list[dict]], timeout: float) -> dict:
    """Every curated query, and the first item of every kind in every language, asked once before the run."""
    sample = items["query"] + [items[kind][0] for kind in ("rdf", "sparql")] + items["page"][:3 * len(LANGUAGES)]
    statuses = {}
    for item in sample:
        status, body = _get(server, item["path"], item["headers"], timeout)
        statuses.setdefault(str(status), []).append(item["path"][:80])
    return {"practices": len(items["rdf"]) // 2, "queries": len(items["query"]),
            "items": {kind: len(v) for kind, v in items.items()},
            "checked": {status: len(paths) for status, paths in statuses.items()},
            "not_2xx": [p for s, paths in statuses.items() if not s.startswith("2") for p in paths]}


def _lua_string(text: str) -> str:
    if not text.isascii() or "\n" in text:
        raise ValueError(f"not a one-line ASCII string: {text!r}")
    return json.dumps(text)  # an ASCII JSON string without \u escapes is a Lua string literal


def write_mix(items: dict[str, list[dict]], path: Path) -> None:
    """The weighted request list mix.lua cycles through (same seed, same list); conditional slots are marked."""
    rng = random.Random(18)
    keys = {id(item): number for number, item in enumerate(i for kind in items.values() for i in kind)}
    kinds = list(MIX_WEIGHTS)
    lines = ["return {"]
    for kind in rng.choices(kinds, weights=[MIX_WEIGHTS[k] for k in kinds], k=MIX_LIST_LENGTH):
        item = rng.choice(items[kind])
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in item["headers"].items())
        conditional = "true" if rng.random() < MIX_CONDITIONAL else "false"
        lines.append(f"  {{kind = {_lua_string(kind)}, key = {keys[id(item)]}, path = {_lua_string(item['path'])}, "
                     f"headers = {{{headers}}}, conditional = {conditional}}},")
    path.write_text("\n".join(lines + ["}"]) + "\n")


def run_mix(server: sb.Server, mix_file: Path, connections: int, args, processes: int | None = None) -> Row:
    # One connection a wrk thread: mix.lua pairs each response with the request its thread sent last.
    script_args = [str(mix_file), str(connections)]
    server.wait_idle()
    run_wrk(server, Row(server.name, "mix", connections), "mix.lua", script_args, connections, args.warmup,
            args.timeout)
    server.wait_idle()
    return run_wrk(server, Row(server.name, "mix", connections, processes=processes), "mix.lua", script_args, connections,
                   args.seconds, args.timeout)


# -- servers and cells ----------------------------------------------------------------------------------------------

class Servers:
    """The servers running now, so that whatever happens every one of them is stopped."""

    def __init__(self, say):
        self.running: list[sb.Server] = []
        self.say = say

    def start(self, servers: list[sb.Server]) -> list[sb.Server]:
        for server in servers:
            self.running.append(server)
            server.start()
        for server in servers:
            server.wait_ready()
            self.say(f"{server.name} ready on 127.0.0.1:{server.port} after {server.ready_after:.1f} s")
        return servers

    def stop(self, servers: list[sb.Server] | None = None) -> None:
        for server in list(self.running if servers is None else servers):
            try:
                server.stop()
            except Exception as error:  # keep stopping the others
                print(f"could not stop {server.name}: {error}", file=sys.stderr)
            self.running.remove(server)


def sikg_server(name: str, store: Path, tmp: Path, processes: int | None = None, env: dict | None = None) -> sb.Server:
    port = sb._free_port()
    command = [sb._executable("sikg"), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)]
    if processes:
        command += ["--processes", str(processes)]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SIKG_")}
    return sb.Server(name, command, "/sparql", tmp / f"{name}.log", env=base_env | (env or {}), port=port)


def side_by_side(servers: list[sb.Server], cell: str, template: str, connections: list[int], args,
                 say) -> list[Row]:
    """Each connection count with every server; they take turns going first, so drift in the machine's load favours
    none of them, and each runs once all of them are idle."""
    rows = []
    for number, conns in enumerate(connections):
        turn = number % len(servers)
        for server in servers[turn:] + servers[:turn]:
            for other in servers:  # a server still starting up (sikg copies its store into memory) is not idle
                other.wait_idle()
            row = run_distinct(server, cell, template, args.practices, conns, args)
            rows.append(row)
            say(f"{cell:9} c={conns:<2} {server.name:13} {row.rps:9.1f} req/s  p50 {sb._fmt(row.p50_ms)} ms  "
                f"p99 {sb._fmt(row.p99_ms)} ms  errors {row.error_count}")
    return rows


def start_or_refuse(pool: Servers, server: sb.Server) -> str:
    """Starts `server`; returns "" or, when it stopped while starting (e.g. serve refused --processes), why."""
    try:
        pool.start([server])
        return ""
    except RuntimeError:
        lines = [l for l in server.log.read_text(errors="replace").splitlines() if l.strip()]
        pool.stop([server])
        reason = next((l for l in reversed(lines) if "sikg serve:" in l or "rror" in l), lines[-1] if lines else "")
        return reason.strip()[:300] or "did not start"


def processes_cells(pool: Servers, tmp: Path, mix_file: Path | None, args, say) -> list[Row]:
    env = {"SIKG_CONTRIB_TOKEN": "bench=" + secrets.token_hex(16)} if args.processes_contributions == "on" else {}
    rows = []
    for processes in (1, 2):
        runs = [("lookup", tmp / "sikg-store")] + ([("mix", tmp / "curated-store")] if mix_file else [])
        for cell, store in runs:
            server = sikg_server(f"sikg-p{processes}-{cell}", store, tmp, processes, env)
            refused = start_or_refuse(pool, server)
            if refused:
                rows.append(Row(server.name, cell, 8 if cell == "lookup" else 32, processes=processes, refused=refused))
                say(f"processes={processes} {cell}: refused: {refused}")
                continue
            try:
                row = (run_distinct(server, cell, LOOKUP_TEMPLATE, args.practices, 8, args, processes)
                       if cell == "lookup" else run_mix(server, mix_file, 32, args, processes))
            finally:
                pool.stop([server])
            rows.append(row)
            say(f"processes={processes} {cell:6} {row.rps:9.1f} req/s  p50 {sb._fmt(row.p50_ms)} ms  "
                f"errors {row.error_count}")
    return rows


def sparql_cells(pool: Servers, tmp: Path, cells: list[str], args, say) -> tuple[list[Row], dict]:
    servers = pool.start(sb.make_servers(tmp, not args.no_nocache, False, None))
    try:
        texts = {"lookup": [variant(LOOKUP_TEMPLATE, 7)], "aggregate": [variant(aggregate_template(), 7)]}
        checks = sb.check_servers(servers, {k: v for k, v in texts.items() if k in cells}, args.timeout, say)
        rows = []
        if "lookup" in cells:
            rows += side_by_side(servers, "lookup", LOOKUP_TEMPLATE, [8], args, say)
        if "aggregate" in cells:
            rows += side_by_side(servers, "aggregate", aggregate_template(), [1, 8], args, say)
        return rows, checks
    finally:
        pool.stop(servers)


def mix_cell(pool: Servers, tmp: Path, cells: list[str], args, say) -> tuple[list[Row], dict, Path]:
    sb._run([sb._executable("sikg"), "load", "--store", str(tmp / "curated-store")], tmp / "setup.log")
    server = pool.start([sikg_server("sikg-curated", tmp / "curated-store", tmp)])[0]
    try:
        items = mix_items(server, args.timeout)
        check = check_mix(server, items, args.timeout)
        say(f"mix: {check['practices']} practices, {check['queries']} curated queries; items {check['items']}; "
            f"checked once: {check['checked']}")
        mix_file = tmp / "mix-requests.lua"
        write_mix(items, mix_file)
        rows = []
        if "mix" in cells:
            row = run_mix(server, mix_file, 32, args)
            rows.append(row)
            say(f"mix       c=32 {server.name:13} {row.rps:9.1f} req/s  p50 {sb._fmt(row.p50_ms)} ms  "
                f"p99 {sb._fmt(row.p99_ms)} ms  errors {row.error_count}  304s {row.statuses.get('304', 0)}")
        return rows, check, mix_file
    finally:
        pool.stop([server])


# -- the report -----------------------------------------------------------------------------------------------------

def _table(rows: list[Row]) -> list[str]:
    lines = ["| cell | server | processes | conns | requests | ok | errors | 304 | req/s | p50 ms | p90 ms | p99 ms | "
             "server CPU ms/req | server cores | client cores | other cores |",
             "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.refused:
            lines.append(f"| {r.cell} | {r.server} | {r.processes or 'default'} | {r.connections} | refused to start |"
                         + " |" * 11)
            continue
        errors = ", ".join(f"{k}: {v}" for k, v in r.errors.items() if v) or "0"
        per = lambda cpu: f"{cpu / r.seconds:.2f}" if r.seconds else "-"
        lines.append(f"| {r.cell} | {r.server} | {r.processes or 'default'} | {r.connections} | {r.requests} | {r.ok} | {errors} | "
                     f"{r.statuses.get('304', 0)} | {r.rps:.1f} | {sb._fmt(r.p50_ms, digits=2)} | "
                     f"{sb._fmt(r.p90_ms, digits=2)} | {sb._fmt(r.p99_ms, digits=2)} | "
                     f"{sb._fmt(1000 * r.server_cpu / r.ok if r.ok else None, digits=2)} | {per(r.server_cpu)} | "
                     f"{per(r.client_cpu)} | {per(r.other_cpu)} |")
    return lines


def targets(rows: list[Row]) -> list[dict]:
    """Each of issue 18's targets: the measured value, its bound and whether it was met (None: not measured)."""
    find = lambda cell, server, conns=None, processes=None: next(
        (r for r in rows if r.cell == cell and r.server == server and (conns is None or r.connections == conns)
         and r.processes == processes and not r.refused and r.ok), None)
    out = []

    def add(label, value, op, bound, extra=""):
        passed = None if value is None else (value >= bound if op == ">=" else value <= bound)
        out.append({"target": label, "value": value, "op": op, "bound": bound, "passed": passed, "note": extra})
    for name, aside in (("sikg", ""), ("sikg-nocache", " (answer cache off; for information)")):
        mine, ox = find("lookup", name, 8), find("lookup", "oxigraph", 8)
        add(f"distinct lookups c=8, {name}/oxigraph req/s{aside}", sb._ratio(mine and mine.rps, ox and ox.rps),
            ">=", LOOKUP_RATIO)
        for conns in (1, 8):
            mine, ox = find("aggregate", name, conns), find("aggregate", "oxigraph", conns)
            add(f"distinct aggregates c={conns}, {name}/oxigraph p50{aside}",
                sb._ratio(mine and mine.p50_ms, ox and ox.p50_ms), "<=", AGGREGATE_P50_RATIO)
    mix = find("mix", "sikg-curated", 32)
    add("site mix c=32, sikg req/s", mix and mix.rps, ">=", MIX_RPS)
    add("site mix c=32, sikg errors", mix and mix.error_count, "<=", 0)
    for cell in ("lookup", "mix"):
        one, two = (next((r for r in rows if r.server == f"sikg-p{n}-{cell}"), None) for n in (1, 2))
        note = "; ".join(f"--processes {r.processes} refused: {r.refused}" for r in (one, two) if r and r.refused)
        value = None if note or not (one and two) else sb._ratio(two.rps, one.rps)
        add(f"--processes 2 / --processes 1, {cell} req/s", value, ">=", PROCESSES_GROWTH, note)
    return out


def render(rows: list[Row], facts: dict, data: dict, checks: dict, args) -> str:
    measured = sum(r.seconds for r in rows)
    other = sum(r.other_cpu for r in rows) / measured if measured else 0.0
    software = {"Python": facts["python"], "pyoxigraph": facts["pyoxigraph"], "oxigraph CLI": facts["oxigraph"],
                "sikg": f"{facts.get('sikg')} (source digest {facts.get('sikg_source_sha256')})"}
    machine = [f"{facts.get('cpus')} CPUs ({facts.get('cpu_model', '?')})", f"{facts.get('mem_total_gib')} GiB",
               "load average " + "/".join(facts.get("loadavg_at_start", [])) + " at start, "
               + "/".join(facts.get("loadavg_at_end", [])) + " at end",
               f"other processes (not the servers, not wrk) used {other:.2f} cores on average during the runs",
               ", ".join(f"{name} {version}" for name, version in software.items()) + f", {facts.get('wrk')}"]
    lines = [f"# sikg traffic benchmark (issue 18) — {facts['date_utc']}{' — QUICK' if args.quick else ''}", "",
             "machine: " + "; ".join(machine),
             (f"data: {args.practices} synthetic practices + the curated KG = {data['quads_in_kg_nq']} quads for "
              f"lookup/aggregate/processes; " if data else "data: ") + "the curated KG alone for the mix",
             f"runs: {args.seconds} s measured after a {args.warmup} s warm-up (its own query texts); wrk timeout "
             f"{args.timeout:g} s; distinct cells 2 wrk threads (1 at c=1), the mix one thread a connection"]
    answers = checks.get("sparql", {}).get("answers", {})
    if answers:
        lines.append("answers checked (one variant, values only): " + "; ".join(
            f"{q} {a['rows']} rows, " + ", ".join(f"{k} {'same' if v else 'DIFFERENT'}"
                                                 for k, v in list(a.values())[1].items() if k != "oxigraph")
            for q, a in answers.items()))
    if checks.get("mix"):
        m = checks["mix"]
        lines.append(f"mix: {m['practices']} practices, {m['queries']} curated queries, items {m['items']}; asked once "
                     f"before the run: {m['checked']}" + (f"; not 2xx: {m['not_2xx']}" if m["not_2xx"] else ""))
    for title, cell in (("Distinct SPARQL lookups", "lookup"), ("Distinct aggregates", "aggregate"),
                        ("A public site's mix", "mix")):
        chosen = [r for r in rows if r.cell == cell and not r.server.startswith("sikg-p")]
        if chosen:
            lines += ["", f"## {title}", "", *_table(chosen)]
    kinds = [r for r in rows if r.cell == "mix" and r.kinds]
    if kinds:
        lines += ["", "Mix statuses by kind (conditional requests sent: "
                  + ", ".join(f"{r.server} {r.conditionals}" for r in kinds) + "):", ""]
        lines += [f"- {r.server}, {kind}: " + ", ".join(f"{s} × {n}" for s, n in sorted(counts.items()))
                  for r in kinds for kind, counts in sorted(r.kinds.items())]
    chosen = [r for r in rows if r.server.startswith("sikg-p")]
    if chosen:
        lines += ["", f"## sikg serve --processes N (contributions {args.processes_contributions})", "",
                  *_table(chosen)]
        lines += [f"\n{r.server} refused to start: {r.refused}" for r in chosen if r.refused]
    lines += ["", "## Targets", ""]
    for t in targets(rows):
        verdict = "not measured" if t["value"] is None else "PASS" if t["passed"] else "FAIL"
        if t["note"]:
            verdict = "FAIL (" + t["note"] + ")"
        value = "-" if t["value"] is None else f"{t['value']:.3f}"
        lines.append(f"- {t['target']}: {value} (target {t['op']} {t['bound']:g}) {verdict}")
    return "\n".join(lines)


# -- the run --------------------------------------------------------------------------------------------------------

def measure(pool: Servers, tmp: Path, cells: list[str], args, say) -> tuple[list[Row], dict, dict]:
    rows, checks, data = [], {}, {}
    if {"lookup", "aggregate", "processes"} & set(cells):
        data = sb.build_data(tmp, args.practices, not args.no_nocache, say)
    if {"lookup", "aggregate"} & set(cells):
        found, checks["sparql"] = sparql_cells(pool, tmp, cells, args, say)
        rows += found
    mix_file = None
    if {"mix", "processes"} & set(cells):
        found, checks["mix"], mix_file = mix_cell(pool, tmp, cells, args, say)
        rows += found
    if "processes" in cells:
        rows += processes_cells(pool, tmp, mix_file, args, say)
    return rows, checks, data


def run(args) -> int:
    started = time.monotonic()
    say = lambda message: print(f"[{time.monotonic() - started:7.1f}s] {message}", file=sys.stderr, flush=True)
    wrk = wrk_path()
    facts = sb.machine_facts()
    facts["wrk"] = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.split(" [")[0].strip()
    pool = Servers(say)
    tmp = Path(tempfile.mkdtemp(prefix="sikg-traffic-", dir=args.tmpdir))
    try:
        rows, checks, data = measure(pool, tmp, args.cells.split(","), args, say)
        facts["loadavg_at_end"] = open("/proc/loadavg").read().split()[:3]
    except KeyboardInterrupt:
        say("stopped by a signal or Ctrl-C: stopping every server")
        return 130
    finally:
        pool.stop()
        (say(f"the temporary directory stays: {tmp}") if args.keep else shutil.rmtree(tmp, ignore_errors=True))
    text = render(rows, facts, data, checks, args)
    outputs = {args.markdown: text, args.json: json.dumps(
        {"facts": facts, "data": data, "checks": checks, "args": vars(args), "targets": targets(rows),
         "rows": [asdict(r) | {"req_per_s": round(r.rps, 2)} for r in rows]}, indent=2)}
    for path, content in outputs.items():
        if path:
            Path(path).write_text(content + "\n")
    print(text)
    return 1 if any(r.error_count for r in rows if r.server.startswith("sikg")) else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=20000, help="synthetic practices (default 20000)")
    parser.add_argument("--seconds", type=int, default=None, help="measured seconds per run, whole (default 15; 3 "
                        "if quick)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up seconds per run (default 2; 1 if quick)")
    parser.add_argument("--quick", action="store_true", help="a fast check: 2000 practices, 3 s per run")
    parser.add_argument("--cells", default="lookup,aggregate,mix,processes",
                        help="comma-separated: lookup, aggregate, mix, processes (default all)")
    parser.add_argument("--timeout", type=float, default=60.0, help="wrk's per-request timeout, seconds (default 60)")
    parser.add_argument("--no-nocache", action="store_true", help="skip sikg-nocache (SIKG_CACHE_BYTES=0)")
    parser.add_argument("--processes-contributions", choices=("on", "off"), default="on",
                        help="contributions in the processes cell (default on, as issue 18 asks)")
    for option, what in (("--json", "every run's numbers and the targets, as JSON"), ("--markdown", "the report"),
                         ("--tmpdir", "(a directory) the parent of the temporary directory")):
        parser.add_argument(option, help=f"also write {what} to this file" if option != "--tmpdir" else what)
    parser.add_argument("--keep", action="store_true", help="leave the temporary directory (stores, logs) behind")
    args = parser.parse_args(argv)
    if args.quick:
        args.practices = 2000
    if args.seconds is None:
        args.seconds = 3 if args.quick else 15
    if args.warmup is None:
        args.warmup = 1 if args.quick else 2
    if args.practices < 1 or args.seconds < 1 or args.warmup < 1 or args.timeout < 1:
        parser.error("--practices, --seconds, --warmup and --timeout must be at least 1")
    unknown = set(args.cells.split(",")) - {"lookup", "aggregate", "mix", "processes"}
    if unknown:
        parser.error(f"unknown cells: {', '.join(sorted(unknown))}")
    wrk_path()
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, _interrupt)
    return run(args)


def _interrupt(signum, frame):
    """SIGTERM and SIGHUP stop the servers and remove the temporary directory as Ctrl-C does."""
    raise KeyboardInterrupt()


if __name__ == "__main__":
    sys.exit(main())
