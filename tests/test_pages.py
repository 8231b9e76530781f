"""The pages for people (home, browse, validation form, the chart), through the Flask test client: every number a
page shows is checked against a SPARQL answer over the same store."""

import json
import re
from html import unescape
from pathlib import Path

import pytest

from helpers import FIXTURES, select
from sikg import resources
from sikg.app import create_app
from sikg.browse import browse, query_string, without
from sikg.home import home_summary
from sikg.languages import SUPPORTED_LANGUAGES, choose_data_language, choose_ui_language, match_language, page_language

ELEMENT = "https://w3id.org/sikg/id/element/"
PRACTICE = "https://w3id.org/sikg/id/practice/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


@pytest.fixture(scope="module")
def client(kg):
    return create_app(kg).test_client()


def html(client, path, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def attributes(tag: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}


def bars(page: str) -> list[dict[str, str]]:
    return [attributes(tag) for tag in re.findall(r'<rect class="bar"[^>]*>', page)]


def practice_links(page: str) -> list[str]:
    return re.findall(r'<li class="hit" data-practice="([^"]+)"', page)


# -- home ------------------------------------------------------------------------------------------------------

def test_home_lists_the_five_elements_in_order_with_their_practice_counts(client, kg):
    page = html(client, "/")
    expected = select(kg, """
        SELECT ?e ?notation (COUNT(DISTINCT ?p) AS ?n) WHERE {
          ?e a sikg:ProcessElement ; skos:notation ?notation .
          OPTIONAL { ?p a sikg:SupportPractice ; sikg:supportsElement ?e } }
        GROUP BY ?e ?notation ORDER BY xsd:integer(?notation)""")
    assert len(expected) == 5
    shown = [attributes(tag) for tag in re.findall(r'<li class="element"[^>]*>', page)]
    assert [s["data-element"] for s in shown] == [row["e"].rsplit("/", 1)[1] for row in expected]
    assert [int(s["data-count"]) for s in shown] == [int(row["n"]) for row in expected]


def test_home_lists_each_method_under_its_element_with_its_practice_count(client, kg):
    page = html(client, "/")
    expected = {row["m"].rsplit("/", 1)[1]: int(row["n"]) for row in select(kg, """
        SELECT ?m (COUNT(DISTINCT ?p) AS ?n) WHERE { ?m a sikg:SupportMethod .
          OPTIONAL { ?p a sikg:SupportPractice ; sikg:usesMethod ?m } } GROUP BY ?m""")}
    shown = {a["data-method"]: int(a["data-count"]) for a in
             (attributes(tag) for tag in re.findall(r'<li data-method="[^>]*>', page))}
    assert len(expected) == 19
    assert shown == expected
    # each method sits under the element it is listed for
    for row in select(kg, "SELECT ?m ?e WHERE { ?m a sikg:SupportMethod ; sikg:forElement ?e }"):
        section = page.split(f'id="element-{row["e"].rsplit("/", 1)[1]}"', 1)[1].split('<li class="element"', 1)[0]
        assert f'data-method="{row["m"].rsplit("/", 1)[1]}"' in section


def test_home_has_search_and_the_entry_points(client):
    page = html(client, "/")
    assert re.search(r'<form[^>]*role="search"[^>]*action="/practices"', page)
    assert 'name="q"' in page
    for href in ('href="/practices"', 'href="/sparql"', 'href="/validate"', 'href="/export?format=ttl"',
                 'href="/export?format=jsonld"', 'href="/queries"'):
        assert href in page, href


def test_chart_bars_carry_the_sparql_counts(client, kg):
    page = html(client, "/")
    expected = {(row["e"], row["c"]): int(row["n"]) for row in select(kg, """
        SELECT ?e ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {
          ?p a sikg:SupportPractice ; sikg:supportsElement ?e ; sikg:country ?c } GROUP BY ?e ?c""")}
    elements = {row["e"] for row in select(kg, "SELECT ?e WHERE { ?e a sikg:ProcessElement }")}
    countries = {row["c"] for row in select(kg, "SELECT DISTINCT ?c WHERE { ?p a sikg:SupportPractice ; "
                                                "sikg:country ?c }")}
    found = bars(page)
    assert len(found) == len(elements) * len(countries) == 20
    shown = {(b["data-element-iri"], b["data-country-iri"]): int(b["data-count"]) for b in found}
    assert shown == {(e, c): expected.get((e, c), 0) for e in elements for c in countries}
    assert {b["data-country"] for b in found} == {"FRA", "LVA", "ESP", "SWE"}
    # the longest bar is the largest count, and widths follow the counts
    widths = {(b["data-element-iri"], b["data-country-iri"]): float(b["width"]) for b in found}
    peak = max(shown.values())
    for key, n in shown.items():
        assert widths[key] == pytest.approx(widths[max(shown, key=shown.get)] * n / peak, abs=0.2)


def test_chart_is_offered_as_a_standalone_svg(client):
    response = client.get("/chart.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    assert body.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert len(bars(body)) == 20


def test_home_needs_no_script(client):
    page = html(client, "/")
    assert "<script" not in page
    assert "cdn" not in page.lower() and "https://unpkg" not in page


# -- languages -------------------------------------------------------------------------------------------------

def test_language_switch_by_parameter_and_accept_language(client, kg):
    labels = {row["lang"]: row["label"] for row in select(kg, f"""
        SELECT ?label (LANG(?label) AS ?lang) WHERE {{ <{ELEMENT}realisation> skos:prefLabel ?label }}""")}
    english = html(client, "/")
    assert '<html lang="en">' in english and labels["en"] in english and labels["sv"] not in english
    for kwargs in ({"query_string": {"lang": "sv"}}, {"headers": {"Accept-Language": "sv-SE, sv;q=0.9"}}):
        swedish = html(client, "/", **kwargs)
        assert '<html lang="sv">' in swedish
        assert labels["sv"] in swedish and labels["en"] not in swedish
        assert "Den sociala innovationsprocessen" in swedish
    # ?lang= wins over the header, and the switch links keep the page
    assert '<html lang="en">' in html(client, "/", query_string={"lang": "en"}, headers={"Accept-Language": "sv"})
    page = html(client, "/practices", query_string={"country": "SWE"})
    assert 'href="/practices?country=SWE&amp;lang=sv" hreflang="sv"' in page


def test_every_page_has_the_switch_a_title_and_one_h1(client):
    for path in ("/", "/practices", "/validate", "/sparql", "/queries", "/ontology", "/id/practice/cap-impact"):
        page = html(client, path, headers={"Accept": "text/html"})
        assert re.search(r"<title>[^<]+ · sikg</title>", page), path
        assert len(re.findall(r"<h1[ >]", page)) == 1, path
        assert 'hreflang="sv"' in page and 'hreflang="en"' in page, path
        assert 'href="#main"' in page and 'id="main"' in page, path


def test_pages_vary_on_accept_language(client):
    for path in ("/", "/practices", "/validate"):
        vary = [v.strip() for v in client.get(path).headers["Vary"].split(",")]
        assert "Accept-Language" in vary


def test_links_keep_a_chosen_language(client):
    page = html(client, "/", query_string={"lang": "sv"})
    assert 'href="/practices?lang=sv"' in page
    assert 'href="/practices?element=realisation&amp;lang=sv"' in page


# -- browse ----------------------------------------------------------------------------------------------------

def count_practices(kg, patterns: str) -> set[str]:
    return {row["p"] for row in select(kg, f"SELECT DISTINCT ?p WHERE {{ ?p a sikg:SupportPractice . {patterns} }}")}


def test_browse_lists_every_practice_linking_to_its_page(client, kg):
    page = html(client, "/practices")
    every = count_practices(kg, "")
    assert set(practice_links(page)) == every and len(every) == 35
    for iri in every:
        assert f'href="/id/practice/{iri.rsplit("/", 1)[1]}"' in page
    assert "<script" not in page


@pytest.mark.parametrize("query, patterns", [
    ({"element": "realisation"}, "?p sikg:supportsElement element:realisation ."),
    ({"element": "realisation", "country": "SWE"},
     "?p sikg:supportsElement element:realisation ; sikg:country country:SWE ."),
    ({"method": "design-financing-scaling", "level": "micro"},
     "?p sikg:usesMethod method:design-financing-scaling ; sikg:targetsLevel level:micro ."),
    ({"actor-type": "public-agency", "element": "mobilisation"},
     "?p sikg:operatedBy/sikg:actorType actortype:public-agency ; sikg:supportsElement element:mobilisation ."),
    ({"country": ["FRA", "LVA"], "level": "macro"},
     "VALUES ?c { country:FRA country:LVA } ?p sikg:country ?c ; sikg:targetsLevel level:macro ."),
    ({"element": f"{ELEMENT}challenges"}, "?p sikg:supportsElement element:challenges ."),
])
def test_facets_combine(client, kg, query, patterns):
    page = html(client, "/practices", query_string=query)
    expected = count_practices(kg, patterns)
    assert expected, "the example should find something"
    assert set(practice_links(page)) == expected
    assert f'data-count="{len(expected)}"' in page


def test_facet_counts_are_what_each_value_would_add(client, kg):
    """Under element=realisation, each country's count is the practices of that country supporting realisation."""
    page = html(client, "/practices", query_string={"element": "realisation"})
    expected = {row["code"]: int(row["n"]) for row in select(kg, """
        SELECT ?code (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ;
          sikg:supportsElement element:realisation ; sikg:country ?c . ?c skos:notation ?code } GROUP BY ?code""")}
    country_facet = page.split('id="facet-country"', 1)[1].split("</fieldset>", 1)[0]
    shown = {a["data-value"]: int(a["data-facet-count"])
             for a in (attributes(t) for t in re.findall(r"<span class=\"badge\"[^>]*>", country_facet))}
    assert shown == expected
    # the element facet itself counts as if it were not set (a second element widens the list)
    element_facet = page.split('id="facet-element"', 1)[1].split("</fieldset>", 1)[0]
    shown = {a["data-value"]: int(a["data-facet-count"])
             for a in (attributes(t) for t in re.findall(r"<span class=\"badge\"[^>]*>", element_facet))}
    assert shown == {row["e"].rsplit("/", 1)[1]: int(row["n"]) for row in select(kg, """
        SELECT ?e (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ; sikg:supportsElement ?e }
        GROUP BY ?e""")}
    assert re.search(r'<input type="checkbox" id="f-element-realisation" name="element" value="realisation" '
                     r'checked>', element_facet)


def test_facet_values_come_with_labels_in_the_page_language(client):
    page = html(client, "/practices", query_string={"lang": "sv"})
    assert "Förverkligande – implementering och uppskalning" in page
    assert "Lettland" in page and "kooperativ" in page and "mikro" in page


@pytest.mark.parametrize("q, slug", [
    ("Samhällsentreprenörskap", "samhallsentreprenorskap-sverige"),  # Swedish, only in the Swedish label
    ("samhallsentreprenorskap", "samhallsentreprenorskap-sverige"),  # without the accents
    ("Dispositif", "dla"),  # French, only in the French label
    ("accompagnement local", "dla"),  # several words, in any order
])
def test_search_finds_a_practice_by_words_in_any_language(client, kg, q, slug):
    iri = PRACTICE + slug
    assert count_practices(kg, f"FILTER(?p = <{iri}>)") == {iri}
    page = html(client, "/practices", query_string={"q": q})
    assert iri in practice_links(page)


def test_search_matches_what_sparql_finds_in_labels_and_descriptions(client, kg):
    expected = count_practices(kg, """?p rdfs:label|dct:description ?t .
                                      FILTER(CONTAINS(LCASE(STR(?t)), "guarantee"))""")
    assert expected
    assert set(practice_links(html(client, "/practices", query_string={"q": "Guarantee"}))) == expected


def test_search_and_facets_combine_and_an_empty_result_says_so(client):
    page = html(client, "/practices", query_string={"q": "Dispositif", "country": "SWE"})
    assert practice_links(page) == []
    assert "No practice matches" in page


def test_practice_list_as_jsonld_by_conneg(client, kg):
    expected = count_practices(kg, "?p sikg:country country:LVA .")
    for kwargs in ({"headers": {"Accept": "application/ld+json"}}, {"query_string": {"format": "jsonld"}}):
        query = dict(kwargs.get("query_string", {}), country="LVA")
        response = client.get("/practices", query_string=query, headers=kwargs.get("headers", {}))
        assert response.status_code == 200 and response.mimetype == "application/ld+json"
        document = json.loads(response.data)
        assert document["@context"].endswith("/context.jsonld")
        nodes = document.get("graph", document.get("@graph"))
        assert {n["id"].replace("practice:", PRACTICE) for n in nodes} == expected
    assert client.get("/practices", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/practices", query_string={"format": "pdf"}).status_code == 400  # unknown name: the URL's error
    assert client.get("/practices", query_string={"format": "ttl"}).status_code == 406  # known, not for this list


def test_unknown_filter_values_match_nothing_rather_than_failing(client):
    page = html(client, "/practices", query_string={"country": "XXX"})
    assert practice_links(page) == []


# -- validation page -------------------------------------------------------------------------------------------

def test_validation_page_offers_paste_and_upload_without_script(client):
    page = html(client, "/validate")
    assert re.search(r'<form id="validate-form" method="post" action="/validate/form#report" '
                     r'enctype="multipart/form-data">', page)
    assert '<textarea id="data" name="data"' in page and 'type="file"' in page and 'name="syntax"' in page


def expectations(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^# expect-(\w+): (\S+)", path.read_text(encoding="utf-8"), re.M))


def test_validation_form_reports_what_where_and_how_to_fix(client):
    from sikg.validation import validate_files

    fixture = FIXTURES / "invalid" / "practice-no-country.ttl"
    report = validate_files([fixture])
    for data in ({"data": fixture.read_text(encoding="utf-8"), "syntax": "text/turtle"},
                 {"file": (fixture.open("rb"), fixture.name)}):
        response = client.post("/validate/form", data=data, content_type="multipart/form-data")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'data-conforms="false"' in page
        items = re.findall(r'<li class="report-item (\w+)"', page)
        assert len(items) == len(report.results)
        for result in report.results:
            assert unescape(page).count(result.message) >= 1
        assert "practice:fixture-practice → sikg:country" in unescape(page)
        assert "Add a sikg:country statement to practice:fixture-practice." in unescape(page)
        assert 'download="sikg-report.json" ' not in page  # the attribute follows the href
        assert re.search(r'<a href="data:application/json;charset=utf-8;base64,[^"]+" download="sikg-report.json">',
                         page)


def test_validation_form_reports_unreadable_input_with_its_place(client):
    response = client.post("/validate/form", data={"data": "@prefix ex: <http://example.org/> .\nex:a ex:b",
                                                   "syntax": "text/turtle"}, content_type="multipart/form-data")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "The data could not be read" in page and "line " in page


def test_validation_form_in_swedish(client):
    fixture = FIXTURES / "invalid" / "practice-no-country.ttl"
    response = client.post("/validate/form?lang=sv", data={"data": fixture.read_text(encoding="utf-8")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert '<html lang="sv">' in page and "Så rättar du" in page


def test_validation_form_with_nothing_to_check(client):
    response = client.post("/validate/form", data={"data": "  "}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Paste some RDF or choose a file first." in response.get_data(as_text=True)


# -- the SPARQL page and the vendored editor -------------------------------------------------------------------

def test_sparql_page_has_the_editor_and_every_curated_query(client):
    from sikg import queries

    page = html(client, "/sparql", headers={"Accept": "text/html"})
    for src in ("/static/codemirror/codemirror.js", "/static/codemirror/sparql.js", "/static/sparql-page.js"):
        assert f'src="{src}"' in page
        assert client.get(src).status_code == 200
    catalogue = json.loads(unescape(page.split('id="curated-data">', 1)[1].split("</script>", 1)[0]))
    assert {q["name"] for q in catalogue} == set(queries.catalogue())
    for name in queries.catalogue():
        assert f'data-name="{name}"' in page


def test_static_files_are_all_local(client):
    root = Path(__file__).resolve().parents[1] / "src" / "sikg"
    for template in (root / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//[^"]*\.(js|css)', text), template.name
    assert (root / "static" / "README.md").is_file()
    assert (root / "static" / "codemirror" / "LICENSE").is_file()


def test_practice_list_jsonld_can_be_validated_as_it_is(client):
    listing = client.get("/practices", query_string={"format": "jsonld", "country": "LVA"})
    response = client.post("/validate", data=listing.data, content_type="application/ld+json")
    assert response.status_code == 200, response.get_data(as_text=True)


# -- which language a page says it is in ---------------------------------------------------------------------------
# <html lang> states the language of the page's own words (English or Swedish); a text from the data in another
# language carries its own lang attribute, and a fallback text is never labelled with the language asked for.

def labels_of(kg, iri: str) -> dict[str, str]:
    return {row["lang"]: row["label"] for row in select(kg, f"""
        SELECT ?label (LANG(?label) AS ?lang) WHERE {{ <{iri}> rdfs:label|skos:prefLabel ?label }}""")}


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]*)">', page).group(1)


def test_a_language_without_interface_words_gets_an_english_page_with_marked_data(client, kg):
    ptce = labels_of(kg, PRACTICE + "ptce")
    assert {"en", "fr"} <= set(ptce) and "sv" not in ptce
    page = html(client, "/id/practice/ptce", query_string={"lang": "fr"})
    assert html_lang(page) == "en"
    assert f'<h1 lang="fr">{ptce["fr"]}</h1>' in page
    # no French text in the data: English everywhere, and nothing claims to be French
    for path in ("/id/element/mobilisation", "/id/practice/coompanion"):
        page = html(client, path, query_string={"lang": "fr"})
        assert html_lang(page) == "en", path
        assert '<article class="resource">' in page and re.search(r"<h1>[^<]+</h1>", page), path
    element = html(client, "/id/element/mobilisation", query_string={"lang": "fr"})
    assert not re.search(r'<(h1|h2|p|dt)[^>]* lang="fr"', element)


def test_a_fallback_text_is_marked_with_its_own_language(client, kg):
    ptce = labels_of(kg, PRACTICE + "ptce")
    page = html(client, "/id/practice/ptce", headers={"Accept-Language": "sv"})
    assert html_lang(page) == "sv"
    assert f'<h1 lang="en">{ptce["en"]}</h1>' in page
    assert 'lang="sv"' not in page.split("<main", 1)[1].split("</article>", 1)[0].replace('hreflang="sv"', "")


def test_the_page_language_is_exposed_for_content_language(kg):
    iri = PRACTICE + "ptce"
    triples = resources.describe(kg, iri)
    for chosen, expected in (("fr", "en"), ("sv", "sv"), ("en", "en"), ("lv", "en")):
        page = resources.build_page(kg, iri, triples, chosen, resources.property_labels(kg, chosen))
        assert (page.language, page.requested) == (expected, chosen)
        assert page_language(chosen) == expected


def test_html_pages_send_content_language(client):
    for path, lang, expected in (("/id/practice/ptce", "fr", "en"), ("/id/practice/ptce", "sv", "sv"),
                                 ("/practices", "fr", "en"), ("/", "sv", "sv")):
        response = client.get(path, query_string={"lang": lang}, headers={"Accept": "text/html"})
        assert response.headers.get("Content-Language") == expected, path


def test_language_tags_match_by_bcp47_for_parameter_and_header(client, kg):
    assert match_language("sv-SE", SUPPORTED_LANGUAGES) == "sv"
    assert match_language("FR-ca", SUPPORTED_LANGUAGES) == "fr"
    assert match_language("de-DE", SUPPORTED_LANGUAGES) is None
    assert choose_ui_language("sv-SE", None) == "sv"
    swedish = labels_of(kg, ELEMENT + "realisation")["sv"]
    for path in ("/", "/practices", "/id/element/realisation"):
        for kwargs in ({"query_string": {"lang": "sv-SE"}}, {"query_string": {"lang": "SV"}},
                       {"headers": {"Accept-Language": "sv-se"}}):
            page = html(client, path, **kwargs)
            assert html_lang(page) == "sv", (path, kwargs)
            assert swedish in page, (path, kwargs)


def test_list_pages_pick_labels_as_the_id_pages_do(kg):
    ptce = labels_of(kg, PRACTICE + "ptce")
    assert choose_data_language("fr", None) == "fr" and choose_ui_language("fr", None) == "en"
    listed = {hit.iri: hit for hit in browse(kg, "fr", {}, "").practices}
    assert (listed[PRACTICE + "ptce"].label, listed[PRACTICE + "ptce"].label.lang) == (ptce["fr"], "fr")
    coompanion = listed[PRACTICE + "coompanion"].label  # no French label: English, the page's own language
    assert coompanion == labels_of(kg, PRACTICE + "coompanion")["en"] and coompanion.lang is None
    swedish_page = {hit.iri: hit for hit in browse(kg, "sv", {}, "").practices}
    assert (swedish_page[PRACTICE + "ptce"].label, swedish_page[PRACTICE + "ptce"].label.lang) == (ptce["en"], "en")
    france = {c.iri: c for c in home_summary(kg, "fr").chart.countries}[COUNTRY + "FRA"]
    assert france.label.lang == "fr"


def test_list_pages_mark_foreign_labels_with_their_language(client, kg):
    from flask import render_template

    app = client.application
    ptce = labels_of(kg, PRACTICE + "ptce")
    with app.test_request_context("/practices?lang=fr") as context:
        found = browse(kg, choose_data_language("fr", None), {}, "")
        page = render_template("practices.html", browse=found, query_string=query_string,
                               without=without, args=context.request.args)
    assert html_lang(page) == "en"
    assert f'lang="fr">{ptce["fr"]}</a></h3>' in page
    # an English label on a Swedish page says so
    page = html(client, "/practices", query_string={"lang": "sv", "country": "FRA"})
    assert f'<a href="/id/practice/ptce?lang=sv" lang="en">{ptce["en"]}</a>' in page


def test_list_pages_honour_a_data_only_language(client, kg):
    ptce = labels_of(kg, PRACTICE + "ptce")
    page = html(client, "/practices", query_string={"lang": "fr", "country": "FRA"})
    assert html_lang(page) == "en" and f'lang="fr">{ptce["fr"]}</a>' in page


def test_ontology_and_concept_pages_state_the_page_language(client):
    french = html(client, "/ontology", query_string={"lang": "fr"}, headers={"Accept": "text/html"})
    assert html_lang(french) == "en" and 'lang="fr"' not in french
    swedish = html(client, "/ontology", query_string={"lang": "sv"}, headers={"Accept": "text/html"})
    assert html_lang(swedish) == "sv" and "<h1>sikg-ontologin</h1>" in swedish
    for path in ("/id/element/realisation", "/id/method/gather-stakeholders"):
        page = html(client, path, query_string={"lang": "fr"})
        assert html_lang(page) == "en" and re.search(r"<h1>[^<]+</h1>", page), path
        page = html(client, path, query_string={"lang": "sv"})
        assert html_lang(page) == "sv" and re.search(r"<h1>[^<]+</h1>", page), path


def test_resource_page_links_its_machine_readable_alternates_in_its_head(client):
    page = html(client, "/id/practice/cap-impact")
    head = page.split("</head>", 1)[0]
    links = re.findall(r'<link rel="alternate" type="([^"]+)" href="\?format=(\w+)">', head)
    assert ("text/turtle", "ttl") in links and ("application/ld+json", "jsonld") in links
    assert all(media != "text/html" for media, _ in links)
    for media, name in links:  # each one answers with what it says it is
        answer = client.get("/id/practice/cap-impact", query_string={"format": name})
        assert answer.status_code == 200 and answer.mimetype == media


# -- the audit's language defects: Content-Language everywhere, RFC 4647 lookup for the interface, lang= in links ----

@pytest.mark.parametrize("path", ["/sparql", "/queries", "/ontology", "/", "/practices", "/validate"])
def test_every_localized_page_states_its_language(client, path):
    for lang in ("sv", "en"):
        response = client.get(path, query_string={"lang": lang}, headers={"Accept": "text/html"})
        assert response.status_code == 200 and response.mimetype == "text/html", path
        assert response.headers.get("Content-Language") == lang, path
        assert html_lang(response.get_data(as_text=True)) == lang, path
        assert "accept-language" in response.headers["Vary"].lower(), path


def test_the_interface_language_is_looked_up_among_the_interface_languages(client, kg):
    """RFC 4647 lookup: `fr-FR, sv;q=0.5` finds no French interface, then Swedish; English is not acceptable to this
    reader. The data's texts still come in French where the data has them."""
    ptce = labels_of(kg, PRACTICE + "ptce")
    header = {"Accept-Language": "fr-FR, sv;q=0.5"}
    for path in ("/id/practice/ptce", "/practices", "/", "/ontology", "/queries", "/sparql"):
        response = client.get(path, headers={**header, "Accept": "text/html"})
        assert response.headers["Content-Language"] == "sv", path
        assert html_lang(response.get_data(as_text=True)) == "sv", path
    page = html(client, "/id/practice/ptce", headers=header)
    assert f'<h1 lang="fr">{ptce["fr"]}</h1>' in page
    listing = html(client, "/practices", query_string={"country": "FRA"}, headers=header)
    assert f'lang="fr">{ptce["fr"]}</a>' in listing
    # an explicit lang= stays the choice: French data, English interface (there is no French one)
    chosen = client.get("/id/practice/ptce", query_string={"lang": "fr"}, headers=header)
    assert chosen.headers["Content-Language"] == "en" and html_lang(chosen.get_data(as_text=True)) == "en"
    # no interface language acceptable at all: English, the default of the lookup
    assert client.get("/", headers={"Accept-Language": "fr"}).headers["Content-Language"] == "en"


def test_a_data_only_language_is_kept_in_links_and_the_title_prefers_the_page_language(client, kg):
    from markupsafe import escape

    page = html(client, "/practices", query_string={"lang": "fr"})
    assert 'href="/practices?lang=fr"' in page and 'href="/sparql?lang=fr"' in page
    assert 'href="/sparql?lang' not in html(client, "/practices", query_string={"lang": "xx"})
    # <title> cannot carry lang: under <html lang="en"> it holds the English label, the <h1> the French one
    ptce = labels_of(kg, PRACTICE + "ptce")
    page = html(client, "/id/practice/ptce", query_string={"lang": "fr"})
    assert f"<title>{escape(ptce['en'])} · sikg</title>" in page
    assert f'<h1 lang="fr">{escape(ptce["fr"])}</h1>' in page
