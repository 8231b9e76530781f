"""`sikg load` over an on-disk store by the engine's bulk path (store/bulk.py) and over an external one in chunks
(store/upload.py), issue 32: what it replaces and what it keeps, the store swapped in whole (a load killed with
kill -9 leaves the previous content), a store in use refused, bad input refused with nothing changed, requests of
bounded size that never split a blank node, and the progress bar's rate and time left."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers import ROOT, OxigraphServer, run_cli
from sikg import progress as progress_module
from sikg.namespaces import GRAPH_CURATED, GRAPH_FILE, GRAPH_PRIVATE, GRAPH_REVISIONS, SIKG
from sikg.progress import Progress
from sikg.rdf.reading import RdfInputError
from sikg.store import EmbeddedStore, RemoteStore, bulk, upload
from sikg.store.bulk import StoreInUse, load_directory
from sikg.store.remote import INSERT_DATA_LIMIT

EX = "https://example.org/bulk/"
ELEMENT_JOIN = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?p <{SIKG}qualifiedElementSupport> ?b . ?b <{SIKG}element> ?e }} }}"
)


def count(store: ox.Store, graph: str) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def read(path: Path) -> ox.Store:
    """The store at `path`, opened read-only (as a second process would)."""
    return ox.Store.read_only(str(path))


def write_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small(tmp_path) -> Path:
    return write_file(
        tmp_path / "small.ttl",
        f"""
        @prefix ex: <{EX}> .
        ex:a ex:p "one" ; ex:q [ ex:r "inner" ] .
        _:shared ex:p ex:b .
        _:shared ex:q "two" .
    """,
    )


def a_curated_practice() -> str:
    store = EmbeddedStore()
    store.load_curated()
    rows = store.query(f"SELECT ?p WHERE {{ GRAPH <{GRAPH_CURATED}> {{ ?p a <{SIKG}SupportPractice> }} }} LIMIT 1")
    return next(iter(rows))["p"].value


def test_a_load_replaces_the_file_and_curated_graphs_and_keeps_every_other_one(tmp_path, small):
    """Contributions, private graphs (tokens, pending), an empty graph and an accepted revision stay; a revised
    resource's description in the curated files is left out (issue 26); a blank node two kept graphs share stays
    one node."""
    path, practice = tmp_path / "store", a_curated_practice()
    store = EmbeddedStore(path)
    store.load_curated()
    contribution, private, empty = EX + "graph/contribution", GRAPH_PRIVATE + "tokens-test", EX + "graph/empty"
    store.update(f"""INSERT DATA {{
        GRAPH <{contribution}> {{ <{EX}c> <{EX}p> _:n . _:n <{EX}q> "in the contribution" }}
        GRAPH <{private}> {{ <{EX}t> <{EX}p> "secret" }}
        GRAPH <{GRAPH_REVISIONS}> {{ <{practice}> <{SIKG}currentVersion> <{practice}/history/1> }}
        GRAPH <{GRAPH_FILE}small.ttl> {{ <{EX}stale> <{EX}p> "from an earlier load" }}
    }} ; CREATE GRAPH <{empty}>""")
    store._store.add(
        ox.Quad(
            ox.NamedNode(EX + "c"),
            ox.NamedNode(EX + "also"),
            next(
                q.object
                for q in store._store.quads_for_pattern(None, None, None, ox.NamedNode(contribution))
                if isinstance(q.object, ox.BlankNode)
            ),
            ox.NamedNode(private),
        )
    )  # one blank node in two graphs
    store.close()

    loaded = load_directory(path, [small])

    assert loaded == {GRAPH_FILE + "small.ttl": 5}
    after = read(path)
    assert count(after, GRAPH_FILE + "small.ttl") == 5  # the earlier load's triple is gone
    assert count(after, contribution) == 2 and count(after, private) == 2 and count(after, GRAPH_REVISIONS) == 1
    assert ox.NamedNode(empty) in set(after.named_graphs())
    assert count(after, GRAPH_CURATED) > 1000
    assert not list(after.quads_for_pattern(ox.NamedNode(practice), None, None, ox.NamedNode(GRAPH_CURATED)))
    shared = after.query(
        f"ASK {{ GRAPH <{contribution}> {{ <{EX}c> <{EX}p> ?n }} GRAPH <{private}> {{ <{EX}c> <{EX}also> ?n }} }}"
    )
    assert bool(shared)
    inner = after.query(f'ASK {{ GRAPH <{GRAPH_FILE}small.ttl> {{ ?b <{EX}p> <{EX}b> ; <{EX}q> "two" }} }}')
    assert bool(inner)  # the file's blank node, renamed, is still one node
    assert set(os.listdir(tmp_path)) == {"store", "small.ttl"}  # no staging directory left


def test_a_file_with_a_syntax_error_is_refused_with_its_line_and_the_store_is_unchanged(tmp_path, small):
    path = tmp_path / "store"
    load_directory(path, [small])
    bad = write_file(tmp_path / "bad.ttl", f'<{EX}a> <{EX}p> "fine" .\n<{EX}a> <{EX}p> oops .\n')
    with pytest.raises(RdfInputError) as refused:
        load_directory(path, [small, bad])
    assert refused.value.line == 2 and refused.value.source == str(bad)
    after = read(path)
    assert GRAPH_FILE + "bad.ttl" not in {g.value for g in after.named_graphs()}
    assert count(after, GRAPH_FILE + "small.ttl") == 5
    assert set(os.listdir(tmp_path)) == {"store", "small.ttl", "bad.ttl"}


def test_dataset_files_and_rdf_xml_keep_sikg_s_checks(tmp_path):
    """N-Quads name their own graphs: sikg puts them in the file's graph; RDF/XML with a DOCTYPE is refused."""
    quads = write_file(tmp_path / "some.nq", f"<{EX}s> <{EX}p> <{EX}o> <{EX}elsewhere> .\n")
    path = tmp_path / "store"
    assert load_directory(path, [quads]) == {GRAPH_FILE + "some.nq": 1}
    assert EX + "elsewhere" not in {g.value for g in read(path).named_graphs()}
    doctype = write_file(tmp_path / "x.rdf", '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r/>')
    with pytest.raises(RdfInputError, match="DOCTYPE"):
        load_directory(path, [doctype])


def test_a_store_another_process_holds_is_refused_and_left_as_it_was(tmp_path, small):
    path = tmp_path / "store"
    load_directory(path, [small])
    holder = EmbeddedStore(path)  # as a service serving it holds it (RocksDB's lock)
    try:
        with pytest.raises(StoreInUse):
            load_directory(path, [write_file(tmp_path / "other.ttl", f"<{EX}x> <{EX}p> 1 .\n")])
        assert GRAPH_FILE + "other.ttl" not in holder.named_graphs()
    finally:
        holder.close()
    assert not [p for p in os.listdir(tmp_path) if ".loading-" in p]


@pytest.mark.slow
def test_the_swap_takes_the_lock_rocksdb_takes_and_is_refused_while_another_process_holds_the_store(tmp_path, small):
    """The lock bulk._swap_in holds while it exchanges the directories is the one a store's process holds: a service
    that opened the store between the load closing it and the swap makes the swap refuse."""
    path = tmp_path / "store"
    load_directory(path, [small])
    with bulk._locked(path):
        pass  # nobody holds it: taken and released
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"open"
        with pytest.raises(StoreInUse), bulk._locked(path):
            pass
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_store_a_load_moved_aside_is_put_back_when_the_load_died_before_moving_the_new_one_in(tmp_path, small):
    """Where the file system cannot exchange two directories in one rename (bulk._swap_in's fallback)."""
    path = tmp_path / "store"
    load_directory(path, [small])
    os.rename(path, tmp_path / "store.replaced")  # killed between the two renames
    reopened = EmbeddedStore(path)
    assert GRAPH_FILE + "small.ttl" in reopened.named_graphs()


@pytest.mark.slow
def test_a_load_killed_mid_way_leaves_the_previous_content_intact_and_queryable(tmp_path, small):
    """kill -9 while `sikg load` bulk-loads a big file (its staging directory exists): the store holds what it held
    before, answers queries, and the next load deletes what the killed one left."""
    path, big = tmp_path / "store", tmp_path / "big.ttl"
    subprocess.run(
        [sys.executable, "-m", "sikg.cli", "synth", "--practices", "20000", "-o", str(big)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert run_cli("load", "--store", str(path), str(small)).returncode == 0
    before = sorted(map(str, read(path)))
    load = subprocess.Popen(
        [sys.executable, "-m", "sikg.cli", "load", "--store", str(path), str(big)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not [p for p in tmp_path.iterdir() if ".loading-" in p.name and (p / "CURRENT").exists()]:
        assert load.poll() is None and time.monotonic() < deadline, "the load ended before it could be killed"
        time.sleep(0.01)
    time.sleep(0.3)  # into the bulk load of the file
    os.kill(load.pid, signal.SIGKILL)
    load.wait()
    assert load.returncode == -signal.SIGKILL

    after = read(path)
    assert sorted(map(str, after)) == before
    assert count(after, GRAPH_FILE + "small.ttl") == 5 and not count(after, GRAPH_FILE + "big.ttl")
    del after
    again = run_cli("load", "--store", str(path), str(small))
    assert again.returncode == 0, again.stderr
    assert not [p for p in os.listdir(tmp_path) if ".loading-" in p]


@pytest.mark.slow
def test_sikg_load_of_a_synthetic_file_keeps_its_blank_nodes_joined_and_says_its_rate(tmp_path):
    big = tmp_path / "synth.ttl"
    subprocess.run(
        [sys.executable, "-m", "sikg.cli", "synth", "--practices", "300", "-o", str(big)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    result = run_cli("load", "--store", str(tmp_path / "store"), str(big))
    assert result.returncode == 0, result.stderr
    assert "quads/s)" in result.stdout
    links = sum(1 for line in open(big) if "qualifiedElementSupport" in line)
    store = read(tmp_path / "store")
    joined = int(next(iter(store.query(ELEMENT_JOIN.replace("GRAPH ?g", f"GRAPH <{GRAPH_FILE}synth.ttl>"))))["n"].value)
    assert joined == links


# -- an external store: chunks ---------------------------------------------------------------------------------


def test_chunks_are_bounded_and_never_split_a_blank_node():
    triples = []
    for i in range(400):
        node = ox.BlankNode()
        triples += [ox.Triple(ox.NamedNode(f"{EX}p{i}"), ox.NamedNode(EX + "has"), node)] + [
            ox.Triple(node, ox.NamedNode(f"{EX}v{j}"), ox.Literal("x" * 50)) for j in range(5)
        ]
    bodies = list(upload.chunks(triples, max_bytes=4000))
    assert len(bodies) > 10 and sum(n for _, n in bodies) == len(triples)
    seen: dict[str, int] = {}
    for number, (body, _) in enumerate(bodies):
        assert len(body) < 4000 + 6 * 200  # past the bound by at most one description
        for parsed in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            for term in (parsed.subject, parsed.object):
                if isinstance(term, ox.BlankNode):
                    assert seen.setdefault(term.value, number) == number  # every chunk its own blank nodes
    assert list(upload.chunks([])) == [(b"", 0)]


@pytest.mark.slow
def test_an_external_store_gets_a_big_graph_in_chunks_put_then_posted(tmp_path, monkeypatch):
    server = OxigraphServer(tmp_path / "oxigraph")
    server.start()
    try:
        store = RemoteStore(server.query_url)
        monkeypatch.setattr(upload, "CHUNK_BYTES", 200_000)
        sent = []
        request = store._request

        def recording(method, url, **options):
            sent.append(method)
            return request(method, url, **options)

        monkeypatch.setattr(store, "_request", recording)
        graph = GRAPH_FILE + "many.ttl"
        triples = [
            ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"value {i}"))
            for i in range(INSERT_DATA_LIMIT + 1000)
        ]  # more than one update request takes
        store.replace_graphs({graph: [ox.Triple(ox.NamedNode(EX + "old"), ox.NamedNode(EX + "p"), ox.Literal("o"))]})
        sent.clear()
        upload_progress = Progress(stream=_Terminal())
        store.replace_graphs({graph: triples}, progress=upload_progress)
        assert sent[0] == "PUT" and set(sent[1:-1]) == {"POST"} and len(sent) > 5  # then the state token's update
        assert int(
            next(iter(store.query_private(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))[
                "n"
            ].value
        ) == len(triples)
        assert f"{len(triples):,} of {len(triples):,} quads" in upload_progress.stream.getvalue()
    finally:
        server.stop()


# -- the progress bar ------------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_a_rate_and_the_time_left_once_a_stage_has_run_a_second(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: now[0])
    bar = Progress(stream=_Terminal())
    bar.advance("sending x", 0, 300_000, unit="quads")
    now[0] += 0.5
    bar.advance("sending x", 50_000, 300_000, unit="quads")
    assert "quads/s" not in bar.stream.getvalue()  # too early to say
    now[0] += 1.5
    bar.advance("sending x", 100_000, 300_000, unit="quads")
    assert bar.stream.getvalue().endswith("100,000 of 300,000 quads  50,000 quads/s  ETA 4 s")
    now[0] += 2
    bar.advance("loading f.ttl", 10_000_000, 40_000_000)  # a new stage starts its own clock
    now[0] += 2
    bar.advance("loading f.ttl", 20_000_000, 40_000_000)
    assert bar.stream.getvalue().endswith("20.0 of 40.0 MB  5.0 MB/s  ETA 4 s")  # from where it began


def test_the_bulk_path_reports_the_bytes_it_has_parsed(tmp_path, small):
    bar = Progress(stream=_Terminal())
    load_directory(tmp_path / "store", [small], bar)
    bar.done()
    drawn = bar.stream.getvalue()
    assert "loading small.ttl [" in drawn and "100%" in drawn and "indexing small.ttl" in drawn


def test_bulk_formats_are_the_triple_syntaxes_the_engine_parses_from_a_file():
    assert all(not f.supports_datasets for f in bulk.BULK_FORMATS)
