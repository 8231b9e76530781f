"""The curators' queue and the validation report kept with each contribution (issue 31; contributions/queue.py,
reports.py, review_pages.py): validated once when it arrives, the report kept in a private graph of its own in the
SHACL vocabulary and shown as it is, made again only when the KG changed in a way that can change it or when a curator
asks; GET /review and GET /contributions?status=… list a page at a time with one query, with filters; a
contribution's own review page shows it whole.

Apps here write: each is built on a store of its own (the curated KG)."""

import re

import pytest
from test_contributions import template

from sikg.contributions import service as service_module
from sikg.contributions.reports import GRAPH_REPORT, report_graph
from sikg.contributions.sign_in import csrf_for
from sikg.namespaces import GRAPH_CONTRIBUTION, SH
from sikg.settings import Settings
from sikg.store import open_store
from sikg.synth import write_synthetic
from sikg.web.app import create_app

ALICE, BOB = {"Authorization": "Bearer tok-alice"}, {"Authorization": "Bearer tok-bob"}
AVISE = "https://w3id.org/sikg/id/organisation/avise"
SLUG = b"example-neighbourhood-voucher"


@pytest.fixture
def fresh():
    """(store, app, the curator's signed-in client, the curator's bearer header) on a store of the test's own."""
    store = open_store("memory")
    app = create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=tok-alice,bob=tok-bob"}))
    token = app.extensions["sikg"].contributions.tokens.add("Cora Curator", "curator")
    curator = app.test_client()
    curator.set_cookie("sikg_token", token)
    return store, app, curator, {"Authorization": f"Bearer {token}"}


def practice(slug: str, short: bool = False, avise: bool = False) -> bytes:
    """The template with its own slug; `short`: a description under the recommended 80 characters (a warning);
    `avise`: operated by Avise, an organisation of the KG."""
    body = template().replace(SLUG, slug.encode())
    if short:
        body = re.sub(rb'dct:description "[^"]*"@en', b'dct:description "A short made-up programme."@en', body)
    if avise:
        body = body.replace(b"sikg:operatedBy organisation:example-regional-agency",
                            f"sikg:operatedBy <{AVISE}>".encode())
    return body


def send(app, body: bytes, headers=ALICE, content_type="text/turtle", comment=None) -> str:
    response = app.test_client().post("/contributions", data=body, content_type=content_type, headers=headers,
                                      query_string={"comment": comment} if comment else None)
    assert response.status_code == 202, response.get_data(as_text=True)[:500]
    return response.get_json()["id"]


def batch(practices: int = 2) -> bytes:
    import io

    data = io.BytesIO()
    write_synthetic(data, practices)
    return data.getvalue().replace(b"/synth-", b"/queue-batch-")


def counting_validations(monkeypatch) -> list:
    """Every validation the contributions service makes from now on."""
    made = []
    original = service_module.validate_quads
    monkeypatch.setattr(service_module, "validate_quads", lambda *a, **k: made.append(1) or original(*a, **k))
    return made


def queue_lines(page: str) -> list[str]:
    return re.findall(r'<tr class="queue-line[^"]*" id="queue-([0-9a-f]{16})"', page)


# -- validated once ------------------------------------------------------------------------------------------------

def test_the_report_made_on_arrival_is_kept_in_the_shacl_vocabulary_and_shown_without_validating_again(
        fresh, monkeypatch):
    store, app, curator, _ = fresh
    contribution = send(app, practice("queue-kept", short=True))
    graph = report_graph(contribution)
    kept = list(store.query_private(f"""SELECT ?conforms ?severity ?path WHERE {{ GRAPH <{graph}> {{
        ?report a <{SH.ValidationReport}> ; <{SH.conforms}> ?conforms ; <{SH.result}> ?r .
        ?r a <{SH.ValidationResult}> ; <{SH.resultSeverity}> ?severity ; <{SH.resultPath}> ?path }} }}"""))
    assert [(r["conforms"].value, r["severity"].value.rsplit("#")[-1]) for r in kept] == [("true", "Warning")]
    assert kept[0]["path"].value.endswith("/description")
    validations = counting_validations(monkeypatch)
    page = curator.get(f"/review/{contribution}")
    assert page.status_code == 200
    assert validations == []  # shown as kept: nothing validated again
    text = page.get_data(as_text=True)
    assert f'id="pending-{contribution}"' in text and "<h3>Neighbourhood Innovation Vouchers (example)</h3>" in text
    warnings = text[text.index('<ul class="warnings">'):]
    assert "80" in warnings[:warnings.index("</ul>")]  # the kept warning, in words
    # the report is the service's own: not public, and not published with the data when accepted
    assert not store.query(f"ASK {{ GRAPH ?g {{ ?r a <{SH.ValidationReport}> }} }}")
    csrf = csrf_for(curator.get_cookie("sikg_token").value)
    assert curator.post(f"/review/{contribution}", data={"decision": "accept", "csrf": csrf}).status_code == 303
    assert not store.query_private(f"ASK {{ GRAPH <{GRAPH_CONTRIBUTION}{contribution}> "
                                   f"{{ ?r a <{SH.ValidationReport}> }} }}")
    assert curator.get(f"/review/{contribution}").status_code == 404  # no longer waiting for review


def test_a_change_of_the_kg_it_relies_on_makes_the_report_again(fresh, monkeypatch):
    """An organisation it names removed from the KG: the kept report no longer holds; its page validates again and
    keeps the new report, which the queue then counts. A change elsewhere in the KG does not."""
    store, app, curator, _ = fresh
    contribution = send(app, practice("queue-avise", avise=True))
    validations = counting_validations(monkeypatch)
    store.update("INSERT DATA { GRAPH <https://w3id.org/sikg/graph/elsewhere> { <https://example.org/x> "
                 "<https://example.org/p> 1 } }")
    assert "Problems" not in curator.get(f"/review/{contribution}").get_data(as_text=True)
    assert validations == []
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{AVISE}> a ?type }} }}")  # Avise is no longer an organisation
    text = curator.get(f"/review/{contribution}").get_data(as_text=True)
    assert validations == [1]
    problems = text[text.index('<ul class="violations">'):]
    assert "operatedBy" in problems[:problems.index("</ul>")] or "Organisation" in problems[:problems.index("</ul>")]
    curator.get(f"/review/{contribution}")
    assert validations == [1]  # kept again: the next look shows it as it is
    line = curator.get("/review").get_data(as_text=True)
    assert re.search(rf'id="queue-{contribution}".*?<td class="count">0</td><td class="count">1</td>', line, re.S)


def test_the_curator_asks_for_the_report_again(fresh, monkeypatch):
    store, app, curator, _ = fresh
    contribution = send(app, practice("queue-again"))
    validations = counting_validations(monkeypatch)
    csrf = csrf_for(curator.get_cookie("sikg_token").value)
    assert curator.post(f"/review/{contribution}/revalidate", data={}).status_code == 403  # no CSRF field
    again = curator.post(f"/review/{contribution}/revalidate", data={"csrf": csrf})
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/review/{contribution}")
    assert validations == [1]
    assert curator.post("/review/0123456789abcdef/revalidate", data={"csrf": csrf}).status_code == 404


def test_a_replaced_contribution_has_the_report_of_its_new_data(fresh, monkeypatch):
    store, app, curator, _ = fresh
    contribution = send(app, practice("queue-replaced"))
    replaced = app.test_client().put(f"/contributions/{contribution}", data=practice("queue-replaced", short=True),
                                     content_type="text/turtle", headers=ALICE)
    assert replaced.status_code == 200, replaced.get_data(as_text=True)
    validations = counting_validations(monkeypatch)
    assert '<ul class="warnings">' in curator.get(f"/review/{contribution}").get_data(as_text=True)
    assert validations == []


def test_a_withdrawn_contribution_leaves_no_report_behind(fresh):
    store, app, curator, header = fresh
    mine, theirs = send(app, practice("queue-mine")), send(app, practice("queue-theirs"))
    assert app.test_client().delete(f"/contributions/{mine}", headers=ALICE).status_code == 204
    assert app.test_client().delete(f"/contributions/{theirs}", headers=header).status_code == 204
    assert not store.query_private(f'ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_REPORT}")) }}')


# -- the queue -----------------------------------------------------------------------------------------------------

def test_the_queue_is_a_page_at_a_time_oldest_first_each_line_opening_the_contribution(fresh):
    store, app, curator, _ = fresh
    sent = [send(app, practice(f"queue-{i}")) for i in range(5)]
    page = curator.get("/review", query_string={"limit": 2}).get_data(as_text=True)
    assert queue_lines(page) == sent[:2]
    assert "1–2 of 5" in page and f'<a href="/review/{sent[0]}">Neighbourhood Innovation Vouchers (example)</a>' in page
    following = re.search(r'<a href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    second = curator.get(following).get_data(as_text=True)
    assert queue_lines(second) == sent[2:4] and 'rel="prev"' in second
    newest = curator.get("/review", query_string={"order": "newest", "limit": 2}).get_data(as_text=True)
    assert queue_lines(newest) == sent[::-1][:2]
    assert curator.get("/review", query_string={"limit": 0}).status_code == 400
    assert curator.get("/review", query_string={"kind": "whatever"}).status_code == 400
    contributor = app.test_client()
    contributor.set_cookie("sikg_token", "tok-alice")
    assert contributor.get("/review").status_code == 403
    assert contributor.get(f"/review/{sent[0]}").status_code == 403


def test_the_queue_filters_by_contributor_kind_and_warnings(fresh):
    store, app, curator, _ = fresh
    plain = send(app, practice("queue-plain"))
    warned = send(app, practice("queue-warned", short=True), headers=BOB)
    several = send(app, batch(2), content_type="application/n-triples")
    listed = lambda **filters: queue_lines(curator.get("/review", query_string=filters).get_data(as_text=True))
    assert listed() == [plain, warned, several]
    assert listed(contributor="bob") == [warned]
    assert listed(kind="batch") == [several] and listed(kind="practice") == [plain, warned]
    assert listed(kind="revision") == []
    with_warnings = listed(warnings="yes")
    assert warned in with_warnings and plain not in with_warnings
    assert plain in listed(warnings="no") and warned not in listed(warnings="no")
    nobody = curator.get("/review", query_string={"contributor": "nobody"}).get_data(as_text=True)
    assert "No pending contribution matches." in nobody
    page = curator.get("/review").get_data(as_text=True)
    assert re.search(rf'id="queue-{several}".*?\(2\)</th>\s*<td>Spreadsheet batch</td>', page, re.S)
    assert re.search(rf'id="queue-{warned}".*?<td>bob</td>.*?<td class="count">1</td>', page, re.S)


def test_a_proposed_revision_is_of_its_kind(fresh):
    store, app, curator, _ = fresh
    send(app, practice("queue-published"))
    first = curator.get("/contributions", query_string={"status": "pending"}).get_json()[0]["id"]
    csrf = csrf_for(curator.get_cookie("sikg_token").value)
    assert curator.post(f"/review/{first}", data={"decision": "accept", "csrf": csrf}).status_code == 303
    revision = send(app, practice("queue-published", short=True), comment="shorter")
    page = curator.get("/review", query_string={"kind": "revision"}).get_data(as_text=True)
    assert queue_lines(page) == [revision] and "<td>Revision</td>" in page


def test_the_queue_asks_the_store_as_often_for_12_waiting_as_for_3(fresh, monkeypatch):
    """One query for the page's lines, never one per line."""
    store, app, curator, _ = fresh
    counts = {}
    for size in (3, 12):
        while len(curator.get("/contributions", query_string={"status": "pending"}).get_json()) < size:
            send(app, practice(f"queue-count-{size}-{len(counts)}-{id(object())}"))
        asked = []
        for method in ("query", "query_private"):
            original = getattr(store, method)
            monkeypatch.setattr(store, method, lambda sparql, *a, _o=original, _asked=asked, **k:
                                _asked.append(sparql) or _o(sparql, *a, **k))
        assert len(queue_lines(curator.get("/review").get_data(as_text=True))) == size
        monkeypatch.undo()
        counts[size] = len(asked)
    assert counts[3] == counts[12], counts


# -- the JSON list -------------------------------------------------------------------------------------------------

def test_the_json_list_pages_with_a_total_and_links(fresh):
    store, app, curator, header = fresh
    sent = [send(app, practice(f"queue-json-{i}")) for i in range(5)]
    first = app.test_client().get("/contributions", query_string={"status": "pending", "limit": 2}, headers=header)
    assert first.status_code == 200 and [e["id"] for e in first.get_json()] == sent[:2]
    assert first.headers["X-Total-Count"] == "5" and first.headers["Cache-Control"] == "private, no-store"
    following = re.search(r'<([^>]+)>; rel="next"', first.headers["Link"]).group(1)
    assert "status=pending" in following and "offset=2" in following and "limit=2" in following
    last = app.test_client().get(following.replace("offset=2", "offset=4"), headers=header)
    assert [e["id"] for e in last.get_json()] == sent[4:] and 'rel="next"' not in last.headers.get("Link", "")
    entry = first.get_json()[0]
    assert (entry["kind"], entry["warnings"], entry["violations"], entry["practices"]) == ("practice", 0, 0, 1)
    assert entry["names"]["en"] == "Neighbourhood Innovation Vouchers (example)"
    assert entry["contributor"] == "alice" and entry["status"] == "pending"
    beyond = app.test_client().get("/contributions", query_string={"status": "pending", "offset": 10},
                                   headers=header)
    assert beyond.get_json() == [] and beyond.headers["X-Total-Count"] == "5"
    for wrong in ({"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"limit": "x"}, {"order": "random"},
                  {"kind": "other"}, {"warnings": "maybe"}):
        answer = app.test_client().get("/contributions", query_string={"status": "pending", **wrong}, headers=header)
        assert answer.status_code == 400, wrong
    public = app.test_client().get("/contributions", query_string={"kind": "practice"})
    assert public.status_code == 400  # kind and warnings are about pending contributions
    assert app.test_client().get("/contributions").headers["X-Total-Count"] == "0"
    assert app.test_client().get("/contributions", query_string={"status": "pending"},
                                 headers=ALICE).status_code == 403
