"""`sikg serve`: the Flask app under granian, a production WSGI server whose HTTP side is Rust (hyper).

granian parses HTTP, keeps connections alive and writes responses outside the interpreter, and runs the app in a pool
of Python threads: in the lookup benchmark the same app answered twice the requests gunicorn's gthread worker did,
and a minimal Flask app five times as many (bench/README.md, "Issue 18").

By default the service runs one process per core (one over the in-memory store), each with several threads; a query
of one triple pattern with few matches is answered in them, every other query in evaluator processes: SIKG_EVALUATORS
in all, divided among the worker processes, each holding a copy of the store in memory made before its worker takes
a connection (the copies are most of the service's memory: docs/deployment.md, sizing). Over an
external store each process is a stateless client of it. The embedded on-disk store is a RocksDB database that one
process may open for writing: with more than one process the content is loaded first, then one writer process opens
it (store.writer) and every worker is a SharedStore, which reads the newest checkpoint the writer published and sends
it its writes (contributions, reviews, tokens' store writes): one writer, every worker sees a write at its next
request, and a write is acknowledged once committed. The in-memory store cannot be shared: each worker has a copy of
its own, so contributions need one process there.
"""

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import uuid
from contextlib import nullcontext
from dataclasses import replace
from functools import partial

import granian._signals as granian_signals
from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import Server

from .errors import StoreUnavailable
from .settings import Settings
from .store import open_store, store_kind
from .store.writer import running_writer


def _load_app(store_spec: dict, settings: Settings, target: str):
    """Builds the app in each worker process (granian's loader, given the target's name, which it does not need)."""
    # Two ways a worker told to stop was killed 10 s later (workers_kill_timeout) instead of stopping: granian
    # installs its signal handlers only once the app is loaded, and until then the handler inherited from the main
    # process only set a flag in the worker's copy of the server, so a stop asked for while loading went unheard
    # (the worker now exits at once, its evaluator processes with it); and a stop asked for twice hung the worker
    # (_stop_event_set_once).
    signal.signal(signal.SIGTERM, _exit_while_loading)
    signal.signal(signal.SIGINT, _exit_while_loading)
    _fewer_malloc_arenas()
    granian_signals.set_sync_signals = _stop_event_set_once(granian_signals.set_sync_signals)
    _wake_the_main_thread_on_stop_signals()
    from .web.app import create_app  # in the worker: the parent process never opens the store
    from .web.services import warm_up  # (as above)
    app = create_app(open_store(**store_spec), settings)
    # granian has a worker accept connections once this returns: a worker whose evaluators are still copying the
    # store into memory takes none, and the workers that are ready answer them all (an aggregate sent to a worker
    # still warming waited for it, 3 times the steady time, issue 28 item 4). An app warmed in the background by
    # another server answers /health 503 "starting" meanwhile (web.services.health).
    services = app.extensions["sikg"]
    warm_up(services)
    if services.pool is not None:
        services.pool.ready.wait()
    return app


M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
MALLOC_ARENAS = 2


def _fewer_malloc_arenas() -> None:
    """At most MALLOC_ARENAS malloc arenas in this worker: glibc gives each thread that allocates an arena of its own
    (up to 8 a core), and granian's threads and RocksDB's kept 40-60 MB of a worker's memory in them after a minute
    of lookups, most of it free (docs/deployment.md, sizing). Where the C library is not glibc, nothing changes."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):
        pass


def _exit_while_loading(signum, frame):
    raise SystemExit(0)


def _stop_event_set_once(install_signals):
    """granian's installer of a worker's stop signals, with handlers that set its stop event once: a second set()
    of granian's WorkerSignal blocks forever holding the GIL (granian 2.8), and a worker is often told to stop twice,
    by the signal to its whole process group (Ctrl-C in a terminal, systemd's stop) and then by granian's main
    process; it was killed 10 s later, "after it refused to gracefully stop"."""
    def install():
        event, stopping = install_signals(), threading.Lock()

        def handler(signum, frame):
            if stopping.acquire(blocking=False):
                event.set()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, handler)
        return event
    return install


def _wake_the_main_thread_on_stop_signals() -> None:
    """Python runs signal handlers in the main thread only, and a worker's main thread sleeps in a lock until granian
    stops it: a signal the kernel hands to another of the worker's threads (granian's, RocksDB's) trips the handler's
    flag but does not wake it. Python also writes each signal's number to the wakeup fd, whichever thread got it: the
    first stop signal seen there is sent again to the main thread itself, which wakes it (once: that one is seen
    there too, and the handler sets the stop event once anyway)."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    main_thread, stops = threading.main_thread().ident, {signal.SIGTERM, signal.SIGINT}

    def forward() -> None:
        while True:
            stop = next((number for number in os.read(read_end, 64) if number in stops), None)
            if stop is not None:
                signal.pthread_kill(main_thread, stop)
                return

    threading.Thread(target=forward, daemon=True, name="sikg-stop-signals").start()


def _prepare(kind: str, spec: dict) -> None:
    """Before any worker starts: an on-disk store gets the repository's content (the truth for the curated graphs),
    by `sikg load` in a process of its own (RocksDB opened in this one would be inherited by the forked workers,
    which then hang on exit); an external store must be one sikg can serve from (store.unusable: content under this
    SIKG_BASE that queries see), else serve stops with the one line saying why and what to do."""
    if kind == "disk":
        loaded = subprocess.run([sys.executable, "-m", "sikg.cli", "load", "--store", spec["spec"]],
                                capture_output=True, text=True)
        if loaded.returncode != 0:
            raise SystemExit("sikg serve: " + loaded.stderr.strip().removeprefix("sikg: "))
    elif kind == "external":
        try:
            problem = open_store(**spec).unusable()
        except StoreUnavailable:
            return  # the service starts all the same and answers 503 until the store is back
        if problem:
            raise SystemExit(f"sikg serve: {problem}")


def worker_processes(settings: Settings, kind: str) -> int:
    """--processes, or by default one per core (the throughput of a process is bounded by its interpreter: distinct
    lookups went from 2,340 to 3,000-3,320 a second with a second process on two cores, bench/README.md), except
    over the in-memory store, which each process would hold a copy of."""
    if settings.processes:
        return settings.processes
    return 1 if kind == "memory" else max(1, os.cpu_count() or 1)


def evaluators_per_process(settings: Settings, processes: int) -> int:
    """SIKG_EVALUATORS counts the evaluators of the whole service: each worker process gets its share, at least one.
    Each evaluator holds its own copy of the store in memory (SIKG_EVALUATOR_MEMORY), and the copies are most of the
    service's memory: two evaluators a worker process made 1.3 GB over 290k quads (docs/deployment.md, sizing)."""
    return max(1, settings.evaluators // processes)


def serve(settings: Settings) -> int:
    """Serves with `settings` (the environment's, with the command line's choices in them) until stopped."""
    spec = {"spec": settings.store, "update_url": settings.store_update, "store_url": settings.store_gsp,
            "auth_headers": settings.store_auth_headers}
    kind = store_kind(settings.store)
    processes = worker_processes(settings, kind)
    settings = replace(settings, evaluators=evaluators_per_process(settings, processes))
    if processes > 1 and kind != "external":
        if kind == "memory" and settings.contrib_tokens:
            raise SystemExit("sikg serve: --processes over the in-memory store gives each process a copy of its own, "
                             "and a contribution would reach one of them; serve an on-disk store (--store DIR), or "
                             "run one process (threads: --workers)")
        spec["boot"] = uuid.uuid4().hex[:12]  # one for all workers: the same content, the same ETags
    _prepare(kind, spec)
    shared = processes > 1 and kind == "disk"
    with running_writer(settings.store, spec["boot"]) if shared else nullcontext() as writer:
        if writer is not None:
            spec["writer"] = writer
        # The access log is off unless asked for: writing a line per request was a tenth of a worker's CPU or more in
        # the lookup benchmark (bench/README.md). Errors are always logged.
        server = Server("sikg.web.app:create_app", address=settings.host, port=settings.port, interface=Interfaces.WSGI,
                        workers=processes, blocking_threads=max(1, settings.workers), log_level=LogLevels.warning,
                        log_access=settings.access_log, respawn_failed_workers=True, workers_kill_timeout=10)
        server.serve(target_loader=partial(_load_app, spec, settings))
    return 0
