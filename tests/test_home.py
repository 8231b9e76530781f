"""The home page (home.py), through the Flask test client: the five elements in order and each method under its
element, each with the practice count a SPARQL query over the same store gives; search and the entry points; no
script. The chart on it is tested in test_chart.py."""

import re

from helpers import attributes, html, select


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


def test_home_needs_no_script(client):
    page = html(client, "/")
    assert "<script" not in page
    assert "cdn" not in page.lower() and "https://unpkg" not in page


def test_home_shows_the_characteristics_chart_in_the_readers_language(client, kg):
    from sikg.i18n.ui_text import text

    page = html(client, "/?lang=fr")
    words = text("fr")
    section = page.split('<section aria-labelledby="chart-characteristics-heading">', 1)[1].split("</section>", 1)[0]
    for key in ("title", "desc", "table", "svg"):
        assert words[f"chart_characteristics_{key}"].replace("'", "&#39;") in section, key
    assert words["chart_characteristics_title"] == "Pratiques par caractéristique commune et par pays"
    # the characteristics' French labels from the KG, in the chart and in its table
    french = {row["label"] for row in select(kg, """SELECT ?label WHERE { ?c a sikg:Characteristic ;
        skos:prefLabel ?label . FILTER(LANG(?label) = "fr") }""")}
    assert len(french) == 3
    table = section.split("<table", 1)[1]
    for label in french:
        assert f"<span>{label}</span>" in table, label
        assert f">{label}</text>" in section, label
