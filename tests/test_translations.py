"""The sikg team's translations are a graph of their own (data/translations/ → …/graph/translations), with a PROV
record saying who made them and that the organisations did not review them; pages say "translated by sikg" beside a text
from it, the RDF answers carry its language tags, /ontology includes its terms' translations, search reads it, and
SHACL messages come in the reader's language.

The committed translations (data/translations/{sv,fr,es,lv}.ttl, shapes/messages-*.ttl) are checked by the QC
queries and test_qc; these tests plant their own in a store (or a content copy) of their own, so that what they
check does not depend on the wording of the committed ones.
"""

import shutil

import pyoxigraph as ox
import pytest

from helpers import ROOT, html, select, to_quads
from sikg.contributions import form_data
from sikg.i18n import ui_text
from sikg.namespaces import (
    DCT,
    ELEMENT,
    GRAPH_CURATED,
    GRAPH_ONTOLOGY,
    GRAPH_TRANSLATIONS,
    PRACTICE,
    PROV,
    RDFS,
    SIKG,
    SKOS,
    XSD,
)
from sikg.rdf import content
from sikg.store import open_store
from sikg.validation import report as report_view
from sikg.validation import shacl as validation
from sikg.web.app import create_app

SWEDISH_PRACTICE = PRACTICE + "mikrofonden"
ELEMENT_IRI = ELEMENT + "challenges"
FRENCH = "Une pépinière suédoise de fonds locaux pour les coopératives."  # "pépinière" is in no curated text
SWEDISH = "En svensk testbeskrivning av mikrofonden."
PLANTED = f"""
@prefix sikg: <{SIKG}> . @prefix dct: <{DCT}> . @prefix rdfs: <{RDFS}> . @prefix skos: <{SKOS}> .
<{SWEDISH_PRACTICE}> dct:description "{FRENCH}"@fr , "{SWEDISH}"@sv .
sikg:SupportPractice rdfs:label "pratique de soutien"@fr ; skos:definition "Une définition plantée en français."@fr .
<{ELEMENT_IRI}> skos:definition "Une définition d'élément plantée."@fr .
"""
# the catalogues' words
TRANSLATED = {language: ui_text.text(language)["translated"] for language in ("en", "sv", "fr")}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The curated KG with an extra translations file loaded into the translations graph."""
    path = tmp_path_factory.mktemp("translations") / "planted.ttl"
    path.write_text(PLANTED, encoding="utf-8")
    store = open_store("memory")
    files = content.translation_files() + [path]
    store.replace_graphs({GRAPH_TRANSLATIONS: [q for f in files for q in content.read(f)]})
    return store


@pytest.fixture(scope="module")
def planted_client(planted):
    return create_app(planted).test_client()


# -- the graph and its provenance --------------------------------------------------------------------------------

def test_sikg_load_builds_the_translations_graph_from_data_translations(kg):
    graphs = content.curated_graphs()
    assert [p.name for p in graphs[GRAPH_TRANSLATIONS]][:1] and (ROOT / "data/translations/provenance.ttl").exists()
    assert all(p.parent.name == "translations" for p in graphs[GRAPH_TRANSLATIONS])
    assert GRAPH_TRANSLATIONS in kg.named_graphs()


def test_the_provenance_record_says_who_translated_from_what_and_that_no_source_reviewed_it(kg):
    rows = select(kg, f"""SELECT ?derived ?agent ?time ?reviewed ?label WHERE {{ GRAPH <{GRAPH_TRANSLATIONS}> {{
        <{GRAPH_TRANSLATIONS}> a prov:Entity ; prov:wasDerivedFrom ?derived ; prov:wasAttributedTo ?agent ;
            prov:generatedAtTime ?time ; sikg:reviewedBySource ?reviewed . ?agent a prov:Agent }}
        ?agent rdfs:label ?label }}""")
    assert {r["derived"] for r in rows} == {GRAPH_CURATED, GRAPH_ONTOLOGY}
    assert {r["reviewed"] for r in rows} == {"false"} and {r["label"].lower() for r in rows} == {"the sikg team"}
    time = next(iter(kg.query(f"SELECT ?t WHERE {{ <{GRAPH_TRANSLATIONS}> <{PROV.generatedAtTime}> ?t }}")))["t"]
    assert time.datatype.value == XSD.dateTime
    comments = select(kg, f"SELECT ?c WHERE {{ <{GRAPH_TRANSLATIONS}> rdfs:comment ?c }}")
    assert any("English" in r["c"] for r in comments)


def test_reviewed_by_source_is_in_the_ontology_in_english_and_swedish(kg):
    rows = select(kg, f"""SELECT ?p (LANG(?l) AS ?tag) WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{
                          sikg:reviewedBySource a owl:DatatypeProperty ; ?p ?l
                          FILTER(?p IN (rdfs:label, skos:definition)) }} }}""")
    assert sorted((r["p"], r["tag"]) for r in rows) == sorted(
        (p, lang) for p in (RDFS.label, SKOS.definition) for lang in ("en", "sv"))


def test_a_translated_text_lives_only_in_the_translations_graph(kg):
    """Every literal the translations graph holds (its provenance aside) is nowhere else, and is language-tagged in
    one of the languages translated into."""
    rows = select(kg, f"""SELECT ?s ?p ?o ?g WHERE {{ GRAPH <{GRAPH_TRANSLATIONS}> {{ ?s ?p ?o FILTER(isLiteral(?o))
                          FILTER(?s != <{GRAPH_TRANSLATIONS}>) }} GRAPH ?g {{ ?s ?p ?o }}
                          FILTER(?g != <{GRAPH_TRANSLATIONS}>) }}""")
    assert rows == []
    tags = select(kg, f"""SELECT DISTINCT (LANG(?o) AS ?tag) WHERE {{ GRAPH <{GRAPH_TRANSLATIONS}> {{ ?s ?p ?o
                          FILTER(isLiteral(?o) && ?s != <{GRAPH_TRANSLATIONS}>) }} }}""")
    assert {t["tag"] for t in tags} <= {"sv", "fr", "es", "lv"}


def test_the_curated_data_with_its_translations_conforms():
    report = validation.validate_files(content.data_files() + content.translation_files())
    assert report.conforms, report.to_text()


# -- pages -------------------------------------------------------------------------------------------------------

def test_a_resource_page_says_translated_by_sikg_beside_a_translated_text(planted_client):
    french = html(planted_client, "/id/practice/mikrofonden?lang=fr")
    assert FRENCH in french and f"{FRENCH} <small class=\"translated\">({TRANSLATED['fr']})</small>" in french
    swedish = html(planted_client, "/id/practice/mikrofonden?lang=sv")
    assert f"{SWEDISH} <small class=\"translated\">({TRANSLATED['sv']})</small>" in swedish
    english = html(planted_client, "/id/practice/mikrofonden?lang=en")
    assert 'class="translated"' not in english  # the English description is the curated one


def test_the_practice_list_and_the_home_page_mark_translations(planted_client):
    practices = html(planted_client, "/practices?lang=fr")
    assert f"{FRENCH} <small class=\"translated\">" in practices
    assert 'class="translated"' not in html(planted_client, "/practices?lang=en")
    home = html(planted_client, "/?lang=fr")
    assert "Une définition d&#39;élément plantée. <small class=\"translated\">" in home \
        or "Une définition d'élément plantée. <small class=\"translated\">" in home


def test_search_finds_a_practice_by_its_translated_description(planted_client, client):
    found = html(planted_client, "/practices?q=pepiniere")  # accents ignored, as for every search
    assert "/id/practice/mikrofonden" in found and found.count('class="practice') == html(
        client, "/practices?q=mikrofonden").count('class="practice')
    assert "/id/practice/mikrofonden" not in html(client, "/practices?q=pepiniere")  # not in the curated texts


def test_the_rdf_answers_carry_the_translations_language_tags(planted_client):
    document = planted_client.get("/id/practice/mikrofonden?format=jsonld").get_json()
    assert f'<{SWEDISH_PRACTICE}> <{DCT.description}> "{FRENCH}"@fr .' in to_quads(document)
    answer = planted_client.get("/sparql", query_string={"query": f"SELECT ?d WHERE {{ GRAPH <{GRAPH_TRANSLATIONS}> {{ "
                                                                  f"<{SWEDISH_PRACTICE}> <{DCT.description}> ?d }} }}"},
                                headers={"Accept": "application/sparql-results+json"}).get_json()
    assert {"type": "literal", "value": FRENCH, "xml:lang": "fr"} in [b["d"] for b in answer["results"]["bindings"]]


def test_the_ontology_includes_its_terms_translations_and_shows_them_marked(planted_client):
    turtle = planted_client.get("/ontology?format=nt").get_data(as_text=True)
    assert f'<{SIKG.SupportPractice}> <{RDFS.label}> "pratique de soutien"@fr' in turtle
    assert FRENCH not in turtle  # a practice's translation is not the ontology's
    page = html(planted_client, "/ontology?lang=fr", headers={"Accept": "text/html"})
    assert 'pratique de soutien</span> <small class="translated">' in page
    assert 'Une définition plantée en français. <small class="translated">' in page
    assert 'class="translated"' not in html(planted_client, "/ontology?lang=en", headers={"Accept": "text/html"})


# -- SHACL messages in the reader's language ---------------------------------------------------------------------

SWEDISH_MESSAGE = "Ett gott exempel behöver en engelsk beskrivning (dct:description med @en)."


@pytest.fixture
def swedish_messages(tmp_path, monkeypatch):
    """A copy of the content whose shapes have one planted Swedish message and no other translated ones."""
    home = tmp_path / "home"
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / folder, home / folder)
    for translated in (home / "shapes").glob("messages-*.ttl"):
        translated.unlink()
    (home / "shapes" / "messages-sv.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix sikgsh: <https://w3id.org/sikg/shapes#> .\n"
        f'sikgsh:Practice_description_en sh:message "{SWEDISH_MESSAGE}"@sv .\n', encoding="utf-8")
    monkeypatch.setenv("SIKG_HOME", str(home))
    validation.shapes_graph.cache_clear()
    yield
    validation.shapes_graph.cache_clear()


def _without_description():
    triples = f"""@prefix sikg: <{SIKG}> . @prefix rdfs: <{RDFS}> .
        <{PRACTICE}planted> a sikg:SupportPractice ; rdfs:label "Planted"@en ."""
    return validation.validate_quads(ox.parse(triples, ox.RdfFormat.TURTLE))


def test_a_validation_result_keeps_every_message_and_picks_the_readers(swedish_messages):
    report = _without_description()
    result = next(r for r in report.results if r.source_shape.endswith("Practice_description_en"))
    assert result.message.startswith("A practice needs an English description")  # the JSON API's, unchanged
    assert result.messages["sv"] == SWEDISH_MESSAGE and result.messages["en"] == result.message
    assert result.message_in("sv") == SWEDISH_MESSAGE and result.message_in("fr") == result.message
    assert result.as_json()["message"] == result.message and result.as_json()["messages"]["sv"] == SWEDISH_MESSAGE
    assert SWEDISH_MESSAGE in [item.what for item in report_view.readable(report, "sv").items]
    assert form_data.plain(result, "Beskrivning", "sv").message == SWEDISH_MESSAGE
    assert form_data.plain(result, "Description", "en").message == result.message


def test_the_validation_page_speaks_the_readers_language(swedish_messages, client):
    body = f'@prefix sikg: <{SIKG}> . @prefix rdfs: <{RDFS}> . <{PRACTICE}planted> a sikg:SupportPractice ; ' \
           'rdfs:label "Planted"@en .'
    page = client.post("/validate/form?lang=sv", data={"data": body, "syntax": "text/turtle"}).get_data(as_text=True)
    assert SWEDISH_MESSAGE in page
    english = client.post("/validate/form?lang=en", data={"data": body, "syntax": "text/turtle"}).get_data(as_text=True)
    assert "A practice needs an English description" in english and SWEDISH_MESSAGE not in english


def test_without_messages_in_a_language_every_result_has_its_english_one():
    report = _without_description()
    assert all(r.messages.get("en") == r.message for r in report.results if r.messages)
