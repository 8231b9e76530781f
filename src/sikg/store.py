"""The knowledge graph's store: pyoxigraph, in memory or on disk, holding one named graph per content source.

The default graph of every query is the union of all named graphs (the contract), so callers never name graphs to
see the whole KG.
"""

import shutil
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from . import content
from .evaluator import Snapshot
from .namespaces import BASE, GRAPH_FILE
from .rdf_input import parse_file

# A snapshot that a newer one replaced is deleted only after this long, so that no evaluator still reading it (a query
# runs at most the time limit) loses its files.
SNAPSHOT_GRACE_SECONDS = 120


class BaseMismatch(ValueError):
    """The store holds sikg content published under another base than this process's SIKG_BASE."""


class KnowledgeGraphStore:
    """What both backends share: a generation counted up by every write, and loading the repository's content."""
    read_only = False
    quads_grouped = False  # whether all_quads() comes grouped by graph, then subject

    def __init__(self, boot: str | None = None):
        # The state token names the store's content for HTTP caching: it changes with every write, and with every
        # start, since nothing here proves the content unchanged since the last one. Processes serving the same
        # read-only content share one `boot`, so that their ETags agree.
        self._boot = boot or uuid.uuid4().hex[:12]
        self.generation = 0

    @property
    def state_token(self) -> str:
        return f"{self._boot}-{self.generation}"

    def _changed(self) -> None:
        self.generation += 1

    def load_curated(self) -> None:
        """(Re)loads the ontology and curated data from the repository, replacing those named graphs."""
        self.check_base()
        self.replace_graphs({graph: [q for f in files for q in content.read(f)]
                             for graph, files in content.curated_graphs().items()})

    def check_base(self) -> None:
        """Raises BaseMismatch if the store holds the content as published under another base (SIKG_BASE): loading
        it again under this one would not replace those graphs but add to them, and every practice would be there
        twice."""
        foreign = sorted(graph for graph in self.named_graphs() if not graph.startswith(BASE)
                         and graph.endswith(tuple(name[len(BASE) - 1:] for name in content.curated_graphs())))
        if foreign:
            base = foreign[0][:foreign[0].rindex("/graph/") + 1]
            raise BaseMismatch(f"the store was built for the base {base} and SIKG_BASE is now {BASE}: load the "
                               f"content into a new store (sikg load --store NEW_DIR), or serve this one with "
                               f"SIKG_BASE={base}")

    def load_files(self, paths: Iterable[Path], progress=None) -> dict[str, int]:
        """Loads each file into a named graph of its own (…/graph/file/{name}), replacing an earlier load of it."""
        graphs = {GRAPH_FILE + Path(p).name: parse_file(Path(p)) for p in paths}
        self.replace_graphs(graphs, progress=progress)
        return {g: len(quads) for g, quads in graphs.items()}


class EmbeddedStore(KnowledgeGraphStore):
    """`read_only`: the on-disk store opened without the write lock, by as many processes as serve it; nothing may
    write to it meanwhile (`sikg serve --processes`, with contributions off)."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False, boot: str | None = None):
        super().__init__(boot)
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        if read_only:
            if self.path is None:
                raise ValueError("only an on-disk store can be opened read-only")
            self._store = ox.Store.read_only(str(self.path))
        else:
            if self.path is not None:
                self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path)) if path is not None else ox.Store()
        self._snapshots_dir: Path | None = None  # made on first use: most commands never query through evaluators
        self._snapshot: Snapshot | None = None
        self._retired: list[tuple[Snapshot, float]] = []
        self._snapshot_lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """A read-only copy of the current content for the query evaluators, made once per generation."""
        if self.read_only:  # the directory itself does not change while it is served
            return Snapshot("rocksdb", str(self.path), self.generation)
        with self._snapshot_lock:
            generation = self.generation
            if self._snapshot is not None and self._snapshot.generation == generation:
                return self._snapshot
            if self._snapshots_dir is None:
                self._snapshots_dir = self._make_snapshots_dir()
            target = self._snapshots_dir / f"{generation}-{uuid.uuid4().hex[:8]}"
            if self.path is not None:
                self._store.flush()
                self._store.backup(str(target))  # a RocksDB checkpoint: hard links, not a copy
                snapshot = Snapshot("rocksdb", str(target), generation)
            else:
                self._store.dump(str(target) + ".nq", ox.RdfFormat.N_QUADS)
                snapshot = Snapshot("nquads", str(target) + ".nq", generation)
            if self._snapshot is not None:
                self._retired.append((self._snapshot, time.monotonic()))
            self._snapshot = snapshot
            self._delete_old_snapshots()
            return snapshot

    def _make_snapshots_dir(self) -> Path:
        if self.path is None:
            directory = Path(tempfile.mkdtemp(prefix="sikg-snapshots-"))
        else:  # beside the store; the store's lock means no other process is using what an earlier run left
            directory = self.path.with_name(self.path.name + ".snapshots")
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
        weakref.finalize(self, shutil.rmtree, str(directory), True)
        return directory

    def _delete_old_snapshots(self) -> None:
        now, keep = time.monotonic(), []
        for snapshot, retired_at in self._retired:
            if now - retired_at > SNAPSHOT_GRACE_SECONDS:
                path = Path(snapshot.path)
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            else:
                keep.append((snapshot, retired_at))
        self._retired = keep

    # -- reading ---------------------------------------------------------------------------------------------
    def query(self, sparql: str, use_default_graph_as_union: bool = True, **options):
        # False for a query with FROM / FROM NAMED: those define its dataset (SPARQL 1.1, 13.2), and the union flag
        # would override them.
        return self._store.query(sparql, use_default_graph_as_union=use_default_graph_as_union, **options)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def __len__(self) -> int:
        return len(self._store)

    @property
    def quads_grouped(self) -> bool:
        return self.path is not None  # RocksDB iterates in key order; the in-memory store in none

    def all_quads(self) -> Iterable[ox.Quad]:
        """Every quad: on disk grouped by graph and subject (the index order), in memory in no useful order."""
        return self._store.quads_for_pattern(None, None, None, None)

    def dump(self, output: BinaryIO, rdf_format: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        """Writes the whole KG: every quad for dataset formats, the union graph for triple formats."""
        if rdf_format.supports_datasets:
            ox.serialize(self.all_quads(), output, rdf_format, prefixes=prefixes)
        else:
            triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            ox.serialize(triples, output, rdf_format, prefixes=prefixes)

    # -- writing ---------------------------------------------------------------------------------------------
    def update(self, sparql_update: str) -> None:
        """Runs a SPARQL 1.1 Update as one transaction. Internal writes only: the query endpoint never calls it."""
        with self._snapshot_lock:
            self._store.update(sparql_update)
            self._changed()

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad | ox.Triple]], progress=None) -> None:
        """Replaces each named graph with the given triples. Each graph's new content is added in one transaction,
        and no snapshot for the query evaluators is taken while the replacement is under way, so queries see the
        graphs before or after, never between."""
        with self._snapshot_lock:
            for graph, triples in graphs.items():
                name = ox.NamedNode(graph)
                if self._store.contains_named_graph(name):
                    self._store.remove_graph(name)
                self._store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
                self._store.add_graph(name)
            if self.path is not None:
                self._store.flush()
            self._changed()

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        with self._snapshot_lock:
            for graph in graphs:
                self._store.remove_graph(ox.NamedNode(graph))
            if self.path is not None:
                self._store.flush()
            self._changed()


def store_kind(spec: str | None) -> str:
    """What a store specification names: "external" (an http(s) query endpoint), "memory" or "disk" (a directory)."""
    if spec and spec.startswith(("http://", "https://")):
        return "external"
    return "memory" if spec in (None, "", "memory") else "disk"


def open_store(spec: str | None = None, *, update_url: str | None = None, store_url: str | None = None,
               auth_headers: dict | None = None, timeout: float = 10.0, read_only: bool = False,
               boot: str | None = None) -> KnowledgeGraphStore:
    """`memory` (or nothing): a throwaway store with the curated KG; a directory: the on-disk store there (`read_only`:
    see EmbeddedStore); an http(s) URL: the SPARQL query endpoint of an external store (update and Graph Store URLs
    beside it by default; `auth_headers`: its credentials). `boot`: see KnowledgeGraphStore."""
    kind = store_kind(spec)
    if kind == "external":
        from .remote_store import RemoteStore
        return RemoteStore(spec, update_url, store_url, timeout, auth_headers)
    if kind == "memory":
        store = EmbeddedStore(boot=boot)
        store.load_curated()
        return store
    return EmbeddedStore(spec, read_only=read_only, boot=boot)
