"""Browsing practices (browse.py, /practices), through the Flask test client: the list, facets that combine and
count what each value would add, labels in the page's language, search in any language's words, the list as JSON-LD
by content negotiation (which POST /validate takes back as it is), unknown filter values. Every list is checked
against a SPARQL answer over the same store."""

import json
import re

import pytest

from helpers import attributes, html, offline_quads, select
from sikg.rdf import jsonld

ELEMENT = "https://w3id.org/sikg/id/element/"
PRACTICE = "https://w3id.org/sikg/id/practice/"


def practice_links(page: str) -> list[str]:
    return re.findall(r'<li class="hit" data-practice="([^"]+)"', page)


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
        assert document["@context"] == jsonld.context()  # inline: read with no network access
        nodes = document.get("graph", document.get("@graph"))
        assert {n["id"].replace("practice:", PRACTICE) for n in nodes} == expected
        assert {q.subject.value for q in offline_quads(document)} == expected
    assert client.get("/practices", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/practices", query_string={"format": "pdf"}).status_code == 400  # unknown name: the URL's error
    assert client.get("/practices", query_string={"format": "ttl"}).status_code == 406  # known, not for this list


def test_practice_list_jsonld_can_be_validated_as_it_is(client):
    listing = client.get("/practices", query_string={"format": "jsonld", "country": "LVA"})
    response = client.post("/validate", data=listing.data, content_type="application/ld+json")
    assert response.status_code == 200, response.get_data(as_text=True)


def test_unknown_filter_values_match_nothing_rather_than_failing(client):
    page = html(client, "/practices", query_string={"country": "XXX"})
    assert practice_links(page) == []


def test_characteristic_facet_filters_and_counts_as_sparql_does(kg, client):
    """The facet lists each characteristic with the number of practices SPARQL counts for it (labels from the
    scheme), and ticking one lists exactly its practices."""
    rows = select(kg, """SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ;
        sikg:hasCharacteristic ?c } GROUP BY ?c""")
    expected = {row["c"].rsplit("/", 1)[1]: int(row["n"]) for row in rows}
    assert expected, "the curated practices have characteristics"
    page = html(client, "/practices")
    facet = page.split('id="facet-characteristic"', 1)[1].split("</fieldset>", 1)[0]
    assert "<legend>Characteristic</legend>" in facet and ">co-creation<" in facet  # the concept's English label
    counts = dict(re.findall(r'data-facet-count="(\d+)" data-value="([\w-]+)"', facet))
    assert {v: int(c) for c, v in counts.items()} == expected
    with_co_creation = {row["p"] for row in select(kg, """SELECT DISTINCT ?p WHERE { ?p a sikg:SupportPractice ;
        sikg:hasCharacteristic characteristic:co-creation }""")}
    assert set(practice_links(html(client, "/practices?characteristic=co-creation"))) == with_co_creation
    assert "<legend>Egenskap</legend>" in html(client, "/practices?lang=sv")

