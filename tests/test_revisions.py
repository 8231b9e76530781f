"""Corrections through review (issue 26): a contribution that describes a practice or organisation already public
proposes a revision of it (its whole new description, with a reason), invisible until a curator accepts it; accepting
replaces the description everywhere in one conditional write, keeps the previous version in a private version graph
and records a PROV revision; of two revisions proposed on the same version, the first accepted stands and the other
is a 409 that changes nothing; `sikg load` keeps accepted revisions. Over the embedded store and a real Oxigraph
server of this module's own (its content is changed for good by these tests)."""

import json
import re

import pyoxigraph as ox
import pytest
from test_store import OxigraphServer

from sikg.namespaces import (
    GRAPH_CURATED,
    GRAPH_REVISIONS,
    PRACTICE,
    PROV,
    SIKG,
    describe_pattern,
    version_graph,
    version_iri,
)
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app

CAP = PRACTICE + "cap-impact"
OLD = b"Cap Impact is a training programme"
NEW = b"Cap Impact was a training programme"
ALICE, BOB = {"Authorization": "Bearer a-token"}, {"Authorization": "Bearer b-token"}


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-revisions"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["memory", pytest.param("external", marks=pytest.mark.slow)])
def backend(request, pool):
    """(store, client, curator headers), the curated KG freshly loaded, no revision accepted yet."""
    if request.param == "memory":
        store = open_store("memory")
    else:
        store = open_store(request.getfixturevalue("oxigraph").query_url, timeout=5)
        store.update("DROP ALL")
        store.load_curated()
    app = create_app(store, settings=Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=a-token,bob=b-token"}),
                     pool=pool)
    registry = app.extensions["sikg"].contributions.tokens
    registry.revoke("carol")
    curator = {"Authorization": f"Bearer {registry.add('carol', 'curator')}"}
    return store, app.test_client(), curator


def description(store, iri: str = CAP) -> bytes:
    """The resource's current public description, as Turtle (what a correction starts from)."""
    return ox.serialize(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {describe_pattern(iri)} }}"),
                        format=ox.RdfFormat.TURTLE)


def propose(client, body: bytes, comment: str | None = "The programme ended in 2024.", headers=ALICE):
    query = {"comment": comment} if comment is not None else {}
    return client.post("/contributions", data=body, content_type="text/turtle", headers=headers, query_string=query)


def review(client, contribution_id, curator, decision="accept"):
    return client.post(f"/contributions/{contribution_id}/review", headers=curator,
                       data=json.dumps({"decision": decision}), content_type="application/json")


def sparql_has(client, text: bytes) -> bool:
    query = f'ASK {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{text.decode()}")) }}'
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data
    return response.get_json()["boolean"]


def public_everywhere(client, text: bytes) -> dict:
    return {"sparql": sparql_has(client, text),
            "page": text in client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"}).data,
            "export": text in client.get("/export?format=nq").data}


def test_a_correction_is_a_revision_invisible_until_accepted(backend):
    store, client, curator = backend
    corrected = description(store).replace(OLD, NEW)
    assert corrected != description(store)
    refused = propose(client, corrected, comment=None)
    assert refused.status_code == 400 and b"reason" in refused.data  # a revision needs its reason
    assert propose(client, corrected, comment="\x00").status_code == 400
    made = propose(client, corrected)
    assert made.status_code == 202, made.data
    assert made.get_json()["revises"] == [CAP]
    status = client.get(f"/contributions/{made.get_json()['id']}", headers={**ALICE, "Accept": "application/json"})
    assert status.get_json()["revises"] == [CAP] and status.get_json()["comment"] == "The programme ended in 2024."
    assert public_everywhere(client, NEW) == {"sparql": False, "page": False, "export": False}
    assert public_everywhere(client, OLD) == {"sparql": True, "page": True, "export": True}
    # rejected: nothing public changes
    rejected = review(client, made.get_json()["id"], curator, "reject")
    assert rejected.status_code == 200
    assert public_everywhere(client, NEW) == {"sparql": False, "page": False, "export": False}


def test_a_new_practice_is_no_revision_and_needs_no_reason(backend):
    store, client, curator = backend
    body = description(store).replace(b"cap-impact", b"cap-impact-two")
    made = propose(client, body, comment=None)
    assert made.status_code == 202, made.data
    assert "revises" not in made.get_json()


def test_accepting_replaces_the_description_everywhere_and_keeps_the_old_version(backend):
    store, client, curator = backend
    before = description(store)
    made = propose(client, before.replace(OLD, NEW)).get_json()
    accepted = review(client, made["id"], curator)
    assert accepted.status_code == 200, accepted.data
    assert public_everywhere(client, NEW) == {"sparql": True, "page": True, "export": True}
    assert public_everywhere(client, OLD) == {"sparql": False, "page": False, "export": False}
    # one description: one English text, the qualified records not doubled
    counts = {row["p"].value: int(row["n"].value) for row in store.query(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ <{CAP}> ?p ?o }} GROUP BY ?p")}
    assert counts[f"{SIKG}qualifiedMethodUse"] == 3
    assert not store.query(f"ASK {{ GRAPH <{GRAPH_CURATED}> {{ <{CAP}> ?p ?o }} }}")
    # the previous version, as it was, in its private graph; the PROV revision in the public record
    kept = list(store.query_private(f"SELECT ?o WHERE {{ GRAPH <{version_graph(CAP, 1)}> {{ <{CAP}> ?p ?o }} }}"))
    assert any(OLD.decode() in row["o"].value for row in kept)
    assert store.query_private(f"ASK {{ GRAPH <{GRAPH_REVISIONS}> {{ <{CAP}> <{SIKG}currentVersion> "
                               f"<{version_iri(CAP, 2)}> }} }}")
    prov = store.query(f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        ASK {{ <{version_iri(CAP, 2)}> <{PROV}wasRevisionOf> <{version_iri(CAP, 1)}> ;
        <{PROV}specializationOf> <{CAP}> ; <{PROV}generatedAtTime> ?when ; <{PROV}wasAttributedTo>/rdfs:label "alice" ;
        <{PROV}wasGeneratedBy>/<{PROV}wasAssociatedWith>/rdfs:label "carol" ;
        rdfs:comment "The programme ended in 2024." }}""")
    assert prov
    # the old version is nowhere public
    assert not store.query(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{version_graph(CAP, 1)}\")) }}")
    # a second revision, on the new version, is a revision of version 2
    again = propose(client, description(store).replace(NEW, b"Cap Impact, now ended, was a training programme"))
    assert again.status_code == 202, again.data
    assert review(client, again.get_json()["id"], curator).status_code == 200
    assert sparql_has(client, b"now ended") and not sparql_has(client, NEW)
    assert store.query_private(f"ASK {{ GRAPH <{version_graph(CAP, 2)}> {{ <{CAP}> ?p ?o }} }}")


def test_of_two_revisions_on_one_version_the_first_accepted_stands_and_the_other_is_409(backend):
    store, client, curator = backend
    start = description(store)
    first = propose(client, start.replace(OLD, NEW)).get_json()["id"]
    second = propose(client, start.replace(OLD, b"Cap Impact is a programme"), headers=BOB).get_json()["id"]
    assert review(client, first, curator).status_code == 200
    after = description(store)
    refused = review(client, second, curator)
    assert refused.status_code == 409 and b"no longer the current" in refused.data
    assert description(store) == after  # nothing mixed in
    assert client.get(f"/contributions/{second}", headers={**BOB, "Accept": "application/json"}) \
        .get_json()["status"] == "pending"
    assert review(client, second, curator, "reject").status_code == 200


def test_the_data_may_not_name_a_version(backend):
    store, client, curator = backend
    forged = description(store) + f"<{version_iri(CAP, 7)}> <{PROV}wasRevisionOf> <{CAP}> .\n".encode()
    assert propose(client, forged).status_code == 400


def test_loading_again_keeps_accepted_revisions(backend):
    store, client, curator = backend
    made = propose(client, description(store).replace(OLD, NEW)).get_json()
    assert review(client, made["id"], curator).status_code == 200
    store.load_curated()  # what sikg load does first
    assert sparql_has(client, NEW) and not sparql_has(client, OLD)
    counts = {row["p"].value: int(row["n"].value) for row in store.query(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ <{CAP}> ?p ?o }} GROUP BY ?p")}
    assert counts[f"{SIKG}qualifiedMethodUse"] == 3


def test_the_history_lists_every_version_and_keeps_the_earlier_ones(backend):
    store, client, curator = backend
    assert client.get("/id/practice/cap-impact/history/2").status_code == 404  # no such version yet
    page = client.get("/id/practice/cap-impact", headers={"Accept": "text/html"}).data
    assert b"/id/practice/cap-impact/history" not in page  # never changed: no "last changed on"
    made = propose(client, description(store).replace(OLD, NEW)).get_json()
    assert review(client, made["id"], curator).status_code == 200
    page = client.get("/id/practice/cap-impact?lang=en", headers={"Accept": "text/html"}).data.decode()
    assert "Last changed on 20" in page and 'href="/id/practice/cap-impact/history' in page
    history = client.get("/id/practice/cap-impact/history?lang=en", headers={"Accept": "text/html"})
    assert history.status_code == 200
    text = history.data.decode()
    assert "alice" in text and "carol" in text and "The programme ended in 2024." in text
    assert 'href="/id/practice/cap-impact/history/1' in text
    assert "Historik" in client.get("/id/practice/cap-impact/history?lang=sv", headers={"Accept": "text/html"}) \
        .data.decode()
    # as RDF: the PROV record of the revision
    rdf = client.get("/id/practice/cap-impact/history", headers={"Accept": "application/n-triples"})
    assert rdf.status_code == 200
    graph = [q.triple for q in ox.parse(rdf.data, ox.RdfFormat.N_TRIPLES)]
    assert ox.Triple(ox.NamedNode(version_iri(CAP, 2)), ox.NamedNode(PROV + "wasRevisionOf"),
                     ox.NamedNode(version_iri(CAP, 1))) in graph
    # version 1 as it was: the old text, and only there
    old = client.get("/id/practice/cap-impact/history/1", headers={"Accept": "text/turtle"})
    assert old.status_code == 200 and OLD in old.data and NEW not in old.data
    old_page = client.get("/id/practice/cap-impact/history/1?lang=en", headers={"Accept": "text/html"}).data
    assert OLD in old_page and b"An earlier version (version 1)" in old_page
    current = client.get("/id/practice/cap-impact/history/2", headers={"Accept": "text/turtle"})
    assert current.status_code == 200 and NEW in current.data
    for missing in ("/id/practice/cap-impact/history/3", "/id/practice/cap-impact/history/0",
                    "/id/practice/no-such-thing/history", "/id/practice/no-such-thing/history/1"):
        assert client.get(missing).status_code == 404, missing


def test_sikg_revisions_export_gives_the_current_descriptions_to_fold_back(backend, monkeypatch, tmp_path):
    from sikg import cli
    store, client, curator = backend
    made = propose(client, description(store).replace(OLD, NEW)).get_json()
    assert review(client, made["id"], curator).status_code == 200
    monkeypatch.setattr(cli, "_open", lambda args: store)
    output = tmp_path / "revisions.ttl"
    assert cli.main(["revisions", "export", "-o", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert f"# <{CAP}> version 2: replaces its description in data/practices-fr.ttl, data/translations/" in text
    exported = [q.triple for q in ox.parse(text.encode(), ox.RdfFormat.TURTLE)]
    assert any(NEW.decode() in t.object.value for t in exported if isinstance(t.object, ox.Literal))
    assert not any(OLD.decode() in t.object.value for t in exported if isinstance(t.object, ox.Literal))
    assert len(exported) == len(list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {describe_pattern(CAP)} }}")))


def test_with_review_off_a_revision_is_accepted_at_once(pool):
    store = open_store("memory")
    app = create_app(store, settings=Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=a-token",
                                                                "SIKG_REVIEW": "0"}), pool=pool)
    client = app.test_client()
    made = propose(client, description(store).replace(OLD, NEW))
    assert made.status_code == 201, made.data
    assert made.get_json()["status"] == "accepted" and made.get_json()["revises"] == [CAP]
    assert sparql_has(client, NEW) and not sparql_has(client, OLD)
    assert store.query_private(f"ASK {{ GRAPH <{version_graph(CAP, 1)}> {{ <{CAP}> ?p ?o }} }}")


# -- durability: kill -9 right after an accepted revision's 200 ----------------------------------------------------

@pytest.mark.slow
def test_an_accepted_revision_survives_a_sigkill(tmp_path):
    import signal
    import urllib.parse

    from test_contributions import _kill_group, _request, _start_server

    from helpers import free_port, run_cli

    store_dir, port = tmp_path / "store", free_port()
    base = f"http://127.0.0.1:{port}"
    added = run_cli("token", "add", "curator-carol", "--role", "curator", "--store", str(store_dir))
    assert added.returncode == 0, added.stderr
    curator = {"Authorization": f"Bearer {added.stdout.strip()}"}
    alice = {"Authorization": "Bearer s3cret"}  # the token _start_server sets
    construct = urllib.parse.urlencode({"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {describe_pattern(CAP)} }}"})

    def restart(log: str):
        return _start_server(store_dir, port, tmp_path / log, SIKG_REVIEW="1", SIKG_CONTRIB_TOKEN="alice=s3cret")

    def page() -> bytes:
        code, _, body = _request(f"{base}/id/practice/cap-impact", headers={"Accept": "text/turtle"})
        assert code == 200, body
        return body

    process = restart("1.log")
    try:
        code, _, current = _request(f"{base}/sparql?{construct}", headers={"Accept": "text/turtle"})
        assert code == 200 and OLD in current
        query = urllib.parse.urlencode({"comment": "The programme ended in 2024."})
        code, _, made = _request(f"{base}/contributions?{query}", "POST", current.replace(OLD, NEW),
                                 {**alice, "Content-Type": "text/turtle"})
        assert code == 202, made
        assert NEW not in page()
        code, _, reviewed = _request(f"{base}/contributions/{json.loads(made)['id']}/review", "POST",
                                     json.dumps({"decision": "accept"}).encode(),
                                     {**curator, "Content-Type": "application/json"})
        assert code == 200, reviewed
        _kill_group(process, signal.SIGKILL)  # at once, right after the 200
        assert process.returncode == -signal.SIGKILL
    finally:
        _kill_group(process, signal.SIGKILL)

    process = restart("2.log")  # reloads the curated graphs at start: the revision must stand over them
    try:
        body = page()
        assert NEW in body and OLD not in body
        code, _, history = _request(f"{base}/id/practice/cap-impact/history/1", headers={"Accept": "text/turtle"})
        assert code == 200 and OLD in history
        code, _, listed = _request(f"{base}/id/practice/cap-impact/history", headers={"Accept": "text/html"})
        assert code == 200 and b"The programme ended in 2024." in listed
    finally:
        _kill_group(process, signal.SIGTERM)


def review_section(client, curator, contribution_id: str, language: str = "en") -> str:
    """The review page's section for a contribution, as a curator signed in sees it."""
    client.set_cookie("sikg_token", curator["Authorization"].removeprefix("Bearer "))
    page = client.get(f"/review/{contribution_id}", query_string={"lang": language}, headers={"Accept": "text/html"})
    client.delete_cookie("sikg_token")
    assert page.status_code == 200, page.data
    text = page.get_data(as_text=True)
    start = text.index(f'id="pending-{contribution_id}"')
    return text[start:text.index("</section>", start)]


RATIONALE = b"The BuiCaSuS press item names Cap Impact"


def test_the_review_page_shows_a_revision_as_a_diff_with_the_reason_and_the_evidence(backend):
    store, client, curator = backend
    corrected = description(store).replace(OLD, NEW).replace(RATIONALE, b"A press item names Cap Impact")
    made = propose(client, corrected).get_json()
    section = review_section(client, curator, made["id"])
    assert "The contributor&#39;s reason:</strong> The programme ended in 2024." in section
    assert 'Proposed revision of <a href="/id/practice/cap-impact?lang=en">Cap Impact</a>' in section
    removed = section[section.index('<ul class="diff removed">'):section.index('<ul class="diff added">')]
    added = section[section.index('<ul class="diff added">'):]
    # the text changed: the old one removed, the new one added, each in words with its property's label
    assert OLD.decode() in removed and NEW.decode() not in removed
    assert NEW.decode() in added and OLD.decode() not in added
    assert "description: <span lang=\"en\">" in removed
    # the link whose evidence changed: removed and added, by its method's label, each with its evidence
    for part, rationale in ((removed, RATIONALE), (added, b"A press item names Cap Impact")):
        assert "qualified method use: <span>Impact assessment tools</span>" in part
        assert "<dt>basis</dt><dd>stated in the BuiCaSuS material</dd>" in part
        assert rationale.decode() in part
        assert "offers support organizations a training program called Cap Impact" in part  # the quotation
        assert "https://socialinnovation.se/en/nyheter/" in part  # the source
        assert '<dl class="evidence">' in part
    # what did not change is in neither list
    diff = section[section.index('class="revision"'):section.index('<article')]
    assert "evaluation needs" not in diff and "Support evaluation processes" not in diff
    # in Swedish, the page's own words
    assert "Bidragsgivarens skäl" in review_section(client, curator, made["id"], "sv")
    # a contribution that adds a practice shows no diff
    new = propose(client, description(store).replace(b"cap-impact", b"cap-impact-two"), comment=None).get_json()
    assert 'class="revision"' not in review_section(client, curator, new["id"])


# -- withdrawal (item 6) ------------------------------------------------------------------------------------------

def withdraw(client, headers, comment: str | None = "Avise ended the programme in 2024.", path="practice/cap-impact"):
    query = {"comment": comment} if comment is not None else {}
    return client.post(f"/contributions/withdrawals/{path}", headers=headers, query_string=query)


def home_count(client) -> int:
    import re
    page = client.get("/?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    return sum(int(n) for n in re.findall(r'<li class="element"[^>]*data-count="([0-9]+)"', page))


def test_a_curator_withdraws_a_practice_it_is_gone_everywhere_and_a_revision_gives_it_back(backend):
    store, client, curator = backend
    before = description(store)
    listed, counted = client.get("/practices?lang=en").get_data(as_text=True), home_count(client)
    assert "/id/practice/cap-impact" in listed
    # refusals change nothing
    assert withdraw(client, ALICE).status_code == 403  # a contributor may not
    assert withdraw(client, {}).status_code == 401
    assert withdraw(client, curator, comment=None).status_code == 400
    assert withdraw(client, curator, comment="\x00").status_code == 400
    assert withdraw(client, curator, path="practice/no-such-thing").status_code == 404
    assert withdraw(client, curator, path="method/impact-assessment-tools").status_code == 404  # not revisable
    assert description(store) == before
    made = withdraw(client, curator)
    assert made.status_code == 200, made.data
    assert made.get_json()["status"] == "accepted" and made.get_json()["revises"] == [CAP]
    # 410 with the reason and its history, in every format
    for accept in ("text/html", "text/turtle", "application/ld+json"):
        gone = client.get("/id/practice/cap-impact", headers={"Accept": accept})
        assert gone.status_code == 410, (accept, gone.status_code)
        assert b"Avise ended the programme in 2024." in gone.data  # (the history's IRI: test_corrections)
        assert gone.headers["Link"] == "</id/practice/cap-impact/history>; rel=\"version-history\""
    # out of the listings, SPARQL's public graphs and the exports
    assert "/id/practice/cap-impact" not in client.get("/practices?lang=en").get_data(as_text=True)
    assert home_count(client) < counted
    assert public_everywhere(client, OLD) == {"sparql": False, "page": False, "export": False}
    assert not client.get("/sparql", query_string={"query": f"ASK {{ GRAPH ?g {{ <{CAP}> ?p ?o }} }}"},
                          headers={"Accept": "application/sparql-results+json"}).get_json()["boolean"]
    assert not any(line.startswith(f"<{CAP}> ") for line in client.get("/export?format=nq").get_data(as_text=True)
                   .splitlines())
    # a revision: in the history, with its reason; the earlier version kept
    history = client.get("/id/practice/cap-impact/history?lang=en", headers={"Accept": "text/html"})
    assert history.status_code == 200 and "Avise ended the programme in 2024." in history.get_data(as_text=True)
    old = client.get("/id/practice/cap-impact/history/1", headers={"Accept": "text/turtle"})
    assert old.status_code == 200 and OLD in old.data
    assert withdraw(client, curator).status_code == 404  # withdrawn already
    # deleting the withdrawal would leave it half gone: 409, nothing removed
    deleted = client.delete(f"/contributions/{made.get_json()['id']}", headers=curator)
    assert deleted.status_code == 409 and b"current version" in deleted.data
    assert client.get("/id/practice/cap-impact").status_code == 410
    # reverted: a curator accepts a revision that gives version 1 back
    back = propose(client, old.data, comment="Withdrawn by mistake.", headers=curator)
    assert back.status_code == 202, back.data
    assert back.get_json()["revises"] == [CAP]
    assert review(client, back.get_json()["id"], curator).status_code == 200
    assert client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"}).status_code == 200
    assert public_everywhere(client, OLD) == {"sparql": True, "page": True, "export": True}
    assert "/id/practice/cap-impact" in client.get("/practices?lang=en").get_data(as_text=True)
    assert home_count(client) == counted
    versions = client.get("/id/practice/cap-impact/history?lang=en", headers={"Accept": "text/html"})
    assert "Withdrawn by mistake." in versions.get_data(as_text=True)


def test_deleting_the_contribution_that_holds_a_current_version_is_a_409(backend):
    store, client, curator = backend
    made = propose(client, description(store).replace(OLD, NEW)).get_json()
    assert review(client, made["id"], curator).status_code == 200
    deleted = client.delete(f"/contributions/{made['id']}", headers=curator)
    assert deleted.status_code == 409 and b"half gone" in deleted.data
    assert public_everywhere(client, NEW) == {"sparql": True, "page": True, "export": True}
    # once a later revision is current, the earlier one holds no current version
    again = propose(client, description(store).replace(NEW, b"Cap Impact, now ended,")).get_json()
    assert review(client, again["id"], curator).status_code == 200
    assert client.delete(f"/contributions/{made['id']}", headers=curator).status_code == 204
    assert sparql_has(client, b"now ended")


# -- a correction from the browser (item 1, the form) ---------------------------------------------------------------

def test_a_practice_page_offers_a_correction_through_the_form_filled_in_with_its_description(backend):
    from urllib.parse import quote

    from sikg.contributions.correction import correction_form, form_values
    from sikg.contributions.sign_in import CSRF_FIELD, csrf_for

    store, client, curator = backend
    href = "/contribute?revise=" + quote(CAP, safe="")
    page = client.get("/id/practice/cap-impact?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'href="{href}&amp;lang=en"' in page or f'href="{href}"' in page, page[:3000]
    assert "Propose a correction" in page
    # signed out: sign in first, then back to the form
    signed_out = client.get(href)
    assert signed_out.status_code in (302, 303) and "revise" in signed_out.headers["Location"]
    client.set_cookie("sikg_token", "a-token")
    try:
        form = client.get(href + "&lang=en")
        assert form.status_code == 200, form.data
        text = form.get_data(as_text=True)
        assert OLD.decode() in text and 'name="revises" value="' + CAP in text and 'name="reason"' in text
        assert RATIONALE.decode() in text  # the links with their evidence
        assert client.get("/contribute?revise=" + quote(PRACTICE + "no-such-thing", safe="")).status_code == 404
        # sent back with a correction and a reason: a proposed revision, invisible until accepted
        values = form_values(correction_form(store, "en", CAP), store, CAP)
        key = next(k for k in values if k.endswith("|en") and OLD.decode() in values[k])
        values.setlist(key, [values[key].replace(OLD.decode(), NEW.decode())])
        values.add(CSRF_FIELD, csrf_for("a-token"))
        values.add("action", "submit")
        no_reason = client.post("/contribute?lang=en", data=values)
        assert no_reason.status_code == 400 and public_everywhere(client, NEW)["sparql"] is False
        values.add("reason", "The programme ended in 2024.")
        sent = client.post("/contribute?lang=en", data=values)
        assert sent.status_code == 202, sent.get_data(as_text=True)[:3000]
    finally:
        client.delete_cookie("sikg_token")
    made = client.get("/contributions?status=pending", headers=curator).get_json()[-1]
    status = client.get(f"/contributions/{made['id']}", headers={**curator, "Accept": "application/json"}).get_json()
    assert status["revises"] == [CAP] and status["comment"] == "The programme ended in 2024."
    assert public_everywhere(client, NEW) == {"sparql": False, "page": False, "export": False}
    assert review(client, made["id"], curator).status_code == 200
    assert public_everywhere(client, NEW) == {"sparql": True, "page": True, "export": True}
    assert public_everywhere(client, OLD) == {"sparql": False, "page": False, "export": False}
    counts = {row["p"].value: int(row["n"].value) for row in store.query(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ <{CAP}> ?p ?o }} GROUP BY ?p")}
    assert counts[f"{SIKG}qualifiedMethodUse"] == 3


def test_a_correction_puts_each_evidence_node_into_its_entry_and_comes_back_unchanged(backend):
    """Issue 27, item 2: the correction form shows each record's evidence (page and quotation) in the record's
    evidence entries, not in hidden inputs; posted back unchanged, the description is the same."""
    from test_corrections import as_set, correction_page, posted
    from werkzeug.datastructures import MultiDict

    from sikg.contributions.correction import correction_form
    from sikg.contributions.form_data import CARRIED, read_form
    from sikg.pages.history import own_description

    store, client, _ = backend
    client.set_cookie("sikg_token", "a-token")
    try:
        page = correction_page(client, CAP)
    finally:
        client.delete_cookie("sikg_token")
    values = posted(page)
    pages = [v for name, v in values if re.fullmatch(r"sikg:qualified\w+\|\d+\|sikg:evidence\|\d+\|dct:source", name)]
    evidence = [row["page"].value for row in store.query(
        f"SELECT ?page WHERE {{ <{CAP}> ?q ?r . ?r <{SIKG}evidence> ?e . "
        f"?e <http://purl.org/dc/terms/source> ?page }}")]
    assert sorted(p for p in pages if p) == sorted(evidence) and len(evidence) >= 5
    assert 'type="url"' in page and not [v for name, v in values if name == CARRIED]  # in boxes, nothing hidden
    quotations = [v for name, v in values if name.endswith("|sikg:evidence|0|sikg:quotation") and v]
    assert any("Cap Impact" in q for q in quotations)
    draft = read_form(correction_form(store, "en", CAP), MultiDict(values), store, "en")
    assert as_set(draft.published()) == as_set(own_description(store, CAP)) and not draft.problems
