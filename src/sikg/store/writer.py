"""The writer of an on-disk store that several processes serve (`sikg serve --processes N`): the one process that opens
the store read-write, and makes every write it is sent, one at a time.

`sikg serve` starts it (`running_writer`) before the workers, as a process of its own: RocksDB opened in the main
process would be inherited by the forked workers. A worker (store.shared.SharedStore) connects to its Unix socket, in
a directory only this user can enter, with the key the server gave both (multiprocessing.connection), sends one
write — ("update", sparql), ("replace", graph names, their quads as N-Quads bytes) or ("remove", graph names) — and
receives ("ok", state token) once it is committed, or ("error", exception) when Oxigraph refused it: that answer is
what the worker's 201/202 waits for. The store is an EmbeddedStore, with its transactions.

Published: after each write, a RocksDB checkpoint of the store (EmbeddedStore.snapshot(): hard links, made once per
generation) named in a small JSON file, `published_file(store)`, replaced by an atomic rename. The workers read from
the checkpoint it names, and check it before each read. A replaced checkpoint is deleted after SNAPSHOT_GRACE_SECONDS
(workers read it until their next request), and the last ones outlive the writer: a writer started again while the
workers run retires them, and `running_writer` removes them once the service has stopped. A write that was committed
is answered "ok" even when its publication then failed (a full disk, say): the data is stored, and a client told
otherwise would send it again; the writer publishes it as soon as it can (Writer.catch_up, twice a second), and
publishes anew a checkpoint whose directory went.

The writer exits on SIGTERM (after the write under way, if any) and when the process that started it is gone; the
server starts it again if it ends on its own while the service runs, not once the service is being stopped.
"""

import argparse
import contextlib
import json
import logging
import os
import pickle
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Listener
from pathlib import Path

import pyoxigraph as ox

from .embedded import EmbeddedStore

log = logging.getLogger(__name__)

WATCH_SECONDS = 0.5  # how often the writer checks that its parent is alive, and that its newest content is published
RESTART_SECONDS = 1.0  # how long the server waits before it starts again a writer that ended
TIDY_SECONDS = 30.0  # how often it deletes the checkpoints a newer one replaced more than the grace period ago


@dataclass(frozen=True)
class WriterAddress:
    """Where a worker reaches the writer: its Unix socket and the key both sides prove they hold."""
    socket: str
    authkey: bytes


def published_file(store_path: str | Path) -> Path:
    """The file naming the newest published checkpoint of the store at `store_path` (JSON: state, generation,
    checkpoint), in the directory beside the store where EmbeddedStore keeps its snapshots."""
    path = Path(store_path)
    return path.with_name(path.name + ".snapshots") / "current"


class Writer:
    """Makes the writes to `store`, one at a time, and publishes each new generation before answering."""

    def __init__(self, store: EmbeddedStore):
        self.store = store
        self.lock = threading.Lock()
        self.published: tuple[int, str] | None = None  # (generation, checkpoint) named in the published file
        self.failing = False  # whether the last publication failed
        self._queue: list[_Ticket] = []  # the writes waiting for the one under way (execute)
        self._queue_lock = threading.Lock()
        self.publish()

    def publish(self) -> None:
        """Called with the lock held (or before any worker runs): a checkpoint of the current generation, named in
        the published file by an atomic rename; nothing when that checkpoint is published already. Raises what
        failed (OSError)."""
        snapshot = self.store.snapshot()
        if (snapshot.generation, snapshot.path) == self.published:
            return
        _replaced(published_file(self.store.path), json.dumps({
            "state": self.store.state_token, "generation": snapshot.generation, "checkpoint": snapshot.path}))
        self.published = (snapshot.generation, snapshot.path)

    def _publish_after_write(self) -> None:
        """publish(), after a write: a failure is logged (once, till it works again), never answered: the write is
        done, and catch_up tries again."""
        try:
            self.publish()
        except Exception:
            if not self.failing:
                log.exception("the store's writer could not publish generation %s; it keeps trying",
                              self.store.generation)
            self.failing = True
        else:
            if self.failing:
                log.warning("the store's writer published generation %s", self.store.generation)
            self.failing = False

    def execute(self, request: tuple) -> tuple:
        """One write: ("ok", state token) once committed, and published unless that failed; ("error", exception)
        when refused (an atomic write then changed nothing; whatever a failed one did change is published all the
        same).

        Writes that arrive while another is made are made together after it, in the order they arrived (group
        commit): a replacement of graphs (what a contribution is) costs its store a flush to disk, and a publication
        a flush and a checkpoint, some 60 ms together; N contributions sent at once then cost one of each instead of
        N (bench/README.md, "Reviewing at scale"). Each is still answered only once it is committed and published."""
        ticket = _Ticket(request)
        with self._queue_lock:
            self._queue.append(ticket)
        with self.lock:
            if ticket.answer is None:  # not made by the write before, which took every one waiting
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._make(batch)
        return ticket.answer

    def _make(self, batch: list["_Ticket"]) -> None:
        """With the lock held: the writes, in order (consecutive replacements of distinct graphs as one), then one
        publication; each ticket answered."""
        made = []
        for group in _runs(batch):
            if len(group) > 1:
                try:
                    self.store.replace_graphs({name: quads for t in group for name, quads in t.graphs.items()})
                    made += group
                    continue
                except Exception:  # one of them is refused: each made alone, so that it alone is answered so
                    pass
            for ticket in group:
                try:
                    self._one(ticket)
                    made.append(ticket)
                except Exception as error:
                    ticket.answer = "error", _portable(error)
        self._publish_after_write()
        for ticket in made:
            ticket.answer = "ok", self.store.state_token

    def _one(self, ticket: "_Ticket") -> None:
        operation, *arguments = ticket.request
        if operation == "update":
            self.store.update(*arguments)
        elif operation == "replace":
            self.store.replace_graphs(ticket.graphs)
        elif operation == "remove":
            self.store.remove_graphs(*arguments)
        else:
            raise ValueError(f"the writer knows no operation {operation!r}")

    def catch_up(self) -> None:
        """Publishes the current generation if that failed after its write, or a new checkpoint of it if the one
        published went (its directory deleted): workers then read it at their next request."""
        with self.lock:
            published = self.published
            if published is not None and published[0] == self.store.generation and os.path.isdir(published[1]):
                return
            self._publish_after_write()

    def tidy(self) -> None:
        """Deletes the checkpoints that a newer one replaced more than the grace period ago."""
        with self.lock:
            self.store.delete_old_snapshots()


class _Ticket:
    """A write waiting to be made, and its answer once it is."""

    def __init__(self, request: tuple):
        self.request, self.answer = request, None
        self._graphs = None

    @property
    def graphs(self) -> dict[str, list[ox.Quad]]:
        """A replacement's graphs, read from its N-Quads (ValueError for a syntax error, raised where it is made)."""
        if self._graphs is None:
            self._graphs = _grouped(*self.request[1:])
        return self._graphs


def _replaced(path: Path, text: str) -> None:
    """`path`'s content replaced by `text` at once (a rename: a reader sees the old file or the new one), not synced
    to disk: the file names the newest checkpoint, which a writer started again publishes anew before any worker
    reads it, and its two fsyncs (file and directory) were some 15 ms of each publication on a busy disk, every
    contribution waiting on them (issue 31). The data itself is durable when written: the store's own log."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _runs(batch: list[_Ticket]) -> list[list[_Ticket]]:
    """The batch in runs made as one write each: consecutive replacements whose graphs are all distinct (a later
    replacement of the same graph must come after the earlier one), every other write alone."""
    runs, names = [], set()
    for ticket in batch:
        mergeable = ticket.request[0] == "replace" and isinstance(ticket.request[1], list)
        if mergeable and runs and runs[-1][0].request[0] == "replace" and not names & set(ticket.request[1]):
            runs[-1].append(ticket)
            names |= set(ticket.request[1])
        else:
            runs.append([ticket])
            names = set(ticket.request[1]) if mergeable else set()
    return runs


def _grouped(names: list[str], nquads: bytes) -> dict[str, list[ox.Quad]]:
    """The graphs a replace_graphs request names, each with its quads (none: the graph is emptied)."""
    graphs: dict[str, list[ox.Quad]] = {name: [] for name in names}
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        graphs[quad.graph_name.value].append(quad)
    return graphs


def _portable(error: Exception) -> Exception:
    """The error as the worker can receive it: itself when it pickles, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")


def _answer(connection, writer: Writer) -> None:
    """Answers one worker's requests until it hangs up."""
    with connection:
        while True:
            try:
                request = connection.recv()
            except (EOFError, OSError):
                return
            connection.send(writer.execute(request))


def _accept(listener: Listener, writer: Writer) -> None:
    while True:
        try:
            connection = listener.accept()
        except (OSError, EOFError) as error:  # a client that did not prove the key, or left during the handshake
            print(f"sikg writer: refused a connection: {error}", file=sys.stderr)
            continue
        threading.Thread(target=_answer, args=(connection, writer), daemon=True).start()


def _watch(parent: int, writer: Writer) -> None:
    """Stops the writer (as SIGTERM does) once its parent is gone; publishes what is not (Writer.catch_up); tidies
    the checkpoints now and then."""
    tidied = time.monotonic()
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
        writer.catch_up()
        if time.monotonic() - tidied > TIDY_SECONDS:
            writer.tidy()
            tidied = time.monotonic()
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    """The writer's process (`running_writer` starts it): arguments STORE SOCKET BOOT, the key as a hex line on stdin;
    says "ready" on stdout once it serves, or "error: why" and exits with status 1."""
    parser = argparse.ArgumentParser(prog="sikg-writer")
    for name in ("store", "socket", "boot"):
        parser.add_argument(name)
    args = parser.parse_args(argv)
    authkey = bytes.fromhex(sys.stdin.readline().strip())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops the writer last
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        writer = Writer(EmbeddedStore(args.store, boot=args.boot, keep_snapshots=True))
        listener = Listener(args.socket, family="AF_UNIX", authkey=authkey)
    except Exception as error:
        print(f"error: {error}", flush=True)
        return 1
    threading.Thread(target=_watch, args=(os.getppid(), writer), daemon=True).start()
    print("ready", flush=True)
    try:
        _accept(listener, writer)
    finally:
        listener.close()  # removes the socket
        with contextlib.suppress(OSError):  # its directory too, when the server was killed and cannot
            os.rmdir(os.path.dirname(args.socket))
        writer.lock.acquire()  # the write under way ends; no other begins
    return 0


# Not `python -m sikg.store.writer`: the package imports this module, and runpy would warn of it being imported twice.
_MAIN = "import sys; from sikg.store.writer import main; sys.exit(main(sys.argv[1:]))"


@contextlib.contextmanager
def running_writer(store_path: str | Path, boot: str):
    """Starts the writer of the on-disk store at `store_path` and yields its WriterAddress; stops it on leaving, and
    starts it again whenever it ends before that, unless this process was told to stop (see _SupervisedWriter).
    Raises SystemExit with the reason when it cannot start (another process holds the store, say). On leaving, once
    the processes reading them are gone, the checkpoints it published are removed. Entered in the main thread (as
    `sikg serve` does), it hears of the stop signals this process receives."""
    directory = tempfile.mkdtemp(prefix="sikg-writer-")  # mode 0700: only this user reaches the socket
    address = WriterAddress(os.path.join(directory, "socket"), secrets.token_bytes(32))
    try:
        writer = _SupervisedWriter(store_path, boot, address)
        try:
            yield address
        finally:
            writer.stop()
            shutil.rmtree(published_file(store_path).parent, ignore_errors=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class _SupervisedWriter:
    """The writer's process, started again whenever it ends while the service runs (a crash, the kernel's OOM killer,
    a kill -9): writes are refused with a 503 only until it is back, not until the service is restarted. The new
    writer has a boot of its own: it counts generations from 0 again, and its state tokens must not name the content
    an earlier writer published under the same generation.

    Not once the service is being stopped: a SIGTERM to the whole process group (systemd's stop, `kill -- -PGID`)
    ends the writer at once, while the server is still stopping its workers, and starting it again then would only
    be undone. The supervisor hears of the stop signals this process receives (_StopSignals) and takes the writer's
    end after one of them for the end of the service."""

    def __init__(self, store_path: str | Path, boot: str, address: WriterAddress):
        self.store_path, self.boot, self.address = str(store_path), boot, address
        self.starts, self.lock, self.stopping = 1, threading.Lock(), threading.Event()
        self.process = self._start(boot)
        self.signals = _StopSignals(self.stopping)
        threading.Thread(target=self._supervise, daemon=True, name="sikg-writer-supervisor").start()

    def _start(self, boot: str) -> subprocess.Popen:
        # A writer that was told to stop (SIGTERM) removed its socket's directory as it ended: made again, private.
        os.makedirs(os.path.dirname(self.address.socket), mode=0o700, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):  # the socket of a writer that was killed
            os.unlink(self.address.socket)
        process = subprocess.Popen([sys.executable, "-c", _MAIN, self.store_path, self.address.socket, boot],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        process.stdin.write(self.address.authkey.hex().encode() + b"\n")
        process.stdin.close()
        said = process.stdout.readline().decode(errors="replace").strip()
        process.stdout.close()
        if said != "ready":
            process.kill()
            process.wait()
            why = said.removeprefix("error: ") or f"it ended with status {process.returncode}"
            raise SystemExit(f"sikg serve: the store's writer did not start: {why}")
        return process

    def _supervise(self) -> None:
        while True:
            status = self.process.wait()
            if self.stopping.wait(RESTART_SECONDS):  # at most one start a RESTART_SECONDS, if it keeps ending
                return
            log.error("the store's writer ended (status %s); starting it again", status)
            with self.lock:
                if self.stopping.is_set():
                    return
                self.starts += 1
                try:
                    self.process = self._start(f"{self.boot}.{self.starts}")
                except SystemExit as refusal:  # tried again after the pause, while the old process is waited for
                    log.error("%s", refusal)

    def stop(self) -> None:
        with self.lock:
            self.stopping.set()
            process = self.process
        self.signals.close()
        process.terminate()  # it ends the write under way first
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        process.kill()  # nothing if it has ended
        process.wait()


class _StopSignals:
    """Sets `stopping` when this process receives SIGTERM or SIGINT, whoever handles them (granian's main process
    installs its own handlers after the writer is started): Python writes the number of every signal it handles to
    its wakeup file descriptor, here a pipe that a thread reads (and passes on to the descriptor set before, if any).
    Only in the main thread, where the descriptor can be set; `close` sets the one before again."""

    def __init__(self, stopping: threading.Event):
        self.previous, self.write_end = None, None
        if threading.current_thread() is not threading.main_thread():
            return
        read_end, self.write_end = os.pipe()
        os.set_blocking(self.write_end, False)
        self.previous = signal.set_wakeup_fd(self.write_end, warn_on_full_buffer=False)
        threading.Thread(target=self._read, args=(read_end, stopping), daemon=True, name="sikg-stop-signals").start()

    def _read(self, read_end: int, stopping: threading.Event) -> None:
        with contextlib.suppress(OSError), open(read_end, "rb", buffering=0, closefd=True) as pipe:
            while numbers := pipe.read(64):  # empty once every write end is closed
                if {signal.SIGTERM, signal.SIGINT} & set(numbers):
                    stopping.set()
                if self.previous is not None and self.previous != -1:
                    with contextlib.suppress(OSError):
                        os.write(self.previous, numbers)

    def close(self) -> None:
        if self.write_end is None or threading.current_thread() is not threading.main_thread():
            return
        with contextlib.suppress(ValueError, OSError):  # (a descriptor set before that was closed since)
            signal.set_wakeup_fd(self.previous)
        os.close(self.write_end)
        self.write_end = None
