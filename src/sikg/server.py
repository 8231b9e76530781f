"""`sikg serve`: the Flask app under gunicorn, a production WSGI server.

The embedded on-disk store is a RocksDB database that one process may open for writing, so by default the service
runs one process with several threads; Oxigraph releases the GIL while it evaluates, and queries run in evaluator
processes. `--processes N` runs N gunicorn workers: over an external store each is a stateless client of it; over
the embedded store the content is loaded first, then every worker opens the store read-only, which is why that
needs contributions (the only writes) off.
"""

import subprocess
import sys
import uuid

from gunicorn.app.base import BaseApplication

from .app import create_app
from .settings import Settings
from .store import open_store, store_kind
from .store.errors import StoreUnavailable


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict, store_spec: dict, settings: Settings):
        self.options = options
        self.store_spec = store_spec  # open_store's arguments
        self.settings = settings
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app(open_store(**self.store_spec), self.settings)


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


def serve(settings: Settings) -> int:
    """Serves with `settings` (the environment's, with the command line's choices in them) until stopped."""
    spec = {"spec": settings.store, "update_url": settings.store_update, "store_url": settings.store_gsp,
            "auth_headers": settings.store_auth_headers}
    processes = max(1, settings.processes)
    kind = store_kind(settings.store)
    if processes > 1 and kind != "external":
        if settings.contrib_tokens:
            raise SystemExit("sikg serve: --processes over the embedded store serves it read-only, and contributions "
                             "write to it; run one process (threads: --workers), or use an external store "
                             "(docs/deployment.md)")
        on_disk = kind == "disk"
        # One boot for all workers: the same content gets the same ETags whichever worker answers.
        spec |= {"read_only": on_disk, "boot": uuid.uuid4().hex[:12]}
    # The access log is off unless asked for: writing a line per request took 11-18 % of the worker's CPU in the
    # lookup benchmark (bench/README.md). Errors are always logged.
    options = {"bind": f"{settings.host}:{settings.port}", "workers": processes, "threads": max(1, settings.workers),
               "worker_class": "gthread", "timeout": 60, "accesslog": "-" if settings.access_log else None,
               "errorlog": "-"}
    _prepare(kind, spec)
    _Gunicorn(options, spec, settings).run()
    return 0
