"""GET /sparql?query=… answered before Flask (direct_queries.py): the same status, headers and body as the app's own
route gives, for every result format, conditional requests, datasets and curated prefixes; everything the service
refuses, and everything else, is answered by the app."""

import dataclasses

import pytest
from werkzeug.test import Client

from helpers import CountingApp
from sikg.errors import StoreUnavailable
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app
from sikg.web.direct_queries import ACCEPTS_KEPT, DirectQueries

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/sikg/id/practice/cap-impact> ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/sikg/ontology#SupportPractice> }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"


@pytest.fixture(scope="module")
def apps():
    """The service's WSGI stack without the front cache (so every request is answered, not replayed), and the
    Flask app alone: the direct layer must answer as the app does."""
    store = open_store("memory")
    store.load_curated()
    app = create_app(store, dataclasses.replace(Settings.from_environment(), evaluators=1, cache_bytes=0))
    direct = app.wsgi_app.app
    assert isinstance(direct, DirectQueries)
    behind = direct.app = CountingApp(direct.app)
    try:
        yield Client(direct), Client(behind.app), behind
    finally:
        app.extensions["sikg"].pool.close()


def headers_of(response) -> dict:
    return {name.lower(): value for name, value in response.headers.items()}


REQUESTS = [
    ({"query": LOOKUP}, {"Accept": "application/sparql-results+json"}),
    ({"query": LOOKUP}, {"Accept": "application/sparql-results+xml"}),
    ({"query": LOOKUP}, {"Accept": "text/csv"}),
    ({"query": LOOKUP}, {"Accept": "text/tab-separated-values; charset=utf-8"}),
    ({"query": LOOKUP}, {"Accept": "application/json"}),
    ({"query": LOOKUP}, {}),
    ({"query": LOOKUP, "format": "csv"}, {}),
    ({"query": COUNT}, {"Accept": "*/*"}),
    ({"query": f"ASK {{ {LOOKUP[LOOKUP.index('<'):-1]} }}"}, {}),
    ({"query": CONSTRUCT}, {"Accept": "text/turtle"}),
    ({"query": CONSTRUCT}, {"Accept": "application/ld+json"}),
    ({"query": LOOKUP, "default-graph-uri": "https://w3id.org/sikg/graph/curated"}, {}),
    # the names other clients send (issue 30), and a parameter not followed, which a header says
    ({"query": CONSTRUCT, "format": "turtle", "output": "turtle"}, {"Accept": "application/turtle,text/turtle"}),
    ({"query": CONSTRUCT, "output": "xml"}, {}),
    ({"query": LOOKUP, "format": "text"}, {}),
    ({"query": LOOKUP, "format": "bogus"}, {"Accept": "text/csv"}),
    ({"query": LOOKUP, "output": "ttl"}, {"Accept": "application/sparql-results+xml"}),
]


@pytest.mark.parametrize("args, headers", REQUESTS)
def test_a_query_by_get_is_answered_as_the_app_answers_it(apps, args, headers):
    direct, app, behind = apps
    before = behind.calls
    mine, theirs = direct.get("/sparql", query_string=args, headers=headers), app.get("/sparql", query_string=args,
                                                                                         headers=headers)
    assert behind.calls == before, "the direct layer passed the query on to the app"
    assert mine.status_code == theirs.status_code == 200
    assert headers_of(mine) == headers_of(theirs)
    assert mine.get_data() == theirs.get_data()


def test_a_condition_is_a_304_as_the_app_gives_it(apps):
    direct, app, behind = apps
    etag = app.get("/sparql", query_string={"query": LOOKUP}).headers["ETag"]
    before = behind.calls
    mine = direct.get("/sparql", query_string={"query": LOOKUP}, headers={"If-None-Match": etag})
    theirs = app.get("/sparql", query_string={"query": LOOKUP}, headers={"If-None-Match": etag})
    assert behind.calls == before and mine.status_code == theirs.status_code == 304
    assert headers_of(mine) == headers_of(theirs) and mine.get_data() == b""


@pytest.mark.parametrize("args, headers, status", [
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, {}, 400),
    ({"query": "SELECT * WHERE {"}, {}, 400),  # a syntax error
    ({"query": LOOKUP}, {"Accept": "image/png"}, 406),
    ({"query": LOOKUP, "default-graph-uri": "urn:x:unknown"}, {}, 400),  # an unknown graph
    ({"query": "SELECT * { ?s ?p ?o } LIMIT 99999999999999999999999999"}, {}, 400),  # refused by the evaluator
])
def test_what_the_service_refuses_is_answered_as_the_app_answers_it(apps, args, headers, status):
    direct, app, behind = apps
    before = behind.calls
    mine = direct.get("/sparql", query_string=args, headers=headers)
    theirs = app.get("/sparql", query_string=args, headers=headers)
    assert behind.calls == before, "the refusal was evaluated again by the app"
    assert mine.status_code == theirs.status_code == status and mine.get_data() == theirs.get_data()
    assert headers_of(mine) == headers_of(theirs)


@pytest.mark.parametrize("args, headers", [
    ({"query": [LOOKUP, LOOKUP]}, {}),  # two queries: 400
    ({"query": "ASK {}", "update": "CLEAR ALL"}, {}),  # an update: 400
    ("query=ASK%20%7B%7D&x=%FF", {}),  # not UTF-8: 400
    ({}, {"Accept": "text/turtle"}),  # no query: the Service Description
])
def test_what_cannot_be_read_as_a_query_is_the_apps(apps, args, headers):
    direct, app, behind = apps
    before = behind.calls
    mine = direct.get("/sparql", query_string=args, headers=headers)
    theirs = app.get("/sparql", query_string=args, headers=headers)
    assert behind.calls == before + 1, "the app did not answer it"
    assert mine.status_code == theirs.status_code and mine.get_data() == theirs.get_data()
    assert headers_of(mine) == headers_of(theirs)


def test_other_methods_and_paths_go_to_the_app(apps):
    direct, _, behind = apps
    before = behind.calls
    assert direct.post("/sparql", data={"query": LOOKUP}).status_code == 200
    assert direct.head("/sparql", query_string={"query": LOOKUP}).status_code == 200
    assert direct.get("/queries/practices-per-element").status_code == 200
    assert behind.calls == before + 3


def test_a_store_that_does_not_answer_is_a_503_as_the_app_gives_it(apps, monkeypatch):
    direct, app, behind = apps
    service = app.application.__self__.extensions["sikg"].sparql

    def unreachable(*args, **kwargs):
        raise StoreUnavailable("the external store at http://127.0.0.1:9/query is unreachable")

    monkeypatch.setattr(service, "answer", unreachable)
    before = behind.calls
    mine = direct.get("/sparql", query_string={"query": LOOKUP})
    theirs = app.get("/sparql", query_string={"query": LOOKUP})
    assert behind.calls == before and mine.status_code == theirs.status_code == 503
    assert headers_of(mine) == headers_of(theirs) and mine.get_data() == theirs.get_data()


def test_the_accept_headers_read_are_kept_within_a_bound(apps):
    direct, app, _ = apps
    layer = direct.application
    for n in range(ACCEPTS_KEPT + 10):
        accept = f"application/sparql-results+json, text/x-{n};q=0.1"
        assert direct.get("/sparql", query_string={"query": LOOKUP}, headers={"Accept": accept}).status_code == 200
        assert len(layer._accepts) <= ACCEPTS_KEPT
    again = direct.get("/sparql", query_string={"query": LOOKUP}, headers={"Accept": "text/csv"})
    assert again.mimetype == "text/csv" and again.get_data() == app.get(
        "/sparql", query_string={"query": LOOKUP}, headers={"Accept": "text/csv"}).get_data()
