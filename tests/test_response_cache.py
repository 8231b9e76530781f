"""The front cache for repeated GETs (response_cache.py): a repeat of a SPARQL answer, a page, a chart or a
resource description is answered byte for byte as the app answered it, without entering the app, in the variant the
request's headers named in the Vary select; anything that might differ goes to the app. And the ETags pages get from
the store's state (hooks.state_etag)."""

import dataclasses
import json

import pytest

from helpers import CountingApp
from sikg.http import response_cache
from sikg.http.response_cache import CACHEABLE_BYTES, DETERMINISTIC_PATHS, RepeatedGetCache
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app

QUERY = "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"


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


def ask_twice(client, query: str = QUERY, **headers):
    """A query asked twice: its answer is kept from its second request on (second hit)."""
    client.get("/sparql", query_string={"query": query}, headers=headers)
    return client.get("/sparql", query_string={"query": query}, headers=headers)


def test_a_query_asked_once_is_not_kept(service):
    _, client, inner, front = service
    answer = client.get("/sparql", query_string={"query": QUERY})
    assert answer.status_code == 200 and inner.calls == 1
    assert front.size == 0 and not front._entries, "a one-off answer was kept"
    assert client.get("/sparql", query_string={"query": QUERY}).data == answer.data and front._entries


def test_a_repeated_get_is_answered_as_before_without_the_app(service):
    _, client, inner, _ = service
    first = ask_twice(client, Accept="application/sparql-results+json")
    again = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "application/sparql-results+json"})
    assert first.status_code == again.status_code == 200
    assert inner.calls == 2, "the repeat went through the app"
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


def test_a_matching_condition_is_a_304_from_memory(service):
    _, client, inner, _ = service
    first = ask_twice(client)
    etag = first.headers["ETag"]
    for condition in (etag, f'"other", W/{etag}', "*"):
        conditional = client.get("/sparql", query_string={"query": QUERY}, headers={"If-None-Match": condition})
        assert conditional.status_code == 304 and conditional.data == b"", condition
        assert conditional.headers["ETag"] == etag and conditional.headers["Vary"] == "Accept"
        assert conditional.headers["Cache-Control"] == first.headers["Cache-Control"]
        assert "Content-Type" not in conditional.headers
    assert inner.calls == 2, "a conditional request went through the app"


def test_a_condition_that_does_not_match_gets_the_kept_answer(service):
    _, client, inner, _ = service
    first = ask_twice(client)
    other = client.get("/sparql", query_string={"query": QUERY}, headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200 and other.data == first.data and inner.calls == 2


def test_a_condition_with_nothing_kept_goes_to_the_app(service):
    _, client, inner, front = service
    etag = client.get("/sparql", query_string={"query": QUERY}).headers["ETag"]
    front._entries.clear()
    conditional = client.get("/sparql", query_string={"query": QUERY}, headers={"If-None-Match": etag})
    assert conditional.status_code == 304 and inner.calls == 2


@pytest.mark.parametrize("request_args", [
    {"path": "/sparql", "query_string": {"query": "SELECT * WHERE {"}},  # 400
    {"path": "/sparql", "query_string": {"query": QUERY}, "headers": {"Accept": "image/png"}},  # 406
    {"path": "/health"},
    {"path": "/sign-in"},
    {"path": "/", "headers": {"Range": "bytes=0-10"}},
    {"path": "/", "headers": {"Cache-Control": "no-store"}},
], ids=["malformed", "not-acceptable", "health", "sign-in", "range", "no-store-asked"])
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
    first = ask_twice(client)
    front.max_bytes = front.size + len(first.data) // 2  # room for one answer only
    ask_twice(client, QUERY + " LIMIT 1")
    assert front.size <= front.max_bytes and len(front._entries) == 1
    client.get("/sparql", query_string={"query": QUERY})
    assert inner.calls == 5, "the evicted answer was still served"


def test_turned_off_with_no_memory(service):
    _, client, inner, front = service
    front.max_bytes = 0
    for _ in range(2):
        client.get("/sparql", query_string={"query": QUERY})
    assert inner.calls == 2 and front.size == 0


def test_other_paths_pass_through_without_reading_the_state():
    """Exports, the liveness check and what depends on who asks never touch the state token: over an external store
    it is a request."""
    reads = []

    def token():
        reads.append(1)
        return "t"

    front = RepeatedGetCache(fixed_app(), token, 8192, paths=("/", "/sparql", "/queries/*"))
    for path in ("/export", "/health", "/contribute", "/sparql/extra", "/queriesx", "/queries", "/x/"):
        assert b"".join(front(get(path), lambda s, h: None)) == b"ok"
    assert reads == [] and front.size == 0
    front(get("/queries/x"), lambda s, h: None)
    front(get("/"), lambda s, h: None)
    assert reads == [1, 1] and len(front._entries) == 2


def test_the_families_leave_out_what_depends_on_who_asks(service):
    *_, front = service
    for path in ("/contribute", "/review", "/sign-in", "/contributions", "/contributions/x", "/export", "/health"):
        assert path not in front.paths, path
    for path in ("/", "/practices", "/chart.svg", "/ontology", "/sparql", "/queries", "/queries/x", "/id/practice/x"):
        assert path in front.paths, path


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


# -- pages, charts and descriptions ---------------------------------------------------------------------------------

PAGES = ["/", "/practices", "/practices?country=FR", "/chart.svg", "/chart-characteristics.svg", "/ontology",
         "/sparql", "/queries", "/validate", "/id/practice/cap-impact", "/id/organisation/avise?format=ttl",
         "/context.jsonld", "/.well-known/void", "/shapes"]
SWEDISH = {"Accept-Language": "sv"}
ENGLISH = {"Accept-Language": "en"}


@pytest.mark.parametrize("path", PAGES)
def test_a_repeated_page_is_answered_as_before_without_the_app(service, path):
    _, client, inner, _ = service
    headers = {"Accept": "text/html,*/*;q=0.8", **SWEDISH}
    first = client.get(path, headers=headers)
    if path == "/sparql":  # the endpoint's answers, its page too, are kept from their second request on
        first = client.get(path, headers=headers)
    again = client.get(path, headers=headers)
    assert first.status_code == again.status_code == 200 and first.headers["ETag"]
    assert inner.calls == (2 if path == "/sparql" else 1), "the repeat went through the app"
    assert again.data == first.data and dict(again.headers) == dict(first.headers)


def test_languages_are_kept_apart(service):
    _, client, inner, front = service
    answers = {}
    for _ in range(2):
        for name, headers in (("sv", SWEDISH), ("en", ENGLISH), ("none", {})):
            answers.setdefault(name, []).append(client.get("/", headers=headers))
    assert inner.calls == 3 and len(front._entries) == 1, "three variants under one URL"
    for name, language in (("sv", "sv"), ("en", "en"), ("none", "en")):
        first, again = answers[name]
        assert first.headers["Content-Language"] == again.headers["Content-Language"] == language
        assert again.data == first.data
    assert answers["sv"][0].data != answers["en"][0].data
    assert b'lang="sv"' in answers["sv"][1].data and b'lang="en"' in answers["en"][1].data
    assert len({answers[n][0].headers["ETag"] for n in answers}) == 3, "variants share an ETag"


def test_a_language_in_the_url_is_another_resource(service):
    _, client, inner, _ = service
    swedish = client.get("/chart.svg?lang=sv")
    english = client.get("/chart.svg")
    assert swedish.headers["Content-Language"] == "sv" and english.headers["Content-Language"] == "en"
    assert client.get("/chart.svg?lang=sv").data == swedish.data and inner.calls == 2


def test_a_write_changes_pages_and_their_etags(service):
    store, client, inner, _ = service
    before = client.get("/", headers=SWEDISH)
    store.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }")
    after = client.get("/", headers=SWEDISH)
    assert inner.calls == 2 and after.headers["ETag"] != before.headers["ETag"]
    stale = client.get("/", headers={**SWEDISH, "If-None-Match": before.headers["ETag"]})
    assert stale.status_code == 200 and inner.calls == 2, "the old ETag still matched after the write"


def test_a_page_condition_is_a_304_from_memory(service):
    _, client, inner, _ = service
    first = client.get("/practices", headers=SWEDISH)
    conditional = client.get("/practices", headers={**SWEDISH, "If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304 and conditional.data == b"" and inner.calls == 1
    assert conditional.headers["ETag"] == first.headers["ETag"]
    assert conditional.headers["Vary"] == first.headers["Vary"] == "Accept, Accept-Language"
    english = client.get("/practices", headers={**ENGLISH, "If-None-Match": first.headers["ETag"]})
    assert english.status_code == 200 and english.headers["Content-Language"] == "en" and inner.calls == 2


def test_a_description_keeps_its_link_in_a_304(service):
    _, client, inner, _ = service
    first = client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"})
    conditional = client.get("/id/practice/cap-impact",
                             headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304 and inner.calls == 1
    assert conditional.headers["Link"] == first.headers["Link"]


@pytest.mark.parametrize("who", [{"Cookie": "sikg_token=secret"}, {"Authorization": "Bearer secret"}],
                         ids=["cookie", "authorization"])
def test_a_request_that_says_who_asks_is_never_shared(service, who):
    _, client, inner, front = service
    client = client.application.test_client(use_cookies=False)  # a jar would replace the Cookie header
    for _ in range(2):
        assert client.get("/", headers={**who, **SWEDISH}).status_code == 200
        assert client.get("/sparql", query_string={"query": QUERY}, headers=who).status_code == 200
    assert inner.calls == 4 and front.size == 0 and not front._entries
    kept = client.get("/", headers=SWEDISH)
    assert client.get("/", headers={**who, **SWEDISH}).data == kept.data and inner.calls == 6


def test_the_app_makes_page_etags_and_answers_them_with_a_304(service):
    """With the front cache left out (a Cookie), the app's own ETag and 304: the same ETag the cache keeps."""
    _, client, inner, _ = service
    client = client.application.test_client(use_cookies=False)  # a jar would replace the Cookie header
    cookie = {"Cookie": "theme=dark"}
    page = client.get("/ontology", headers={**cookie, **SWEDISH})
    assert page.headers["ETag"] == client.get("/ontology", headers=SWEDISH).headers["ETag"]
    conditional = client.get("/ontology", headers={**cookie, **SWEDISH, "If-None-Match": page.headers["ETag"]})
    assert conditional.status_code == 304 and conditional.data == b"" and inner.calls == 3
    assert conditional.headers["ETag"] == page.headers["ETag"] and conditional.headers["Vary"] == page.headers["Vary"]
    assert "Content-Type" not in conditional.headers
    assert client.get("/ontology", headers={**cookie, **ENGLISH}).headers["ETag"] != page.headers["ETag"]


@pytest.mark.parametrize("path", ["/sign-in", "/health"])
def test_pages_about_who_asks_get_no_state_etag(service, path):
    _, client, _, _ = service
    assert "ETag" not in client.get(path).headers


# -- what is kept, by the headers of the response (a stand-in app) --------------------------------------------------

def get(path: str, **headers) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "wsgi.url_scheme": "http",
            "HTTP_HOST": "sikg.example", **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}


def fixed_app(status: str = "200 OK", headers: tuple = (("ETag", '"x"'), ("Vary", "Accept")), body: bytes = b"ok"):
    def app(environ, start_response):
        app.calls += 1
        start_response(status, [*headers, ("Content-Length", str(len(body)))] if body is not None else list(headers))
        return [body or b""]
    app.calls = 0
    return app


def ask(front, environ) -> tuple[str, dict, bytes]:
    sent = []
    body = b"".join(front(environ, lambda status, headers: sent.extend([status, dict(headers)])))
    return sent[0], sent[1], body


@pytest.mark.parametrize("headers, body", [
    ((("ETag", '"x"'), ("Set-Cookie", "a=b")), b"ok"),
    ((("ETag", '"x"'), ("Cache-Control", "private")), b"ok"),
    ((("ETag", '"x"'), ("Cache-Control", "public, no-store")), b"ok"),
    ((("ETag", '"x"'), ("Cache-Control", "Private=\"Set-Cookie\"")), b"ok"),
    ((("ETag", '"x"'), ("Vary", "Accept, *")), b"ok"),
    ((("Vary", "Accept"),), b"ok"),  # no ETag
    ((("ETag", '"x"'),), None),  # no Content-Length: streamed
    ((("ETag", '"x"'),), b"x" * (CACHEABLE_BYTES + 1)),  # over the cap for one answer
], ids=["set-cookie", "private", "no-store", "private-field", "vary-star", "no-etag", "streamed", "too-big"])
def test_what_a_shared_cache_may_not_keep_is_not_kept(headers, body):
    app = fixed_app(headers=headers, body=body)
    front = RepeatedGetCache(app, lambda: "t", 4 * CACHEABLE_BYTES, paths=("/",))
    for _ in range(2):
        assert ask(front, get("/"))[0] == "200 OK"
    assert app.calls == 2 and front.size == 0


def test_only_200s_are_kept():
    app = fixed_app(status="404 NOT FOUND")
    front = RepeatedGetCache(app, lambda: "t", 4096, paths=("/",))
    for _ in range(2):
        ask(front, get("/"))
    assert app.calls == 2 and front.size == 0


def test_the_variant_is_chosen_by_the_fields_its_vary_names_only():
    app = fixed_app(headers=(("ETag", '"x"'), ("Vary", "accept-language")))
    front = RepeatedGetCache(app, lambda: "t", 8192, paths=("/",))
    ask(front, get("/", accept_language="sv", accept="text/html"))
    ask(front, get("/", accept_language="sv", accept="image/png"))  # Accept is not in the Vary: the same variant
    assert app.calls == 1
    ask(front, get("/", accept_language="en"))
    ask(front, get("/"))  # no Accept-Language is a variant of its own
    ask(front, get("/", accept_language="en"))
    (variants, _), = front._entries.values()
    assert app.calls == 3 and len(variants) == 3


def test_a_response_without_vary_is_one_variant_for_every_request():
    app = fixed_app(headers=(("ETag", '"x"'),))
    front = RepeatedGetCache(app, lambda: "t", 8192, paths=("/",))
    ask(front, get("/", accept_language="sv"))
    ask(front, get("/", accept="text/turtle"))
    assert app.calls == 1


def test_the_primary_key_is_the_whole_url():
    app = fixed_app()
    front = RepeatedGetCache(app, lambda: "t", 8192, paths=("/",))
    ask(front, get("/"))
    ask(front, {**get("/"), "HTTP_HOST": "other.example"})
    ask(front, {**get("/"), "wsgi.url_scheme": "https"})
    ask(front, {**get("/"), "QUERY_STRING": "lang=sv"})
    assert app.calls == 4 and len(front._entries) == 4


def test_conditions_only_the_app_can_answer_go_to_it():
    app = fixed_app()
    front = RepeatedGetCache(app, lambda: "t", 8192, paths=("/",))
    ask(front, get("/"))
    for condition in ({"if_modified_since": "Sat, 01 Jan 2000 00:00:00 GMT"}, {"if_match": '"x"'},
                      {"if_unmodified_since": "Sat, 01 Jan 2000 00:00:00 GMT"}, {"if_range": '"x"'}):
        ask(front, get("/", **condition))
    assert app.calls == 5


def test_the_size_counts_every_variant_and_stays_bounded():
    app = fixed_app(headers=(("ETag", '"x"'), ("Vary", "Accept-Language")), body=b"x" * 1000)
    front = RepeatedGetCache(app, lambda: "t", 1 << 20, paths=("/*",))
    for language in ("sv", "en", "fr"):
        ask(front, get("/a", accept_language=language))
    (variants, cost), = front._entries.values()
    assert len(variants) == 3 and front.size == cost > 3 * 1000
    assert cost == sum(v.cost for v in variants) + 600 + sum(map(len, next(iter(front._entries))))
    for n in range(40):  # one URL cannot gather more than MAX_VARIANTS
        ask(front, get("/a", accept_language=f"x-{n}"))
    (variants, cost), = front._entries.values()
    assert len(variants) == 16 and front.size == cost
    front.max_bytes = cost + 500  # no room for another entry beside it: the least recently used goes
    ask(front, get("/b", accept_language="sv"))
    assert front.size <= front.max_bytes and [k[4] for k in front._entries] == ["/b"]


def test_the_deterministic_families_are_what_the_app_wires():
    assert "/" in DETERMINISTIC_PATHS and "/id/*" in DETERMINISTIC_PATHS


def test_second_hit_keeps_an_answer_the_second_time_and_remembers_a_bounded_number_of_keys(monkeypatch):
    cache = response_cache.BoundedCache(10_000, second_hit=True)
    cache.put("a", b"answer", 6)
    assert cache.get("a") is None and cache.size == 0, "kept at its first request"
    cache.put("a", b"answer", 6)
    assert cache.get("a") == b"answer" and cache.size == 6
    monkeypatch.setattr(response_cache, "SEEN_KEYS", 2)
    for key in ("b", "c", "d"):  # "b" is forgotten when "d" is seen
        cache.put(key, b"x", 1)
    cache.put("b", b"x", 1)
    assert cache.get("b") is None and len(cache._seen) <= 2
    plain = response_cache.BoundedCache(10_000)
    plain.put("a", b"answer", 6)
    assert plain.get("a") == b"answer", "without second_hit an answer is kept at once"
