"""The embedded store: pyoxigraph in this process, in memory or on disk (RocksDB).

Queries from the SPARQL endpoint run in evaluator processes, each over a read-only snapshot of the store that is
made once per generation (sikg.evaluator), with the public graphs of that same generation as their dataset when the
store holds private ones. A query that is one triple pattern with few matches in the store is answered in this
process instead (_evaluate_bounded): its cost is bounded, and the round trip to an evaluator would be most of it.
"""

import contextlib
import gc
import os
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreUnavailable
from ..settings import Settings
from ..sparql.evaluator import EvalRequest, EvaluatorPool, Mirror, Snapshot, evaluate_here
from . import bulk
from .base import EMPTY_GRAPH, KnowledgeGraphStore, QueryEvaluator, is_private, public_request

# A snapshot that a newer one replaced is deleted only after this long, so that no process still reading it loses its
# files: an evaluator (a query runs at most the time limit) and, for the checkpoints the writer of a shared store
# publishes (store.writer), every worker process reading one until it opens the newer one at its next request, and
# the copy of it that worker is making in memory.
SNAPSHOT_GRACE_SECONDS = 120

# A query of one triple pattern is evaluated in this process, with no time limit, when the pattern matches at most
# BOUNDED_MATCHES quads in the whole store (all graphs, private ones too: at least what the query's dataset holds)
# and the dataset lists at most BOUNDED_GRAPHS graphs (Oxigraph looks the pattern up in each). Oxigraph's work is then
# one index scan of at most that many quads per graph look-up, sorted if the query says ORDER BY, and the result's
# serialization, itself capped at max_result_bytes. Measured on a loaded 2-core machine (RocksDB): 1,000 matches take
# 2 to 4 ms in any result format (the text table, drawn in Python, is the slowest), 22 ms when ORDER BY sorts 1,000
# distinct literals (Oxigraph compares them by their text); 1,000 graphs, 8 ms per query; checking the bound, 25 us
# for a lookup and 1 ms at most. Past either bound, the evaluator pool and its time limit take the query.
BOUNDED_MATCHES = 1_000
BOUNDED_GRAPHS = 1_000
# A query whose answer grows with every match (safety.QueryShape.streams) needs no count first: it is read here until
# its answer passes STREAMED_BYTES, and handed to the pool if it does. Every match adds at least 2 bytes (an empty CSV
# row), so at most 32,768 matches are read for nothing, about as long as 1,000 sorted ones; a lookup's answer is 1-3
# KB. Skipping the count gave about 8 % more distinct lookups a second (medians of 4 and 3 runs, bench/README.md).
STREAMED_BYTES = 64 * 1024


class EmbeddedStore(KnowledgeGraphStore):
    """`path`: the on-disk store's directory (None: in memory). `read_only`: the on-disk store opened without the
    write lock, by as many processes as read it; nothing may write to it meanwhile (a checkpoint the writer of a
    shared store published, read by a SharedStore). `boot`: see state_token. `copy` (read-only only): an in-memory
    copy of the store being made (evaluator.Mirror), which the queries evaluated in this process read once it is
    complete. `keep_snapshots`: other processes read this store's snapshots (the writer's, store.writer): they
    outlive this object and its process, and whoever started those processes removes the last ones once they are
    gone (store.writer.running_writer); a replaced one still goes after the grace period."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False, boot: str | None = None,
                 copy: Mirror | None = None, keep_snapshots: bool = False):
        super().__init__()
        # The state token names the store's content for HTTP caching: it changes with every write, and with every
        # start, since nothing here proves the content unchanged since the last one. Processes serving the same
        # read-only content share one `boot`, so that their ETags agree.
        self._boot = boot or uuid.uuid4().hex[:12]
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        if copy is not None and not read_only:
            raise ValueError("only a read-only store is read from a copy: a write would not reach the copy")
        self._copy, self._keep_snapshots = copy, keep_snapshots
        if read_only:
            if self.path is None:
                raise ValueError("only an on-disk store can be opened read-only")
            self._store = ox.Store.read_only(str(self.path))
        else:
            if self.path is not None:
                bulk.recover(self.path)  # a store a load moved aside, when the load was killed (see bulk.py)
                self.path.mkdir(parents=True, exist_ok=True)
            self._store = _open_on_disk(self.path) if path is not None else ox.Store()
        self._snapshots_dir: Path | None = None  # made on first use: most commands never query through evaluators
        self._snapshot: Snapshot | None = None
        self._retired: list[tuple[Snapshot, float]] = []
        self._snapshot_lock = threading.Lock()
        # Counts write starts and ends (odd while one is under way): a query that saw the same even value before and
        # after it began saw the graphs its dataset was computed from.
        self._epoch = 0
        self._graphs: tuple[int, list[str], list[str]] | None = None  # (epoch, public, private)
        # Queries evaluated in this process that are under way: a write waits for them to end before it begins, and
        # none starts while a write is under way, so that each reads the content its bound was counted on.
        self._readers = 0
        self._readers_changed = threading.Condition()
        self._snapshot_public: list[str] | None = None

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else "DIR"

    def all_graph_names(self) -> list[str]:
        """Every named graph, private ones too (for `sikg load`, which copies them: bulk.py)."""
        return sorted(g.value for g in self._store.named_graphs())

    def dump_graph(self, graph: str | None) -> bytes:
        """One graph's triples (None: the default graph's) as N-Triples, written by the engine."""
        name = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)

    def write_quads_file(self, path: str) -> None:
        """Every quad, the private graphs' too, as N-Quads from one snapshot, written by the engine to the file
        `path` with Python's lock released (the whole-KG JSON-LD export reads them from a pipe meanwhile:
        rdf/engine_pipe.py)."""
        self._store.dump(path, format=ox.RdfFormat.N_QUADS)

    def close(self) -> None:
        """Closes the store (pyoxigraph closes it once the object goes), releasing an on-disk one's lock: for
        `sikg load` (bulk.py), which replaces the directory; the object is unusable after it."""
        self._store = None
        gc.collect()

    def snapshot(self) -> Snapshot:
        """A read-only copy of the current content for the query evaluators, made once per generation."""
        return self._snapshot_and_dataset()[0]

    def _snapshot_and_dataset(self) -> tuple[Snapshot, list[str] | None]:
        """The snapshot and its public graphs (None: it holds no private graph), taken together under the lock."""
        if self.read_only:  # the directory itself does not change while it is served
            return Snapshot("rocksdb", str(self.path), self.generation), self._public()
        with self._snapshot_lock:
            snapshot = self._take_snapshot()
            return snapshot, self._snapshot_public

    def _take_snapshot(self) -> Snapshot:
        """Called with the lock held: no write runs meanwhile, so the snapshot and _public() agree."""
        generation = self.generation
        if (self._snapshot is not None and self._snapshot.generation == generation
                and os.path.exists(self._snapshot.path)):  # (taken again if its files went: see Writer.catch_up)
            return self._snapshot
        if self._snapshots_dir is None:
            self._snapshots_dir = self._make_snapshots_dir()
        target = self._snapshots_dir / f"{generation}-{uuid.uuid4().hex[:8]}"
        try:
            if self.path is not None:
                self._store.flush()
                self._store.backup(str(target))  # a RocksDB checkpoint: hard links, not a copy
                snapshot = Snapshot("rocksdb", str(target), generation)
            else:
                self._store.dump(str(target) + ".nq", ox.RdfFormat.N_QUADS)
                snapshot = Snapshot("nquads", str(target) + ".nq", generation)
        except BaseException:  # (a full disk, say): what was made of it goes; the snapshot before stays the current one
            shutil.rmtree(target, ignore_errors=True)
            Path(str(target) + ".nq").unlink(missing_ok=True)
            raise
        if self._snapshot is not None:
            self._retired.append((self._snapshot, time.monotonic()))
        self._snapshot, self._snapshot_public = snapshot, self._public()
        self.delete_old_snapshots()
        return snapshot

    def _make_snapshots_dir(self) -> Path:
        if self.path is None:
            directory = Path(tempfile.mkdtemp(prefix="sikg-snapshots-"))
        else:  # beside the store
            directory = self.path.with_name(self.path.name + ".snapshots")
            directory.mkdir(parents=True, exist_ok=True)
            # What an earlier run left: when that run was a writer that ended while the service went on (killed,
            # then started again), workers still read the checkpoint it published. Retired now, like any replaced
            # checkpoint: deleted once the grace period is over, not at once.
            leftovers = [p for p in directory.iterdir() if p.is_dir()]  # checkpoints (the file naming one stays)
            self._retired += [(Snapshot("rocksdb", str(p), -1), time.monotonic()) for p in leftovers]
        if not self._keep_snapshots:  # no other process reads them: they go with this store
            weakref.finalize(self, shutil.rmtree, str(directory), True)
        return directory

    def delete_old_snapshots(self) -> None:
        """Deletes the snapshots that a newer one replaced more than SNAPSHOT_GRACE_SECONDS ago (taking a snapshot
        does it too; a writer that takes none for a while calls it now and then)."""
        now, keep = time.monotonic(), []
        for snapshot, retired_at in self._retired:
            if now - retired_at > SNAPSHOT_GRACE_SECONDS:
                path = Path(snapshot.path)
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            else:
                keep.append((snapshot, retired_at))
        self._retired = keep

    # -- reading ---------------------------------------------------------------------------------------------
    def _graph_names(self) -> tuple[list[str], list[str]]:
        """(public, private) named graphs, sorted; listed once per write, so a query costs no extra scan."""
        epoch, cached = self._epoch, self._graphs
        if cached is not None and cached[0] == epoch and epoch % 2 == 0:
            return cached[1], cached[2]
        names = sorted(g.value for g in self._store.named_graphs())
        public, private = [g for g in names if not is_private(g)], [g for g in names if is_private(g)]
        if self._epoch == epoch and epoch % 2 == 0:
            self._graphs = (epoch, public, private)
        return public, private

    def _public(self) -> list[str] | None:
        """The public graphs when the store holds a private one; None when it holds none (nothing to hide)."""
        public, private = self._graph_names()
        return public if private else None

    def query(self, sparql: str, use_default_graph_as_union: bool = True, **options):
        # use_default_graph_as_union=False for a query with FROM / FROM NAMED: those define its dataset (SPARQL 1.1,
        # 13.2), and the union flag would override them; they were checked to name public graphs.
        if not use_default_graph_as_union or "default_graph" in options:
            return self._store.query(sparql, use_default_graph_as_union=use_default_graph_as_union, **options)
        for _ in range(3):
            epoch = self._epoch
            if epoch % 2:
                break
            result = self._query_public(sparql, self._public(), options)
            if self._epoch == epoch:  # no write began meanwhile: the dataset matches what the query reads
                return result
        with self._snapshot_lock:  # writes keep on racing this query: take it with them held off
            return self._query_public(sparql, self._public(), options)

    def _query_public(self, sparql: str, public: list[str] | None, options: dict):
        if public is None:
            return self._store.query(sparql, use_default_graph_as_union=True, **options)
        graphs = [ox.NamedNode(g) for g in public or [EMPTY_GRAPH]]
        return self._store.query(sparql, default_graph=graphs, named_graphs=graphs, **options)

    def query_private(self, sparql: str, **options):
        return self._store.query(sparql, use_default_graph_as_union=True, **options)

    def named_graphs(self) -> list[str]:
        return list(self._graph_names()[0])

    def __len__(self) -> int:
        private = self._graph_names()[1]
        hidden = sum(1 for g in private for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        return len(self._store) - hidden

    @property
    def state_token(self) -> str:
        return f"{self._boot}-{self.generation}"

    @property
    def quads_grouped(self) -> bool:
        return self.path is not None  # RocksDB iterates in key order; the in-memory store in none

    def all_quads(self) -> Iterable[ox.Quad]:
        """Every public quad: on disk grouped by graph and subject (the index order), in memory in no useful order."""
        quads = self._store.quads_for_pattern(None, None, None, None)
        if not self._graph_names()[1]:
            return quads
        return (q for q in quads if not (isinstance(q.graph_name, ox.NamedNode) and is_private(q.graph_name.value)))

    # -- writing ---------------------------------------------------------------------------------------------
    def update(self, sparql_update: str) -> None:
        """Runs a SPARQL 1.1 Update as one transaction. Internal writes only: the query endpoint never calls it."""
        with self._snapshot_lock, self._writing(atomic=True):
            self._store.update(sparql_update)

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad | ox.Triple]], progress=None) -> None:
        """Replaces each named graph with the given triples. Each graph's new content is added in one transaction,
        and no snapshot for the query evaluators is taken while the replacement is under way, so queries see the
        graphs before or after, never between."""
        with self._snapshot_lock, self._writing():
            for graph, triples in graphs.items():
                name = ox.NamedNode(graph)
                if self._store.contains_named_graph(name):
                    self._store.remove_graph(name)
                self._store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
                self._store.add_graph(name)
            if self.path is not None:
                self._store.flush()

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        with self._snapshot_lock, self._writing():
            for graph in graphs:
                self._store.remove_graph(ox.NamedNode(graph))
            if self.path is not None:
                self._store.flush()

    @contextlib.contextmanager
    def _writing(self, atomic: bool = False):
        """Marks a write under way (odd epoch) and, after it, a new generation; called with the lock held. An
        `atomic` write that failed changed nothing (Oxigraph rolled it back, or refused it on a read-only store):
        the generation, and so every ETag, stays."""
        with self._readers_changed:
            self._epoch += 1
            self._readers_changed.wait_for(lambda: not self._readers)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            with self._readers_changed:
                self._epoch += 1
            if not (atomic and failed):
                self._changed()

    @contextlib.contextmanager
    def _reading(self):
        """Yields whether a query may read the live store now (no write under way), holding writes off till it ends."""
        with self._readers_changed:
            if self._epoch % 2:
                reading = False
            else:
                reading, self._readers = True, self._readers + 1
        try:
            yield reading
        finally:
            if reading:
                with self._readers_changed:
                    self._readers -= 1
                    self._readers_changed.notify_all()

    # -- the SPARQL endpoint's evaluation ---------------------------------------------------------------------
    def query_evaluator(self, settings: Settings, pool: EvaluatorPool | None = None) -> QueryEvaluator:
        """Evaluator processes (`pool`, or a new pool sized by `settings`) over this store's snapshots, and bounded
        queries in this process: a process's interpreter bounds what it answers whatever the path, and the bounded
        path spends no pipe round trip and no evaluator's CPU (what each path answers: bench/README.md, "Issue 18")."""
        pool = pool or EvaluatorPool(settings.evaluators, settings.query_timeout, settings.max_result_bytes,
                                     settings.mirror_bytes)
        return QueryEvaluator(lambda request, deadline: self.evaluate(pool, request, deadline), pool)

    def evaluate(self, pool: EvaluatorPool, request: EvalRequest, deadline: float):
        """The SPARQL endpoint's evaluation of `request` (see query_evaluator): in this process when it is bounded,
        else by `pool` over this store's snapshot, before `deadline`."""
        if request.pattern is not None:
            answer = self._evaluate_bounded(request, pool.max_bytes)
            if answer is not None:
                return answer
        snapshot, public = self._snapshot_and_dataset()
        return pool.run(snapshot, public_request(request, public), deadline)

    def _evaluate_bounded(self, request: EvalRequest, max_bytes: int):
        """The answer to a query of one triple pattern, evaluated here (over _bounded_store) when that is bounded (see
        BOUNDED_MATCHES), over the dataset the pool would use; None when it is not (or a write is under way). The
        content read is that of the generation the caller's state token names or a newer one, never an older one,
        as a snapshot taken now would be."""
        with self._reading() as reading:
            if not reading:
                return None
            request = public_request(request, self._public())
            if max(len(request.default_graphs), len(request.named_graphs)) > BOUNDED_GRAPHS:
                return None
            store = self._bounded_store()
            if request.streams:  # past the bytes it may read here, the pool says what the whole answer is
                return evaluate_here(store, request, min(max_bytes, STREAMED_BYTES), give_up=True)
            if self._beyond_bound(store, request.pattern):
                return None
            return evaluate_here(store, request, max_bytes)

    def _bounded_store(self) -> ox.Store:
        """What a bounded query reads (with a read under way, see _reading): the copy in memory once it is complete
        (a read-only store), else the live store."""
        copy = self._copy.store if self._copy is not None else None
        return copy if copy is not None else self._store

    @staticmethod
    def _beyond_bound(store: ox.Store, pattern: tuple[str | None, str | None, str | None]) -> bool:
        """Whether more than BOUNDED_MATCHES quads of the whole store (every graph, the default one too) match the
        pattern. Oxigraph skips that many and stops at the next one: the scan is bounded too. The pattern's
        variables are distinct here whatever the query repeats, so that every quad scanned is a match."""
        s, p, o = (term or variable for term, variable in zip(pattern, ("?s", "?p", "?o")))
        beyond = f"ASK {{ {{ SELECT * {{ {s} {p} {o} }} OFFSET {BOUNDED_MATCHES} }} }}"
        try:
            return bool(store.query(beyond, use_default_graph_as_union=True))
        except (OSError, SyntaxError, ValueError):  # the store failing to read: the pool will say so, as always
            return True


def _open_on_disk(path: Path) -> ox.Store:
    """The on-disk store at `path`; StoreUnavailable (one line, exit 3 for a command) when another process holds it,
    as a running `sikg serve` does: RocksDB allows one writer process, and says so in an OSError about its LOCK."""
    try:
        return ox.Store(str(path))
    except OSError as error:
        if "LOCK" not in str(error):
            raise
        raise StoreUnavailable(f"the store at {path} is held by another process (a running sikg serve?): "
                               "stop it first") from None
