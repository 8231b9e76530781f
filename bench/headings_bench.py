#!/usr/bin/env python3
"""The time to make a spreadsheet's `Headings` (contributions/spreadsheet.py: what an upload's headings are read with,
made again after every write to the store), in this tree and in a baseline tree, side by side. See bench/README.md
("Spreadsheet headings read by their numbers") for the figures.

    rm -rf /tmp/hbase && mkdir /tmp/hbase && git archive <commit> src | tar -x -C /tmp/hbase
    .venv/bin/python bench/headings_bench.py --baseline-src /tmp/hbase/src            # medians of 5 (~1 min)
    .venv/bin/python bench/headings_bench.py --baseline-src /tmp/hbase/src --repeat 9

Each tree gets a worker process of its own (the baseline's with PYTHONPATH=<baseline-src>; both read this checkout's
ontology, shapes and data through SIKG_HOME) holding the curated KG in memory (`open_store("memory")`), warmed up by
one `Headings` of each language. Then, round by round and tree after tree (so that drift in the machine hits both
alike), each worker makes `Headings(store, language)` for "en" and "sv" afresh (never `headings_for`'s cache) and
reports the CPU time it took (time.process_time), and then the time to read every heading of that language's
template with it (`column`), as the first upload after a write does, and both together. A full garbage collection
runs before each round, untimed. Medians, and the ratio baseline / this tree.
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "sv")


def worker() -> None:
    """Answers lines on stdin: a language, with the CPU seconds to make its Headings and to read its template's
    headings with them, as JSON lines."""
    import sikg
    from sikg.contributions import spreadsheet
    from sikg.store import open_store

    store = open_store("memory")
    headings = {lang: [c.heading for c in spreadsheet.template(store, lang).columns] for lang in LANGUAGES}
    for lang in LANGUAGES:
        spreadsheet.Headings(store, lang)
    print(json.dumps({"source": sikg.__file__}), flush=True)
    for line in sys.stdin:
        lang = line.strip()
        gc.collect()  # what the last round left is not this round's to collect
        started = time.process_time()
        made = spreadsheet.Headings(store, lang)
        making = time.process_time() - started
        started = time.process_time()
        unknown = sum(made.column(h) is None for h in headings[lang])
        reading = time.process_time() - started
        print(json.dumps({"make": making, "read": reading, "headings": len(headings[lang]), "unknown": unknown}),
              flush=True)


def start(baseline_src: str | None) -> subprocess.Popen:
    env = dict(os.environ, SIKG_HOME=str(ROOT))
    if baseline_src:
        env["PYTHONPATH"] = str(Path(baseline_src).resolve())
    return subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env, cwd="/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-src", help="the baseline tree's src/ (from git archive); required")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker()
    if not args.baseline_src:
        parser.error("--baseline-src is required")
    trees = {"baseline": start(args.baseline_src), "this tree": start(None)}
    for name, process in trees.items():
        print(f"{name}: {json.loads(process.stdout.readline())['source']}")
    times = {(name, lang, what): [] for name in trees for lang in LANGUAGES for what in ("make", "read", "both")}
    counted = {}
    for _ in range(args.repeat):
        for lang in LANGUAGES:
            for name, process in trees.items():
                process.stdin.write(lang + "\n")
                process.stdin.flush()
                answer = json.loads(process.stdout.readline())
                assert answer["unknown"] == 0, (name, lang, answer)
                counted[lang] = answer["headings"]
                times[name, lang, "make"].append(answer["make"])
                times[name, lang, "read"].append(answer["read"])
                times[name, lang, "both"].append(answer["make"] + answer["read"])
    for process in trees.values():
        process.stdin.close()
        process.wait()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU seconds, medians of {args.repeat}")
    for lang in LANGUAGES:
        for what, said in (("make", "making Headings"), ("read", f"then reading its template's {counted[lang]} "
                                                                  "headings"), ("both", "both")):
            base, now = (statistics.median(times[name, lang, what]) for name in trees)
            shown = " ".join(f"{t:.4f}" for t in times["this tree", lang, what])
            print(f"{lang}, {said}: baseline {base:.4f} s, this tree {now:.4f} s ({shown}): ratio {base / now:.2f}")


if __name__ == "__main__":
    main()
