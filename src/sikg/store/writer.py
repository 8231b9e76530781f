"""The writer of an on-disk store that several processes serve (`sikg serve --processes N`): the one process that opens
the store read-write, and makes every write it is sent, one at a time.

`sikg serve` starts it (`running_writer`) before the workers, as a process of its own: RocksDB opened in the main
process would be inherited by the forked workers. A worker (store.shared.SharedStore) connects to its Unix socket, in
a directory only this user can enter, with the key the server gave both (multiprocessing.connection), sends one
write — ("update", sparql), ("replace", graph names, their quads as N-Quads bytes) or ("remove", graph names) — and
receives ("ok", state token) once it is committed and published, or ("error", exception) when Oxigraph refused it:
that answer is what the worker's 201/202 waits for. The store is an EmbeddedStore, with its transactions.

Published: after each write, a RocksDB checkpoint of the store (EmbeddedStore.snapshot(): hard links, made once per
generation, a replaced one deleted after SNAPSHOT_GRACE_SECONDS) named in a small JSON file, `published_file(store)`,
replaced by an atomic rename. The workers read from the checkpoint it names, and check it before each read.

The writer exits on SIGTERM (after the write under way, if any) and when the process that started it is gone; the
server starts it again if it ends on its own.
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

from ..files import written_atomically
from .embedded import EmbeddedStore

log = logging.getLogger(__name__)

WATCH_SECONDS = 0.5  # how often the writer checks that its parent is alive
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
        self.published: int | None = None
        self.publish()

    def publish(self) -> None:
        """Called with the lock held (or before any worker runs): a checkpoint of the current generation, named in
        the published file by an atomic rename; nothing when that generation is published already."""
        snapshot = self.store.snapshot()
        if snapshot.generation == self.published:
            return
        with written_atomically(published_file(self.store.path)) as output:
            output.write(json.dumps({"state": self.store.state_token, "generation": snapshot.generation,
                                     "checkpoint": snapshot.path}).encode("utf-8"))
        self.published = snapshot.generation

    def execute(self, request: tuple) -> tuple:
        """One write: ("ok", state token) once committed and published; ("error", exception) when refused (an
        atomic write then changed nothing; whatever a failed one did change is published all the same)."""
        operation, *arguments = request
        with self.lock:
            try:
                if operation == "update":
                    self.store.update(*arguments)
                elif operation == "replace":
                    self.store.replace_graphs(_grouped(*arguments))
                elif operation == "remove":
                    self.store.remove_graphs(*arguments)
                else:
                    raise ValueError(f"the writer knows no operation {operation!r}")
            except Exception as error:
                self.publish()
                return "error", _portable(error)
            self.publish()
            return "ok", self.store.state_token

    def tidy(self) -> None:
        """Deletes the checkpoints that a newer one replaced more than the grace period ago."""
        with self.lock:
            self.store._delete_old_snapshots()


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
    """Stops the writer (as SIGTERM does) once its parent is gone; tidies the checkpoints now and then."""
    tidied = time.monotonic()
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
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
        writer = Writer(EmbeddedStore(args.store, boot=args.boot))
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
    starts it again whenever it ends before that (see _SupervisedWriter). Raises SystemExit with the reason when it
    cannot start (another process holds the store, say)."""
    directory = tempfile.mkdtemp(prefix="sikg-writer-")  # mode 0700: only this user reaches the socket
    address = WriterAddress(os.path.join(directory, "socket"), secrets.token_bytes(32))
    try:
        writer = _SupervisedWriter(store_path, boot, address)
        try:
            yield address
        finally:
            writer.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class _SupervisedWriter:
    """The writer's process, started again whenever it ends while the service runs (a crash, the kernel's OOM killer,
    a kill -9): writes are refused with a 503 only until it is back, not until the service is restarted. The new
    writer has a boot of its own: it counts generations from 0 again, and its state tokens must not name the content
    an earlier writer published under the same generation."""

    def __init__(self, store_path: str | Path, boot: str, address: WriterAddress):
        self.store_path, self.boot, self.address = str(store_path), boot, address
        self.starts, self.lock, self.stopping = 1, threading.Lock(), threading.Event()
        self.process = self._start(boot)
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
        process.terminate()  # it ends the write under way first
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        process.kill()  # nothing if it has ended
        process.wait()
