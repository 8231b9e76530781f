"""The chart of practices per element and country (chart.py), on the home page and as a standalone SVG: every bar
carries the count a SPARQL query over the same store gives, and its width follows that count."""

import re

import pytest

from helpers import attributes, html, select


def bars(page: str) -> list[dict[str, str]]:
    return [attributes(tag) for tag in re.findall(r'<rect class="bar"[^>]*>', page)]


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
