"""Corrections and withdrawals (issue 26), what the first round left: an organisation's page offers a correction
through the form too; the form filled in with a resource's description loses nothing of it (a text in a language the
form has no box for, a property it has no field for, a second value where it shows one box, a record's nested
evidence), as a browser posts it back; a withdrawal is one write, answers 410 as the resource's page would be
negotiated, and is refused (409) for an organisation that practices still name; version 1 says when and by whom it
was published; the sikg team's translations stay where they are when a revision leaves their language alone. Over
the embedded store and a real Oxigraph server (the `backend` fixture of test_revisions)."""

from html.parser import HTMLParser
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from test_revisions import (  # noqa: F401 (fixtures)
    CAP,
    NEW,
    OLD,
    backend,
    oxigraph,
    propose,
    public_everywhere,
    review,
    withdraw,
)
from werkzeug.datastructures import MultiDict

from sikg.contributions.correction import correction_form
from sikg.contributions.form_data import read_form
from sikg.contributions.service import Contributions
from sikg.contributions.sign_in import CSRF_FIELD, csrf_for
from sikg.namespaces import (
    GRAPH_CURATED,
    GRAPH_PENDING,
    GRAPH_PRIVATE,
    GRAPH_TRANSLATIONS,
    ORGANISATION,
    PRACTICE,
    version_graph,
)
from sikg.pages.history import own_description

AVISE = ORGANISATION + "avise"
GERMAN = "Cap Impact ist ein Schulungsprogramm der Avise."  # a text in a language the form has no box for
FRENCH = "Cap Impact est un programme de formation"  # the sikg team's translation (data/translations/fr.ttl)


class _FormReader(HTMLParser):
    """What a browser posts for the form with id `form_id`: each named input's value, each textarea's text, each
    selected option, in document order (buttons aside)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, []
        self.select, self.textarea = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:  # a box ticked, or any other input
                self.values.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self.textarea = [a["name"], ""]
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.values.append((self.select, a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            self.values.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def posted(page: str) -> list[tuple[str, str]]:
    reader = _FormReader("contribute-form")
    reader.feed(page)
    return reader.values


def correction_page(client, iri: str) -> str:
    page = client.get("/contribute?lang=en&revise=" + quote(iri, safe=""))
    assert page.status_code == 200, page.data[:2000]
    return page.get_data(as_text=True)


def as_set(triples) -> set:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def send(client, values: list, reason: str | None = "The organisation's own page says so."):
    form = MultiDict(values)
    form.setlist(CSRF_FIELD, [csrf_for("a-token")])
    form.setlist("action", ["submit"])
    if reason:
        form.setlist("reason", [reason])
    return client.post("/contribute?lang=en", data=form)


@pytest.fixture
def signed_in(backend):  # noqa: F811
    store, client, curator = backend
    client.set_cookie("sikg_token", "a-token")
    yield store, client, curator
    client.delete_cookie("sikg_token")


# -- item 1: an organisation's page, the form built from the organisation's shapes ----------------------------------

def test_an_organisation_page_offers_a_correction_sent_back_from_the_page_as_a_revision(signed_in):
    store, client, curator = signed_in
    href = "/contribute?revise=" + quote(AVISE, safe="")
    page = client.get("/id/organisation/avise?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'href="{href}&amp;lang=en"' in page or f'href="{href}"' in page
    before = own_description(store, AVISE)
    form = correction_page(client, AVISE)
    assert 'name="revises" value="' + AVISE in form and 'name="reason"' in form
    assert "https://www.avise.org" in form and "/id/practice/cap-impact" in form  # its homepage, what it operates
    values = [(name, "Avise (corrected)" if (name, value) == ("rdfs:label", "Avise") else value)
              for name, value in posted(form)]
    assert ("rdfs:label", "Avise (corrected)") in values and ("rdfs:label|language", "fr") in values
    assert send(client, values, reason=None).status_code == 400  # a correction needs its reason
    sent = send(client, values)
    assert sent.status_code == 202, sent.get_data(as_text=True)[:3000]
    made = client.get("/contributions?status=pending", headers=curator).get_json()
    made = made[-1] if isinstance(made, list) else made["contributions"][-1]
    status = client.get(f"/contributions/{made['id']}", headers={**curator, "Accept": "application/json"}).get_json()
    assert status["revises"] == [AVISE]
    assert review(client, made["id"], curator).status_code == 200
    after = own_description(store, AVISE)
    statements = lambda triples: {(t.predicate.value, t.object.value) for t in triples}
    changed = statements(before) ^ statements(after)
    assert changed == {("http://www.w3.org/2000/01/rdf-schema#label", "Avise"),
                       ("http://www.w3.org/2000/01/rdf-schema#label", "Avise (corrected)")}


# -- item 2: nothing of the description is lost on the way through the form ----------------------------------------

@pytest.mark.slow  # every curated page through the form, 10-25 s; make check keeps the tests of single pages below
def test_every_practice_and_organisation_comes_back_from_its_correction_page_unchanged(signed_in):
    store, client, _ = signed_in
    # what the form has no box or field for: a German text, a second English quotation in one record, a property
    store.update(f"""PREFIX dct: <http://purl.org/dc/terms/> PREFIX sikg: <https://w3id.org/sikg/ontology#>
        INSERT {{ GRAPH <{GRAPH_CURATED}> {{ <{CAP}> dct:description "{GERMAN}"@de ; dct:alternative "CI"@en .
                  ?record sikg:quotation "A second quotation, in English."@en }} }}
        WHERE {{ GRAPH <{GRAPH_CURATED}> {{ <{CAP}> sikg:qualifiedMethodUse ?record }} }}""")
    iris = [row["s"].value for row in store.query(
        "SELECT ?s WHERE { ?s a ?type FILTER(?type IN (<https://w3id.org/sikg/ontology#SupportPractice>, "
        "<https://w3id.org/sikg/ontology#Organisation>)) } ORDER BY ?s")]
    assert len(iris) > 80 and CAP in iris and AVISE in iris
    lost = {}
    for iri in iris if store.__class__.__name__ != "RemoteStore" else [CAP, AVISE]:
        form = correction_page(client, iri)
        draft = read_form(correction_form(store, "en", iri), MultiDict(posted(form)), store, "en")
        missing = as_set(own_description(store, iri)) - as_set(draft.published())
        extra = as_set(draft.published()) - as_set(own_description(store, iri))
        if missing or extra or draft.problems:
            lost[iri] = (sorted(map(str, missing))[:3], sorted(map(str, extra))[:3], draft.problems)
    assert lost == {}
    assert 'name="dct:description|de"' in correction_page(client, CAP)


def test_a_correction_keeps_a_text_in_a_language_the_form_has_no_box_for(signed_in):
    store, client, curator = signed_in
    store.update(f'INSERT DATA {{ GRAPH <{GRAPH_CURATED}> {{ <{CAP}> <http://purl.org/dc/terms/description> '
                 f'"{GERMAN}"@de }} }}')
    values = [(name, value.replace(OLD.decode(), NEW.decode())) for name, value in posted(correction_page(client, CAP))]
    assert ("dct:description|de", GERMAN) in values
    sent = send(client, values, "The programme ended in 2024.")
    assert sent.status_code == 202, sent.get_data(as_text=True)[:3000]
    made = client.get("/contributions?status=pending", headers=curator).get_json()
    made = made[-1] if isinstance(made, list) else made["contributions"][-1]
    assert review(client, made["id"], curator).status_code == 200
    assert public_everywhere(client, NEW) == {"sparql": True, "page": True, "export": True}
    assert public_everywhere(client, GERMAN.encode()) == {"sparql": True, "page": True, "export": True}


# -- item 3: withdrawal in one write; 410 as negotiated ------------------------------------------------------------

def test_a_withdrawal_is_one_write_and_one_that_loses_leaves_nothing(backend, monkeypatch):  # noqa: F811
    store, client, curator = backend
    writes = []  # every write but the claims an external store's writers take (service.Claims)

    def counted(name):
        method = getattr(store, name)

        def write(*args, **kwargs):
            if not (name == "update" and f"<{GRAPH_PRIVATE}claims>" in args[0]):
                writes.append(name)
            return method(*args, **kwargs)
        return write

    for name in ("update", "replace_graphs", "remove_graphs"):
        monkeypatch.setattr(store, name, counted(name))
    pending = lambda: int(next(iter(store.query_private(
        f'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
        f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PENDING}")) }}')))["n"].value)
    assert withdraw(client, curator).status_code == 200
    assert writes == ["update"]
    # a withdrawal proposed on a version no longer current (read stale: another revision was accepted between the
    # read and the write) changes nothing and leaves no record behind, in the same one write
    back = propose(client, client.get("/id/practice/cap-impact/history/1", headers={"Accept": "text/turtle"}).data,
                   comment="Withdrawn by mistake.", headers=curator).get_json()
    assert review(client, back["id"], curator).status_code == 200
    before, writes[:] = pending(), []
    monkeypatch.setattr(Contributions, "_revisions_of", lambda self, resources: {})  # stale: version 1
    lost = withdraw(client, curator)
    assert lost.status_code == 409 and b"meanwhile" in lost.data
    assert writes == ["update"] and pending() == before
    assert client.get("/id/practice/cap-impact", headers={"Accept": "text/turtle"}).status_code == 200


def test_a_withdrawn_resource_answers_410_as_its_page_is_negotiated(backend):  # noqa: F811
    store, client, curator = backend
    assert withdraw(client, curator).status_code == 200
    reason, history = "Avise ended the programme in 2024.", "/id/practice/cap-impact/history"
    answers = {accept: client.get("/id/practice/cap-impact", headers={"Accept": accept}) for accept in (
        "text/html", "*/*", "text/turtle", "application/ld+json", "application/json", "text/plain")}
    for accept, gone in answers.items():
        assert gone.status_code == 410, accept
        assert gone.headers["Link"] == f'<{history}>; rel="version-history"', accept
    for accept in ("text/html", "*/*"):
        page = answers[accept].get_data(as_text=True)
        assert answers[accept].content_type.startswith("text/html") and reason in page
        assert f'href="{history}' in page and "<h1>Withdrawn</h1>" in page
    turtle = list(ox.parse(answers["text/turtle"].data, ox.RdfFormat.TURTLE))
    said = {(t.predicate.value, t.object.value) for t in turtle if t.subject == ox.NamedNode(CAP)}
    assert ("http://www.w3.org/2000/01/rdf-schema#comment", reason) in said
    assert ("http://www.w3.org/2000/01/rdf-schema#seeAlso", CAP + "/history") in said
    assert any(p == "http://www.w3.org/ns/prov#invalidatedAtTime" for p, _ in said)
    for accept in ("application/ld+json", "application/json"):
        parsed = list(ox.parse(answers[accept].data, ox.RdfFormat.JSON_LD))
        assert any(t.object.value == reason for t in parsed) and any(t.object.value == CAP + "/history"
                                                                     for t in parsed), accept
    assert answers["text/plain"].content_type.startswith("text/plain")
    assert reason in answers["text/plain"].get_data(as_text=True) and history in answers["text/plain"].get_data(
        as_text=True)
    assert not answers["*/*"].content_type.startswith("text/plain")


# -- item 4: an organisation that practices name --------------------------------------------------------------------

def test_withdrawing_an_organisation_practices_name_is_a_409_naming_them(backend):  # noqa: F811
    store, client, curator = backend
    before = own_description(store, AVISE)
    refused = withdraw(client, curator, comment="Merged.", path="organisation/avise")
    assert refused.status_code == 409
    for practice in ("dla", "emergence-acceleration", "fabrique-a-initiatives", "pins", "cap-impact"):
        assert f"<{PRACTICE}{practice}>".encode() in refused.data
    assert as_set(own_description(store, AVISE)) == as_set(before)
    assert not store.query_private(f'ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_PENDING}")) }}')
    # one that nothing names any more (its practices withdrawn first) is withdrawn
    named_by = [row["x"].value for row in store.query(
        f"SELECT DISTINCT ?x WHERE {{ ?x <https://w3id.org/sikg/ontology#operatedBy> <{AVISE}> }}")]
    for practice in named_by:
        assert withdraw(client, curator, path=practice[len(PRACTICE) - len("practice/"):]).status_code == 200
    still = withdraw(client, curator, comment="Merged.", path="organisation/avise")
    if still.status_code == 409:  # named as a partner too: those practices are named in turn
        assert b"withdraw or correct those first" in still.data
    else:
        assert still.status_code == 200
        assert client.get("/id/organisation/avise").status_code == 410


# -- item 5: version 1 says when and by whom --------------------------------------------------------------------------

def test_version_1_of_a_curated_resource_has_the_dataset_s_date_and_author(backend):  # noqa: F811
    store, client, curator = backend
    made = propose(client, own_turtle(store, CAP).replace(OLD, NEW)).get_json()
    assert review(client, made["id"], curator).status_code == 200
    page = client.get("/id/practice/cap-impact/history?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    first = page[page.rindex("<tr>"):]
    assert '<time datetime="2026-11-27">2026-11-27</time>' in first and "The sikg team" in first


def test_version_1_of_a_contributed_practice_has_its_contributor_and_curator(backend):  # noqa: F811
    store, client, curator = backend
    body = own_turtle(store, CAP).replace(b"cap-impact", b"cap-impact-two")
    added = propose(client, body, comment=None).get_json()
    assert review(client, added["id"], curator).status_code == 200
    iri = PRACTICE + "cap-impact-two"
    page = lambda: client.get("/id/practice/cap-impact-two/history?lang=en", headers={"Accept": "text/html"})
    for revised in (False, True):
        text = page().get_data(as_text=True)
        first = text[text.rindex("<tr>"):]
        assert "<time datetime=" in first and "<td>alice</td>" in first and "<td>carol</td>" in first, revised
        if not revised:
            changed = propose(client, own_turtle(store, iri).replace(OLD, NEW)).get_json()
            assert review(client, changed["id"], curator).status_code == 200


# -- item 6: the translations of a revised resource -----------------------------------------------------------------

def own_turtle(store, iri: str) -> bytes:
    return ox.serialize(own_description(store, iri), format=ox.RdfFormat.TURTLE)


def translated(store) -> bool:
    return bool(store.query(f'ASK {{ GRAPH <{GRAPH_TRANSLATIONS}> {{ <{CAP}> ?p ?o '
                            f'FILTER(STRSTARTS(STR(?o), "{FRENCH}")) }} }}'))


def test_a_revision_that_leaves_a_language_alone_leaves_its_translation_public(backend):  # noqa: F811
    store, client, curator = backend
    assert translated(store)
    made = propose(client, own_turtle(store, CAP).replace(OLD, NEW)).get_json()
    assert review(client, made["id"], curator).status_code == 200
    assert public_everywhere(client, NEW)["sparql"] and translated(store)
    assert FRENCH.encode() in client.get("/id/practice/cap-impact?lang=fr", headers={"Accept": "text/html"}).data
    kept = store.query_private(f"ASK {{ GRAPH <{version_graph(CAP, 1)}> {{ ?s ?p ?o "
                               f"FILTER(STRSTARTS(STR(?o), '{FRENCH}')) }} }}")
    assert not kept  # version 1 is the resource's own words; the translation was not moved into it
    store.load_curated()  # sikg load again: the same
    assert translated(store) and public_everywhere(client, NEW)["sparql"]


def test_a_revision_with_its_own_text_in_a_language_supersedes_the_translation(backend):  # noqa: F811
    store, client, curator = backend
    own = own_turtle(store, CAP).rstrip().rstrip(b".") + b' ; <http://purl.org/dc/terms/description> ' \
        b'"Cap Impact, un programme de formation (texte de la contributrice)."@fr .\n'
    made = propose(client, own).get_json()
    assert review(client, made["id"], curator).status_code == 200
    assert not translated(store)
    assert store.query_private(f"ASK {{ GRAPH <{version_graph(CAP, 1)}> {{ <{CAP}> ?p ?o "
                               f"FILTER(STRSTARTS(STR(?o), '{FRENCH}')) }} }}")  # kept in the version it was in
    store.load_curated()
    assert not translated(store)
    french = client.get("/id/practice/cap-impact?lang=fr", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "texte de la contributrice" in french and FRENCH not in french
    # a withdrawal takes the translations out of the public graphs too
    assert withdraw(client, curator).status_code == 200
    assert not store.query(f"ASK {{ <{CAP}> ?p ?o }}")


def test_withdrawing_takes_the_translations_out_too(backend):  # noqa: F811
    store, client, curator = backend
    assert withdraw(client, curator).status_code == 200
    assert not translated(store) and not store.query(f"ASK {{ <{CAP}> ?p ?o }}")
    store.load_curated()
    assert not translated(store) and client.get("/id/practice/cap-impact").status_code == 410


def test_sikg_load_of_an_on_disk_store_keeps_the_translations_a_revision_left(tmp_path, pool):
    from sikg.settings import Settings
    from sikg.store import bulk, open_store
    from sikg.web.app import create_app
    path = tmp_path / "store"
    bulk.load_directory(path, [])
    store = open_store(str(path))
    app = create_app(store, settings=Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=a-token"}), pool=pool)
    curator = {"Authorization": f"Bearer {app.extensions['sikg'].contributions.tokens.add('carol', 'curator')}"}
    client = app.test_client()
    made = propose(client, own_turtle(store, CAP).replace(OLD, NEW)).get_json()
    assert review(client, made["id"], curator).status_code == 200
    assert translated(store)
    store.close()
    bulk.load_directory(path, [])  # sikg load --store DIR
    store = open_store(str(path))
    try:
        assert translated(store)
        assert store.query(f'ASK {{ <{CAP}> ?p ?o FILTER(CONTAINS(STR(?o), "{NEW.decode()}")) }}')
        assert not store.query(f'ASK {{ <{CAP}> ?p ?o FILTER(CONTAINS(STR(?o), "{OLD.decode()}")) }}')
    finally:
        store.close()
