#!/usr/bin/env python3
"""What SHACL validation costs in sikg: a one-practice contribution against a small and a large store, and a large
upload against plain pySHACL. See bench/README.md ("Validation") for how to run it and what the numbers mean.

    .venv/bin/python bench/validation_bench.py            # 20,000-practice store, 2,000-practice upload
    .venv/bin/python bench/validation_bench.py --quick    # 2,000-practice store, 200-practice upload

1. Incremental validation. The contribution is data/templates/practice.ttl (one practice, one organisation, 50
   triples), validated as POST /validate and POST /contributions do it: `validate_quads(quads, store_reference(store))`.
   Two on-disk stores (the service's kind) are timed side by side, interleaved: the curated KG (35 practices), and the
   curated KG plus `sikg synth --practices 20000` loaded with `EmbeddedStore.load_files`. The store is consulted only
   for the input's own IRIs, so the two medians should be about the same (ratio ~ 1).

2. Throughput on a large upload. `sikg.synth.write_synthetic` writes a 2,000-practice file; the same rdflib graph is
   validated by sikg (`sikg.validation.validate_graph`, which `validate_quads` and `validate_files` call) and by plain
   `pyshacl.validate(data_graph, shacl_graph=<shapes>, ont_graph=<ontology>)`. Each runs in a fresh interpreter: sikg's
   validation module patches rdflib's SPARQL processor to prepare each constraint's query once, and plain pySHACL must
   not inherit that. Only the validation call is timed (not parsing, not the interpreter start).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "data" / "templates" / "practice.ttl"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


# -- 1. one contribution, small store vs large store ------------------------------------------------------------------

def incremental(workdir: Path, synth_practices: int, repetitions: int) -> dict:
    import rdflib

    from sikg.rdf.reading import parse_file
    from sikg.store import EmbeddedStore
    from sikg.synth import write_synthetic
    from sikg.validation.shacl import store_reference, to_rdflib, validate_quads

    synth = workdir / f"synth-{synth_practices}.nt"
    with open(synth, "wb") as output:
        write_synthetic(output, synth_practices)
    small, large = EmbeddedStore(workdir / "store-curated"), EmbeddedStore(workdir / "store-synth")
    for store in (small, large):
        store.load_curated()
    started = time.monotonic()
    large.load_files([synth])
    load_seconds = time.monotonic() - started
    practices = lambda store: int(next(iter(store.query(
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }")))["n"].value)

    quads = parse_file(TEMPLATE)
    graph = to_rdflib(quads)
    iris = {str(n) for n in set(graph.subjects()) | set(graph.objects()) if isinstance(n, rdflib.URIRef)}
    timings = {"curated": {"validate": [], "lookup": []}, "curated+synth": {"validate": [], "lookup": []}}
    stores = {"curated": small, "curated+synth": large}
    for name, store in stores.items():  # warm-up: caches of shapes, ontology, prepared queries, RocksDB blocks
        for _ in range(2):
            assert validate_quads(quads, store_reference(store)).conforms
    for _ in range(repetitions):
        for name, store in stores.items():  # interleaved, so that drift in the machine hits both alike
            lookup = store_reference(store)
            started = time.perf_counter()
            lookup(iris)
            timings[name]["lookup"].append(time.perf_counter() - started)
            started = time.perf_counter()
            report = validate_quads(quads, store_reference(store))
            timings[name]["validate"].append(time.perf_counter() - started)
            assert report.conforms and not report.results
    result = {"template_triples": len(quads), "looked_up_iris": len(iris), "synth_practices": synth_practices,
              "synth_load_seconds": load_seconds, "repetitions": repetitions, "stores": {}}
    for name, store in stores.items():
        result["stores"][name] = {"quads": len(store), "practices": practices(store),
                                  "validate_median": statistics.median(timings[name]["validate"]),
                                  "validate_min": min(timings[name]["validate"]),
                                  "lookup_median": statistics.median(timings[name]["lookup"])}
    result["ratio"] = (result["stores"]["curated+synth"]["validate_median"]
                       / result["stores"]["curated"]["validate_median"])
    return result


# -- 2. a large upload: sikg vs plain pySHACL -------------------------------------------------------------------------

def _worker(kind: str, data_path: str, repetitions: int) -> None:
    """Runs in a fresh interpreter; prints one JSON line with the timings."""
    import rdflib

    data = rdflib.Graph().parse(data_path, format="nt")
    times, conforms, violations, warnings = [], None, None, None
    if kind == "sikg":
        from sikg.validation.shacl import validate_graph
        for _ in range(repetitions):
            started = time.perf_counter()
            report = validate_graph(data)
            times.append(time.perf_counter() - started)
        conforms, violations, warnings = report.conforms, report.count("Violation"), report.count("Warning")
    else:
        from pyshacl import validate
        shapes, ontology = rdflib.Graph(), rdflib.Graph()
        for path in sorted((ROOT / "shapes").glob("*.ttl")):
            shapes.parse(path, format="turtle")
        ontology_dir = ROOT / "ontology"
        for path in sorted(ontology_dir.glob("*.ttl")) + sorted((ontology_dir / "alignments").glob("*.ttl")):
            ontology.parse(path, format="turtle")
        sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
        for _ in range(repetitions):
            started = time.perf_counter()
            _, report_graph, _ = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                          allow_warnings=True)
            times.append(time.perf_counter() - started)
        severities = [report_graph.value(r, sh.resultSeverity) for r in report_graph.subjects(rdflib.RDF.type,
                                                                                             sh.ValidationResult)]
        violations, warnings = severities.count(sh.Violation), severities.count(sh.Warning)
        conforms = violations == 0
    print(json.dumps({"kind": kind, "triples": len(data), "times": times, "conforms": conforms,
                      "violations": violations, "warnings": warnings}))


def throughput(workdir: Path, practices: int, repetitions: int) -> dict:
    from sikg.synth import write_synthetic

    upload = workdir / f"upload-{practices}.nt"
    with open(upload, "wb") as output:
        triples = write_synthetic(output, practices, seed=7)
    result = {"practices": practices, "triples": triples, "bytes": upload.stat().st_size}
    for kind in ("sikg", "pyshacl"):
        done = subprocess.run([sys.executable, __file__, "--worker", kind, str(upload), str(repetitions)],
                              capture_output=True, text=True, cwd=ROOT, check=True)
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        result[kind] = {**measured, "median": statistics.median(measured["times"])}
    result["ratio"] = result["pyshacl"]["median"] / result["sikg"]["median"]
    return result


# -- the report -------------------------------------------------------------------------------------------------------

def report(first: dict, second: dict) -> str:
    import pyoxigraph
    import pyshacl
    import rdflib

    lines = [f"sikg validation benchmark — {platform.python_implementation()} {platform.python_version()}, "
             f"{os.cpu_count()} CPUs, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}, "
             f"pySHACL {pyshacl.__version__}", ""]
    lines.append(f"1. One contribution (data/templates/practice.ttl, {first['template_triples']} triples, "
                 f"{first['looked_up_iris']} IRIs looked up), median of {first['repetitions']} runs, on-disk stores:")
    lines.append(f"   {'store':<16}{'quads':>10}{'practices':>11}{'validate (median)':>20}{'(min)':>13}"
                 f"{'store lookup':>15}")
    for name, row in first["stores"].items():
        lines.append(f"   {name:<16}{row['quads']:>10,}{row['practices']:>11,}{_ms(row['validate_median']):>20}"
                     f"{_ms(row['validate_min']):>13}{_ms(row['lookup_median']):>15}")
    lines.append(f"   ratio large/small: {first['ratio']:.2f}   "
                 f"(loading the {first['synth_practices']:,} synthetic practices took "
                 f"{first['synth_load_seconds']:.1f} s)")
    lines.append("")
    lines.append(f"2. One upload of {second['practices']:,} synthetic practices ({second['triples']:,} triples, "
                 f"{second['bytes'] / 1e6:.1f} MB N-Triples), validation only, median of "
                 f"{len(second['sikg']['times'])} run(s):")
    for kind, label in (("sikg", "sikg validate_graph"), ("pyshacl", "plain pyshacl.validate")):
        row = second[kind]
        lines.append(f"   {label:<24}{row['median']:>9.2f} s  {second['triples'] / row['median']:>10,.0f} triples/s"
                     f"  conforms={row['conforms']} violations={row['violations']} warnings={row['warnings']}")
    lines.append(f"   plain pySHACL / sikg: {second['ratio']:.1f}x")
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 2,000-practice store and a 200-practice upload")
    parser.add_argument("--store-practices", type=int, help="synthetic practices in the large store (20000)")
    parser.add_argument("--upload-practices", type=int, help="synthetic practices in the upload (2000)")
    parser.add_argument("--repetitions", type=int, default=21, help="runs of the one-practice validation (21)")
    parser.add_argument("--upload-repetitions", type=int, default=1, help="runs of the large validation (1)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    store_practices = args.store_practices or (2_000 if args.quick else 20_000)
    upload_practices = args.upload_practices or (200 if args.quick else 2_000)
    with tempfile.TemporaryDirectory(prefix="sikg-validation-bench-") as tmp:
        first = incremental(Path(tmp), store_practices, args.repetitions)
        second = throughput(Path(tmp), upload_practices, args.upload_repetitions)
    print(report(first, second))
    if args.json:
        args.json.write_text(json.dumps({"incremental": first, "throughput": second}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
