#!/usr/bin/env python3
"""A large upload through POST /validate, side by side with pyrudof and plain pySHACL on the same data (issue 25,
item 4). See bench/README.md ("A 2,000-practice upload: sikg vs pyrudof vs pySHACL") for what the numbers mean.

    .venv/bin/pip install pyrudof==0.3.35                    # or .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/upload_bench.py                   # 2,000 practices, 7 rounds, pySHACL once (~1.5 min)
    .venv/bin/python bench/upload_bench.py --no-pyshacl      # without the slow one
    .venv/bin/python bench/upload_bench.py --practices 4000 --json numbers.json

In one run, on one machine: `sikg synth --practices N` (seed 0) is the upload. `sikg serve --store memory` is started
on a loopback port, and the Core shapes (GET /shapes?profile=core) and the ontology (GET /ontology) are read from it.
Then, interleaved round by round so that drift in the machine hits all alike:

- sikg: POST /validate with the upload as N-Triples, timed from the first byte sent to the last byte of the report
  read (JSON, the default): parsing, the store's reference lookups, validation with the full shapes (Core and
  SHACL-SPARQL), writing the report. The service is warmed up by one upload first, as a running service is.
- pyrudof: in a fresh interpreter, the upload plus the ontology (as one N-Triples text) and the Core shapes are read
  (read_data, read_shacl) and validated (validate_shacl), once to warm up and once timed; both the whole call
  sequence ("load + validate") and validate_shacl alone are kept.

And once, in a fresh interpreter: plain pySHACL, `pyshacl.validate(data, shacl_graph=<Core shapes>,
inference="none", allow_warnings=True)` on the same data, the call alone timed.

Each engine's results are counted by (focus node, path, constraint component, severity), blank nodes counted as one
"[blank node]" (their labels differ between parsers), and the counts must agree. The memory figure is the peak
resident set (VmHWM) of the service's worker process against its resident set just before the first upload.
"""

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from load import Server, get

ROOT = Path(__file__).resolve().parents[1]


# -- the engines other than sikg, each in a fresh interpreter ----------------------------------------------------------

def _pyrudof_worker(data_path: str, shapes_path: str) -> dict:
    import pyrudof

    data, shapes = Path(data_path).read_text(encoding="utf-8"), Path(shapes_path).read_text(encoding="utf-8")
    for _ in range(2):  # the first to warm up, the second timed
        started = time.perf_counter()
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(data, format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(shapes, format=pyrudof.ShaclFormat.NTriples)
        loaded = time.perf_counter()
        report = rudof.validate_shacl()
        done = time.perf_counter()
    results = Counter()
    for entry in report:
        focus = entry.focus_node
        results[(_blank(focus), entry.path or None, entry.constraint_component, str(entry.severity))] += 1
    return {"version": pyrudof.__version__ if hasattr(pyrudof, "__version__") else rudof.get_version(),
            "load_and_validate": done - started, "validate": done - loaded, "results": _listed(results)}


def _pyshacl_worker(data_path: str, shapes_path: str) -> dict:
    import pyshacl
    import rdflib

    data = rdflib.Graph().parse(data_path, format="nt")
    shapes = rdflib.Graph().parse(shapes_path, format="nt")
    started = time.perf_counter()
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    elapsed = time.perf_counter() - started
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    results = Counter()
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus, path = report.value(result, sh.focusNode), report.value(result, sh.resultPath)
        severity = str(report.value(result, sh.resultSeverity)).rsplit("#", 1)[-1]
        results[("[blank node]" if isinstance(focus, rdflib.BNode) else str(focus), None if path is None else str(path),
                 str(report.value(result, sh.sourceConstraintComponent)), severity)] += 1
    return {"version": pyshacl.__version__, "validate": elapsed, "results": _listed(results)}


def _stages_worker(upload_path: str, repetitions: str) -> dict:
    """Where the time of POST /validate goes, in process, over the curated KG in memory (as `--store memory`): each
    stage timed on its own, medians of `repetitions` runs after one to warm up; then the Python heap's peak
    (tracemalloc) of one validation and its JSON report."""
    import resource
    import tracemalloc

    import pyoxigraph as ox

    from sikg.rdf import reading
    from sikg.store import open_store
    from sikg.validation import engine as fast
    from sikg.validation import shacl

    body, store = Path(upload_path).read_bytes(), open_store("memory")
    timed: dict[str, list[float]] = {}  # stage -> its time in each run
    this_run: dict[str, float] = {}  # stage -> its time so far in this run (a stage may be called several times)

    def timing(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                this_run[name] = this_run.get(name, 0.0) + time.perf_counter() - started
        return wrapper

    fast.Engine.validate = timing("  the engine, all shapes", fast.Engine.validate)
    fast.Engine._store_of_data = timing("    of which the SPARQL store", fast.Engine._store_of_data)
    fast.Engine._select = timing("    of which the SPARQL queries", fast.Engine._select)
    shacl._results = timing("  the results as the report lists them", shacl._results)
    reference = shacl.store_reference(store)
    lookup = timing("  the store's reference lookups", lambda iris, subjects=frozenset(): reference(iris, subjects))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for run in range(int(repetitions) + 1):
        this_run.clear()
        started = time.perf_counter()
        quads = reading.parse_upload(body, ox.RdfFormat.N_TRIPLES, "upload")
        parsed = time.perf_counter()
        report = shacl.validate_quads(quads, lookup)
        validated = time.perf_counter()
        report.to_json()
        done = time.perf_counter()
        this_run.update({"parse": parsed - started, "validate_quads": validated - parsed,
                         "the JSON report": done - validated, "total": done - started})
        if run:  # the first warms up
            for name, seconds in this_run.items():
                timed.setdefault(name, []).append(seconds)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    report = shacl.validate_quads(reading.parse_upload(body, ox.RdfFormat.N_TRIPLES, "upload"),
                                  shacl.store_reference(store))
    report.to_json()
    heap_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    order = ["parse", "validate_quads", "  the store's reference lookups", "  the engine, all shapes",
             "    of which the SPARQL store", "    of which the SPARQL queries",
             "  the results as the report lists them", "the JSON report", "total"]
    return {"stages": {name: statistics.median(timed[name]) for name in order if name in timed},
            "python_heap_peak": heap_peak, "rss_before": rss_before, "rss_peak": rss_after}


def _blank(node: str) -> str:
    return "[blank node]" if node.startswith("_:") or node.startswith("[") else node


def _listed(results: Counter) -> list:
    return sorted([list(key) + [n] for key, n in results.items()], key=lambda row: [str(x) for x in row])


def _in_fresh_interpreter(kind: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", kind, *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {kind} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- sikg --------------------------------------------------------------------------------------------------------------

def post_validate(base: str, body: bytes) -> tuple[float, dict, int]:
    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=600)
    try:
        started = time.perf_counter()
        connection.request("POST", "/validate", body=body, headers={"Content-Type": "application/n-triples"})
        response = connection.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"POST /validate answered {response.status}: {payload[:500]!r}")
    return elapsed, json.loads(payload), len(payload)


def sikg_results(report: dict) -> list:
    results = Counter((_blank(r["focusNode"]), r["path"], r["sourceConstraintComponent"], r["severity"])
                      for r in report["results"])
    return _listed(results)


def process_tree(pid: int) -> list[int]:
    """pid and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def memory(pid: int) -> dict:
    """VmRSS and VmHWM (the peak) of a process, in bytes."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, amount, _ = line.split()
                values[name.rstrip(":")] = int(amount) * 1024
    except OSError:
        pass
    return values


# -- the run -----------------------------------------------------------------------------------------------------------

def run(args, workdir: Path) -> dict:
    from sikg.synth import write_synthetic

    upload = workdir / f"upload-{args.practices}.nt"
    with open(upload, "wb") as output:
        triples = write_synthetic(output, args.practices)
    body = upload.read_bytes()
    server = Server(2, workdir / "serve.log")
    try:
        status, shapes = get(server.url, "/shapes?profile=core&format=nt")
        status_ontology, ontology = get(server.url, "/ontology?format=nt")
        assert status == status_ontology == 200, (status, status_ontology)
        shapes_path, data_path = workdir / "core-shapes.nt", workdir / "data.nt"
        shapes_path.write_bytes(shapes)
        data_path.write_bytes(body + b"\n" + ontology)
        before = {pid: memory(pid) for pid in process_tree(server.process.pid)}
        post_validate(server.url, body)  # warm-up: the shapes compiled, the first request's costs paid
        sikg_times, rudof = [], []
        for _ in range(args.rounds):
            elapsed, report, size = post_validate(server.url, body)
            sikg_times.append(elapsed)
            rudof.append(_in_fresh_interpreter("pyrudof", str(data_path), str(shapes_path)))
        after = {pid: memory(pid) for pid in process_tree(server.process.pid)}
    finally:
        server.stop()
    pyshacl = None if args.no_pyshacl else _in_fresh_interpreter("pyshacl", str(data_path), str(shapes_path))
    stages = _in_fresh_interpreter("stages", str(upload), str(args.rounds))
    worker = max(after, key=lambda pid: after[pid].get("VmHWM", 0) - before.get(pid, {}).get("VmRSS", 0))
    result = {
        "practices": args.practices, "triples": triples, "bytes": len(body), "rounds": args.rounds,
        "sikg": {"times": sikg_times, "median": statistics.median(sikg_times), "conforms": report["conforms"],
                 "results": sikg_results(report), "response_bytes": size},
        "pyrudof": {"version": rudof[0]["version"],
                    "load_and_validate": [r["load_and_validate"] for r in rudof],
                    "validate": [r["validate"] for r in rudof], "results": rudof[-1]["results"]},
        "memory": {"worker_rss_before": before.get(worker, {}).get("VmRSS"), "worker_peak": after[worker].get("VmHWM")},
        "in_process": stages,
    }
    for key in ("load_and_validate", "validate"):
        result["pyrudof"][key + "_median"] = statistics.median(result["pyrudof"][key])
    if pyshacl:
        result["pyshacl"] = pyshacl
    result["ratio_to_pyrudof_validate"] = result["sikg"]["median"] / result["pyrudof"]["validate_median"]
    result["ratio_to_pyrudof_load_and_validate"] = (result["sikg"]["median"]
                                                   / result["pyrudof"]["load_and_validate_median"])
    if pyshacl:
        result["pyshacl_over_sikg"] = pyshacl["validate"] / result["sikg"]["median"]
    engines = [result["sikg"]["results"], result["pyrudof"]["results"]] + ([pyshacl["results"]] if pyshacl else [])
    result["same_results"] = all(r == engines[0] for r in engines)
    return result


def report(r: dict) -> str:
    import pyoxigraph
    import pyshacl
    import rdflib

    total = lambda rows: sum(row[-1] for row in rows)
    severities = lambda rows: {s: sum(row[-1] for row in rows if row[3] == s) for s in ("Violation", "Warning")}
    mb = lambda n: f"{n / 2**20:,.0f} MiB" if n else "?"
    lines = [f"sikg upload benchmark — {platform.python_implementation()} {platform.python_version()}, "
             f"{os.cpu_count()} CPUs, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}, "
             f"pySHACL {pyshacl.__version__}, pyrudof {r['pyrudof']['version']}", "",
             f"Upload: {r['practices']:,} synthetic practices, {r['triples']:,} triples, {r['bytes'] / 1e6:.1f} MB "
             f"N-Triples; medians of {r['rounds']} interleaved rounds", ""]
    rows = [("sikg POST /validate (full shapes)", r["sikg"]["median"], r["sikg"]["results"]),
            ("pyrudof validate_shacl (Core)", r["pyrudof"]["validate_median"], r["pyrudof"]["results"]),
            ("pyrudof load + validate (Core)", r["pyrudof"]["load_and_validate_median"], r["pyrudof"]["results"])]
    if "pyshacl" in r:
        rows.append(("plain pySHACL, one run (Core)", r["pyshacl"]["validate"], r["pyshacl"]["results"]))
    for label, seconds, results in rows:
        counts = severities(results)
        lines.append(f"   {label:<36}{seconds:>8.2f} s   {total(results):>6,} results "
                     f"({counts['Violation']:,} violations, {counts['Warning']:,} warnings)")
    lines.append("")
    lines.append(f"   sikg / pyrudof validate_shacl:        {r['ratio_to_pyrudof_validate']:.2f}x")
    lines.append(f"   sikg / pyrudof load + validate:       {r['ratio_to_pyrudof_load_and_validate']:.2f}x")
    if "pyshacl_over_sikg" in r:
        lines.append(f"   plain pySHACL / sikg:                 {r['pyshacl_over_sikg']:.1f}x")
    lines.append(f"   the same results (focus, path, component, severity): {r['same_results']}")
    lines.append(f"   sikg runs: {', '.join(f'{t:.2f}' for t in r['sikg']['times'])} s; "
                 f"report {r['sikg']['response_bytes'] / 1e6:.1f} MB of JSON")
    m, p = r["memory"], r["in_process"]
    lines.append(f"   service worker: {mb(m['worker_rss_before'])} resident before the first upload, "
                 f"peak {mb(m['worker_peak'])} (VmHWM)")
    lines += ["", "In process (over the curated KG in memory), medians:"]
    lines += [f"   {name:<36}{seconds:>8.3f} s" for name, seconds in p["stages"].items()]
    lines.append(f"   peak of the Python heap for one validation and its JSON report: {mb(p['python_heap_peak'])}; "
                 f"resident set {mb(p['rss_before'])} before, peak {mb(p['rss_peak'])}")
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--worker":
        worker = {"pyrudof": _pyrudof_worker, "pyshacl": _pyshacl_worker, "stages": _stages_worker}[sys.argv[2]]
        print(json.dumps(worker(*sys.argv[3:])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=2000, help="synthetic practices in the upload (2000)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds of sikg and pyrudof (7)")
    parser.add_argument("--no-pyshacl", action="store_true", help="leave plain pySHACL out (it takes ~30 s)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    try:
        import pyrudof  # noqa: F401 - only to say how to install it
    except ImportError:
        raise SystemExit("pyrudof is not installed: .venv/bin/pip install pyrudof==0.3.35 (or -e '.[bench]')") from None
    with tempfile.TemporaryDirectory(prefix="sikg-upload-bench-") as tmp:
        result = run(args, Path(tmp))
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["same_results"] else 1


if __name__ == "__main__":
    sys.exit(main())
