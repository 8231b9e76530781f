"""The chart of the home page, also served alone as /chart.svg: practices per process element and country, drawn
on the server as SVG (a grouped horizontal bar chart) so that it needs no script and its numbers can be read from
its bars' data attributes.
"""

from dataclasses import dataclass
from html import escape

from .concepts import Concept, concept_for, concept_labels, counts, notation_key, rows
from .ui_text import text

# Okabe–Ito colours: told apart by people with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass
class Chart:
    elements: list[Concept]
    countries: list[Concept]
    counts: dict[tuple[str, str], int]  # (element IRI, country IRI): practices
    svg: str = ""


def chart_data(store, language: str, concepts: dict[str, Concept] | None = None) -> Chart:
    """The numbers of the chart, read from the store, and the chart drawn from them in `language`'s words."""
    concepts = concepts if concepts is not None else concept_labels(store, language)
    numbers = counts(store, "SELECT ?e ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ; "
                            "sikg:supportsElement ?e ; sikg:country ?c } GROUP BY ?e ?c", "e", "c")
    element_iris = [r["e"].value for r in rows(store, "SELECT DISTINCT ?e WHERE { ?e a sikg:ProcessElement }")]
    country_iris = [r["c"].value for r in rows(store, "SELECT DISTINCT ?c WHERE { ?p a sikg:SupportPractice ; "
                                                      "sikg:country ?c }")]
    elements = sorted((concept_for(concepts, e) for e in element_iris), key=lambda c: notation_key(c.notation))
    countries = sorted((concept_for(concepts, c) for c in country_iris), key=lambda c: c.label.casefold())
    chart = Chart(elements, countries, numbers)
    chart.svg = chart_svg(chart, text(language))
    return chart


def _wrap(words: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in words.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _lang_attribute(data_text: str) -> str:
    """The lang attribute a data text needs where its language is not the page's (see languages.Text)."""
    lang = getattr(data_text, "lang", None)
    return f' lang="{escape(lang)}"' if lang else ""


def chart_svg(chart: Chart, words: dict, standalone: bool = False) -> str:
    """A grouped horizontal bar chart: one group per element (in order), one bar per country. Each bar carries its
    numbers as data attributes and a <title>, and the whole has a title and description for screen readers."""
    width, label_width, bar_height, gap = 860, 110, 16, 4
    plot_width = width - label_width - 50
    peak = max(chart.counts.values(), default=0) or 1
    colours = {c.iri: PALETTE[i % len(PALETTE)] for i, c in enumerate(chart.countries)}
    parts, y = [], 0
    legend_y = 14
    x = 0
    for country in chart.countries:
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{colours[country.iri]}"/>'
                     f'<text x="{x + 16}" y="{legend_y}" class="c-legend"{_lang_attribute(country.label)}>'
                     f'{escape(country.label)}</text>')
        x += 24 + 8 * len(country.label)
    y = 28
    for element in chart.elements:
        title_lines = _wrap(f"{element.notation or ''}. {element.label}" if element.notation else element.label, 95)
        for line in title_lines:
            y += 16
            parts.append(f'<text x="0" y="{y}" class="c-element"{_lang_attribute(element.label)}>'
                         f'{escape(line)}</text>')
        y += 6
        for country in chart.countries:
            n = chart.counts.get((element.iri, country.iri), 0)
            bar = round(plot_width * n / peak, 1)
            tip = f"{country.label} · {element.label}: {n}"
            parts.append(
                f'<g class="bar-row"><text x="{label_width - 6}" y="{y + bar_height - 4}" class="c-country" '
                f'text-anchor="end"{_lang_attribute(country.label)}>{escape(country.label)}</text>'
                f'<rect class="bar" x="{label_width}" y="{y}" width="{bar}" height="{bar_height}" '
                f'fill="{colours[country.iri]}" data-element="{escape(element.key)}" '
                f'data-element-iri="{escape(element.iri)}" data-country="{escape(country.key)}" '
                f'data-country-iri="{escape(country.iri)}" data-count="{n}"><title>{escape(tip)}</title></rect>'
                f'<text x="{label_width + bar + 4}" y="{y + bar_height - 4}" class="c-count">{n}</text></g>')
            y += bar_height + gap
        y += 10
    height = y + 4
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    style = ("<style>svg.chart text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:13px;"
             "fill:#1b1f24}svg.chart .c-element{font-weight:600}svg.chart .c-count{font-size:12px}</style>")
    return (f'<svg{namespace} class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-labelledby="chart-title chart-desc">'
            f'<title id="chart-title">{escape(words["chart_title"])}</title>'
            f'<desc id="chart-desc">{escape(words["chart_desc"])}</desc>{style}{"".join(parts)}</svg>')
