"""The contribution form's pages (routes/contribute.py, contribute_view.py, form_data.py): the preview without
JavaScript shows the Turtle, the JSON-LD and each result next to its field; the page's script gets the same as JSON;
submitting goes through the contributions service; the words and labels in Swedish; the review page for curators.

Apps here write: each is built on a store of its own (the curated KG), never on the shared `kg` fixture."""

import json
import re
from html import unescape

import pyoxigraph as ox
import pytest

from sikg.app import create_app
from sikg.settings import Settings
from sikg.sign_in import csrf_for
from sikg.store import open_store
from sikg.tokens import Holder

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
    "sikg:qualifiedElementSupport|0|sikg:element": "https://w3id.org/sikg/id/element/realisation",
    "sikg:qualifiedElementSupport|0|sikg:basis": "https://w3id.org/sikg/id/basis/curated",
    "sikg:qualifiedElementSupport|0|sikg:rationale|en": "The vouchers pay for trying an idea out.",
    "sikg:qualifiedElementSupport|0|dct:source": SOURCE,
    "sikg:qualifiedLevelTarget|0|sikg:level": "https://w3id.org/sikg/id/level/micro",
    "sikg:qualifiedLevelTarget|0|sikg:basis": "https://w3id.org/sikg/id/basis/curated",
    "sikg:qualifiedLevelTarget|0|sikg:rationale|en": "Single residents' groups.",
    "sikg:qualifiedLevelTarget|0|dct:source": SOURCE,
    "sikg:qualifiedMethodUse|0|sikg:method": "https://w3id.org/sikg/id/method/incubation-programmes",
    "sikg:qualifiedMethodUse|0|sikg:basis": "https://w3id.org/sikg/id/basis/curated",
    "sikg:qualifiedMethodUse|0|sikg:rationale|en": "Each group has a coach.",
    "sikg:qualifiedMethodUse|0|dct:source": SOURCE,
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
    assert ">Avise<" in page  # an organisation to pick, by its label
    assert 'href="/contribute"' in page  # the site's navigation
    assert 'src="/static/contribute-form.js"' in page
    assert client.get("/static/contribute-form.js").status_code == 200


def test_preview_without_javascript_shows_turtle_jsonld_and_the_report(client):
    response = post(client, {**VALID, "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-conforms="true"' in page
    turtle = unescape(page.split('id="turtle"><code>', 1)[1].split("</code>", 1)[0])
    graph = [q.triple for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)]
    assert ox.Triple(ox.NamedNode(PRACTICE), ox.NamedNode("https://w3id.org/sikg/ontology#supportsElement"),
                     ox.NamedNode("https://w3id.org/sikg/id/element/realisation")) in graph
    document = json.loads(unescape(page.split('id="jsonld"><code>', 1)[1].split("</code>", 1)[0]))
    assert "@context" in document
    assert 'value="Form Test Vouchers"' in page  # the form keeps what was typed
    assert "sikg:qualifiedElementSupport|1|sikg:element" in page  # one empty entry more


def test_a_mistake_is_shown_next_to_its_field(client):
    data = {**VALID, "action": "preview", "sikg:qualifiedElementSupport|0|dct:source": "",
            "sikg:country": "SWE"}
    page = post(client, data).get_data(as_text=True)
    assert 'data-conforms="false"' in page
    source = block(page, "sikg:qualifiedElementSupport|0|dct:source")
    assert "A qualified link needs the source" in source and "Fill in “Source”." in source
    country = block(page, "sikg:country")
    assert "is not a web address" in country
    assert "A qualified link needs" not in block(page, "rdfs:label")


def test_the_script_gets_the_preview_as_json(client):
    response = post(client, {**VALID, "sikg:qualifiedElementSupport|0|sikg:rationale|en": ""},
                    query_string={"action": "preview"}, headers={"Accept": "application/json"})
    body = response.get_json()
    assert response.status_code == 200 and body["conforms"] is False
    problems = body["problems"]["sikg:qualifiedElementSupport|0|sikg:rationale"]
    assert problems[0]["severity"] == "Violation" and problems[0]["fix"]
    assert body["practice"] == PRACTICE and "@prefix" in body["turtle"]


def test_submit_goes_through_the_contributions_service(client, store):
    response = post(client, {**VALID, "action": "submit"})
    page = response.get_data(as_text=True)
    assert response.status_code in (201, 202), page
    contribution = re.search(r'href="/contributions/([0-9a-f]{16})"', page).group(1)
    graph = ox.NamedNode(f"https://w3id.org/sikg/graph/contribution/{contribution}")
    if response.status_code == 201:  # published at once (no review service yet)
        assert list(store.quads_for_pattern(ox.NamedNode(PRACTICE), None, None, graph)) if hasattr(
            store, "quads_for_pattern") else True
    assert client.get(f"/contributions/{contribution}").status_code in (200, 404)


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
    assert "Bidra med en praktik" in page and "Förhandsgranska" in page
    assert ">Namn" in page and "drivs av" in page and ">mikro<" in page
    assert '<html lang="sv"' in page
    page = post(client, {**VALID, "action": "preview", "dct:source": "", "slug": "form-test-sv"},
                query_string={"lang": "sv"}).get_data(as_text=True)
    assert "Fyll i ”Källor”." in block(page, "dct:source")


class Curators:
    """The review service as the page calls it, until the lead wires helper R's."""

    def __init__(self, real):
        self.real, self.reviews = real, []

    def holder(self, authorization):
        return Holder("cora", "curator") if authorization == "Bearer cur" \
            else self.real.holder(authorization)

    def pending(self):
        triples = [q.triple for q in ox.parse(b"""<https://w3id.org/sikg/id/practice/pending-one> a
            <https://w3id.org/sikg/ontology#SupportPractice> ; <http://www.w3.org/2000/01/rdf-schema#label>
            "Pending One"@en ; <https://w3id.org/sikg/ontology#operatedBy>
            <https://w3id.org/sikg/id/organisation/avise> .""", ox.RdfFormat.TURTLE)]
        return [{"id": "0123456789abcdef", "contributor": "alice", "submitted": "2025-01-01T00:00:00Z",
                 "report": {"results": [{"severity": "Warning", "message": "Recommended: a homepage"}]},
                 "triples": triples}]

    def review(self, contribution_id, holder, decision, comment):
        self.reviews.append((contribution_id, holder.name, decision, comment))


def test_the_review_page_for_curators(store):
    app = create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": f"alice={TOKEN}"}))
    curators = Curators(app.extensions["sikg"].contributions)
    app.extensions["sikg"].contributions = curators
    client = app.test_client()
    client.set_cookie("sikg_token", TOKEN)
    assert client.get("/review").status_code == 403  # a contributor
    client.set_cookie("sikg_token", "cur")
    page = client.get("/review").get_data(as_text=True)
    assert "Pending One" in page and "Recommended: a homepage" in page and ">Avise<" in page
    csrf = csrf_for("cur")
    assert client.post("/review/0123456789abcdef", data={"decision": "accept"}).status_code == 403
    assert client.post("/review/0123456789abcdef", data={"decision": "maybe", "csrf": csrf}).status_code == 400
    response = client.post("/review/0123456789abcdef", data={"decision": "reject", "comment": "no source",
                                                            "csrf": csrf})
    assert response.status_code == 303 and curators.reviews == [("0123456789abcdef", "cora", "reject", "no source")]
    client.set_cookie("sikg_token", TOKEN)
    assert client.post("/review/0123456789abcdef", data={"decision": "accept", "csrf": CSRF}).status_code == 403
