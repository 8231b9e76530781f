"""Query evaluation in child processes that can be killed: the SPARQL time limit that really stops a query.

pyoxigraph cannot cancel a running query (oxigraph issue 1926), so a thread that runs over the limit keeps burning a
core until it finishes on its own. Here each query runs in one of a small pool of evaluator processes. The service
waits for the answer up to the limit; past it, the process is killed (its CPU is released at once), a fresh one takes
its place, and the client gets 503 while every other request goes on being answered.

Evaluators read a snapshot of the store: for an on-disk store an Oxigraph backup (a RocksDB checkpoint made of hard
links, so it is cheap), for an in-memory store an N-Quads dump. A write makes a new snapshot; each evaluator moves to
the newest one before its next query. Results are written by Oxigraph's own serializers inside the evaluator and
travel back in chunks.

Over a RocksDB snapshot each evaluator also builds, in a thread of its own, a copy of that snapshot in memory, up to a
budget (settings.mirror_bytes), and answers from the copy once it is complete: Oxigraph evaluates an aggregate over
its in-memory store several times faster than over RocksDB (bench/README.md, "Aggregates"). A copy only ever
answers for the snapshot it was made from. `EvaluatorPool.warm` has them make it before they take a query (`sikg serve`
does, before a worker takes a connection).

A query whose cost is bounded (one triple pattern with few matches, see store/embedded.py) is answered in the service
process instead, by the same code (`answer`, `evaluate_here`): the same result bytes, the same errors.
"""

import ctypes
import ctypes.util
import logging
import multiprocessing
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from ..formats import QUERY_OUTPUTS
from ..namespaces import BASE
from ..rdf.jsonld import ConfusableIri
from ..rdf.results import TableTooLarge, write_result

log = logging.getLogger(__name__)

CHUNK_BYTES = 256 * 1024


class QueryTimeout(Exception):
    pass


class ResultTooLarge(Exception):
    pass


class EvaluatorBusy(Exception):
    pass


class EvaluationFailed(Exception):
    """The query could not be evaluated (an error Oxigraph reports, or an evaluator that died on it)."""


class Unrepresentable(Exception):
    """The result cannot be written in the syntax asked for (JSON-LD with the sikg context cannot hold every IRI)."""


@dataclass(frozen=True)
class Snapshot:
    kind: str  # "rocksdb": a read-only Oxigraph directory; "nquads": a dump to load into memory
    path: str
    generation: int


@dataclass(frozen=True)
class EvalRequest:
    query: str
    format_name: str  # a key of sikg.formats.QUERY_OUTPUTS, chosen for the query's form
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    # Parameters of a curated query, bound as RDF terms (SEP-0007): name -> (value, datatype IRI, language);
    # datatype "iri" marks an IRI. Plain tuples, because pyoxigraph terms do not cross process boundaries.
    bindings: tuple[tuple[str, tuple[str, str | None, str | None]], ...] = ()
    union_default_graph: bool = True  # False when the query names its dataset (FROM / FROM NAMED)
    # The query's one triple pattern when it is nothing more (safety.QueryShape.pattern): N-Triples terms, None for a
    # variable. Only the service process reads it, to decide whether the query may be evaluated there.
    pattern: tuple[str | None, str | None, str | None] | None = None
    streams: bool = False  # safety.QueryShape.streams: its answer grows with every match the pattern reads


def term_to_wire(term) -> tuple[str, str | None, str | None]:
    if isinstance(term, ox.NamedNode):
        return (term.value, "iri", None)
    return (term.value, term.datatype.value if not term.language else None, term.language)


def term_from_wire(value: str, datatype: str | None, language: str | None):
    if datatype == "iri":
        return ox.NamedNode(value)
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)


# -- the evaluator process ---------------------------------------------------------------------------------------

class _ChunkWriter:
    """A binary file object for Oxigraph's serializers that sends full chunks on (`send`) and enforces the cap."""

    def __init__(self, send, max_bytes: int):
        self.send, self.max_bytes = send, max_bytes
        self.buffer, self.total = bytearray(), 0

    def write(self, data) -> int:
        self.total += len(data)
        if self.total > self.max_bytes:
            raise ResultTooLarge()
        self.buffer += data
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.send(("chunk", bytes(self.buffer)))
            self.buffer.clear()


class _OverBudget(Exception):
    pass


class _BudgetWriter:
    """A binary file object that keeps what Oxigraph's dump writes while it stays within `budget` bytes and the copy
    is still `wanted()`; past that it raises, which stops the dump."""

    def __init__(self, budget: int, wanted):
        self.budget, self.wanted, self.buffer = budget, wanted, bytearray()

    def write(self, data) -> int:
        if len(self.buffer) + len(data) > self.budget or not self.wanted():
            raise _OverBudget()
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        pass


class Mirror:
    """An in-memory copy of one RocksDB snapshot, built by a background thread (through a read-only handle of its
    own: a dump to N-Quads then a bulk load; what it takes: bench/README.md) while the evaluator (or a
    worker over a shared store, store/shared.py) answers from the snapshot itself. `store` is None until the copy is
    complete, and stays None when the dump would be larger than the budget. One copy is built at a time: a new one
    waits for the one before it, which its `abandon` stops early (and which then never installs its result).
    `settle`: seconds the snapshot must stay the newest before its copy begins (a worker over a shared store, where
    writes in a burst publish a checkpoint each: copying each one, to abandon it at the next write, took the CPU
    contributions need; bench/README.md, "Reviewing at scale")."""

    def __init__(self, snapshot: Snapshot, budget: int, before: threading.Thread | None, settle: float = 0.0):
        self.store, self._wanted, self._lock = None, True, threading.Lock()
        self._dropped = threading.Event()
        self._thread = threading.Thread(target=self._build, args=(snapshot.path, budget, before, settle), daemon=True,
                                        name="sikg-store-copy")
        self._thread.start()

    def abandon(self) -> threading.Thread:
        """Drops the copy, or stops its making; returns the thread making it, which may still be running."""
        with self._lock:
            self._wanted, self.store = False, None
        self._dropped.set()
        return self._thread

    def wait(self) -> None:
        """Returns once the copy is complete, or will not be (over the budget, abandoned, failed)."""
        self._thread.join()

    def _build(self, path: str, budget: int, before: threading.Thread | None, settle: float = 0.0) -> None:
        if before is not None:
            before.join()
        if settle and self._dropped.wait(settle):
            return  # a newer snapshot came first: never copied
        writer = _BudgetWriter(budget, lambda: self._wanted)
        try:
            ox.Store.read_only(path).dump(writer, ox.RdfFormat.N_QUADS)
            data, writer = bytes(writer.buffer), None  # one buffer at a time: the dump's is released here
            store = ox.Store()
            store.bulk_load(data, ox.RdfFormat.N_QUADS)
        except _OverBudget:
            return  # larger than the budget (or no longer wanted): the snapshot goes on answering
        except Exception:  # the snapshot was deleted meanwhile, or memory ran out: the snapshot goes on answering
            log.warning("could not copy the snapshot %s into memory", path, exc_info=True)
            return
        with self._lock:
            if self._wanted:
                self.store = store


def _open_snapshot(snapshot: Snapshot):
    if snapshot.kind == "rocksdb":
        return ox.Store.read_only(snapshot.path)
    store = ox.Store()
    store.bulk_load(path=snapshot.path, format=ox.RdfFormat.N_QUADS)
    return store


def _evaluate(store, request: EvalRequest, writer: _ChunkWriter) -> str:
    # Relative IRIs in a query resolve against the service's base, as a SPARQL service's own address would.
    options = {"base_iri": BASE}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    elif request.union_default_graph:
        options["use_default_graph_as_union"] = True
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    if request.bindings:
        options["substitutions"] = {ox.Variable(name): term_from_wire(*term) for name, term in request.bindings}
    result = store.query(request.query, **options)
    fmt = QUERY_OUTPUTS[request.format_name]
    write_result(result, fmt, writer, writer.max_bytes)
    writer.flush()
    return fmt.media_type


CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


def isolate_network() -> bool:
    """Moves this process into a network namespace of its own, with no interface but a downed loopback: whatever a
    query asks for, the evaluator cannot open a connection. This backs up safety.py's refusal of SERVICE (Oxigraph
    does send SERVICE requests over HTTP). Unprivileged, a user namespace makes it possible where the kernel allows;
    where neither works, the refusal before evaluation remains the guard, and a warning says so."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return False
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    log.warning("query evaluators could not be isolated from the network (unshare: errno %d)", ctypes.get_errno())
    return False


def answer(store, request: EvalRequest, max_bytes: int, send, about: tuple = ()) -> None:
    """Evaluates the request over `store` and sends its answer as messages: ("chunk", bytes)… then ("done", media
    type, *about), or one ("error", kind, text). The evaluator's loop does it, and evaluate_here in the service
    process."""
    try:
        media_type = _evaluate(store, request, _ChunkWriter(send, max_bytes))
        send(("done", media_type, *about))
    except (ResultTooLarge, TableTooLarge):
        send(("error", "too-large", f"the result is larger than {max_bytes} bytes"))
    except SyntaxError as error:
        send(("error", "syntax", str(error)))
    except ConfusableIri as error:
        send(("error", "unrepresentable", str(error)))
    except Exception as error:  # an evaluation error Oxigraph reports: the client's query caused it
        send(("error", "evaluation", f"{type(error).__name__}: {error}"))


def _serve(conn, mirror_bytes: int = 0) -> None:
    """The evaluator's loop: one request at a time, answered as chunks then ("done", media type, "memory" or
    "rocksdb": the kind of store that answered) or one ("error", …). Over a RocksDB snapshot, a copy of it in memory
    answers once it is complete (up to `mirror_bytes` of N-Quads; 0: never). A request to warm up, (snapshot,
    WARM, 0), opens the snapshot and waits for its copy, then answers ("warm", whether a copy answers now)."""
    isolate_network()
    store, opened, mirror = None, None, None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        snapshot, request, max_bytes = message
        try:
            if (snapshot.path, snapshot.generation) != opened:
                # Never an older snapshot's copy: answers are cached under the state they are asked for.
                before = mirror.abandon() if mirror is not None else None
                store, opened, mirror = None, None, None  # release the old snapshot's files before opening the new one
                store, opened = _open_snapshot(snapshot), (snapshot.path, snapshot.generation)
                if snapshot.kind == "rocksdb" and mirror_bytes > 0:
                    mirror = Mirror(snapshot, mirror_bytes, before)
        except Exception as error:
            conn.send(("error", "evaluation", f"{type(error).__name__}: {error}"))
            continue
        if request == WARM:
            if mirror is not None:
                mirror.wait()
            conn.send(("warm", mirror is not None and mirror.store is not None))
            continue
        copy = mirror.store if mirror is not None else None
        if copy is not None:
            answer(copy, request, max_bytes, conn.send, ("memory",))
        else:
            answer(store, request, max_bytes, conn.send, ("rocksdb" if snapshot.kind == "rocksdb" else "memory",))


def _received(message: tuple) -> tuple:
    """A message of `answer` as it reaches the caller: a chunk or the end as it is, an error as its exception."""
    if message[0] != "error":
        return message
    _, kind, text = message
    if kind == "too-large":
        raise ResultTooLarge(text)
    if kind == "syntax":
        raise SyntaxError(text)
    if kind == "unrepresentable":
        raise Unrepresentable(text)
    raise EvaluationFailed(text)


def evaluate_here(store, request: EvalRequest, max_bytes: int, give_up: bool = False) -> Iterator[tuple] | None:
    """The request evaluated at once in this process, with no time limit: only for a query whose cost is bounded.
    Yields what EvaluatorPool.run yields and raises what it raises (QueryTimeout and EvaluatorBusy aside), as the
    caller consumes it; `give_up`: None instead when the answer is larger than max_bytes."""
    messages = []
    answer(store, request, max_bytes, messages.append)
    if give_up and messages[-1][:2] == ("error", "too-large"):
        return None
    return (_received(message) for message in messages)  # a generator: the caller closes it


# -- the pool, in the service process ----------------------------------------------------------------------------

WARM = "warm"  # the request of EvaluatorPool.warm


def main(argv: list[str]) -> int:
    """An evaluator's process (_Evaluator starts it): arguments FD MIRROR_BYTES, FD the end of its connection."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the service stops its evaluators
    _serve(Connection(int(argv[0])), int(argv[1]))
    return 0


# Not `python -m sikg.sparql.evaluator`: the package imports this module, and runpy would warn of it imported twice.
_MAIN = "import sys; from sikg.sparql.evaluator import main; sys.exit(main(sys.argv[1:]))"


class _Evaluator:
    """An evaluator process, started as a fresh interpreter that imports only what evaluating takes. Not a
    multiprocessing child: forkserver (the safe start method in a process that has threads) kept a server and a
    resource tracker in memory beside each worker's evaluators, about 54 MB a worker (docs/deployment.md, sizing)."""

    def __init__(self, mirror_bytes: int):
        parent, child = multiprocessing.Pipe()
        self.conn = parent
        try:
            self.process = subprocess.Popen([sys.executable, "-c", _MAIN, str(child.fileno()), str(mirror_bytes)],
                                            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
        finally:
            child.close()

    def kill(self) -> None:
        self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()


class EvaluatorPool:
    """`size` evaluator processes; `mirror_bytes`: the largest snapshot (as N-Quads) each copies into memory (0:
    none). `answered` counts the answers by the kind of store that gave them ("memory", "rocksdb")."""

    def __init__(self, size: int, timeout: float, max_bytes: int, mirror_bytes: int = 0):
        self.timeout, self.max_bytes, self.mirror_bytes = timeout, max_bytes, mirror_bytes
        self.answered: Counter[str] = Counter()
        self.size = size
        self._idle: queue.Queue[_Evaluator] = queue.Queue()
        for _ in range(size):
            self._idle.put(_Evaluator(mirror_bytes))
        # Set once every evaluator has opened the snapshot it was warmed with and completed its copy (warm); set at
        # once for a pool nobody warms. /health answers 503 "starting" until then.
        self.ready = threading.Event()
        self.ready.set()

    def warm(self, snapshot: Snapshot, wait: bool = False) -> None:
        """Has every evaluator open `snapshot` and complete its copy in memory before it answers a query (a query
        sent meanwhile waits for an evaluator, within its time limit), so that the first aggregates are as fast as
        the later ones: without this, each evaluator began its copy at its first query and answered from RocksDB
        until then. `ready` is clear until it is done; in the background unless `wait`."""
        self.ready.clear()
        taken = [self._idle.get() for _ in range(self.size)]  # all idle: nothing else ran yet
        thread = threading.Thread(target=self._warm, args=(snapshot, taken), daemon=True, name="sikg-warm-up")
        thread.start()
        if wait:
            thread.join()

    def _warm(self, snapshot: Snapshot, evaluators: list[_Evaluator]) -> None:
        try:
            sent = [evaluator for evaluator in evaluators if self._sent(evaluator, (snapshot, WARM, 0))]
            for evaluator in sent:
                try:
                    evaluator.conn.recv()  # ("warm", …) or ("error", …): either way it answers queries now
                    self._idle.put(evaluator)
                except (EOFError, OSError):
                    self._replace(evaluator)
        finally:
            self.ready.set()

    def _sent(self, evaluator: _Evaluator, message: tuple) -> bool:
        """Whether `message` reached the evaluator; one that died is replaced."""
        try:
            evaluator.conn.send(message)
            return True
        except OSError:
            self._replace(evaluator)
            return False

    def run(self, snapshot: Snapshot, request: EvalRequest, deadline: float | None = None) -> Iterator[tuple]:
        """Yields ("chunk", bytes)… then ("done", media_type); raises QueryTimeout, ResultTooLarge, EvaluatorBusy,
        Unrepresentable, EvaluationFailed or SyntaxError. The generator must be consumed or closed: closing it early
        kills the evaluator, since it may still be writing."""
        deadline = deadline or time.monotonic() + self.timeout
        try:
            evaluator = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise EvaluatorBusy() from None
        healthy = False
        try:
            evaluator.conn.send((snapshot, request, self.max_bytes))
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not evaluator.conn.poll(remaining):
                    raise QueryTimeout()
                message = evaluator.conn.recv()
                healthy = message[0] != "chunk"  # an error or the end: the evaluator is done with this query
                if message[0] == "done":
                    self.answered[message[2]] += 1
                    message = message[:2]
                yield _received(message)
                if healthy:
                    return
        except (EOFError, OSError, BrokenPipeError):
            raise EvaluationFailed("the evaluator stopped while running this query "
                                   "(is it nested too deeply?)") from None
        finally:
            if healthy:
                self._idle.put(evaluator)
            else:
                self._replace(evaluator)

    def _replace(self, evaluator: _Evaluator) -> None:
        """Kills an evaluator that timed out, died or was abandoned mid-result, and starts another in the background
        so that the 503 goes out at once."""
        def work():
            evaluator.kill()
            try:
                self._idle.put(_Evaluator(self.mirror_bytes))
            except Exception:  # the service keeps running with one evaluator fewer rather than fail requests
                log.exception("could not start a replacement evaluator")
        threading.Thread(target=work, daemon=True).start()

    def close(self) -> None:
        while True:
            try:
                evaluator = self._idle.get_nowait()
            except queue.Empty:
                return
            evaluator.kill()
