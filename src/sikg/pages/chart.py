"""The charts of the home page, each also served alone as an SVG: practices per process element and country
(/chart.svg) and practices per shared characteristic and country (/chart-characteristics.svg), drawn on the server
as SVG (grouped horizontal bar charts, by one drawing function) so that they need no script and their numbers can be
read from their bars' data attributes.
"""

from dataclasses import dataclass
from html import escape

from ..i18n.ui_text import counted, text
from .concepts import Concept, concept_for, concept_labels, counts, notation_key, rows

# Okabe–Ito colours: told apart by people with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass(frozen=True)
class ChartKind:
    """What a chart counts: practices per concept of `concept_class` (linked by `link`) and country."""
    name: str  # its path (/{name}.svg), the id prefix of its SVG's title and description
    words: str  # the key prefix of its words in the catalogues ({words}_title, {words}_desc, ...)
    dimension: str  # what its groups are called in its bars' data attributes (data-element, data-element-iri)
    concept_class: str
    link: str
    numbered: bool  # whether a group's title starts with its notation ("1. Mobilisation")
    filename: str


ELEMENTS = ChartKind("chart", "chart", "element", "sikg:ProcessElement", "sikg:supportsElement", True,
                     "sikg-practices-per-element-and-country.svg")
CHARACTERISTICS = ChartKind("chart-characteristics", "chart_characteristics", "characteristic", "sikg:Characteristic",
                            "sikg:hasCharacteristic", False, "sikg-practices-per-characteristic-and-country.svg")


@dataclass
class Chart:
    kind: ChartKind
    groups: list[Concept]  # the elements, or the characteristics
    countries: list[Concept]
    counts: dict[tuple[str, str], int]  # (group IRI, country IRI): practices
    svg: str = ""

    def group_title(self, group: Concept) -> str:
        return f"{group.notation}. {group.label}" if self.kind.numbered and group.notation else str(group.label)


def chart_data(store, language: str, concepts: dict[str, Concept] | None = None, kind: ChartKind = ELEMENTS) -> Chart:
    """The numbers of the chart of `kind`, read from the store, and the chart drawn from them in `language`'s words."""
    concepts = concepts if concepts is not None else concept_labels(store, language)
    numbers = counts(store, f"SELECT ?e ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a sikg:SupportPractice ; "
                            f"{kind.link} ?e ; sikg:country ?c }} GROUP BY ?e ?c", "e", "c")
    group_iris = [r["e"].value for r in rows(store, f"SELECT DISTINCT ?e WHERE {{ ?e a {kind.concept_class} }}")]
    country_iris = [r["c"].value for r in rows(store, "SELECT DISTINCT ?c WHERE { ?p a sikg:SupportPractice ; "
                                                      "sikg:country ?c }")]
    groups = sorted((concept_for(concepts, e) for e in group_iris), key=lambda c: notation_key(c.notation))
    countries = sorted((concept_for(concepts, c) for c in country_iris), key=lambda c: c.label.casefold())
    chart = Chart(kind, groups, countries, numbers)
    chart.svg = chart_svg(chart, text(language), language=language)
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


def chart_svg(chart: Chart, words: dict, standalone: bool = False, language: str = "en") -> str:
    """A grouped horizontal bar chart: one group per element or characteristic (in order), one bar per country. Each
    bar carries its numbers as data attributes and a <title> that says the count in words ("Sverige · 1. Mobilisering:
    1 gott exempel", in `language`'s plural form), and the whole has a title and description for screen readers (ids
    named after the chart's kind, so that two charts can stand on one page)."""
    width, label_width, bar_height, gap = 860, 110, 16, 4
    plot_width = width - label_width - 50
    peak = max(chart.counts.values(), default=0) or 1
    colours = {c.iri: PALETTE[i % len(PALETTE)] for i, c in enumerate(chart.countries)}
    dimension = chart.kind.dimension
    parts, y = [], 0
    legend_y = 14
    x = 0
    for country in chart.countries:
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{colours[country.iri]}"/>'
                     f'<text x="{x + 16}" y="{legend_y}" class="c-legend"{_lang_attribute(country.label)}>'
                     f'{escape(country.label)}</text>')
        x += 24 + 8 * len(country.label)
    y = 28
    for group in chart.groups:
        for line in _wrap(chart.group_title(group), 95):
            y += 16
            parts.append(f'<text x="0" y="{y}" class="c-group c-{dimension}"{_lang_attribute(group.label)}>'
                         f'{escape(line)}</text>')
        y += 6
        for country in chart.countries:
            n = chart.counts.get((group.iri, country.iri), 0)
            bar = round(plot_width * n / peak, 1)
            tip = words["chart_bar"].format(country=country.label, group=group.label,
                                            count=counted(language, "practices_n", n))
            parts.append(
                f'<g class="bar-row"><text x="{label_width - 6}" y="{y + bar_height - 4}" class="c-country" '
                f'text-anchor="end"{_lang_attribute(country.label)}>{escape(country.label)}</text>'
                f'<rect class="bar" x="{label_width}" y="{y}" width="{bar}" height="{bar_height}" '
                f'fill="{colours[country.iri]}" data-{dimension}="{escape(group.key)}" '
                f'data-{dimension}-iri="{escape(group.iri)}" data-country="{escape(country.key)}" '
                f'data-country-iri="{escape(country.iri)}" data-count="{n}"><title>{escape(tip)}</title></rect>'
                f'<text x="{label_width + bar + 4}" y="{y + bar_height - 4}" class="c-count">{n}</text></g>')
            y += bar_height + gap
        y += 10
    height = y + 4
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    style = ("<style>svg.chart text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:13px;"
             "fill:#1b1f24}svg.chart .c-group{font-weight:600}svg.chart .c-count{font-size:12px}</style>")
    name, key = chart.kind.name, chart.kind.words
    return (f'<svg{namespace} class="chart" id="{name}" data-dimension="{dimension}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-labelledby="{name}-title {name}-desc">'
            f'<title id="{name}-title">{escape(words[key + "_title"])}</title>'
            f'<desc id="{name}-desc">{escape(words[key + "_desc"])}</desc>{style}{"".join(parts)}</svg>')
