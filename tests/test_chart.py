"""The home page's charts (chart.py), practices per element and country and practices per shared characteristic and
country, on the home page and as standalone SVGs: every bar carries the count a SPARQL query over the same store
gives, and its width follows that count."""

import re
import xml.etree.ElementTree as ET

import pytest

from helpers import attributes, html, select

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(page: str, name: str) -> str:
    """The chart `name` ("chart", "chart-characteristics") inline on a page."""
    return re.search(rf'<svg[^>]* id="{name}".*?</svg>', page, re.S).group(0)


def bars(page: str) -> list[dict[str, str]]:
    return [attributes(tag) for tag in re.findall(r'<rect class="bar"[^>]*>', page)]


def expected_counts(kg, link: str, concept_class: str) -> dict[tuple[str, str], int]:
    """Practices per concept of `concept_class` and country, by SPARQL; zero where none."""
    found = {(row["g"], row["c"]): int(row["n"]) for row in select(kg, f"""
        SELECT ?g ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {{
          ?p a sikg:SupportPractice ; {link} ?g ; sikg:country ?c }} GROUP BY ?g ?c""")}
    groups = {row["g"] for row in select(kg, f"SELECT ?g WHERE {{ ?g a {concept_class} }}")}
    countries = {row["c"] for row in select(kg, "SELECT DISTINCT ?c WHERE { ?p a sikg:SupportPractice ; "
                                                "sikg:country ?c }")}
    return {(g, c): found.get((g, c), 0) for g in groups for c in countries}


def assert_bars_follow(found: list[dict[str, str]], dimension: str, expected: dict[tuple[str, str], int]):
    shown = {(b[f"data-{dimension}-iri"], b["data-country-iri"]): int(b["data-count"]) for b in found}
    assert len(found) == len(shown) and shown == expected
    assert {b["data-country"] for b in found} == {"FRA", "LVA", "ESP", "SWE"}
    # the longest bar is the largest count, and widths follow the counts
    widths = {(b[f"data-{dimension}-iri"], b["data-country-iri"]): float(b["width"]) for b in found}
    peak = max(shown.values())
    for key, n in shown.items():
        assert widths[key] == pytest.approx(widths[max(shown, key=shown.get)] * n / peak, abs=0.2)


def test_chart_bars_carry_the_sparql_counts(client, kg):
    found = bars(svg_of(html(client, "/"), "chart"))
    assert len(found) == 20
    assert_bars_follow(found, "element", expected_counts(kg, "sikg:supportsElement", "sikg:ProcessElement"))


def test_characteristics_chart_bars_carry_the_sparql_counts(client, kg):
    found = bars(svg_of(html(client, "/"), "chart-characteristics"))
    expected = expected_counts(kg, "sikg:hasCharacteristic", "sikg:Characteristic")
    assert len(found) == len(expected) == 3 * 4
    assert sum(expected.values()) > 0  # practices are linked to the characteristics
    assert_bars_follow(found, "characteristic", expected)


def test_the_two_charts_have_their_own_ids_and_sections(client):
    page = html(client, "/")
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert page.index('id="chart-heading"') < page.index('id="chart-characteristics-heading"')
    for name in ("chart", "chart-characteristics"):
        assert f'aria-labelledby="{name}-title {name}-desc"' in svg_of(page, name)
        assert f'<table class="data" data-chart="{name}">' in page
        assert f'href="/{name}.svg"' in page


@pytest.mark.parametrize("path, dimension, count", [("/chart.svg", "element", 20),
                                                    ("/chart-characteristics.svg", "characteristic", 12)])
def test_chart_is_offered_as_a_standalone_svg(client, path, dimension, count):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    assert body.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    root = ET.fromstring(body)  # well-formed XML
    assert root.tag == SVG + "svg" and root.find(SVG + "title").text.startswith("Practices per")
    assert len(bars(body)) == count
    assert all(f"data-{dimension}-iri" in b for b in bars(body))


def test_characteristics_svg_speaks_the_asked_language(client):
    body = client.get("/chart-characteristics.svg", query_string={"lang": "sv"}).get_data(as_text=True)
    assert ET.fromstring(body).find(SVG + "title").text == "Goda exempel per gemensam egenskap och land"
    assert "samskapande" in body


def test_openapi_describes_the_chart_routes(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in ("/chart.svg", "/chart-characteristics.svg"):
        assert "image/svg+xml" in paths[path]["get"]["responses"]["200"]["content"], path
