"""Caches of answers: the bounded store both use, and repeated GET requests answered in front of Flask.

A public site is asked the same things again and again (its pages, their charts, resource descriptions, links to
SPARQL answers, a YASGUI tab re-run): the same URL with the same headers against the same store state. Flask,
Werkzeug, the request parsing and the templates cost most of the time of such an answer (bench/README.md), so this
WSGI middleware keeps the whole response and sends it again without entering Flask, as a shared HTTP cache would
(RFC 9111), within the families of paths whose answers are deterministic for a store state (DETERMINISTIC_PATHS;
web/hooks.py gives their pages an ETag made from the state).

The primary key is the store's state token read before the app ran, the scheme, host, path and raw query string;
a write changes the token, so a stored answer is never stale and a request's `Cache-Control: no-cache` needs no
trip to the app. Each stored response names in its Vary the request headers that select it (RFC 9111 §4.1): several
variants (Accept, Accept-Language) are kept under one primary key, and one is used only for a request whose headers
named in its Vary are the same. What is kept: a 200 to a GET with an ETag and a Content-Length (not a streamed
answer) of at most CACHEABLE_BYTES, without Set-Cookie, `Cache-Control: private` or `no-store`, or `Vary: *`.
Requests that carry Authorization or a Cookie (a curator's or contributor's pages read the sign-in cookie), ranges,
and conditions other than If-None-Match go to the app. If-None-Match is answered from memory when a variant is kept:
a 304 when it matches the variant's ETag (weakly, RFC 9110 §13.1.2), the kept 200 when not.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from werkzeug.http import parse_etags, unquote_etag

CACHEABLE_BYTES = 512 * 1024
ENTRY_OVERHEAD = 600  # tuples, list, dictionary slot; with 100 a header, within 15 % above what tracemalloc counts
SEEN_KEYS = 65_536  # keys put once that BoundedCache remembers (as hashes: about 6 MB), for "cache on second hit"
MAX_VARIANTS = 16  # a client varying its Accept-Language at random must not make one key hold the whole cache
# Requests answered by the app alone: who asks (a sign-in cookie, a token), a part of the answer, conditions only the
# app can evaluate, and a client that forbids keeping its answer (RFC 9111 §5.2.1.5).
BYPASS_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_MATCH",
                  "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
STATE_TOKEN_KEY = "sikg.state_token"  # the token read here, handed to the app in the environ: one read a request
# Paths whose GET answers are the same for one store state, URL and the request headers their Vary names: pages,
# charts, descriptions, SPARQL answers, the documents about the service. A trailing * is a prefix. Never a path whose
# answer depends on who asks (/contribute, /review, /sign-in, /contributions), nor the liveness check or the dumps.
DETERMINISTIC_PATHS = ("/", "/practices", "/chart.svg", "/chart-characteristics.svg", "/validate", "/ontology",
                       "/shapes", "/context.jsonld", "/.well-known/void", "/openapi.json", "/sparql", "/queries",
                       "/queries/*", "/id/*")
# What a 304 carries of the 200 it stands for (RFC 9110 §15.4.5), with the Link to the alternates and CORS.
NOT_MODIFIED_FIELDS = {"etag", "vary", "cache-control", "content-location", "expires", "link"}


class PathFamilies:
    """Exact paths, and prefixes written with a trailing `*`."""

    def __init__(self, paths: Iterable[str]):
        paths = tuple(paths)
        self.exact = frozenset(p for p in paths if not p.endswith("*"))
        self.prefixes = tuple(p[:-1] for p in paths if p.endswith("*"))

    def __contains__(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.prefixes)


def not_modified_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The fields of a 200 that its 304 repeats."""
    return [(n, v) for n, v in headers if n.lower() in NOT_MODIFIED_FIELDS or n.lower().startswith("access-control-")]


def vary_fields(vary: str) -> list[str]:
    return [f.strip().lower() for f in vary.split(",") if f.strip()]


def storable_etag(status: str, headers: list) -> str | None:
    """The ETag (unquoted) of a response this cache may keep, else None."""
    if not status.startswith("200"):
        return None
    fields: dict[str, list[str]] = {}
    for name, value in headers:
        fields.setdefault(name.lower(), []).append(value)
    directives = {d.split("=")[0].strip().lower() for d in ",".join(fields.get("cache-control", [])).split(",")}
    length = fields.get("content-length", [""])[0]
    if "set-cookie" in fields or directives & {"private", "no-store"} or "etag" not in fields \
            or "*" in vary_fields(",".join(fields.get("vary", []))) \
            or not length.isdigit() or int(length) > CACHEABLE_BYTES:
        return None
    return unquote_etag(fields["etag"][0])[0]


def environ_key(field: str) -> str:
    """Where a WSGI environ holds the request header `field`."""
    name = field.upper().replace("-", "_")
    return name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"


class BoundedCache:
    """Entries by key, bounded in bytes by the cost each was put with; least recently used first out. The answer
    cache of sparql/protocol.py and the front cache below are both one.

    `second_hit`: an answer is kept the second time its key is put, not the first (a CDN's "cache on second hit"),
    for SPARQL answers: most of the long tail of distinct queries is asked once, and keeping each such answer in two
    caches cost 16 % of the throughput of distinct lookups (bench/README.md, "Issue 18"). The keys seen once are
    remembered as hashes, the last SEEN_KEYS of them: a collision only keeps an answer one request early."""

    def __init__(self, max_bytes: int, second_hit: bool = False):
        self.max_bytes, self.size, self.second_hit = max_bytes, 0, second_hit
        self._entries: OrderedDict = OrderedDict()  # key -> (value, cost)
        self._seen: OrderedDict = OrderedDict()  # hash(key) -> None: keys put once, not kept yet
        self._lock = threading.Lock()

    def admit(self, key) -> bool:
        """Whether an answer under `key` is to be kept now: True the second time a key is offered (see second_hit)."""
        hashed = hash(key)
        with self._lock:
            if self._seen.pop(hashed, False) is None:
                return True
            self._seen[hashed] = None
            if len(self._seen) > SEEN_KEYS:
                self._seen.popitem(last=False)
            return False

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, value, cost: int) -> None:
        if self.second_hit and not self.admit(key):
            return
        with self._lock:
            if key in self._entries:
                return
            self._store(key, value, cost)

    def merge(self, key, combine: Callable) -> None:
        """Puts `combine(the value held under key, or None)`, which returns (value, cost), in place of that value:
        read and replaced under one lock, so that no concurrent merge is lost and the size stays exact."""
        with self._lock:
            held = self._entries.pop(key, None)
            if held is not None:
                self.size -= held[1]
            self._store(key, *combine(None if held is None else held[0]))

    def _store(self, key, value, cost: int) -> None:
        self._entries[key] = (value, cost)
        self.size += cost
        while self.size > self.max_bytes and self._entries:
            _, (_, old_cost) = self._entries.popitem(last=False)
            self.size -= old_cost


@dataclass(frozen=True)
class Variant:
    """One kept response: the request headers its Vary names (as environ keys), their values in the request that
    it answered, and what was sent."""
    fields: tuple[str, ...]
    selecting: tuple[str | None, ...]
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    cost: int

    def selected_by(self, environ) -> bool:
        return tuple(environ.get(f) for f in self.fields) == self.selecting

    def answer(self, environ, start_response):
        condition = environ.get("HTTP_IF_NONE_MATCH")
        if condition is not None and parse_etags(condition).contains_weak(self.etag):
            start_response("304 Not Modified", not_modified_headers(self.headers))
            return []
        start_response(self.status, list(self.headers))
        return [self.body]


class RepeatedGetCache(BoundedCache):
    """`paths`: the families whose answers may be kept (exact paths, or prefixes ending in "*"), those of
    `second_hit_paths` from their second miss on (see BoundedCache.admit); other requests pass straight through,
    without reading the state token (a request to an external store). Under each primary key, the variants kept,
    most recent first."""

    def __init__(self, app, state_token: Callable[[], str], max_bytes: int, paths: Iterable[str],
                 second_hit_paths: Iterable[str] = ()):
        super().__init__(max_bytes)
        self.app, self.state_token = app, state_token
        self.paths, self.second_hit_paths = PathFamilies(paths), PathFamilies(second_hit_paths)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.max_bytes <= 0 or environ["REQUEST_METHOD"] != "GET" or path not in self.paths \
                or any(h in environ for h in BYPASS_HEADERS) or "no-store" in environ.get("HTTP_CACHE_CONTROL", ""):
            return self.app(environ, start_response)
        try:
            token = self.state_token()
        except Exception:  # an external store that is down: the app answers with its own 503
            return self.app(environ, start_response)
        environ[STATE_TOKEN_KEY] = token  # the answer's ETag is made from the same state as this key
        key = (token, environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
               environ.get("SCRIPT_NAME", ""), path, environ.get("QUERY_STRING", ""))
        variant = next((v for v in self.get(key) or () if v.selected_by(environ)), None)
        if variant is not None:
            return variant.answer(environ, start_response)
        return self._remember(key, environ, start_response)

    def _remember(self, key: tuple, environ, start_response):
        sent = []

        def capture(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, capture)
        if not sent or (key[4] in self.second_hit_paths and not self.admit((key, _selecting(environ, sent[1])))):
            return body  # (a first miss is only counted: the checks below cost more than counting)
        etag = storable_etag(*sent)
        if etag is None:
            return body
        try:  # the app knows the length: the body is in memory already, joining it costs a copy
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self._keep(key, _variant(environ, sent[0], sent[1], data, etag))
        return [data]

    def _keep(self, key: tuple, variant: Variant) -> None:
        def combine(held):
            others = [v for v in held or () if (v.fields, v.selecting) != (variant.fields, variant.selecting)]
            variants = (variant, *others)[:MAX_VARIANTS]
            return variants, ENTRY_OVERHEAD + sum(map(len, key)) + sum(v.cost for v in variants)

        self.merge(key, combine)


def _selecting(environ, headers: list) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """The request headers a response's Vary names (as environ keys), and their values in this request."""
    fields = tuple(environ_key(f) for n, v in headers if n.lower() == "vary" for f in vary_fields(v))
    return fields, tuple(environ.get(f) for f in fields)


def _variant(environ, status: str, headers: list, body: bytes, etag: str) -> Variant:
    """The response as kept, with its cost: the bytes it holds, counting the objects around the strings, so that
    many tiny answers to distinct queries do not hold much more memory than the bound says."""
    fields, selecting = _selecting(environ, headers)
    cost = ENTRY_OVERHEAD + len(body) + sum(len(n) + len(v) + 100 for n, v in headers) \
        + sum(len(f) + len(s or "") + 100 for f, s in zip(fields, selecting))
    return Variant(fields, selecting, status, tuple(headers), body, etag, cost)
