"""Caches of SPARQL answers: the bounded store both use, and repeated GET requests answered in front of Flask.

A public endpoint is asked the same thing again and again (links in pages, dashboards, a YASGUI tab re-run): the
same URL with the same Accept header against the same store state. For such a request the answer cache in
protocol.py already saves the evaluation, but Flask, Werkzeug and the request parsing still cost most of the time
of a cached answer (bench/README.md, "SPARQL endpoint"). This WSGI middleware keeps the whole response of such a
request and sends it again without entering Flask.

What it keeps is what an HTTP shared cache could keep: a 200 to a GET that carries an ETag (the app sets one only
on answers derived from the store's state, so a write changes the key), a Content-Length (not a streamed answer)
and varies on Accept alone. The key holds the store's state token read before the app ran, the path, the raw query
string and the raw Accept header. Conditional requests go to the app, which owns the 304 logic.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable

CACHEABLE_BYTES = 512 * 1024
ENTRY_OVERHEAD = 600  # tuples, list, dictionary slot; with 100 a header, within 15 % above what tracemalloc counts
BYPASS_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE")
STATE_TOKEN_KEY = "sikg.state_token"  # the token read here, handed to the app in the environ: one read a request


class BoundedCache:
    """Entries by key, bounded in bytes by the cost each was put with; least recently used first out. The answer
    cache of protocol.py and the front cache below are both one."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self._entries: OrderedDict = OrderedDict()  # key -> (value, cost)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, value, cost: int) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (value, cost)
            self.size += cost
            while self.size > self.max_bytes and self._entries:
                _, (_, old_cost) = self._entries.popitem(last=False)
                self.size -= old_cost


class RepeatedGetCache(BoundedCache):
    """`paths`: where SPARQL answers are (exact paths, or prefixes ending in "/"); other requests pass straight
    through, without reading the state token (a request to an external store)."""

    def __init__(self, app, state_token: Callable[[], str], max_bytes: int, paths: tuple[str, ...]):
        super().__init__(max_bytes)
        self.app, self.state_token = app, state_token
        self.paths = tuple(p for p in paths if not p.endswith("/")), tuple(p for p in paths if p.endswith("/"))

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.max_bytes <= 0 or environ["REQUEST_METHOD"] != "GET" or any(h in environ for h in BYPASS_HEADERS) \
                or not (path in self.paths[0] or path.startswith(self.paths[1])):
            return self.app(environ, start_response)
        try:
            token = self.state_token()
        except Exception:  # an external store that is down: the app answers with its own 503
            return self.app(environ, start_response)
        key = (token, path, environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""))
        environ[STATE_TOKEN_KEY] = token  # the answer's ETag is made from the same state as this key
        entry = self.get(key)
        if entry is not None:
            status, headers, body = entry
            start_response(status, list(headers))
            return [body]
        return self._remember(key, environ, start_response)

    def _remember(self, key: tuple, environ, start_response):
        sent = []

        def capture(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, capture)
        if not sent or not self._cacheable(*sent):
            return body
        try:  # the app knows the length: the body is in memory already, joining it costs a copy
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.put(key, (sent[0], list(sent[1]), data), _cost(key, sent[1], data))
        return [data]

    @staticmethod
    def _cacheable(status: str, headers: list) -> bool:
        if not status.startswith("200"):
            return False
        names = {name.lower(): value for name, value in headers}
        return "etag" in names and names.get("vary", "").strip().lower() == "accept" \
            and int(names.get("content-length", CACHEABLE_BYTES + 1)) <= CACHEABLE_BYTES


def _cost(key: tuple, headers: list, body: bytes) -> int:
    """Bytes an entry holds, counting the key and the objects around the strings: many tiny answers to distinct
    queries must not hold much more memory than the bound says."""
    return ENTRY_OVERHEAD + sum(map(len, key)) + len(body) + sum(len(n) + len(v) + 100 for n, v in headers)
