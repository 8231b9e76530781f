"""The on-disk store as one of several processes serving it (`sikg serve --processes N`): reads from the newest
checkpoint the store's writer published (store.writer), writes through the writer.

Before each read the published file is checked (one stat: a changed inode, time or size, or half a second since it
was last read, means read it again), and the newer checkpoint opened read-only: a write made through any process is
seen by every other at its next request. A write here waits for the writer's answer, which comes once the write is
committed and published, then opens what it published: the process that wrote reads its write at once. The state
token is the writer's (its boot and generation), the same in every process for the same content, and so are ETags.
"""

import json
import os
import threading
import time
from collections.abc import Iterable
from multiprocessing.connection import Client
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreUnavailable
from ..settings import Settings
from ..sparql.evaluator import EvaluatorPool, Mirror, Snapshot
from .embedded import EmbeddedStore
from .writer import WriterAddress, published_file

RECHECK_SECONDS = 0.5  # the published file is read again after this long even when its stat looks unchanged
WRITE_SECONDS = 120.0  # how long a write may wait for the writer's answer (writes queue there, one at a time)


class SharedStore(EmbeddedStore):
    """`path`: the on-disk store's directory, which the writer at `writer` holds open for writing."""

    def __init__(self, path: str | Path, writer: WriterAddress):
        self.store_path = Path(path)
        self._published = published_file(path)
        self._writer = writer
        self._reopen_lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None  # the published file's (inode, mtime, size) when last read
        self._read_at = 0.0
        self._copy_bytes, self._copy = 0, None  # Mirror: the open checkpoint in memory, see query_evaluator
        published = self._read_published()
        super().__init__(published["checkpoint"], read_only=True)
        self._state, self.generation = published["state"], published["generation"]

    @property
    def location(self) -> str:
        return str(self.store_path)

    def _changed(self) -> None:
        """The generation is the writer's, read with the checkpoint: _writing() (around a reopening) leaves it."""

    def _read_published(self) -> dict:
        try:
            return json.loads(self._published.read_text())
        except (OSError, ValueError) as error:
            raise StoreUnavailable(f"the store's writer published nothing readable ({error})") from error

    def _refresh(self, now: bool = False) -> None:
        """Opens the newest published checkpoint if it is not the one open; `now`: whatever the stat says."""
        try:
            stat = os.stat(self._published)
        except OSError:
            return  # the writer has stopped (the service is stopping): serve what it published last
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if not now and seen == self._seen and time.monotonic() - self._read_at < RECHECK_SECONDS:
            return
        with self._reopen_lock:
            try:
                published = self._read_published()
                if published["generation"] != self.generation or published["checkpoint"] != str(self.path):
                    self._open(published)
            except (OSError, ValueError, StoreUnavailable):
                return  # the writer stopped meanwhile: as above
            self._seen, self._read_at = seen, time.monotonic()

    def _open(self, published: dict) -> None:
        store = ox.Store.read_only(published["checkpoint"])
        with self._snapshot_lock, self._writing():  # queries under way see the change (epoch) and try again
            self._store, self.path = store, Path(published["checkpoint"])
            self._state, self.generation = published["state"], published["generation"]
            self._copy_checkpoint()

    # -- bounded queries: from the checkpoint's copy in memory once it is complete ------------------------------
    def query_evaluator(self, settings: Settings, pool: EvaluatorPool | None = None):
        """As the embedded store's, and the queries it answers in this process read a copy of the checkpoint in memory
        once it is complete (evaluator.Mirror, up to settings.mirror_bytes of N-Quads, made again after each write), as
        the evaluators do: a distinct lookup read in 44 us there against 60 us from RocksDB, over 290,000 quads
        (bench/README.md, "Issue 18")."""
        with self._snapshot_lock:
            self._copy_bytes = settings.mirror_bytes
            self._copy_checkpoint()
        return super().query_evaluator(settings, pool)

    def _copy_checkpoint(self) -> None:
        """Starts copying the open checkpoint (the one before is dropped, or stopped); with _snapshot_lock held."""
        if self._copy_bytes <= 0:
            return
        before = self._copy.abandon() if self._copy is not None else None
        self._copy = Mirror(Snapshot("rocksdb", str(self.path), self.generation), self._copy_bytes, before)

    def _bounded_store(self) -> ox.Store:
        """The copy when it is complete, else the checkpoint. Never an older checkpoint's copy: _open replaces the copy
        with the checkpoint, under _writing, which no bounded query reads through."""
        store = self._copy.store if self._copy is not None else None
        return store if store is not None else self._store

    # -- reading: the newest published content ------------------------------------------------------------------
    def query(self, sparql: str, use_default_graph_as_union: bool = True, **options):
        self._refresh()
        return super().query(sparql, use_default_graph_as_union, **options)

    def query_private(self, sparql: str, **options):
        self._refresh()
        return super().query_private(sparql, **options)

    def named_graphs(self) -> list[str]:
        self._refresh()
        return super().named_graphs()

    def __len__(self) -> int:
        self._refresh()
        return super().__len__()

    def all_quads(self) -> Iterable[ox.Quad]:
        self._refresh()
        return super().all_quads()

    @property
    def state_token(self) -> str:
        """Read by the SPARQL service (or the front cache for it) before it evaluates a query, so the evaluation
        reads this checkpoint or a newer one without a stat of its own: a second one cost each lookup a system call
        and a switch of threads."""
        self._refresh()
        return self._state

    def _snapshot_and_dataset(self) -> tuple[Snapshot, list[str] | None]:
        """The published checkpoint itself is the evaluators' snapshot, with its public graphs."""
        self._refresh()
        with self._snapshot_lock:
            return Snapshot("rocksdb", str(self.path), self.generation), self._public()

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
        """Sends the write and waits for it to be committed and published; raises what Oxigraph raised if it refused
        it, StoreUnavailable if the writer does not answer."""
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
