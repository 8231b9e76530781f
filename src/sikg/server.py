"""`sikg serve`: the Flask app under gunicorn, a production WSGI server.

The embedded on-disk store is a RocksDB database that one process may open for writing, so by default the service
runs one process with several threads; Oxigraph releases the GIL while it evaluates, and queries run in evaluator
processes. `--processes N` runs N gunicorn workers: over an external store each is a stateless client of it; over
the embedded store the content is loaded first, then every worker opens the store read-only, which is why that
needs contributions (the only writes) off.
"""

import gc
import os
import uuid

from gunicorn.app.base import BaseApplication

from .app import create_app
from .contributions import parse_tokens
from .store import open_store, store_kind


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict, store_spec: dict):
        self.options = options
        self.store_spec = store_spec  # open_store's arguments
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        store = open_store(**self.store_spec)
        if store.path is not None and not store.read_only:
            store.load_curated()  # the repository's content is the truth for the curated graphs
        return create_app(store)


def serve(host: str, port: int, store: str | None, workers: int, access_log: bool = False,
          update_url: str | None = None, store_url: str | None = None, processes: int = 1) -> int:
    spec = {"spec": store, "update_url": update_url, "store_url": store_url}
    processes = max(1, processes)
    kind = store_kind(store)
    if processes > 1 and kind != "external":
        if parse_tokens(os.environ.get("SIKG_CONTRIB_TOKEN")):
            raise SystemExit("sikg serve: --processes over the embedded store serves it read-only, and contributions "
                             "write to it; run one process (threads: --workers), or use an external store "
                             "(docs/deployment.md)")
        on_disk = kind == "disk"
        if on_disk:  # load the curated content now, then close the store: the workers open it read-only
            writer = open_store(store)
            writer.load_curated()
            del writer
            gc.collect()
        # One boot for all workers: the same content gets the same ETags whichever worker answers.
        spec |= {"read_only": on_disk, "boot": uuid.uuid4().hex[:12]}
    # The access log is off unless asked for: writing a line per request took 11-18 % of the worker's CPU in the
    # lookup benchmark (bench/README.md). Errors are always logged.
    options = {"bind": f"{host}:{port}", "workers": processes, "threads": max(1, workers), "worker_class": "gthread",
               "timeout": 60, "accesslog": "-" if access_log else None, "errorlog": "-"}
    _Gunicorn(options, spec).run()
    return 0
