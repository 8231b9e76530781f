"""`sikg serve`: the Flask app under gunicorn, a production WSGI server.

The embedded on-disk store is a RocksDB database that one process may open for writing, so the service runs one
process with several threads; Oxigraph releases the GIL while it evaluates, so threads answer queries in parallel.
"""

from gunicorn.app.base import BaseApplication

from .app import create_app
from .store import open_store


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict, store_spec: tuple):
        self.options = options
        self.store_spec = store_spec  # (store, update URL, Graph Store URL), as open_store takes them
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        store = open_store(*self.store_spec)
        if store.path is not None:
            store.load_curated()  # the repository's content is the truth for the curated graphs
        return create_app(store)


def serve(host: str, port: int, store: str | None, workers: int, access_log: bool = False,
          update_url: str | None = None, store_url: str | None = None) -> int:
    # The access log is off unless asked for: writing a line per request took 11-18 % of the worker's CPU in the
    # lookup benchmark (bench/README.md). Errors are always logged.
    options = {"bind": f"{host}:{port}", "workers": 1, "threads": max(1, workers), "worker_class": "gthread",
               "timeout": 60, "accesslog": "-" if access_log else None, "errorlog": "-"}
    _Gunicorn(options, (store, update_url, store_url)).run()
    return 0
