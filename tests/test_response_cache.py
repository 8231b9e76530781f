"""The front cache for repeated GETs of SPARQL answers (response_cache.py): a repeat is answered byte for byte as
the app answered it, without entering the app; anything that might differ goes to the app."""

import dataclasses
import json

import pytest

from sikg.app import create_app
from sikg.response_cache import RepeatedGetCache
from sikg.settings import Settings
from sikg.store import open_store

QUERY = "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"


class CountingApp:
    """Wraps the app's WSGI callable and counts the requests that reach it."""

    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def service():
    store = open_store("memory")
    app = create_app(store, dataclasses.replace(Settings.from_environment(), evaluators=1))
    front = app.wsgi_app
    assert isinstance(front, RepeatedGetCache)
    inner = front.app = CountingApp(front.app)
    try:
        yield store, app.test_client(), inner, front
    finally:
        app.extensions["sikg"].pool.close()


def rows(response) -> list:
    return [b["o"]["value"] for b in json.loads(response.data)["results"]["bindings"]]


def test_a_repeated_get_is_answered_as_before_without_the_app(service):
    _, client, inner, _ = service
    first = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "application/sparql-results+json"})
    again = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "application/sparql-results+json"})
    assert first.status_code == again.status_code == 200
    assert inner.calls == 1, "the repeat went through the app"
    assert again.data == first.data
    assert dict(again.headers) == dict(first.headers)
    assert again.headers["Access-Control-Allow-Origin"] == "*" and again.headers["ETag"]


def test_a_write_is_seen_at_once(service):
    store, client, inner, _ = service
    assert rows(client.get("/sparql", query_string={"query": QUERY})) == []
    store.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }")
    after = client.get("/sparql", query_string={"query": QUERY})
    assert rows(after) == ["urn:x:o"] and inner.calls == 2


def test_the_accept_header_is_part_of_the_key(service):
    _, client, inner, _ = service
    json_answer = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "application/json"})
    csv_answer = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "text/csv"})
    assert json_answer.mimetype == "application/json" and csv_answer.mimetype == "text/csv"
    assert inner.calls == 2


def test_conditional_requests_go_to_the_app(service):
    _, client, inner, _ = service
    etag = client.get("/sparql", query_string={"query": QUERY}).headers["ETag"]
    conditional = client.get("/sparql", query_string={"query": QUERY}, headers={"If-None-Match": etag})
    assert conditional.status_code == 304 and inner.calls == 2


@pytest.mark.parametrize("request_args", [
    {"path": "/sparql", "query_string": {"query": "SELECT * WHERE {"}},  # 400
    {"path": "/sparql", "query_string": {"query": QUERY}, "headers": {"Accept": "image/png"}},  # 406
    {"path": "/sparql", "headers": {"Accept": "text/turtle"}},  # the service description: no ETag
    {"path": "/health"},
], ids=["malformed", "not-acceptable", "service-description", "health"])
def test_what_is_not_a_cacheable_answer_goes_to_the_app_each_time(service, request_args):
    _, client, inner, front = service
    path = request_args.pop("path")
    statuses = [client.get(path, **request_args).status_code for _ in range(2)]
    assert inner.calls == 2, statuses
    assert front.size == 0


def test_posts_go_to_the_app(service):
    _, client, inner, _ = service
    for _ in range(2):
        assert client.post("/sparql", data=QUERY, content_type="application/sparql-query").status_code == 200
    assert inner.calls == 2


def test_curated_queries_are_kept_too(service):
    _, client, inner, _ = service
    first = client.get("/queries/practices-per-element")
    assert first.status_code == 200, first.data
    assert client.get("/queries/practices-per-element").data == first.data and inner.calls == 1


def test_memory_is_bounded_and_least_recently_used_goes_first(service):
    _, client, inner, front = service
    first = client.get("/sparql", query_string={"query": QUERY})
    front.max_bytes = front.size + len(first.data) // 2  # room for one answer only
    client.get("/sparql", query_string={"query": QUERY + " LIMIT 1"})
    assert front.size <= front.max_bytes and len(front._entries) == 1
    client.get("/sparql", query_string={"query": QUERY})
    assert inner.calls == 3, "the evicted answer was still served"


def test_turned_off_with_no_memory(service):
    _, client, inner, front = service
    front.max_bytes = 0
    for _ in range(2):
        client.get("/sparql", query_string={"query": QUERY})
    assert inner.calls == 2 and front.size == 0


def test_other_paths_pass_through_without_reading_the_state():
    """Pages, exports and descriptions never touch the state token: over an external store it is a request."""
    reads = []

    def token():
        reads.append(1)
        return "t"

    def app(environ, start_response):
        start_response("200 OK", [("ETag", '"x"'), ("Vary", "Accept"), ("Content-Length", "2")])
        return [b"ok"]

    front = RepeatedGetCache(app, token, 1024, paths=("/sparql", "/queries/"))
    for path in ("/", "/export", "/id/practice/x", "/sparql/extra", "/queriesx"):
        assert b"".join(front({"REQUEST_METHOD": "GET", "PATH_INFO": path}, lambda s, h: None)) == b"ok"
    assert reads == [] and front.size == 0
    front({"REQUEST_METHOD": "GET", "PATH_INFO": "/queries/x"}, lambda s, h: None)
    assert reads == [1] and front.size > 0


def test_a_failing_state_token_leaves_the_answer_to_the_app():
    """Over an external store that is down, reading the state token fails: the app answers (with its 503)."""
    def broken_token():
        raise OSError("store down")

    def app(environ, start_response):
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"down"]

    front = RepeatedGetCache(app, broken_token, 1024, paths=("/sparql",))
    seen = []
    body = front({"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "QUERY_STRING": "query=x"},
                 lambda status, headers: seen.append(status))
    assert b"".join(body) == b"down" and seen == ["503 Service Unavailable"]


def test_the_state_is_read_once_a_request():
    """Over an external store reading the state token is a request to it: the front cache hands the token it read to
    the app, whose ETag is then made from the same state as the cache key."""
    from sikg.store import EmbeddedStore

    class CountingStore(EmbeddedStore):
        reads = 0

        @property
        def state_token(self):
            CountingStore.reads += 1
            return super().state_token

    store = CountingStore()
    store.load_curated()
    app = create_app(store, dataclasses.replace(Settings.from_environment(), evaluators=1))
    try:
        client = app.test_client()
        CountingStore.reads = 0
        miss = client.get("/sparql", query_string={"query": QUERY})
        assert miss.status_code == 200 and CountingStore.reads == 1
        CountingStore.reads = 0
        hit = client.get("/sparql", query_string={"query": QUERY})
        assert hit.data == miss.data and CountingStore.reads == 1
    finally:
        app.extensions["sikg"].pool.close()
