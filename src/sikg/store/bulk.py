"""`sikg load --store DIR`: loading an on-disk store that nobody serves, at the engine's own speed, so that a load
interrupted at any point (kill -9 included) leaves the store as it was.

The transactional path (EmbeddedStore.replace_graphs: Store.extend of Python quads, one transaction per graph) is
what a live service needs, and it costs: 9.9 s of the 15.9 s issue 32 measured for 290k quads, and an uncompacted
store of 296 MB. Here nothing is served (RocksDB's lock on DIR refuses the load while a process holds the store), so:

1. the store at DIR is opened (which holds its lock), its base checked, and the curated graphs read as its
   load_curated would write them (issue 26: what accepted revisions replaced in the files is left out);
2. a new store is made beside it, in DIR.loading-<id>, and every graph of DIR that is not being replaced (other
   files, contributions, revisions, private graphs) is copied into it with the curated graphs, in one bulk load of
   N-Quads that the engine wrote (_copy_kept): removing a replaced graph from a copy instead would be a transaction
   as slow as the transactional load (12 s for the 290k quads of issue 32's file);
3. each file is bulk-loaded into its graph (Store.bulk_load: parsed in Rust from the file, blank nodes renamed,
   sorted and written as new compressed SST files, not through the write-ahead log), and the store flushed;
4. DIR is closed, and the two directories are exchanged in one rename (renameat2 RENAME_EXCHANGE: atomic), after
   which the old content, now in DIR.loading-<id>, is deleted.

No Store.optimize() after it: the bulk loader writes each index sorted and compressed (the 20k file's store is
50 MB, as `oxigraph load --graph` makes it), and a compaction then rewrote it to 104 MB and took 2 s (measured).

Until step 4, DIR is untouched; after it, DIR is the new store whole. A load killed before leaves a DIR.loading-<id>
that the next load deletes. Where the file system cannot exchange directories, DIR is renamed to DIR.replaced and
the new one into its place, and a store found missing with a DIR.replaced beside it is put back (recover()).

Files whose checks read their bytes (RDF/XML: no DOCTYPE, a bounded depth; JSON-LD: the sikg context put inline)
and dataset files (TriG, N-Quads: sikg names their graph, not the file) are parsed by rdf.reading as everywhere, and
their quads bulk-added (Store.bulk_extend).
"""

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreUnavailable
from ..namespaces import GRAPH_FILE
from ..rdf import content
from ..rdf.reading import RdfInputError, format_for_path, parse_file

# Parsed by Store.bulk_load from the file itself; every other syntax goes through rdf.reading (see above).
BULK_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N3)
STAGING = ".loading-"
REPLACED = ".replaced"


class StoreInUse(RuntimeError):
    """Another process holds the store (a service serving it, another load)."""


def load_directory(path: Path, files: Iterable[Path], progress=None) -> dict[str, int]:
    """Loads the curated graphs and each file (into …/graph/file/{name}) into the on-disk store at `path`, replacing
    those graphs and keeping every other one; returns the triples of each file's graph. `progress`: a
    progress.Progress (or None). Raises RdfInputError, BaseMismatch (store unchanged), StoreInUse."""
    from .embedded import EmbeddedStore  # (embedded imports this module: recover() runs before a store is opened)

    path, files = Path(path), [Path(f) for f in files]
    for file in files:
        format_for_path(file)  # an unknown extension is refused before any work
    try:
        current = EmbeddedStore(path)
    except (OSError, StoreUnavailable) as error:  # RocksDB's lock: StoreUnavailable from EmbeddedStore
        raise StoreInUse(f"cannot open the store at {path} (does a running sikg serve hold it?): {error}") from None
    staging = path.with_name(f"{path.name}{STAGING}{uuid.uuid4().hex[:8]}")
    try:
        _delete_leftovers(path)
        current.check_base()
        replaced = {*content.curated_graphs(), *(GRAPH_FILE + f.name for f in files)}
        loaded = _build(staging, current, replaced, files, progress)
        current.close()  # (held till now: a load that opened it meanwhile would delete `staging` as left over)
        _swap_in(path, staging)
    finally:
        current.close()
        shutil.rmtree(staging, ignore_errors=True)
    return loaded


def _build(staging: Path, current, replaced: set[str], files: list[Path], progress) -> dict[str, int]:
    """The new store, in `staging`: `current`'s graphs but the `replaced` ones, the curated graphs and the files;
    the new store is closed on return (pyoxigraph closes it as the object goes)."""
    staged = ox.Store(str(staging))
    kept = _copy_kept(current, staged, replaced, _curated(current), staging / "kept.nq")
    loaded = _load_files(staged, files, progress)
    for graph in kept | replaced:
        staged.add_graph(ox.NamedNode(graph))  # (an empty graph is still listed, as replace_graphs leaves it)
    staged.flush()
    return loaded


def _curated(current) -> list[ox.Quad]:
    """The curated graphs' quads exactly as `current.load_curated()` would write them: that method (base.py) decides
    what the files give that accepted revisions replaced (issue 26), and this takes its replace_graphs call instead of
    running it, so that the rules stay in one place."""
    graphs: dict = {}
    current.replace_graphs = lambda new, progress=None: graphs.update(new)  # (on this object only; removed below)
    try:
        current.load_curated()
    finally:
        del current.replace_graphs
    return [
        ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph)) for graph, quads in graphs.items() for q in quads
    ]


def _copy_kept(current, staged: ox.Store, replaced: set[str], curated: list[ox.Quad], scratch: Path) -> set[str]:
    """Copies every graph of `current` but the `replaced` ones into `staged`, with the `curated` quads, in one bulk
    load of N-Quads (the engine's own dump of each graph, its graph name put on every line: a statement's line ends
    with " .\n" and nowhere else, literals escaping their line breaks); returns the graphs copied. A blank node that
    two graphs share keeps one label in the dump, and so stays one node."""
    kept = [g for g in current.all_graph_names() if g not in replaced]
    with open(scratch, "wb") as output:
        for graph in kept:
            triples = current.dump_graph(graph)
            output.write(triples.replace(b" .\n", f" <{graph}> .\n".encode()))
        output.write(current.dump_graph(None))  # the default graph, where sikg writes nothing
        ox.serialize(curated, output, ox.RdfFormat.N_QUADS)
    staged.bulk_load(path=str(scratch), format=ox.RdfFormat.N_QUADS)
    scratch.unlink()
    return set(kept)


def _load_files(store: ox.Store, files: list[Path], progress) -> dict[str, int]:
    loaded = {}
    for graph, file in {GRAPH_FILE + f.name: f for f in files}.items():  # (two files of one name: the last one)
        _load_file(store, file, ox.NamedNode(graph), progress)
        loaded[graph] = _count(store, graph)
    return loaded


def _load_file(store: ox.Store, file: Path, graph: ox.NamedNode, progress) -> None:
    rdf_format = format_for_path(file)
    if rdf_format not in BULK_FORMATS:
        quads = parse_file(file)  # its checks, blank nodes renamed
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
        return
    try:
        if progress is None or not progress.shown:
            store.bulk_load(path=str(file), format=rdf_format, to_graph=graph)
        else:
            with open(file, "rb") as raw:
                reader = _Reported(raw, os.fstat(raw.fileno()).st_size, f"loading {file.name}", progress)
                store.bulk_load(input=reader, format=rdf_format, to_graph=graph)
    except SyntaxError as error:
        raise RdfInputError(str(file), error.msg or str(error), error.lineno, error.offset) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise RdfInputError(str(file), str(error)) from None
    except OSError as error:
        raise RdfInputError(str(file), error.strerror or str(error)) from None


class _Reported:
    """The file Store.bulk_load parses, telling `progress` how far it has read; once read whole, the engine sorts
    and writes what it parsed (the "indexing" stage)."""

    def __init__(self, raw, size: int, stage: str, progress):
        self.raw, self.size, self.stage, self.progress, self.done = raw, size, stage, progress, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.done += len(data)
        if data:
            self.progress.advance(self.stage, self.done, self.size)
        else:
            self.progress.working(f"indexing {self.stage.removeprefix('loading ')}")
        return data


def _count(store: ox.Store, graph: str) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


# -- the swap ---------------------------------------------------------------------------------------------------
_libc = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Exchanges two directories in one rename; False where the system or file system cannot."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _swap_in(path: Path, staging: Path) -> None:
    """Puts the store in `staging` at `path`, the old one going to `staging`; holds the old one's lock (as RocksDB
    takes it) meanwhile, so that no process opens it in between."""
    with _locked(path):
        if not _exchange(staging, path):
            os.rename(path, path.with_name(path.name + REPLACED))
            os.rename(staging, path)
            os.rename(path.with_name(path.name + REPLACED), staging)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@contextlib.contextmanager
def _locked(path: Path):
    """RocksDB's lock on the store at `path` (fcntl on DIR/LOCK), or StoreInUse when a process holds it."""
    descriptor = os.open(path / "LOCK", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreInUse(f"the store at {path} was opened by another process during the load") from None
        yield
    finally:
        os.close(descriptor)


def _delete_leftovers(path: Path) -> None:
    """What loads killed before their swap left beside the store: called with the store open (its lock held), so no
    load under way owns them."""
    for leftover in path.parent.glob(f"{path.name}{STAGING}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.rmtree(path.with_name(path.name + REPLACED), ignore_errors=True)


def recover(path: Path) -> None:
    """Puts back the store a load moved aside (DIR.replaced) when it was killed before moving the new one in: only
    where the file system could not exchange the two in one rename."""
    replaced = path.with_name(path.name + REPLACED)
    if not path.exists() and replaced.is_dir():
        with contextlib.suppress(FileNotFoundError):
            os.rename(replaced, path)
