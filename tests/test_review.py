"""Review before publication: a contribution is pending (202, private) until a curator accepts it (public at once,
everywhere) or rejects it (never public). Pending and rejected data is invisible route by route, over both store
backends: the embedded store in memory and a real Oxigraph server (the `oxigraph` CLI, as in test_store.py).

The contributors' tokens come from SIKG_CONTRIB_TOKEN (contributors, by their labels); the curator's is a person's
token from the store's token registry (`sikg token add … --role curator`), made afresh for each app. The last test,
marked `slow`, kills the real server with SIGKILL right after a 202 and right after a review's 200, and finds both
kept after the restart.
"""

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

import pyoxigraph as ox
import pytest
from test_contributions import _kill_group, _request, _start_server
from test_store import OxigraphServer, _served_by_a_writer

from helpers import ROOT, free_port, run_cli
from sikg.contributions.service import Claims, Contributions, NotConforming, review_iri
from sikg.contributions.tokens import Holder
from sikg.errors import Conflict, OverLimit, Refusal
from sikg.formats import DUMP_FORMATS
from sikg.http.responses import status_of
from sikg.namespaces import BASE, GRAPH_CONTRIBUTION, GRAPH_CURATED, GRAPH_PENDING, PROV, SIKG
from sikg.settings import Settings, SettingsError
from sikg.stats import compute_stats
from sikg.store import open_store
from sikg.validation.shacl import ValidationReport, store_reference, validate_quads
from sikg.web.app import create_app

TEMPLATE = (ROOT / "data" / "templates" / "practice.ttl").read_bytes()
PRACTICE = "https://w3id.org/sikg/id/practice/example-neighbourhood-voucher"
SLUG = b"example-neighbourhood-voucher"
TOKENS = "alice=a-token,bob=b-token"
ALICE, BOB = ({"Authorization": f"Bearer {t}"} for t in ("a-token", "b-token"))
CURATOR = {}  # the curator's Authorization header, filled in by `backend` with a registry token


def curator_token(registry) -> str:
    """A curator's token in `registry` (a token added earlier under the name is revoked first: the external store's
    registry is shared by the tests)."""
    registry.revoke("curator-carol")
    return registry.add("curator-carol", "curator")
ASK = f"ASK {{ <{PRACTICE}> ?p ?o }}"


# -- the two backends -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    server.start()
    store = open_store(server.query_url, timeout=5)
    store.load_curated()
    yield store
    server.stop()


@pytest.fixture(params=["memory", pytest.param("external", marks=pytest.mark.slow)])
def backend(request, pool):
    """(store, client) with review on; the external store is shared by the tests, which leave it as they found it."""
    store = open_store("memory") if request.param == "memory" else request.getfixturevalue("oxigraph")
    settings = Settings.from_environment({"SIKG_CONTRIB_TOKEN": TOKENS})
    assert settings.review
    app = create_app(store, settings=settings, pool=pool)
    CURATOR["Authorization"] = f"Bearer {curator_token(app.extensions['sikg'].contributions.tokens)}"
    client = app.test_client()
    yield store, client
    for entry in client.get("/contributions?status=pending", headers=CURATOR).get_json() + \
            client.get("/contributions?status=rejected", headers=CURATOR).get_json() + \
            client.get("/contributions").get_json():
        client.delete(f"/contributions/{entry['id']}", headers=CURATOR)


def submit(client, body: bytes = TEMPLATE, headers=ALICE):
    response = client.post("/contributions", data=body, content_type="text/turtle", headers=headers)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response


def review(client, contribution_id: str, decision: str, comment: str = "", headers=CURATOR):
    return client.post(f"/contributions/{contribution_id}/review", headers=headers,
                       data=json.dumps({"decision": decision, "comment": comment}), content_type="application/json")


def status(client, contribution_id: str, headers=None):
    return client.get(f"/contributions/{contribution_id}", headers={"Accept": "application/json", **(headers or {})})


def ask(client, params: dict) -> bool:
    response = client.get("/sparql", query_string=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["boolean"]


# -- what the public sees ---------------------------------------------------------------------------------------

def public_view(store, client) -> dict:
    """Everything public that a pending contribution must not change, and whether the practice shows anywhere."""
    exports = {}
    for fmt in DUMP_FORMATS:
        exports[fmt.name] = client.get("/export", query_string={"format": fmt.name})
    exports["frame"] = client.get("/export", query_string={"frame": "practices"})
    exports["schema.org"] = client.get("/export", query_string={"profile": "schema.org", "format": "ttl"})
    pages = {path: client.get(path, headers={"Accept": "text/html"}) for path in ["/", "/practices"]}
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    health = client.get("/health").get_json()
    for name, response in {**exports, **pages, "void": void}.items():
        assert response.status_code == 200, (name, response.status_code)
    graphs = client.get("/sparql", query_string={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "text/csv"}).data
    return {
        "sparql": [ask(client, {"query": ASK}), ask(client, {"query": f"ASK {{ GRAPH ?g {{ <{PRACTICE}> ?p ?o }} }}"}),
                   ask(client, {"query": f"ASK FROM NAMED <{GRAPH_CURATED}> {{ GRAPH ?g {{ <{PRACTICE}> ?p ?o }} }}"}),
                   ask(client, {"query": f"ASK FROM <{GRAPH_CURATED}> {{ <{PRACTICE}> ?p ?o }}"}),
                   ask(client, {"query": ASK, "default-graph-uri": GRAPH_CURATED})],
        "private graphs listed": b"/graph/private/" in graphs,
        "id": client.get("/id/practice/example-neighbourhood-voucher", headers={"Accept": "text/turtle"}).status_code,
        "exports": {name: SLUG in r.data for name, r in exports.items()},
        "pages": {path: SLUG in r.data for path, r in pages.items()},
        "void": sorted(void.data.splitlines()),
        "health": health,
        "stats": compute_stats(store),
    }


def assert_invisible(view: dict, before: dict) -> None:
    assert view["sparql"] == [False] * 5
    assert not view["private graphs listed"]
    assert view["id"] == 404
    assert not any(view["exports"].values()) and not any(view["pages"].values()), view
    assert view["void"] == before["void"] and view["health"] == before["health"]
    assert view["stats"] == before["stats"]


def assert_visible(view: dict, before: dict) -> None:
    assert view["sparql"][:2] == [True, True] and view["id"] == 200
    assert all(view["exports"].values()) and view["pages"]["/practices"], view
    assert view["health"]["triples"] > before["health"]["triples"]
    assert sum(view["stats"]["practices_per_country"].values()) == \
        sum(before["stats"]["practices_per_country"].values()) + 1


def private_graphs_named(client, contribution_id: str) -> list[int]:
    """Naming the pending graph in a query's dataset is naming an unknown graph."""
    graph = GRAPH_PENDING + contribution_id
    return [client.get("/sparql", query_string=params).status_code for params in [
        {"query": f"ASK FROM <{graph}> {{ ?s ?p ?o }}"},
        {"query": f"ASK FROM NAMED <{graph}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
        {"query": "ASK { ?s ?p ?o }", "default-graph-uri": graph},
        {"query": "ASK { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": graph}]]


# -- the lifecycle ----------------------------------------------------------------------------------------------

def test_pending_is_invisible_then_accepted_is_visible_everywhere_at_once(backend):
    store, client = backend
    before = public_view(store, client)
    created = submit(client)
    body = created.get_json()
    assert body["status"] == "pending" and body["conforms"] is True
    assert created.headers["Location"].endswith(f"/contributions/{body['id']}") == body["location"].endswith(body["id"])
    assert body["graph"] == GRAPH_CONTRIBUTION + body["id"]
    cid = body["id"]
    assert_invisible(public_view(store, client), before)
    assert private_graphs_named(client, cid) == [400] * 4
    assert client.get("/contributions").get_json() == []

    # Its contributor and curators see it; nobody else does, not even that it exists.
    shown = status(client, cid, ALICE).get_json()
    assert shown["status"] == "pending" and shown["contributor"] == "alice" and shown["review"] is None
    assert set(shown) == {"id", "status", "contributor", "submitted", "graph", "report", "review"}
    assert status(client, cid, CURATOR).get_json()["status"] == "pending"
    turtle = client.get(f"/contributions/{cid}", headers={**ALICE, "Accept": "text/turtle"})
    assert turtle.status_code == 200 and SLUG in turtle.data and "no-store" in turtle.headers["Cache-Control"]
    for headers in [None, BOB, {"Authorization": "Bearer wrong"}]:
        assert status(client, cid, headers).status_code == 404
        assert client.get(f"/contributions/{cid}", headers=headers or {}).status_code == 404
    assert [c["id"] for c in client.get("/contributions?status=pending", headers=CURATOR).get_json()] == [cid]
    assert client.get("/contributions?status=pending", headers=ALICE).status_code == 403
    for listing in ("pending", "rejected"):  # a curator's answer: never kept by a cache, nor given to another
        answer = client.get(f"/contributions?status={listing}", headers=CURATOR)
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert {"Authorization", "Cookie"} <= {v.strip() for v in answer.headers["Vary"].split(",")}
    assert client.get("/contributions?status=pending").status_code == 401

    # A contributor can never review; a curator accepts and it is public everywhere at once.
    assert review(client, cid, "accept", headers=ALICE).status_code == 403
    accepted = review(client, cid, "accept", "Checked against the programme's page.")
    assert accepted.status_code == 200, accepted.data
    decided = accepted.get_json()
    assert decided["status"] == "accepted" and decided["review"]["decision"] == "accept"
    assert decided["review"]["by"] == "curator-carol" and decided["review"]["comment"].startswith("Checked")
    assert_visible(public_view(store, client), before)
    assert status(client, cid).get_json()["status"] == "accepted"  # public now, for anyone
    assert [c["id"] for c in client.get("/contributions").get_json()] == [cid]
    assert client.get("/contributions?status=pending", headers=CURATOR).get_json() == []
    assert review(client, cid, "reject").status_code == 409
    assert client.delete(f"/contributions/{cid}", headers=ALICE).status_code == 409  # reviewed: no longer hers
    assert client.delete(f"/contributions/{cid}", headers=CURATOR).status_code == 204
    assert_invisible(public_view(store, client), before)


def test_the_review_is_recorded_in_prov_and_passes_the_shapes(backend):
    store, client = backend
    cid = submit(client).get_json()["id"]
    assert review(client, cid, "accept", 'Fine "as is" \\ checked.').status_code == 200
    graph = client.get(f"/contributions/{cid}", headers={"Accept": "application/n-triples"})
    triples = [q.triple for q in ox.parse(input=graph.data, format=ox.RdfFormat.N_TRIPLES)]
    [activity] = [t.subject for t in triples if t.object == SIKG.term("Review")]
    said = {(t.predicate, t.object) for t in triples if t.subject == activity}
    assert (PROV.term("used"), ox.NamedNode(GRAPH_CONTRIBUTION + cid)) in said
    assert (SIKG.term("decision"), ox.Literal("accept")) in said
    assert (ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal('Fine "as is" \\ checked.')) in said
    assert {p for p, _ in said} >= {PROV.term("wasAssociatedWith"), PROV.term("endedAtTime")}
    assert not any(t.predicate.value.endswith("wasInvalidatedBy") for t in triples)
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    report = validate_quads(quads, store_reference(store))
    assert report.conforms and not report.results, report.as_json()


def reviews_of(store, contribution_id: str) -> list[tuple[ox.NamedNode | ox.BlankNode, int]]:
    """Each review of the contribution anywhere in the store (private graphs included), with how many decisions,
    times and curators it holds (a review applied twice to one IRI would hold two of each)."""
    rows = store.query_private(f"""
        SELECT ?review (COUNT(DISTINCT ?decision) AS ?decisions) (COUNT(DISTINCT ?at) AS ?times)
               (COUNT(DISTINCT ?who) AS ?curators) WHERE {{ GRAPH ?g {{
          ?review a <{SIKG.Review}> ; <{PROV.used}> <{GRAPH_CONTRIBUTION + contribution_id}> ;
            <{SIKG.decision}> ?decision ; <{PROV.endedAtTime}> ?at ; <{PROV.wasAssociatedWith}> ?who }} }}
        GROUP BY ?review""")
    return [(row["review"], max(int(row[n].value) for n in ("decisions", "times", "curators"))) for row in rows]


@pytest.mark.parametrize("decision,late", [("accept", "reject"), ("reject", "accept"), ("accept", "accept")])
def test_the_review_is_a_resource_named_after_its_contribution_and_there_is_one(backend, decision, late):
    """The review's IRI is minted from the contribution's own (under SIKG_BASE, like every IRI sikg makes), not a
    blank node; a second decision, refused (409), adds no review, whether read before or after the first."""
    store, client = backend
    cid = submit(client).get_json()["id"]
    contributions = client.application.extensions["sikg"].contributions
    dave = Holder("curator-dave", "curator")  # another curator, who read it while it was pending
    stale = contributions.show(cid, holder=dave)
    decided = review(client, cid, decision, "Read.")
    assert decided.status_code == 200
    iri = review_iri(cid)
    assert iri == f"{BASE}graph/contribution/{cid}#review" and iri.startswith(GRAPH_CONTRIBUTION + cid)
    assert decided.get_json()["review"]["id"] == iri
    assert status(client, cid, CURATOR).get_json()["review"]["id"] == iri
    assert reviews_of(store, cid) == [(ox.NamedNode(iri), 1)]
    graph = client.get(f"/contributions/{cid}", headers={**CURATOR, "Accept": "application/n-triples"})
    triples = [q.triple for q in ox.parse(input=graph.data, format=ox.RdfFormat.N_TRIPLES)]
    assert [t.subject for t in triples if t.object == SIKG.term("Review")] == [ox.NamedNode(iri)]

    assert review(client, cid, late).status_code == 409  # read after the first decision
    with pytest.raises(Conflict):  # read before it, applied after it
        contributions._review(stale, dave, late, "Late.")
    assert reviews_of(store, cid) == [(ox.NamedNode(iri), 1)]
    shown = status(client, cid, CURATOR).get_json()
    assert (shown["review"]["decision"], shown["review"]["by"], shown["review"]["comment"]) == \
        (decision, "curator-carol", "Read.")


def test_a_rejected_contribution_is_never_public_and_its_contributor_sees_why(backend):
    store, client = backend
    before = public_view(store, client)
    cid = submit(client).get_json()["id"]
    rejected = review(client, cid, "reject", "The source page does not mention vouchers.")
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert_invisible(public_view(store, client), before)
    assert private_graphs_named(client, cid) == [400] * 4
    shown = status(client, cid, ALICE).get_json()
    assert shown["status"] == "rejected" and shown["review"]["comment"].startswith("The source page")
    assert status(client, cid).status_code == 404 and status(client, cid, BOB).status_code == 404
    assert review(client, cid, "accept").status_code == 409
    assert client.put(f"/contributions/{cid}", data=TEMPLATE, content_type="text/turtle",
                      headers=ALICE).status_code == 409
    assert client.delete(f"/contributions/{cid}", headers=ALICE).status_code == 409
    assert [c["id"] for c in client.get("/contributions?status=rejected", headers=CURATOR).get_json()] == [cid]
    assert client.get("/contributions").get_json() == []
    assert client.delete(f"/contributions/{cid}", headers=CURATOR).status_code == 204
    assert status(client, cid, CURATOR).status_code == 404


def test_its_contributor_replaces_or_withdraws_a_pending_contribution(backend):
    store, client = backend
    before = public_view(store, client)
    cid = submit(client).get_json()["id"]
    put = lambda body, headers: client.put(f"/contributions/{cid}", data=body, content_type="text/turtle",
                                           headers=headers)
    changed = TEMPLATE.replace(b"Neighbourhood Innovation Vouchers (example)", b"Street Innovation Vouchers (example)")
    assert put(TEMPLATE.replace(b"    sikg:country country:SWE ;\n", b""), ALICE).status_code == 422
    assert b"Neighbourhood Innovation" in client.get(f"/contributions/{cid}", headers=ALICE).data  # unchanged
    assert put(changed, BOB).status_code == 404  # not his to see
    assert put(changed, CURATOR).status_code == 403  # a curator reviews; the data stays the contributor's
    replaced = put(changed, ALICE)
    assert replaced.status_code == 200 and replaced.get_json()["status"] == "pending", replaced.data
    data = client.get(f"/contributions/{cid}", headers=ALICE).data
    assert b"Street Innovation" in data and b"Neighbourhood Innovation" not in data
    assert_invisible(public_view(store, client), before)
    assert client.delete(f"/contributions/{cid}", headers=BOB).status_code == 404
    assert client.delete(f"/contributions/{cid}", headers=ALICE).status_code == 204
    assert status(client, cid, ALICE).status_code == 404 and status(client, cid, CURATOR).status_code == 404
    assert review(client, cid, "accept").status_code == 404


@pytest.mark.parametrize("first,late,stands", [("reject", "accept", "rejected"), ("accept", "reject", "accepted")])
def test_a_decision_read_before_another_and_applied_after_it_is_a_409_and_changes_nothing(backend, first, late, stands):
    """What two processes (or two instances over one store) did, replayed (issue 24, defect 1): a curator reads the
    contribution while it is pending, another curator decides meanwhile, and the first one's decision is applied
    after that. It was applied too: an accept after a reject published the rejected data."""
    store, client = backend
    cid = submit(client).get_json()["id"]
    contributions = client.application.extensions["sikg"].contributions
    curator = contributions.holder(CURATOR["Authorization"])
    stale = contributions.show(cid, holder=curator)
    assert stale.status == "pending"
    assert review(client, cid, first).status_code == 200
    with pytest.raises(Conflict) as refused:
        contributions._review(stale, curator, late, None)  # the stale read's decision, applied now
    assert isinstance(refused.value, Conflict)
    shown = status(client, cid, CURATOR).get_json()
    assert (shown["status"], shown["review"]["decision"]) == (stands, first)
    assert ask(client, {"query": ASK}) is (stands == "accepted")
    assert (GRAPH_CONTRIBUTION + cid in store.named_graphs()) is (stands == "accepted")


@pytest.mark.parametrize("decision,stands", [("accept", "accepted"), ("reject", "rejected")])
def test_a_withdrawal_read_before_a_review_and_applied_after_it_is_a_409_and_removes_nothing(backend, decision, stands,
                                                                                             monkeypatch):
    """Its contributor reads a pending contribution to withdraw it; a curator decides meanwhile; the withdrawal,
    applied after, removed the reviewed (even the published) contribution."""
    store, client = backend
    cid = submit(client).get_json()["id"]
    contributions = client.application.extensions["sikg"].contributions
    alice = contributions.holder(ALICE["Authorization"])
    read = contributions._visible(cid, alice)
    assert read.status == "pending"
    assert review(client, cid, decision).status_code == 200
    monkeypatch.setattr(contributions, "_visible", lambda *_: read)  # the withdrawal goes on from its stale read
    with pytest.raises(Conflict) as refused:
        contributions.withdraw_as(cid, alice)
    monkeypatch.undo()
    assert isinstance(refused.value, Conflict)
    assert status(client, cid, CURATOR).get_json()["status"] == stands
    assert ask(client, {"query": ASK}) is (stands == "accepted")


@pytest.mark.parametrize("decision,stands", [("accept", "accepted"), ("reject", "rejected")])
def test_a_replacement_read_before_a_review_and_applied_after_it_is_a_409_and_replaces_nothing(backend, decision,
                                                                                             stands, monkeypatch):
    store, client = backend
    cid = submit(client).get_json()["id"]
    contributions = client.application.extensions["sikg"].contributions
    alice = contributions.holder(ALICE["Authorization"])
    read = contributions._visible(cid, alice)
    assert review(client, cid, decision).status_code == 200
    before = client.get(f"/contributions/{cid}", headers={**CURATOR, "Accept": "application/n-triples"}).data
    monkeypatch.setattr(contributions, "_visible", lambda *_: read)  # the replacement goes on from its stale read
    with pytest.raises((Conflict, NotConforming)) as refused:
        contributions.replace(cid, TEMPLATE.replace(b"Neighbourhood", b"Street"), ox.RdfFormat.TURTLE, alice)
    monkeypatch.undo()
    # Once accepted, the practice is public, and the replacement describing it again would be a revision of it,
    # refused as the contribution was reviewed before anything is written; once rejected, the conditional write is
    # what refuses it.
    assert isinstance(refused.value, Conflict)
    assert status(client, cid, CURATOR).get_json()["status"] == stands
    after = client.get(f"/contributions/{cid}", headers={**CURATOR, "Accept": "application/n-triples"}).data
    assert b"Street" not in after and sorted(after.splitlines()) == sorted(before.splitlines())
    assert not [g for g in store.query_private("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
                if "/staging/" in g["g"].value], "the staged graph is gone"


# -- POST with an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) ---------------------------------------

def post_keyed(client, key: str, body: bytes = TEMPLATE, headers=ALICE):
    return client.post("/contributions", data=body, content_type="text/turtle",
                       headers={**headers, "Idempotency-Key": f'"{key}"'})


def pending_ids(client) -> list[str]:
    return sorted(c["id"] for c in client.get("/contributions?status=pending", headers=CURATOR).get_json())


def remembered_anywhere_public(client) -> bool:
    """Whether any public route's SPARQL sees an Idempotency-Key's memory (it must stay private)."""
    return ask(client, {"query": f"ASK {{ {{ ?s <{SIKG.idempotencyKey}> ?k }} UNION "
                                 f"{{ GRAPH ?g {{ ?s <{SIKG.idempotentRequest}> ?r }} }} }}"})


def test_a_post_sent_again_with_its_idempotency_key_answers_the_first_contribution_and_makes_nothing(backend):
    store, client = backend
    first = post_keyed(client, "retry-1")
    assert first.status_code == 202, first.data
    cid = first.get_json()["id"]
    again = post_keyed(client, "retry-1")
    assert (again.status_code, again.headers["Location"], again.get_json()) == \
        (202, first.headers["Location"], first.get_json())
    assert pending_ids(client) == [cid]

    # The same key with another body is another request: a 422 of one line, and nothing written.
    other = post_keyed(client, "retry-1", TEMPLATE.replace(b"Neighbourhood", b"Street"))
    assert other.status_code == 422 and other.mimetype == "text/plain"
    assert other.get_data(as_text=True).count("\n") == 1 and "Idempotency-Key" in other.get_data(as_text=True)
    # Another holder's key is theirs: the same key from Bob is a new contribution; no key, as before, too.
    bobs = post_keyed(client, "retry-1", headers=BOB)
    assert bobs.status_code == 202 and bobs.get_json()["id"] != cid
    plain = submit(client)
    assert pending_ids(client) == sorted([cid, bobs.get_json()["id"], plain.get_json()["id"]])
    for extra in (bobs, plain):
        assert client.delete(f"/contributions/{extra.get_json()['id']}", headers=CURATOR).status_code == 204

    # Replaced, then accepted: the key stays with the contribution, and private; the answer is the first one.
    assert client.put(f"/contributions/{cid}", data=TEMPLATE.replace(b"Neighbourhood", b"Street"),
                      content_type="text/turtle", headers=ALICE).status_code == 200
    assert post_keyed(client, "retry-1").get_json() == first.get_json()
    assert review(client, cid, "accept").status_code == 200
    after = post_keyed(client, "retry-1")
    assert (after.status_code, after.headers["Location"], after.get_json()["id"]) == \
        (202, first.headers["Location"], cid)
    assert [c["id"] for c in client.get("/contributions").get_json()] == [cid]
    assert status(client, cid).get_json()["status"] == "accepted"
    assert not remembered_anywhere_public(client)
    shown = client.get(f"/contributions/{cid}", headers={"Accept": "application/n-triples"}).data
    assert b"Street" in shown and b"idempotent" not in shown.lower() and b"idempotencyKey" not in shown
    assert b"idempotent" not in client.get("/export", query_string={"format": "nq"}).data.lower()


def test_two_posts_with_one_idempotency_key_at_once_make_one_contribution(backend, monkeypatch):
    """Both requests find no contribution with the key, then both write (each waits for the other once its data is
    read): what the write checks makes one contribution, and both answer it. Eight times, with small bodies taken as
    conforming (the shapes are not what this tests): a store that does not isolate updates lets some of them through
    only now and then."""
    store, client = backend
    both_read = threading.Barrier(2, timeout=30)

    def checked_then_wait(self, payload, rdf_format):
        result = unchecked(self, payload, rdf_format)
        both_read.wait()
        return result

    def post(answers: list, i: int, round_: int):
        answers[i] = client.application.test_client().post(
            "/contributions", data=small_body(f"https://example.org/at-once/{round_}", 0),
            content_type="application/n-triples", headers={**ALICE, "Idempotency-Key": f'"at-once-{round_}"'})

    monkeypatch.setattr(Contributions, "_checked", checked_then_wait)
    for round_ in range(8):
        answers = [None, None]
        threads = [threading.Thread(target=post, args=(answers, i, round_)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert [a.status_code for a in answers] == [202, 202], [a.data for a in answers]
        assert answers[0].get_json() == answers[1].get_json()
        assert answers[0].headers["Location"] == answers[1].headers["Location"]
        made = [c for c in pending_ids(client) if c == answers[0].get_json()["id"]]
        assert len(pending_ids(client)) == round_ + 1 and made, (round_, pending_ids(client))


@pytest.mark.parametrize("value", ['', '""', 'retry-2', '"a b"', '"' + "k" * 256 + '"', '"ké"', '"a"b"',
                                   '"a", "b"', '"a";x=1'])
def test_a_malformed_idempotency_key_is_400_and_nothing_is_written(backend, value):
    store, client = backend
    response = client.post("/contributions", data=TEMPLATE, content_type="text/turtle",
                           headers={**ALICE, "Idempotency-Key": value})
    assert response.status_code == 400 and "Idempotency-Key" in response.get_data(as_text=True)
    assert pending_ids(client) == []


def test_a_well_formed_idempotency_key_of_255_characters_with_escapes(backend):
    store, client = backend
    key = '\\"' + "k" * 253  # \" and 253 characters: 255 once unescaped
    first = client.post("/contributions", data=TEMPLATE, content_type="text/turtle",
                        headers={**ALICE, "Idempotency-Key": f'"{key}"'})
    assert first.status_code == 202, first.data
    again = client.post("/contributions", data=TEMPLATE, content_type="text/turtle",
                        headers={**ALICE, "Idempotency-Key": f' "{key}" '})
    assert again.get_json()["id"] == first.get_json()["id"] and len(pending_ids(client)) == 1


@pytest.mark.parametrize("body,expected", [
    (b'{"decision": "maybe"}', 400), (b'{"comment": "no decision"}', 400), (b"{not json", 400),
    (b'["accept"]', 400), (b'{"decision": "accept", "comment": 3}', 400), (b"\xff\xfe", 400),
    # each was a 500 (a decision that is not a string was looked up in a dict): issue 24
    (b'{"decision": ["accept"]}', 400), (b'{"decision": {"a": 1}}', 400), (b'{"decision": null}', 400),
    (b'{"decision": 1}', 400), (b'"accept"', 400), (b'{"decision": "accept", "comment": ["x"]}', 400)])
def test_a_review_that_is_not_a_decision_is_400_and_changes_nothing(backend, body, expected):
    store, client = backend
    cid = submit(client).get_json()["id"]
    response = client.post(f"/contributions/{cid}/review", data=body, content_type="application/json",
                           headers=CURATOR)
    assert response.status_code == expected, response.data
    assert status(client, cid, ALICE).get_json()["status"] == "pending"


def test_other_refusals(backend):
    store, client = backend
    cid = submit(client).get_json()["id"]
    assert review(client, "0123456789abcdef", "accept").status_code == 404
    assert review(client, "not-an-id", "accept").status_code == 404
    assert review(client, cid, "accept", headers={}).status_code == 401
    assert review(client, cid, "accept", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert review(client, cid, "accept", headers=BOB).status_code == 403
    assert client.get("/contributions?status=whatever", headers=CURATOR).status_code == 400
    assert client.put("/contributions/0123456789abcdef", data=TEMPLATE, content_type="text/turtle",
                      headers=ALICE).status_code == 404
    assert client.delete("/contributions/0123456789abcdef", headers=CURATOR).status_code == 404
    # The data may not speak about contributions' graphs: their records and reviews are the service's to write.
    forged = TEMPLATE + (f'\n<{GRAPH_CONTRIBUTION}{cid}> <{SIKG.status}> "accepted" .\n').encode()
    assert client.post("/contributions", data=forged, content_type="text/turtle", headers=ALICE).status_code == 400
    assert client.put(f"/contributions/{cid}", data=forged, content_type="text/turtle",
                      headers=ALICE).status_code == 400
    assert status(client, cid, ALICE).get_json()["status"] == "pending"


def test_two_contributors_pending_side_by_side(backend):
    store, client = backend
    first = submit(client).get_json()["id"]
    second = submit(client, headers=BOB).get_json()["id"]
    pending = client.get("/contributions?status=pending", headers=CURATOR).get_json()
    assert sorted(c["id"] for c in pending) == sorted([first, second])
    assert {c["contributor"] for c in pending} == {"alice", "bob"}
    assert status(client, second, ALICE).status_code == 404 and status(client, first, BOB).status_code == 404


def test_the_stats_command_does_not_count_pending_data(oxigraph):
    """`sikg stats` over the external store (another process, as a user runs it) while a contribution is pending."""
    before = run_cli("stats", "--store", oxigraph.query_url)
    client = create_app(oxigraph, settings=Settings.from_environment({"SIKG_CONTRIB_TOKEN": TOKENS})).test_client()
    cid = submit(client).get_json()["id"]
    try:
        during = run_cli("stats", "--store", oxigraph.query_url)
        assert during.returncode == 0 and during.stdout == before.stdout and "private" not in during.stdout
    finally:
        client.delete(f"/contributions/{cid}", headers=CURATOR)


# -- an invariant under concurrent status changes ------------------------------------------------------------------
# Random sequences of accept, reject, withdraw and replace on pending contributions, all started at once from threads,
# as several processes or instances over one store would send them (each thread its own "process": this process's
# lock, which serialises them here, is lifted). Each operation reads, waits a random moment (stretching the window in
# which another may decide), then writes. The sequences are seeded (SIKG_TEST_SEED gives the first; a failure names
# its seed); the interleaving is the threads'.

SEQUENCES = 50
FIRST_SEED = int(os.environ.get("SIKG_TEST_SEED", "24050"))
CURATORS = (Holder("curator-carol", "curator"), Holder("curator-dave", "curator"))
CONTRIBUTOR = Holder("alice", "contributor")
OUTCOME = {"accept": "accepted", "reject": "rejected", "withdraw": None}  # a decision that stands: where it leaves it


def small_body(subject: str, version: int) -> bytes:
    return f'<{subject}> <http://www.w3.org/2000/01/rdf-schema#label> "version {version}" .\n'.encode()


def unchecked(self, payload: bytes, rdf_format: ox.RdfFormat):
    """The data as read, taken as conforming: the shapes are not what these sequences test, and would take seconds."""
    return list(ox.parse(payload, rdf_format)), ValidationReport(True)


def run_sequence(contributions, store, seed: int, wait) -> list[str]:
    """One random sequence on 1 to 3 new pending contributions; the invariant's breaches found after it (none: [])."""
    rng = random.Random(seed)
    subjects = [f"https://example.org/seq-{seed}/c{i}" for i in range(rng.randint(1, 3))]
    ids = [contributions.contribute(small_body(s, 0), ox.RdfFormat.N_TRIPLES, CONTRIBUTOR).id for s in subjects]
    operations = [(rng.choice(["accept", "reject", "withdraw", "replace"]), rng.randrange(len(ids)),
                   rng.choice(CURATORS), rng.uniform(0, 0.004), version)
                  for version in range(1, rng.randint(2, 5) + 1)]
    outcomes = [None] * len(operations)
    start = threading.Barrier(len(operations), timeout=30)

    def run(i, kind, which, curator, delay, version):
        wait.delay[threading.get_ident()] = delay
        start.wait()
        try:
            if kind in ("accept", "reject"):
                contributions.review(ids[which], curator, kind, f"{kind} {i}")
            elif kind == "withdraw":
                contributions.withdraw_as(ids[which], CONTRIBUTOR)
            else:
                contributions.replace(ids[which], small_body(subjects[which], version), ox.RdfFormat.N_TRIPLES,
                                      CONTRIBUTOR)
            outcomes[i] = 200
        except Refusal as refused:
            outcomes[i] = status_of(refused)
        except Exception as error:  # noqa: BLE001 (any other error is a breach, reported with the seed)
            outcomes[i] = repr(error)

    threads = [threading.Thread(target=run, args=(i, *operation)) for i, operation in enumerate(operations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    breaches = [f"{operations[i][0]} on c{operations[i][1]}: {o}" for i, o in enumerate(outcomes)
                if o not in (200, 404, 409)]
    for which, (cid, subject) in enumerate(zip(ids, subjects)):
        done = {kind for (kind, target, *_), o in zip(operations, outcomes) if target == which and o == 200}
        breaches += [f"c{which} ({cid}): {b}" for b in contribution_breaches(contributions, store, cid, subject,
                                                                              done - {"replace"})]
    return breaches


def contribution_breaches(contributions, store, cid: str, subject: str, decided: set[str]) -> list[str]:
    """What is wrong with one contribution after a sequence."""
    shown = contributions._state(cid)
    status = shown.status if shown else None  # None: withdrawn
    public = GRAPH_CONTRIBUTION + cid in store.named_graphs()
    seen = store.query(f"ASK {{ <{subject}> ?p ?o }}").__bool__()
    rows = list(store.query_private(  # the record's statuses and the data's versions, wherever they are
        f"SELECT ?s ?l WHERE {{ GRAPH ?g {{ {{ <{GRAPH_CONTRIBUTION + cid}> <{SIKG.status}> ?s }} UNION "
        f"{{ <{subject}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }} }}"))
    statuses, labels = ([r[name].value for r in rows if r[name] is not None] for name in ("s", "l"))
    reviews = reviews_of(store, cid)
    breaches = []
    if status in ("rejected", None) and (public or seen):
        breaches.append(f"{status or 'withdrawn'} and public (graph: {public}, seen by a query: {seen})")
    if public != (status == "accepted") or seen != public:
        breaches.append(f"status {status} but public graph {public}, seen by a query {seen}")
    decision = {"accepted": "accept", "rejected": "reject"}.get(status)
    if decision and (reviews != [(ox.NamedNode(review_iri(cid)), 1)] or shown.review["decision"] != decision):
        breaches.append(f"{status} with the reviews {reviews}, the review shown {shown.review}")
    if status == "pending" and reviews:
        breaches.append(f"pending with the reviews {reviews}")
    if status is not None and (len(statuses) > 1 or len(labels) != 1):
        breaches.append(f"one record, one version: statuses {statuses}, labels {labels}")
    if status is None and (statuses or labels or reviews):
        breaches.append(f"withdrawn, and left: statuses {statuses}, labels {labels}, reviews {reviews}")
    # What the answers said: at most one decision (accept, reject, withdraw) stood, and it is where it left it.
    if len(decided) > 1 or status != (OUTCOME[next(iter(decided))] if decided else "pending"):
        breaches.append(f"answered {sorted(decided) or 'no decision'}, and it is {status or 'withdrawn'}")
    return breaches


class WaitAfterReading:
    """Contributions._visible, then the calling thread's delay: between an operation's read and its write."""

    def __init__(self, visible):
        self.visible, self.delay = visible, {}

    def __call__(self, *args, **kwargs):
        shown = self.visible(*args, **kwargs)
        time.sleep(self.delay.get(threading.get_ident(), 0))
        return shown


def test_concurrent_status_changes_keep_the_invariant(backend, monkeypatch):
    """After each sequence: a rejected or withdrawn contribution is not public; a public one has exactly one review,
    an accepting one; each one's status agrees with where its graph is (public iff accepted); and the answers agree:
    at most one decision was answered as taken, and it is the one that stands."""
    store, client = backend
    contributions = client.application.extensions["sikg"].contributions
    wait = WaitAfterReading(contributions._visible)
    monkeypatch.setattr(Contributions, "_lock", contextlib.nullcontext())  # each thread as its own process
    monkeypatch.setattr(Contributions, "_checked", unchecked)
    monkeypatch.setattr(contributions, "_visible", wait)
    started = time.monotonic()
    for seed in range(FIRST_SEED, FIRST_SEED + SEQUENCES):
        breaches = run_sequence(contributions, store, seed, wait)
        assert not breaches, f"sequence with seed {seed} (SIKG_TEST_SEED={seed} runs it first): {breaches}"
    print(f"{SEQUENCES} sequences in {time.monotonic() - started:.2f} s")


def test_claims_let_one_writer_at_a_time_change_a_thing_over_any_store(monkeypatch):
    """Claims (what an external store's status changes are made under) on a store where reading then writing is not
    one step: four threads adding one to a counter, read then written, lose no addition; a claim older than the lease
    (a writer that stopped) is ignored and removed; one that stays is a 503 after the patience. (Over the embedded
    store, which applies updates one at a time, the contributions need none.)"""
    assert Contributions(open_store("memory"), env_tokens={}).claims is None
    assert isinstance(Contributions(open_store("http://127.0.0.1:9/query"), object(), {}).claims, Claims)
    store = open_store("memory")
    claims = Claims(store)
    counter = "<https://example.org/counter>"

    def add_one():
        for _ in range(10):
            with claims.alone("counter"):
                rows = list(store.query_private(f"SELECT ?n WHERE {{ GRAPH {counter} {{ {counter} <urn:n> ?n }} }}"))
                n = int(rows[0]["n"].value) if rows else 0
                time.sleep(0.001)  # another writer, unclaimed, would read the same n meanwhile
                store.update(f"DELETE WHERE {{ GRAPH {counter} {{ {counter} <urn:n> ?n }} }} ; "
                             f"INSERT DATA {{ GRAPH {counter} {{ {counter} <urn:n> {n + 1} }} }}")

    threads = [threading.Thread(target=add_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    rows = list(store.query_private(f"SELECT ?n WHERE {{ GRAPH {counter} {{ {counter} <urn:n> ?n }} }}"))
    assert [r["n"].value for r in rows] == ["40"]
    assert not store.query_private(f"ASK {{ GRAPH {Claims.GRAPH} {{ ?c ?p ?o }} }}")

    stopped = f"<{Claims.GRAPH[1:-1]}#stopped>"
    long_ago = Claims._time(datetime.now(timezone.utc) - Claims.LEASE - timedelta(seconds=1))
    store.update(f'INSERT DATA {{ GRAPH {Claims.GRAPH} {{ {stopped} {Claims.FOR} "counter" ; '
                 f'{Claims.AT} {long_ago} }} }}')
    with claims.alone("counter"):
        pass
    assert not store.query_private(f"ASK {{ GRAPH {Claims.GRAPH} {{ ?c ?p ?o }} }}")

    monkeypatch.setattr(Claims, "PATIENCE", 0.2)
    with claims.alone("counter"), pytest.raises(OverLimit) as busy:
        with claims.alone("counter"):
            pass
    assert "try again" in str(busy.value) and busy.value.headers["Retry-After"]
    assert not store.query_private(f"ASK {{ GRAPH {Claims.GRAPH} {{ ?c ?p ?o }} }}")


# -- across OS processes ------------------------------------------------------------------------------------------

STALE_ACCEPT = textwrap.dedent("""
    import sys
    from sikg.contributions.service import Contributions
    from sikg.contributions.tokens import Holder
    from sikg.errors import Refusal
    from sikg.http.responses import status_of
    from sikg.store import WriterAddress, open_store

    # argv: the store, the contribution, and for an on-disk store served by a writer, its socket and key (hex)
    writer = WriterAddress(sys.argv[3], bytes.fromhex(sys.argv[4])) if len(sys.argv) > 3 else None
    contributions = Contributions(open_store(sys.argv[1], timeout=10, writer=writer), env_tokens={})
    dave = Holder("curator-dave", "curator")
    read = contributions.show(sys.argv[2], holder=dave)  # the accept is decided on this read
    print(read.status, flush=True)
    sys.stdin.readline()  # meanwhile, another process rejects it
    try:
        contributions._review(read, dave, "accept", "Looks fine.")
        print(200, flush=True)
    except Refusal as refused:
        print(status_of(refused), flush=True)
""")


@contextlib.contextmanager
def _two_process_store(kind, request, tmp_path):
    """(the store, the arguments another process opens it with): the external store (the Oxigraph server), or the
    on-disk store served by its writer, as `sikg serve --processes N` serves it."""
    if kind == "external":
        store = request.getfixturevalue("oxigraph")
        yield store, [store.query_url]
    else:
        with _served_by_a_writer(tmp_path / "store") as writer:
            yield open_store(str(tmp_path / "store"), writer=writer), [str(tmp_path / "store"), writer.socket,
                                                                      writer.authkey.hex()]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["external", "shared"])
def test_an_accept_read_in_one_process_and_applied_after_a_reject_in_another_is_a_409(kind, request, tmp_path):
    """Two OS processes over one store (an Oxigraph server; or the on-disk store that sikg serve's worker processes
    share through its writer): one reads a pending contribution and decides to accept it; this one rejects it
    meanwhile; the first one's accept, applied after, is a 409 and publishes nothing."""
    with _two_process_store(kind, request, tmp_path) as (store, arguments):
        client = create_app(store, settings=Settings.from_environment({"SIKG_CONTRIB_TOKEN": TOKENS})).test_client()
        CURATOR["Authorization"] = f"Bearer {curator_token(client.application.extensions['sikg'].contributions.tokens)}"
        cid = submit(client).get_json()["id"]
        other = subprocess.Popen([sys.executable, "-c", STALE_ACCEPT, arguments[0], cid, *arguments[1:]], cwd=ROOT,
                                 text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert other.stdout.readline().strip() == "pending", other.stderr.read()
            assert review(client, cid, "reject", "No source says so.").status_code == 200
            other.stdin.write("go\n")
            other.stdin.flush()
            assert other.stdout.readline().strip() == "409", other.stderr.read()
            assert other.wait(30) == 0
        finally:
            if other.poll() is None:
                other.kill()
                other.wait(30)
        shown = status(client, cid, CURATOR).get_json()
        assert (shown["status"], shown["review"]["decision"], shown["review"]["by"]) == ("rejected", "reject",
                                                                                        "curator-carol")
        assert reviews_of(store, cid) == [(ox.NamedNode(review_iri(cid)), 1)]
        assert not ask(client, {"query": ASK}) and GRAPH_CONTRIBUTION + cid not in store.named_graphs()
        assert client.delete(f"/contributions/{cid}", headers=CURATOR).status_code == 204  # as it was found
        if client.application.extensions["sikg"].pool is not None:  # the shared store's evaluators; not the external's
            client.application.extensions["sikg"].pool.close()


# -- settings ---------------------------------------------------------------------------------------------------

def test_review_is_on_by_default_and_switched_off_by_setting_or_command_line():
    from sikg.cli import build_parser  # (the command line's parser, only here)
    assert Settings().review and Settings.from_environment({}).review
    assert not Settings.from_environment({"SIKG_REVIEW": "0"}).review
    with pytest.raises(SettingsError, match="SIKG_REVIEW"):
        Settings.from_environment({"SIKG_REVIEW": "maybe"})
    assert build_parser(Settings()).parse_args(["serve"]).review is True
    assert build_parser(Settings()).parse_args(["serve", "--no-review"]).review is False
    assert Contributions(open_store("memory")).reviewed_first is True


def test_with_review_off_a_contribution_is_public_at_once(pool):
    store = open_store("memory")
    settings = Settings.from_environment({"SIKG_CONTRIB_TOKEN": TOKENS, "SIKG_REVIEW": "0"})
    client = create_app(store, settings=settings, pool=pool).test_client()
    created = client.post("/contributions", data=TEMPLATE, content_type="text/turtle", headers=ALICE)
    assert created.status_code == 201 and created.get_json()["status"] == "accepted"
    assert ask(client, {"query": ASK})


def test_the_ontology_defines_the_review_terms_in_english_and_swedish():
    graph = ox.Store()
    graph.load(path=str(ROOT / "ontology" / "sikg.ttl"), format=ox.RdfFormat.TURTLE)
    for term in ("Review", "decision", "status"):
        for prop in ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#definition"):
            languages = {q.object.language for q in graph.quads_for_pattern(SIKG.term(term), ox.NamedNode(prop), None)}
            assert languages >= {"en", "sv"}, (term, prop)


# -- durability: kill -9 after 202, and after a review's 200 ------------------------------------------------------

@pytest.mark.slow
def test_pending_and_reviewed_contributions_survive_a_sigkill(tmp_path):
    store_dir, port = tmp_path / "store", free_port()
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": "Bearer s3cret"}  # alice, the token _start_server sets
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    added = run_cli("token", "add", "curator-carol", "--role", "curator", "--store", str(store_dir))
    assert added.returncode == 0, added.stderr
    curator = {"Authorization": f"Bearer {added.stdout.strip()}"}
    ask_url = f"{base}/sparql?" + urllib.parse.urlencode({"query": ASK})
    json_accept = {"Accept": "application/json"}

    def restart(log: str):
        return _start_server(store_dir, port, tmp_path / log, SIKG_REVIEW="1",
                             SIKG_CONTRIB_TOKEN="alice=s3cret")

    process = restart("1.log")
    sent = []  # 8 sent at once (the writer makes them together, issue 31), then one more
    try:
        def send(i):
            body = TEMPLATE.replace(b"example-neighbourhood-voucher", f"sigkill-{i}".encode())
            sent.append(_request(f"{base}/contributions", "POST", body, {**auth, "Content-Type": "text/turtle"}))
        threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        code, headers, body = _request(f"{base}/contributions", "POST", TEMPLATE,
                                       {**auth, "Content-Type": "text/turtle"})
        assert code == 202, body
        _kill_group(process, signal.SIGKILL)
    finally:
        _kill_group(process, signal.SIGKILL)
    cid = json.loads(body)["id"]
    assert [answer[0] for answer in sent] == [202] * 8

    process = restart("2.log")
    try:
        code, _, shown = _request(f"{base}/contributions/{cid}", headers={**curator, **json_accept})
        assert code == 200 and json.loads(shown)["status"] == "pending"
        # every one is still pending, each with the validation report kept with it
        code, headers, listed = _request(f"{base}/contributions?status=pending&limit=500", headers=curator)
        assert code == 200 and headers["X-Total-Count"] == "9"
        pending = json.loads(listed)
        assert {e["id"] for e in pending} == {cid} | {json.loads(answer[2])["id"] for answer in sent}
        assert all(e["warnings"] is not None and e["names"] for e in pending)
        asked = _request(ask_url, headers={"Accept": "application/sparql-results+json"})[2]
        assert json.loads(asked)["boolean"] is False
        code, _, reviewed = _request(f"{base}/contributions/{cid}/review", "POST",
                                     json.dumps({"decision": "accept"}).encode(),
                                     {**curator, "Content-Type": "application/json"})
        assert code == 200, reviewed
        _kill_group(process, signal.SIGKILL)
    finally:
        _kill_group(process, signal.SIGKILL)

    process = restart("3.log")
    try:
        code, _, shown = _request(f"{base}/contributions/{cid}", headers=json_accept)
        assert code == 200 and json.loads(shown)["status"] == "accepted"
        asked = _request(ask_url, headers={"Accept": "application/sparql-results+json"})[2]
        assert json.loads(asked)["boolean"] is True
    finally:
        _kill_group(process, signal.SIGTERM)
