"""The curators' review page for a batch (issue 25, item 3; contributions/views.py, templates/review.html): a
contribution of several practices, such as a spreadsheet's rows, is a table, one line per practice with its name,
country and organisation, the report's results about that practice's nodes in the form's plain words, and the
practice's page to unfold (a <details>, no script); the decision is the batch's as a whole, and the page says so. A
one-practice contribution keeps its page. The page (a contribution's own, GET /review/{id}, opened from the queue) asks
the store the same number of queries whatever the number of practices in a batch.

Apps here write: each is built on a store of its own (the curated KG), never on the shared `kg` fixture."""

import io
import re
from html import unescape

import pytest
from test_spreadsheet import csv_bytes, page_upload, set_cell, two_practices

from sikg.contributions.sign_in import csrf_for
from sikg.settings import Settings
from sikg.store import open_store
from sikg.synth import write_synthetic
from sikg.web.app import create_app

ALICE = {"Authorization": "Bearer tok-alice"}
EXAMPLE = "https://w3id.org/sikg/id/practice/example-neighbourhood-voucher"
SECOND = "https://w3id.org/sikg/id/practice/example-second-voucher"
AVISE = "https://w3id.org/sikg/id/organisation/avise"


def new_app():
    store = open_store("memory")
    return store, create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=tok-alice"}))


@pytest.fixture
def fresh():
    """(store, app, curator's client) on a store of the test's own: the tests here change the KG or count its
    queries."""
    store, app = new_app()
    curator = app.test_client()
    curator.set_cookie("sikg_token", app.extensions["sikg"].contributions.tokens.add("Cora Curator", "curator"))
    return store, app, curator


def submit_sheet(app, rows) -> str:
    """The rows uploaded on the contribution page and submitted: the contribution's id."""
    response = page_upload(app.test_client(), csv_bytes(rows), "practices.csv", "submit")
    assert response.status_code == 202, response.get_data(as_text=True)[:500]
    return re.search(r'href="/contributions/([0-9a-f]{16})"', response.get_data(as_text=True)).group(1)


def submit_synthetic(app, practices: int, prefix: str) -> str:
    """`practices` synthetic practices (sikg synth) as one contribution through POST /contributions."""
    data = io.BytesIO()
    write_synthetic(data, practices)
    body = data.getvalue().replace(b"/synth-", f"/{prefix}-".encode())
    response = app.test_client().post("/contributions", data=body, content_type="application/n-triples",
                                      headers=ALICE)
    assert response.status_code == 202, response.get_data(as_text=True)[:500]
    return response.json["id"]


def section(page: str, contribution: str) -> str:
    start = page.rindex("<section", 0, page.index(f'id="pending-{contribution}"'))
    return page[start:page.index("</section>", start)]


def text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def lines(part: str) -> dict[str, dict]:
    """Each practice's line of a batch's table, by the practice's IRI: its cells' text, its problems
    (severity, text), and what its <details> unfolds."""
    found = {}
    for iri, body in re.findall(r'<tbody class="practice-line[^"]*" data-practice="([^"]+)">(.*?)</tbody>', part,
                                re.S):
        first_row = body[:body.index("</tr>")]
        cells = [text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", first_row, re.S)]
        problems = [(severity, text(li)) for severity, li in
                    re.findall(r'<li class="problem [^"]*" data-severity="(\w+)">(.*?)</li>', first_row, re.S)]
        unfolded = re.search(r"<details>\s*<summary>.*?</summary>(.*?)</details>", body, re.S)
        found[iri] = {"cells": cells, "problems": problems, "details": unfolded.group(1) if unfolded else None}
    return found


def test_a_spreadsheet_is_one_table_a_line_per_practice_and_its_page_to_unfold(fresh):
    store, app, curator = fresh
    contribution = submit_sheet(app, two_practices(app.test_client()))
    page = curator.get(f"/review/{contribution}").get_data(as_text=True)
    part = section(page, contribution)
    table = lines(part)
    assert set(table) == {EXAMPLE, SECOND}
    assert table[EXAMPLE]["cells"][:3] == ["Neighbourhood Innovation Vouchers (example)", "Sweden",
                                           "Example Regional Development Office"]
    assert table[SECOND]["cells"][:3] == ["Second Example Vouchers (example)", "Sweden", "Avise"]
    for iri, line in table.items():  # each line unfolds to the practice's page: its title, IRI, texts and links
        assert line["details"] is not None and '<article class="resource preview">' in line["details"]
        assert f"<code>{iri}</code>" in line["details"] and line["cells"][0] in text(line["details"])
    assert "<details open" not in part  # folded until the curator opens it
    # the decision is the batch's, and the page says so, on its buttons too
    assert "The decision is for the whole batch: accepting publishes all 2 practices at once" in part
    assert ">Accept all 2 practices</button>" in part and ">Reject all 2 practices</button>" in part
    # one decision for the batch (the other form only asks for the report to be made again)
    assert part.count(f'<form method="post" action="/review/{contribution}">') == 1
    assert part.count('<form method="post" action="/review/') == 2
    assert f'action="/review/{contribution}/revalidate"' in part


def test_a_one_practice_contribution_keeps_its_page(fresh):
    store, app, curator = fresh
    rows = two_practices(app.test_client())[:2]  # the example alone
    contribution = submit_sheet(app, rows)
    part = section(curator.get(f"/review/{contribution}").get_data(as_text=True), contribution)
    assert 'class="pending"' in part and "practice-line" not in part and "<table" not in part
    assert "<h3>Neighbourhood Innovation Vouchers (example)</h3>" in part
    assert ">Accept</button>" in part and "whole batch" not in part


def test_each_line_has_the_results_about_its_own_practice_in_plain_words(fresh):
    """Validated again against the KG as it is now: an organisation gone from the KG since the upload is a problem
    of the one practice operated by it, named in the form's words; the recommendations (warnings) each practice
    lacks are on its own line only."""
    store, app, curator = fresh
    rows = two_practices(app.test_client())
    for heading in [h for h in rows[0] if h.startswith("Uses method ")]:
        set_cell(rows, 3, heading, "")  # the second practice names no method: a warning of its own
    contribution = submit_sheet(app, rows)
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{AVISE}> a ?type }} }}")  # Avise is no longer an organisation
    part = section(curator.get(f"/review/{contribution}").get_data(as_text=True), contribution)
    table = lines(part)
    second = table[SECOND]["problems"]
    assert [severity for severity, _ in second].count("Violation") >= 1
    violation = next(words for severity, words in second if severity == "Violation")
    assert violation.startswith("Problem:") and "operated by" in violation.lower()
    assert not [p for p in table[EXAMPLE]["problems"] if p[0] == "Violation"]
    method = [words for _, words in second if "sikg:usesMethod" in words]
    assert method and method[0].startswith("Warning:") and "Fill in “Uses method”." in method[0]
    assert not [words for _, words in table[EXAMPLE]["problems"] if "sikg:usesMethod" in words]
    assert list(table) == [SECOND, EXAMPLE]  # the lines with problems first
    assert 'class="practice-line has-violations" data-practice="' + SECOND in part
    assert "2 practices: 1 with problems" in text(part)


def test_a_batch_is_accepted_as_a_whole_from_its_one_form(fresh):
    store, app, curator = fresh
    contribution = submit_sheet(app, two_practices(app.test_client()))
    part = section(curator.get(f"/review/{contribution}").get_data(as_text=True), contribution)
    action = re.search(r'<form method="post" action="([^"]+)">', part).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)">', part))
    name, value = re.search(r'<button type="submit" name="(\w+)" value="(\w+)"[^>]*>Accept all', part).groups()
    response = curator.post(action, data={**fields, name: value})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert f'id="queue-{contribution}"' not in curator.get("/review").get_data(as_text=True)
    for iri in (EXAMPLE, SECOND):  # every practice of the batch is public at once
        assert store.query(f"ASK {{ <{iri}> a <https://w3id.org/sikg/ontology#SupportPractice> }}"), iri


def test_the_batch_table_speaks_the_readers_language(fresh):
    store, app, curator = fresh
    contribution = submit_sheet(app, two_practices(app.test_client()))
    part = section(curator.get(f"/review/{contribution}", query_string={"lang": "sv"}).get_data(as_text=True),
                   contribution)
    assert ">Godkänn alla 2 exempel</button>" in part and "<th scope=\"col\">Land</th>" in part
    assert lines(part)[EXAMPLE]["cells"][:2] == ["Grannskapets innovationscheckar (exempel)", "Sverige"]


def test_the_store_is_asked_as_often_for_a_batch_of_40_as_for_one_of_4(fresh, monkeypatch):
    """No query per practice: the labels, translations and what the batch touches are asked for all at once."""
    store, app, curator = fresh
    counts = {}
    for practices, prefix in ((4, "small"), (40, "large")):
        contribution = submit_synthetic(app, practices, prefix)
        asked = []
        for method in ("query", "query_private"):
            original = getattr(store, method)
            monkeypatch.setattr(store, method, lambda sparql, *a, _o=original, _asked=asked, **k:
                                _asked.append(sparql) or _o(sparql, *a, **k))
        page = curator.get(f"/review/{contribution}").get_data(as_text=True)
        monkeypatch.undo()
        assert len(lines(section(page, contribution))) == practices
        counts[practices] = len(asked)
        reviewed = curator.post(f"/review/{contribution}", data={
            "decision": "reject", "csrf": csrf_for(curator.get_cookie("sikg_token").value)})
        assert reviewed.status_code == 303
    assert counts[40] == counts[4], counts

