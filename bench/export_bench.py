#!/usr/bin/env python3
"""sikg's JSON-LD exports against rdflib's JSON-LD serializer, on one synthetic KG, side by side.

    .venv/bin/python bench/export_bench.py                # 20,000 synthetic practices + the curated KG
    .venv/bin/python bench/export_bench.py --quick        # 2,000 practices
    .venv/bin/python bench/export_bench.py --frame-timeout 300 --json out.json
    .venv/bin/python bench/export_bench.py --workdir /tmp/exportbench --repeat 5 --skip sikg-jsonld-memory,\
        sikg-http-kept,rdflib-jsonld,oxigraph-jsonld,sikg-schema.org,sikg-practices   # issue 28 item 5's ratio

Setup (in a temporary directory, removed at the end; with --workdir DIR in DIR, kept, and what is there reused):
`sikg synth --practices N -o synth.nt`, `sikg load --store DIR synth.nt` (the curated KG plus the synthetic
practices, on disk), `sikg export --store DIR --format nq -o kg.nq`.

Each measurement runs in a fresh interpreter of its own (this script with --measure), so that its peak RSS
(getrusage(RUSAGE_SELF).ru_maxrss, read in the child) is its own:

  sikg-jsonld     exports.export(store, ExportRequest(JSON_LD), file): the whole KG as compact JSON-LD (what `sikg export
                  --format jsonld` and GET /export?format=jsonld do)
  sikg-jsonld-memory
                  the same from the in-memory store (`open_store("memory")` plus synth.nt loaded as `sikg load`
                  does; the load is timed apart), what `sikg serve --store memory` exports
  sikg-http-kept  GET /export?format=jsonld twice through the app over the on-disk store: the first request writes
                  the dump and keeps it (dump_files.DumpFiles), the second, timed, is what every later request gets
                  until the next write
  rdflib-jsonld   rdflib.Dataset().parse(kg.nq) (timed apart, "load"), then only ds.serialize(file, "json-ld") timed
  oxigraph-nquads, oxigraph-jsonld
                  pyoxigraph's Store.dump of the on-disk store as N-Quads / as Oxigraph's own (expanded, context-free)
                  JSON-LD: the engine's native writers, the floor set by reading the store
  sikg-schema.org exports.export(store, ExportRequest(JSON_LD, "schema.org"), file)
  sikg-practices  the practices frame, exports.export(store, ExportRequest(JSON_LD, "practices"), file): the
                  CONSTRUCT, then sikg.framing
                  written a practice at a time; afterwards the CONSTRUCT alone is timed again (a note); a run cut at
                  --frame-timeout reports the child's VmHWM as its peak RSS

The whole-KG exports (sikg-jsonld, sikg-jsonld-memory, the second GET of sikg-http-kept, rdflib-jsonld and the
oxigraph rows) are timed --repeat times (default 3) in their child and the median counts: this machine is shared and
one run of either side can be off by half. Peak RSS is over all the runs.

Afterwards the whole-KG JSON-LD files (sikg-jsonld, sikg-http-kept, rdflib-jsonld) are parsed back with pyoxigraph (also in a subprocess) and their quads counted.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve()


def _executable(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        raise SystemExit(f"export_bench: cannot find `{name}`")
    return found


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def _emit(**fields) -> None:
    """One progress/result line for the parent (stdout, flushed: a run cut by the timeout keeps what it said)."""
    print(json.dumps(fields), flush=True)


# -- the children -----------------------------------------------------------------------------------------------------

def _repeat(times: int, run) -> dict:
    """Runs `run` `times` times: the median as "seconds", and every run."""
    runs = []
    for _ in range(times):
        t0 = time.perf_counter()
        run()
        runs.append(time.perf_counter() - t0)
    return {"seconds": statistics.median(runs), "runs": runs}


def _write(out: str, write) -> None:
    with open(out, "wb") as f:
        write(f)


def measure(kind: str, store_dir: str, nq: str, out: str, repeat: int) -> None:
    t_import = time.perf_counter()
    if kind == "rdflib-jsonld":
        import rdflib
        _emit(phase="imported", seconds=time.perf_counter() - t_import, peak_mb=_peak_mb())
        t0 = time.perf_counter()
        ds = rdflib.Dataset()
        ds.parse(nq, format="nquads")
        quads = sum(1 for _ in ds.quads((None, None, None, None)))
        _emit(phase="loaded", seconds=time.perf_counter() - t0, peak_mb=_peak_mb(), quads=quads)
        runs = _repeat(repeat, lambda: _write(out, lambda f: ds.serialize(f, format="json-ld")))
        _emit(phase="done", **runs, peak_mb=_peak_mb(), bytes=os.path.getsize(out))
        return
    from sikg.rdf import exports
    from sikg import formats
    from sikg.store import EmbeddedStore, open_store
    if kind == "sikg-jsonld-memory":  # the same quads, loaded the way `sikg load` loaded the on-disk store
        t0 = time.perf_counter()
        store = open_store("memory")
        store.load_files([Path(store_dir).parent / "synth.nt"])
        _emit(phase="loaded", seconds=time.perf_counter() - t0, peak_mb=_peak_mb(), quads=len(store))
    else:
        store = EmbeddedStore(store_dir)
    _emit(phase="opened", seconds=time.perf_counter() - t_import, peak_mb=_peak_mb(), quads=len(store))
    if kind in ("sikg-jsonld", "sikg-jsonld-memory"):
        whole_kg = exports.ExportRequest(formats.JSON_LD)
        runs = _repeat(repeat, lambda: _write(out, lambda f: exports.export(store, whole_kg, f)))
        _emit(phase="done", **runs, peak_mb=_peak_mb(), bytes=os.path.getsize(out))
        return
    if kind in ("oxigraph-nquads", "oxigraph-jsonld"):  # the engine's own writers: reading the store is their floor
        import pyoxigraph as ox
        rdf_format = ox.RdfFormat.N_QUADS if kind == "oxigraph-nquads" else ox.RdfFormat.JSON_LD
        runs = _repeat(repeat, lambda: _write(out, lambda f: store._store.dump(f, rdf_format)))
        _emit(phase="done", **runs, peak_mb=_peak_mb(), bytes=os.path.getsize(out))
        return
    t0 = time.perf_counter()
    if kind == "sikg-http-kept":
        # GET /export?format=jsonld twice through the app: the first writes the dump (and keeps it), the second is
        # what every later request until the next write gets
        import dataclasses
        from sikg.web.app import create_app
        from sikg.settings import Settings
        settings = dataclasses.replace(Settings.from_environment(), evaluators=1,
                                       export_cache=str(Path(out).parent / "kept"))
        client = create_app(store, settings).test_client()
        with open(out, "wb") as f:
            f.write(client.get("/export", query_string={"format": "jsonld"}).data)
        _emit(phase="first", seconds=time.perf_counter() - t0, peak_mb=_peak_mb())
        def again(f):
            for chunk in client.get("/export", query_string={"format": "jsonld"}, buffered=False).response:
                f.write(chunk)
        runs = _repeat(repeat, lambda: _write(out, again))
        _emit(phase="done", **runs, peak_mb=_peak_mb(), bytes=os.path.getsize(out))
        return
    elif kind == "sikg-schema.org":
        with open(out, "wb") as f:
            exports.export(store, exports.ExportRequest(formats.JSON_LD, "schema.org"), f)
    elif kind == "sikg-practices":
        # what `sikg export --frame practices` and GET /export?frame=practices do; its CONSTRUCT is timed again
        # afterwards on its own (after, so that the list it builds does not count in the export's peak RSS)
        with open(out, "wb") as f:
            exports.export(store, exports.ExportRequest(formats.JSON_LD, "practices"), f)
        _emit(phase="done", seconds=time.perf_counter() - t0, peak_mb=_peak_mb(), bytes=os.path.getsize(out))
        t1 = time.perf_counter()
        triples = list(store.query((exports.FRAMES / "practices.rq").read_text(encoding="utf-8")))
        _emit(phase="construct", seconds=time.perf_counter() - t1, triples=len(triples),
              practices=sum(1 for _ in open(out, "rb")) - 2)
        return
    else:
        raise SystemExit(f"unknown kind {kind}")
    _emit(phase="done", seconds=time.perf_counter() - t0, peak_mb=_peak_mb(), bytes=os.path.getsize(out))


def count_jsonld(path: str) -> None:
    import pyoxigraph as ox
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        quads = sum(1 for _ in ox.parse(f, format=ox.RdfFormat.JSON_LD))
    with open(path, "rb") as f:
        distinct = len({(q.subject, q.predicate, q.object, q.graph_name)
                        for q in ox.parse(f, format=ox.RdfFormat.JSON_LD)})
    _emit(phase="counted", quads=quads, distinct=distinct, seconds=time.perf_counter() - t0)


# -- the parent -------------------------------------------------------------------------------------------------------

def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None


def child(args: list[str], timeout: float) -> dict:
    """Runs this script with `args` in a fresh interpreter; returns its progress lines, wall time and whether it
    was cut at `timeout`."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    cut, hwm = False, None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        cut, hwm = True, _vm_hwm_mb(proc.pid)
        proc.kill()  # this child only, by its id
        out, err = proc.communicate()
    lines = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    return {"lines": lines, "wall": time.perf_counter() - started, "cut": cut, "hwm_mb": hwm,
            "returncode": proc.returncode, "stderr": err.decode(errors="replace")[-1500:]}


def _phase(result: dict, name: str) -> dict:
    return next((line for line in result["lines"] if line.get("phase") == name), {})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=20000)
    parser.add_argument("--quick", action="store_true", help="2,000 practices")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per measurement, seconds (default 1800)")
    parser.add_argument("--frame-timeout", type=float, default=300.0, help="for the practices frame (default 300)")
    parser.add_argument("--skip", default="", help="comma-separated kinds to leave out (commands: the whole "
                        "commands `sikg export --format jsonld` and `oxigraph dump`)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs of each whole-KG export, in the same child; the median counts (default 3)")
    parser.add_argument("--json", help="also write the numbers here")
    parser.add_argument("--baseline-src", help="also time `sikg export --format jsonld` from this source tree "
                        "(`git archive COMMIT src | tar -x -C DIR`, then DIR/src), in turn with the others")
    parser.add_argument("--tmpdir", default=None)
    parser.add_argument("--workdir", help="build the synthetic KG, its store and kg.nq here, or reuse them when "
                        "they are here already, and keep them (default: a temporary directory, removed)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--count", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--nq", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(args.measure, args.store, args.nq, args.out, args.repeat)
        return 0
    if args.count:
        count_jsonld(args.count)
        return 0
    if args.quick:
        args.practices = 2000
    say = lambda message: print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
    sikg = _executable("sikg")
    tmp = Path(args.workdir or tempfile.mkdtemp(prefix="sikg-export-bench-", dir=args.tmpdir))
    tmp.mkdir(parents=True, exist_ok=True)
    results, setup = {}, {}
    try:
        for name, command in (
                ("synth", [sikg, "synth", "--practices", str(args.practices), "-o", str(tmp / "synth.nt")]),
                ("load", [sikg, "load", "--store", str(tmp / "store"), str(tmp / "synth.nt")]),
                ("export nq", [sikg, "export", "--store", str(tmp / "store"), "--format", "nq", "-o",
                               str(tmp / "kg.nq")])):
            made = {"synth": "synth.nt", "load": "store", "export nq": "kg.nq"}[name]
            if args.workdir and (tmp / made).exists():
                say(f"{name}: reusing {tmp / made}")
                continue
            say(name + " …")
            t0 = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL)
            setup[name] = time.perf_counter() - t0
        with open(tmp / "kg.nq", "rb") as f:
            nq_quads = sum(1 for line in f if line.strip() and not line.startswith(b"#"))
        setup["quads"] = nq_quads
        say(f"kg.nq: {nq_quads} quads, {os.path.getsize(tmp / 'kg.nq') / 2**20:.1f} MiB")
        kinds = [k for k in ("sikg-jsonld", "sikg-jsonld-memory", "sikg-http-kept", "rdflib-jsonld",
                             "oxigraph-nquads", "oxigraph-jsonld", "sikg-schema.org", "sikg-practices")
                 if k not in args.skip.split(",")]
        for kind in kinds:
            say(f"{kind} …")
            results[kind] = child(["--measure", kind, "--store", str(tmp / "store"), "--nq", str(tmp / "kg.nq"),
                                   "--out", str(tmp / f"{kind}.jsonld"), "--repeat", str(args.repeat)],
                                  args.frame_timeout if kind == "sikg-practices" else args.timeout)
            r = results[kind]
            say(f"{kind}: wall {r['wall']:.1f} s, cut {r['cut']}, rc {r['returncode']}, lines {r['lines']}")
            if r["returncode"] not in (0, None) and not r["cut"]:
                say(r["stderr"])
        if "commands" not in args.skip.split(","):
            results["commands"] = whole_commands(tmp, args.repeat, say, args.baseline_src)
        counts = {}
        for kind in ("sikg-jsonld", "sikg-http-kept", "rdflib-jsonld"):
            if kind in results and _phase(results[kind], "done"):
                c = child(["--count", str(tmp / f"{kind}.jsonld")], args.timeout)
                counts[kind] = _phase(c, "counted") or {"error": c["stderr"][-300:]}
                say(f"parsed back {kind}: {counts[kind]}")
    finally:
        if not args.workdir:
            shutil.rmtree(tmp, ignore_errors=True)
    print(render(args, setup, results, counts))
    if args.json:
        Path(args.json).write_text(json.dumps({"setup": setup, "results": results, "counts": counts}, indent=2))
    return 0


# Issue 28, item 5: `sikg export --format jsonld` of the on-disk store within 1.5x of Oxigraph's own dump of it.
COMMANDS_RATIO = 1.5


def whole_commands(tmp: Path, repeat: int, say, baseline_src: str | None = None) -> dict:
    """The whole commands, each a process of its own, in turn `repeat` times: `sikg export --format jsonld` of the
    on-disk store and `oxigraph dump` of the same store as N-Quads (Oxigraph's CLI: all Rust), and with
    `baseline_src` the same `sikg export` from that source tree. Medians."""
    sikg, oxigraph = _executable("sikg"), _executable("oxigraph")
    export = ["export", "--store", str(tmp / "store"), "--format", "jsonld", "-o"]
    commands = {"sikg export --format jsonld": [sikg, *export, str(tmp / "command.jsonld")],
                "oxigraph dump (N-Quads)": [oxigraph, "dump", "--location", str(tmp / "store"), "--file",
                                            str(tmp / "command.nq")]}
    if baseline_src:
        commands["sikg export (baseline)"] = ["env", f"PYTHONPATH={Path(baseline_src).resolve()}", sys.executable,
                                              "-m", "sikg.cli", *export, str(tmp / "baseline.jsonld")]
    load_before = _load_average()
    runs: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}  # user + system: what other load cannot inflate
    for number in range(repeat):
        for name, command in (list(commands.items()) if number % 2 == 0 else list(commands.items())[::-1]):
            before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL)
            runs[name].append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    medians = {name: statistics.median(times) for name, times in runs.items()}
    say("whole commands: " + "; ".join(f"{name} {medians[name]:.2f} s ({'/'.join(f'{t:.2f}' for t in runs[name])})"
                                      for name in runs))
    return {"commands": True, "runs": runs, "medians": medians, "cpu": cpu, "lines": [],
            "load average": [load_before, _load_average()]}


def _load_average() -> str:
    """The 1, 5 and 15 minute load averages: on a shared machine, how busy the other cores were."""
    return " ".join(open("/proc/loadavg").read().split()[:3])


def render_commands(result: dict) -> list[str]:
    """Each command's median against oxigraph dump's, wall and CPU; the target is sikg export's wall ratio."""
    oxigraph = "oxigraph dump (N-Quads)"
    oxigraph_s, oxigraph_cpu = result["medians"][oxigraph], statistics.median(result["cpu"][oxigraph])
    lines = ["", "Whole commands: load average {} before, {} after".format(*result.get("load average", ["?", "?"]))]
    for name, seconds in result["medians"].items():
        runs, cpu = "/".join(f"{t:.2f}" for t in result["runs"][name]), statistics.median(result["cpu"][name])
        verdict = ""
        if name == "sikg export --format jsonld":
            verdict = f" (target <= {COMMANDS_RATIO}) {'PASS' if seconds / oxigraph_s <= COMMANDS_RATIO else 'FAIL'}"
        lines.append(f"Whole commands (medians of {len(result['runs'][name])}, in turn): {name} {seconds:.2f} s "
                     f"({runs}): ratio to {oxigraph} {seconds / oxigraph_s:.2f}{verdict}; CPU (user + system) "
                     f"{cpu:.2f} s, ratio {cpu / oxigraph_cpu:.2f}")
    return lines


def render(args, setup, results, counts) -> str:
    from importlib import metadata
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("pyoxigraph", "rdflib", "PyLD"))
    lines = [f"# sikg export benchmark — {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}", "",
             f"machine: {os.cpu_count()} CPUs, load average {' '.join(open('/proc/loadavg').read().split()[:3])}; "
             f"Python {platform.python_version()}; {versions}",
             f"data: {args.practices} synthetic practices + curated KG = {setup.get('quads')} quads "
             f"(setup: synth {setup.get('synth', 0):.1f} s, sikg load {setup.get('load', 0):.1f} s, "
             f"export nq {setup.get('export nq', 0):.1f} s)", "",
             "| export | status | time s | peak RSS MiB | RSS before MiB | output MiB | quads parsed back | notes |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    commands = results.pop("commands", None)
    for kind, r in results.items():
        done = _phase(r, "done")
        before = _phase(r, "loaded") if kind == "rdflib-jsonld" else _phase(r, "opened")
        peak = done.get("peak_mb") or r["hwm_mb"] or max((l.get("peak_mb", 0) for l in r["lines"]), default=None)
        status = "ok" if done else (f"cut at {args.frame_timeout:g} s" if r["cut"] else f"failed rc {r['returncode']}")
        notes = []
        if kind == "rdflib-jsonld" and before:
            notes.append(f"load (parse kg.nq into Dataset) {before['seconds']:.1f} s, not counted")
        if kind == "sikg-jsonld-memory" and _phase(r, "loaded"):
            notes.append(f"load (curated + synth.nt into the in-memory store) {_phase(r, 'loaded')['seconds']:.1f} s,"
                         " not counted")
        if kind == "sikg-http-kept" and _phase(r, "first"):
            notes.append(f"second GET, from the kept file; the first GET (writes and keeps it) "
                         f"{_phase(r, 'first')['seconds']:.1f} s")
        if len(done.get("runs", [])) > 1:
            notes.append("median of " + "/".join(f"{t:.2f}" for t in done["runs"]) + " s")
        construct = _phase(r, "construct")
        if construct:
            notes.append(f"of which the CONSTRUCT alone {construct['seconds']:.1f} s ({construct['triples']:,} "
                         f"triples; {construct['practices']:,} practices framed)")
        count = counts.get(kind, {})
        counted = f"{count['quads']:,} ({count['distinct']:,} distinct)" if "quads" in count else "-"
        lines.append(f"| {kind} | {status} | {done['seconds']:.1f} | " if done else f"| {kind} | {status} | "
                     f">{r['wall']:.0f} | ")
        lines[-1] += (f"{peak:.0f} | {before.get('peak_mb', 0):.0f} | "
                      f"{done['bytes'] / 2**20:.1f} | {counted} | {'; '.join(notes)} |" if done else
                      f"{peak or 0:.0f} | {before.get('peak_mb', 0):.0f} | - | - | {'; '.join(notes)} |")
    r = _phase(results.get("rdflib-jsonld", {"lines": []}), "done")
    for kind, what in (("sikg-jsonld-memory", "in-memory store, written now"),
                       ("sikg-http-kept", "GET /export again, the kept dump")):
        k = _phase(results.get(kind, {"lines": []}), "done")
        if k and r:
            lines.append(f"{kind} ({what}): rdflib/sikg {r['seconds'] / k['seconds']:.1f}× slower — "
                         f"≥ 10×: {'PASS' if r['seconds'] >= 10 * k['seconds'] else 'FAIL'}; peak RSS "
                         f"{k['peak_mb'] / r['peak_mb']:.3f} of rdflib's")
    for kind in ("oxigraph-nquads", "oxigraph-jsonld"):
        o = _phase(results.get(kind, {"lines": []}), "done")
        if o and r:
            lines.append(f"{kind} (Oxigraph's own writer, on-disk store): rdflib/oxigraph {r['seconds'] / o['seconds']:.1f}×"
                         " — no writer reading this store can beat this by much")
    s = _phase(results.get("sikg-jsonld", {"lines": []}), "done")
    if s and r:
        lines += ["", f"sikg/rdflib (whole KG as JSON-LD): time {s['seconds'] / r['seconds']:.3f} "
                      f"(rdflib/sikg {r['seconds'] / s['seconds']:.1f}× slower), peak RSS "
                      f"{s['peak_mb'] / r['peak_mb']:.3f}, output size {s['bytes'] / r['bytes']:.3f}"]
        a, b = counts.get("sikg-jsonld", {}), counts.get("rdflib-jsonld", {})
        if "distinct" in a and "distinct" in b:
            lines.append(f"same quads parsed back: {'yes' if a['distinct'] == b['distinct'] == setup['quads'] else 'NO'}"
                         f" (sikg {a['distinct']:,}, rdflib {b['distinct']:,}, kg.nq {setup['quads']:,})")
        lines.append(f"sikg-jsonld (on-disk store, written now): time ≥ 10× faster: "
                     f"{'PASS' if r['seconds'] >= 10 * s['seconds'] else 'FAIL'}; "
                     f"peak RSS below rdflib's: {'PASS' if s['peak_mb'] < r['peak_mb'] else 'FAIL'}")
    if commands:
        lines += render_commands(commands)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
