"""The on-disk store as one of several processes serving it (`sikg serve --processes N`): reads from the newest
checkpoint the store's writer published (store.writer), writes through the writer.

A SharedStore holds two things: the checkpoint it reads, opened read-only (an EmbeddedStore of its own for each
checkpoint, with the writer's state token and generation beside it), and the address of the writer it sends writes
to. Before each read the published file is checked (one stat: a changed inode, time or size, or half a second since
it was last read, means read it again), and the newer checkpoint opened: a write made through any process is seen by
every other at its next request. A query under way goes on reading the checkpoint it began with. A write here waits
for the writer's answer, which comes once the write is committed and, unless that failed, published, then opens what
it published: the process that wrote reads its write at once. The state token is the writer's (its boot and
generation), the same in every process for the same content, and so are ETags.

A checkpoint that can no longer be read (its directory deleted: a replaced one after the grace period, or all of them
once the service stops; a RocksDB I/O error) is replaced by the newest one published, and the read made again; when
there is none to read, the read is answered StoreUnavailable (a 503), never an error of the store's own.
"""

import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Client
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreUnavailable
from ..settings import Settings
from ..sparql.evaluator import EvalRequest, EvaluationFailed, EvaluatorPool, Mirror, Snapshot
from .base import KnowledgeGraphStore, QueryEvaluator
from .embedded import EmbeddedStore
from .writer import WriterAddress, published_file

RECHECK_SECONDS = 0.5  # the published file is read again after this long even when its stat looks unchanged
WRITE_SECONDS = 120.0  # how long a write may wait for the writer's answer (writes queue there, one at a time)
# How long a write the writer committed but could not publish (Writer.execute) waits for it to be published, polling
# every PUBLISHED_POLL_SECONDS, before it returns all the same: it is done, and only reading it back has to wait.
PUBLISHED_WAIT_SECONDS = 5.0
PUBLISHED_POLL_SECONDS = 0.1
# How long a checkpoint must stay the newest before this process copies it into memory (evaluator.Mirror): not one copy
# a write during a burst of writes (issue 31: contributions keep pace).
COPY_SETTLE_SECONDS = 1.0


@dataclass(frozen=True)
class _Checkpoint:
    """One published checkpoint as this process reads it: the store opened read-only on its directory, the writer's
    state token and generation for it, and the copy of it being made in memory (None: no copy)."""
    store: EmbeddedStore
    path: str
    state: str
    generation: int
    copy: Mirror | None


class SharedStore(KnowledgeGraphStore):
    """`path`: the on-disk store's directory, which the writer at `writer` holds open for writing."""

    def __init__(self, path: str | Path, writer: WriterAddress):
        super().__init__()
        self.store_path = Path(path)
        self._published = published_file(path)
        self._writer = writer
        self._reopen_lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None  # the published file's (inode, mtime, size) when last read
        self._read_at = 0.0
        self._copy_bytes = 0  # the budget of the checkpoint's copy in memory, see query_evaluator
        try:
            self._current = self._opened(self._read_published(), before=None)
        except OSError as error:
            raise StoreUnavailable(f"the checkpoint the store's writer published cannot be read ({error})") from error

    @property
    def location(self) -> str:
        return str(self.store_path)

    def snapshot(self) -> Snapshot:
        """The checkpoint read now, as the evaluators are given it."""
        checkpoint = self._checkpoint()
        return Snapshot("rocksdb", checkpoint.path, checkpoint.generation)

    # -- the checkpoint read ----------------------------------------------------------------------------------------
    def _read_published(self) -> dict:
        try:
            return json.loads(self._published.read_text())
        except (OSError, ValueError) as error:
            raise StoreUnavailable(f"the store's writer published nothing readable ({error})") from error

    def _opened(self, published: dict, before: _Checkpoint | None) -> _Checkpoint:
        """The checkpoint `published` names, opened, with its copy begun (which waits for the one of `before`, whose
        making is stopped). Raises OSError when it cannot be opened."""
        path = published["checkpoint"]
        copy = None
        if self._copy_bytes > 0:
            waits_for = before.copy.abandon() if before is not None and before.copy is not None else None
            copy = Mirror(Snapshot("rocksdb", path, published["generation"]), self._copy_bytes, waits_for,
                          settle=COPY_SETTLE_SECONDS)
        elif before is not None and before.copy is not None:
            before.copy.abandon()
        try:
            store = EmbeddedStore(path, read_only=True, boot=published["state"], copy=copy)
        except BaseException:
            if copy is not None:
                copy.abandon()
            raise
        return _Checkpoint(store, path, published["state"], published["generation"], copy)

    def _install(self, checkpoint: _Checkpoint) -> None:
        """With _reopen_lock held: one assignment, so that a reader sees the old checkpoint or the new one whole."""
        self._current, self.generation = checkpoint, checkpoint.generation

    def _refresh(self, now: bool = False, failed: _Checkpoint | None = None) -> None:
        """Opens the newest published checkpoint if it is not the one open; `now`: whatever the stat says; `failed`:
        that checkpoint could not be read, and is opened again even when it is still the newest."""
        try:
            stat = os.stat(self._published)
        except OSError:
            return  # the writer has stopped (the service is stopping): serve what it published last
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if not now and seen == self._seen and time.monotonic() - self._read_at < RECHECK_SECONDS:
            return
        with self._reopen_lock:
            current = self._current
            try:
                published = self._read_published()
                if (published["generation"] != current.generation or published["checkpoint"] != current.path
                        or current is failed):
                    self._install(self._opened(published, current))
            except (OSError, ValueError, KeyError, StoreUnavailable):
                return  # the writer stopped meanwhile, or published a checkpoint that went since: as above
            self._seen, self._read_at = seen, time.monotonic()

    def _checkpoint(self) -> _Checkpoint:
        self._refresh()
        return self._current

    def _read(self, read: Callable[[EmbeddedStore], object]):
        """`read` of the checkpoint; if the checkpoint cannot be read, of the newest one published, once."""
        checkpoint = self._checkpoint()
        try:
            return read(checkpoint.store)
        except (OSError, RuntimeError) as error:
            if not _unreadable(checkpoint, error):
                raise
        again = self._reopened(checkpoint)
        try:
            return read(again.store)
        except (OSError, RuntimeError) as error:
            if not _unreadable(again, error):
                raise
            raise StoreUnavailable(f"the store's published checkpoint cannot be read ({error})") from error

    def _reopened(self, failed: _Checkpoint) -> _Checkpoint:
        """The newest published checkpoint, opened anew, in place of `failed`, which could not be read; raises
        StoreUnavailable when there is none that can be read."""
        self._refresh(now=True, failed=failed)
        checkpoint = self._current
        if checkpoint is failed or not os.path.isdir(checkpoint.path):
            raise StoreUnavailable("the store's published checkpoint cannot be read, and no newer one is published")
        return checkpoint

    # -- reading: the newest published content ------------------------------------------------------------------
    def query(self, sparql: str, use_default_graph_as_union: bool = True, **options):
        return self._read(lambda store: store.query(sparql, use_default_graph_as_union, **options))

    def query_private(self, sparql: str, **options):
        return self._read(lambda store: store.query_private(sparql, **options))

    def named_graphs(self) -> list[str]:
        return self._read(lambda store: store.named_graphs())

    def __len__(self) -> int:
        return self._read(len)

    @property
    def quads_grouped(self) -> bool:
        return True  # a RocksDB checkpoint iterates in key order

    def all_quads(self) -> Iterable[ox.Quad]:
        return _unless_unreadable(iter(self._read(lambda store: store.all_quads())))

    def write_quads_file(self, path: str) -> None:
        """As EmbeddedStore.write_quads_file, from the checkpoint read now; not tried again on a newer one, as _read
        would: the file (a pipe) may hold part of the first attempt."""
        self._checkpoint().store.write_quads_file(path)

    @property
    def state_token(self) -> str:
        """Read by the SPARQL service (or the front cache for it) before it evaluates a query, so the evaluation
        reads this checkpoint or a newer one without a stat of its own (one stat of the published file a request,
        not two: bench/README.md, "Issue 18")."""
        return self._checkpoint().state

    # -- the SPARQL endpoint's evaluation -------------------------------------------------------------------------
    def query_evaluator(self, settings: Settings, pool: EvaluatorPool | None = None) -> QueryEvaluator:
        """As the embedded store's, over the checkpoint read: the evaluators open it, and the queries answered in
        this process read a copy of it in memory once the copy is complete (evaluator.Mirror, up to
        settings.worker_mirror_bytes of N-Quads, made again for each checkpoint; none by default: what the copy
        gains and costs, bench/README.md, "Issue 18" and "Memory")."""
        pool = pool or EvaluatorPool(settings.evaluators, settings.query_timeout, settings.max_result_bytes,
                                     settings.mirror_bytes)
        with self._reopen_lock:
            self._copy_bytes = settings.worker_mirror_bytes
            current = self._current
            if self._copy_bytes > 0 and current.copy is None:  # the checkpoint opened again, with a copy
                published = {"checkpoint": current.path, "state": current.state, "generation": current.generation}
                try:
                    self._install(self._opened(published, current))
                except OSError:
                    pass  # it went: the next read opens the newest one, with its copy
        return QueryEvaluator(lambda request, deadline: self._evaluate(pool, request, deadline), pool)

    def _evaluate(self, pool: EvaluatorPool, request: EvalRequest, deadline: float) -> Iterator[tuple]:
        """Over the checkpoint open now (the state token, read first, looked for a newer one). An evaluator that
        cannot open the checkpoint because its directory went (EvaluationFailed, which would be answered as the
        client's fault) has the query evaluated again over the newest checkpoint, or StoreUnavailable raised."""
        checkpoint = self._current
        answer = checkpoint.store.evaluate(pool, request, deadline)
        try:
            first = next(answer)
        except StopIteration:
            return
        except EvaluationFailed:
            answer.close()
            if os.path.isdir(checkpoint.path):
                raise  # the query's own failure
            answer = self._reopened(checkpoint).store.evaluate(pool, request, deadline)
            first = next(answer, None)
            if first is None:
                return
        try:
            yield first
            yield from answer
        finally:
            answer.close()  # hands the evaluator back to the pool when the caller stops early

    # -- writing: through the writer ------------------------------------------------------------------------------
    def update(self, sparql_update: str) -> None:
        self._write(("update", sparql_update))

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad | ox.Triple]], progress=None) -> None:
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
                 for graph, triples in graphs.items() for t in triples]
        self._write(("replace", list(graphs), ox.serialize(quads, format=ox.RdfFormat.N_QUADS)))

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        self._write(("remove", list(graphs)))

    def _write(self, request: tuple) -> None:
        """Sends the write and waits for the writer's answer; raises what Oxigraph raised if it refused it,
        StoreUnavailable if the writer does not answer. A write the writer committed returns, published or not:
        when its publication failed, this waits a little for the writer to publish it (Writer.catch_up), so that
        this process reads its own write, and returns all the same after PUBLISHED_WAIT_SECONDS."""
        self._refresh(now=True)
        before = self._current.state
        try:
            with Client(self._writer.socket, family="AF_UNIX", authkey=self._writer.authkey) as connection:
                connection.send(request)
                if not connection.poll(WRITE_SECONDS):
                    raise TimeoutError(f"no answer in {WRITE_SECONDS:.0f} s")
                outcome, detail = connection.recv()
        except (OSError, EOFError) as error:
            raise StoreUnavailable(f"the store's writer does not answer ({error})") from error
        self._refresh(now=True)
        if outcome != "ok":
            raise detail
        deadline = time.monotonic() + PUBLISHED_WAIT_SECONDS
        while self._current.state == before and time.monotonic() < deadline:  # any newer publication holds it
            time.sleep(PUBLISHED_POLL_SECONDS)
            self._refresh(now=True)


def _unreadable(checkpoint: _Checkpoint, error: Exception) -> bool:
    """Whether `error`, raised reading `checkpoint`, says it cannot be read: pyoxigraph raises RocksDB's I/O errors as
    OSError, and a file RocksDB opens only when it first needs it, gone with the checkpoint's directory, as a
    RuntimeError ("Corruption: IO error: No such file or directory")."""
    return isinstance(error, OSError) or not os.path.isdir(checkpoint.path)


def _unless_unreadable(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads; a checkpoint that fails while they are read is StoreUnavailable, not the store's own error."""
    try:
        yield from quads
    except (OSError, RuntimeError) as error:  # (RuntimeError: see _unreadable)
        raise StoreUnavailable(f"the store's published checkpoint cannot be read ({error})") from error
