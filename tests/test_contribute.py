"""The contribution form's pages (routes/contribute.py, contribute_view.py, form_data.py): the preview without
JavaScript shows the Turtle, the JSON-LD and each result next to its field; the page's script gets the same as JSON;
submitting goes through the contributions service; the words and labels in Swedish; the review page for curators.

Apps here write: each is built on a store of its own (the curated KG), never on the shared `kg` fixture."""

import json
import re
from html import unescape

import pyoxigraph as ox
import pytest

from helpers import contribution_form_links
from sikg.contributions.sign_in import csrf_for
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app

TOKEN = "tok-alice"
CSRF = csrf_for(TOKEN)
PRACTICE = "https://w3id.org/sikg/id/practice/form-test-vouchers"
SOURCE = "https://example.org/form-test/about"
VALID = {
    "rdfs:label|en": "Form Test Vouchers", "rdfs:label|sv": "Formulärtestets checkar",
    "dct:description|en": "A made-up programme for the form's tests: small vouchers for residents' groups to try an "
                          "idea in their neighbourhood, with a coach.",
    "sikg:country": "http://publications.europa.eu/resource/authority/country/SWE",
    "sikg:operatedBy": "new",
    "sikg:operatedBy|new|rdfs:label|sv": "Formulärtestets kontor",
    "sikg:operatedBy|new|sikg:actorType": "https://w3id.org/sikg/id/actor-type/municipality-region",
    "sikg:operatedBy|new|foaf:homepage": "https://example.org/",
    "sikg:operatedBy|new|dct:source": SOURCE,
    "dct:source": SOURCE,
    **contribution_form_links(SOURCE),
}


@pytest.fixture(scope="module")
def store():
    return open_store("memory")


@pytest.fixture(scope="module")
def app(store):
    return create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": f"alice={TOKEN}"}))


@pytest.fixture
def client(app):
    client = app.test_client()
    client.set_cookie("sikg_token", TOKEN)
    return client


def post(client, data, **options):
    return client.post("/contribute", data={"csrf": CSRF, **data}, **options)


def block(page: str, name: str) -> str:
    """The HTML of one field's block (up to the next field's)."""
    start = page.index(f'data-field="{name}"')
    following = page.find('data-field="', start + 1)
    return page[start:following if following > 0 else None]


def test_the_form_page_lists_the_shapes_fields(client):
    page = client.get("/contribute").get_data(as_text=True)
    for name in ("rdfs:label|en", "dct:description|en", "sikg:country", "sikg:operatedBy", "dct:source",
                 "sikg:qualifiedElementSupport|0|sikg:element", "sikg:operatedBy|new|sikg:actorType"):
        assert f'name="{name}"' in page, name
    assert '<option value="Avise">' in page  # an organisation to pick, by its name
    assert 'href="/contribute"' in page  # the site's navigation
    assert 'src="/static/contribute-form.js"' in page
    assert client.get("/static/contribute-form.js").status_code == 200


def test_preview_without_javascript_shows_turtle_jsonld_and_the_report(client):
    response = post(client, {**VALID, "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-conforms="true"' in page
    turtle = unescape(re.split(r'id="turtle"[^>]*><code>', page, maxsplit=1)[1].split("</code>", 1)[0])
    graph = [q.triple for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)]
    assert ox.Triple(ox.NamedNode(PRACTICE), ox.NamedNode("https://w3id.org/sikg/ontology#supportsElement"),
                     ox.NamedNode("https://w3id.org/sikg/id/element/realisation")) in graph
    document = json.loads(unescape(re.split(r'id="jsonld"[^>]*><code>', page, maxsplit=1)[1].split("</code>", 1)[0]))
    assert "@context" in document
    assert 'value="Form Test Vouchers"' in page  # the form keeps what was typed
    assert "sikg:qualifiedElementSupport|1|sikg:element" in page  # one empty entry more


def test_a_mistake_is_shown_next_to_its_field(client):
    data = {**VALID, "action": "preview",
            "sikg:qualifiedElementSupport|0|sikg:evidence|0|dct:source": "about-page.html",
            "sikg:country": "Swedland", "dct:description|en": "Too short."}
    page = post(client, data).get_data(as_text=True)
    assert 'data-conforms="false"' in page
    source = block(page, "sikg:qualifiedElementSupport|0|sikg:evidence|0|dct:source")
    assert "“about-page.html” is not a web address" in source and 'aria-invalid="true"' in source
    country = block(page, "sikg:country")  # a name the list does not offer
    assert "“Swedland” is not one of the choices" in country and 'value="Swedland"' in country
    assert "Write a little more in “Description”." in block(page, "dct:description")
    assert "not one of the choices" not in block(page, "rdfs:label")


def test_the_script_gets_the_preview_as_json(client):
    response = post(client, {**VALID, "sikg:qualifiedElementSupport|0|sikg:rationale|en": ""},
                    query_string={"action": "preview"}, headers={"Accept": "application/json"})
    body = response.get_json()
    assert response.status_code == 200 and body["conforms"] is False
    problems = body["problems"]["sikg:qualifiedElementSupport|0|sikg:rationale"]
    assert problems[0]["severity"] == "Violation" and problems[0]["fix"]
    assert body["practice"] == PRACTICE and "@prefix" in body["turtle"]


def asks(client, query: str) -> bool:
    return client.get("/sparql", query_string={"query": query},
                      headers={"Accept": "application/sparql-results+json"}).get_json()["boolean"]


def test_submit_goes_through_the_contributions_service_and_waits_for_review(client, app):
    response = post(client, {**VALID, "action": "submit", "slug": "form-test-submitted"})
    page = response.get_data(as_text=True)
    assert response.status_code == 202, page
    contribution = re.search(r'href="/contributions/([0-9a-f]{16})"', page).group(1)
    practice = "https://w3id.org/sikg/id/practice/form-test-submitted"
    assert not asks(client, f"ASK {{ <{practice}> ?p ?o }}"), "a pending contribution is public"
    status = client.get(f"/contributions/{contribution}", query_string={"format": "json"},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert status.status_code == 200 and status.get_json()["status"] == "pending"
    curator = app.extensions["sikg"].contributions.tokens.add("Submit Curator", "curator")
    reviewed = client.post(f"/contributions/{contribution}/review", json={"decision": "accept"},
                           headers={"Authorization": f"Bearer {curator}"})
    assert reviewed.status_code == 200, reviewed.get_data(as_text=True)
    assert asks(client, f"ASK {{ <{practice}> ?p ?o }}")


def test_a_practice_already_in_the_kg_cannot_be_submitted_again(client):
    response = post(client, {**VALID, "action": "submit", "slug": "ptce"})
    assert response.status_code == 422
    assert "already in the knowledge graph" in block(response.get_data(as_text=True), "slug")


def test_submit_with_a_mistake_is_the_form_again(client):
    response = post(client, {**VALID, "action": "submit", "slug": "form-test-other", "dct:source": ""})
    assert response.status_code == 422 and "Fill in “Sources”." in block(response.get_data(as_text=True),
                                                                          "dct:source")


def test_swedish_labels_with_lang_sv(client):
    page = client.get("/contribute", query_string={"lang": "sv"}).get_data(as_text=True)
    assert "Bidra med ett gott exempel" in page and "Förhandsgranska" in page
    assert ">Namn" in page and ">Drivs av" in page and ">mikro<" in page
    assert '<html lang="sv"' in page
    page = post(client, {**VALID, "action": "preview", "dct:source": "", "slug": "form-test-sv"},
                query_string={"lang": "sv"}).get_data(as_text=True)
    assert "Fyll i ”Källor”." in block(page, "dct:source")


def test_the_review_page_for_curators(app):
    """A curator sees a pending contribution as its page will look, with its warnings and what it touches, and
    accepts or rejects it through the same review service as the JSON API; a contributor cannot."""
    contributor = app.test_client()
    contributor.set_cookie("sikg_token", TOKEN)
    submitted = post(contributor, {**VALID, "action": "submit", "slug": "form-test-reviewed",
                                   "sikg:operatedBy": "https://w3id.org/sikg/id/organisation/avise"})
    assert submitted.status_code == 202, submitted.get_data(as_text=True)
    contribution = re.search(r'href="/contributions/([0-9a-f]{16})"', submitted.get_data(as_text=True)).group(1)
    assert contributor.get("/review").status_code == 403  # a contributor
    token = app.extensions["sikg"].contributions.tokens.add("Cora Curator", "curator")
    curator = app.test_client()
    curator.set_cookie("sikg_token", token)
    assert f'id="queue-{contribution}"' in curator.get("/review").get_data(as_text=True)  # a line of the queue
    page = curator.get(f"/review/{contribution}").get_data(as_text=True)  # which opens its page
    assert f'id="pending-{contribution}"' in page and "Form Test Vouchers" in page and ">Avise<" in page
    csrf = csrf_for(token)
    assert curator.post(f"/review/{contribution}", data={"decision": "accept"}).status_code == 403
    assert curator.post(f"/review/{contribution}", data={"decision": "maybe", "csrf": csrf}).status_code == 400
    assert contributor.post(f"/review/{contribution}", data={"decision": "accept", "csrf": CSRF}).status_code == 403
    response = curator.post(f"/review/{contribution}", data={"decision": "reject", "comment": "no source",
                                                             "csrf": csrf})
    assert response.status_code == 303
    assert f'id="queue-{contribution}"' not in curator.get("/review").get_data(as_text=True)
    status = contributor.get(f"/contributions/{contribution}", query_string={"format": "json"},
                             headers={"Authorization": f"Bearer {TOKEN}"}).get_json()
    assert status["status"] == "rejected" and status["review"]["comment"] == "no source"
    again = curator.post(f"/review/{contribution}", data={"decision": "accept", "csrf": csrf})
    assert again.status_code == 409
    assert not asks(curator, 'ASK { <https://w3id.org/sikg/id/practice/form-test-reviewed> ?p ?o }')




@pytest.mark.parametrize("name, value", [
    ("sikg:operatedBy", "practice:cap-impact"),  # an IRI JSON-LD would read as a compact IRI: once a 500
    ("sikg:operatedBy", "https://w3id.org/sikg/graph/contribution/abc"),
    ("sikg:qualifiedElementSupport|0|sikg:element", "javascript:alert(1)"),
    ("sikg:country", "practice:cap-impact"),
    ("dct:source", "urn:x-sikg-form:1"),
])
def test_a_value_the_form_does_not_offer_is_a_problem_at_its_field_never_a_500(client, name, value):
    for action in ("preview", "submit"):
        response = post(client, {**VALID, name: value, "action": action, "slug": "form-test-hostile"})
        assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
        assert value in unescape(block(response.get_data(as_text=True), name)), (name, action)


@pytest.mark.parametrize("path, box, form", [("/contribute", "sheet-progress", "sheet-form"),
                                             ("/validate", "validate-progress", "validate-form")])
def test_the_upload_forms_have_a_progress_box_for_their_script_in_the_readers_language(client, path, box, form):
    """Where static/upload-progress.js shows a slow upload's progress (tests/browser/test_upload_progress.py watches
    it): a <progress> bar hidden until a file is sent, a status region for screen readers, the words in the page's
    language; the script from /static (the pages run no inline script), the form posting as it did without it."""
    page = client.get(path, query_string={"lang": "sv"}).get_data(as_text=True)
    start = page.index(f'<div class="upload-progress" id="{box}"')
    part = page[start:page.index("</div>", start)]
    assert 'data-sending="Skickar filen: {percent} %"' in part and 'data-checking="Filen är skickad.' in part
    assert re.search(rf'<progress id="{box}-bar" max="100" value="0" aria-label="Uppladdningens förlopp"[^>]* hidden>',
                     part)
    assert re.search(r'<p id="[^"]+" class="visually-hidden" role="status" aria-live="polite"></p>', part)
    assert page.index('src="/static/upload-progress.js"') < page.index("</body>")
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts), scripts
    form_tag = re.search(rf'<form id="{form}"[^>]*>', page).group(0)
    assert 'method="post"' in form_tag and 'enctype="multipart/form-data"' in form_tag
    if path == "/contribute":  # the script sends it, and puts the answer's report in place
        assert f'data-progress="{box}" data-report="sheet-report"' in form_tag
    assert page.index(f'id="{form}"') < start < page.index("</form>", page.index(f'id="{form}"'))
    script = client.get("/static/upload-progress.js")
    assert script.status_code == 200 and "XMLHttpRequest" in script.get_data(as_text=True)


# -- a form a person fills in without RDF (issue 29, item 3) -------------------------------------------------------

BY_NAME = {**VALID, "sikg:country": "sverige", "sikg:operatedBy": "Avise", "slug": "form-test-by-name"}
for _unused in [k for k in BY_NAME if k.startswith("sikg:operatedBy|new|")]:
    del BY_NAME[_unused]


def preview_json(client, data, language="en"):
    response = post(client, data, query_string={"action": "preview", "lang": language},
                    headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.get_json()


def test_choices_are_sent_by_name_in_the_reader_s_language_and_read_as_iris(client):
    quotation = "sikg:qualifiedElementSupport|0|sikg:evidence|0|sikg:quotation"
    body = preview_json(client, {**BY_NAME, quotation: "Små checkar till boendegrupper.", f"{quotation}|language": "sv",
                                 "sikg:qualifiedElementSupport|0|sikg:basis": "kuraterad av sikg"}, "sv")
    assert body["conforms"], body["problems"]
    turtle = body["turtle"]
    assert "sikg:country country:SWE" in turtle and "sikg:operatedBy organisation:avise" in turtle
    assert '"Små checkar till boendegrupper."@sv' in turtle and "basis:curated" in turtle


def test_a_new_organisation_is_chosen_by_the_words_that_offer_it(client):
    data = {**VALID, "sikg:operatedBy": "a new one, described below", "slug": "form-test-new-by-name",
            "sikg:operatedBy|new|rdfs:label|sv": "Formulärtestets andra kontor"}
    body = preview_json(client, data)
    assert body["conforms"], body["problems"]
    assert "organisation:formulartestets-andra-kontor" in body["turtle"]


def test_an_unknown_name_or_language_is_a_clear_error_at_its_field(client):
    quotation = "sikg:qualifiedElementSupport|0|sikg:evidence|0|sikg:quotation"
    body = preview_json(client, {**BY_NAME, "sikg:country": "Atlantis", "sikg:operatedBy": "Nobody Ltd",
                                 quotation: "Some words.", f"{quotation}|language": "xx"})
    problems = body["problems"]
    assert not body["conforms"]
    assert "“Atlantis” is not one of the choices" in problems["sikg:country"][0]["message"]
    assert "“Nobody Ltd” is not one of the choices" in problems["sikg:operatedBy"][0]["message"]
    assert "“xx” is not one of the languages offered" in problems[quotation][0]["message"]


def test_the_form_asks_in_words_never_for_an_iri(client):
    page = client.get("/contribute", query_string={"lang": "sv"}).get_data(as_text=True)
    country = block(page, "sikg:country")
    assert '<option value="Sverige"></option>' in country and 'list="f-sikg-country-list"' in country
    assert "IRI" not in unescape(country) and "http" not in country
    assert 'type="url"' in block(page, "dct:source") and "<textarea" not in block(page, "dct:source")
    assert "Flera går bra" in block(page, "dct:source")  # a field of several says so
    quotation = block(page, "sikg:qualifiedElementSupport|0|sikg:evidence|0|sikg:quotation")
    assert quotation.count('name="sikg:qualifiedElementSupport|0|sikg:evidence|0|sikg:quotation"') == 1  # one text…
    assert '<option value="sv" selected>Svenska</option>' in quotation  # …in a language chosen, the page's first
    for choice in ("sikg:operatedBy|new|sikg:actorType",):
        assert 'type="checkbox"' in block(page, choice) and ">kommun eller region<" in block(page, choice)


def test_a_preview_shows_the_names_chosen_not_their_iris(client):
    page = post(client, {**BY_NAME, "action": "preview"}, query_string={"lang": "fr"}).get_data(as_text=True)
    assert 'value="Suède"' in block(page, "sikg:country")
    assert 'value="Avise"' in block(page, "sikg:operatedBy")
