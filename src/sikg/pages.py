"""What the pages for people show: the process at a glance, the chart, browsing with facets and search, the
validation form's readable report, and the words of the interface in English and Swedish.

Everything here is read from the store with SPARQL, so a page and a query of the same question give the same
numbers. Routes (web.py) only pass the request's parameters in and render what comes back.
"""

import base64
import json
import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pyoxigraph as ox

from . import jsonld, rdf_input, validation
from .namespaces import BASE, PREFIXES
from .resources import PAGE_LANGUAGES as UI_LANGUAGES  # the interface's languages, by the name the routes use
from .resources import (SUPPORTED_LANGUAGES, LanguageChoice, Text, choose_languages, match_language,
                        page_language, pick, shown)

FACETS = ("element", "method", "country", "actor-type", "level")
FACET_PATHS = {  # facet: the path from a practice to its values
    "element": "sikg:supportsElement",
    "method": "sikg:usesMethod",
    "country": "sikg:country",
    "actor-type": "sikg:operatedBy/sikg:actorType",
    "level": "sikg:targetsLevel",
}
LEVEL_ORDER = ("micro", "meso", "macro")
# Okabe–Ito colours: told apart by people with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

TEXT = {
    "en": {
        "site": "Social Innovation Support Knowledge Graph", "skip": "Skip to content",
        "home": "Home", "browse": "Browse practices", "query": "SPARQL query", "curated": "Curated queries",
        "validate": "Validate data", "ontology": "Ontology", "download": "Download", "language": "Language",
        "home_title": "Support for social innovation in Europe",
        "home_intro": "{practices} practices from {countries} countries that support social innovation, mapped by "
                      "the BuiCaSuS project, linked to the five elements of the social innovation process and the "
                      "support methods under each.",
        "search": "Search practices", "search_button": "Search", "search_hint": "Words in any language, e.g. "
                  "financing, Mobilisering, accompagnement",
        "process": "The social innovation process", "process_note": "The elements are numbered for display; they "
                   "repeat and interweave rather than follow one another.",
        "practices_n": "{n} practices", "practice_1": "1 practice", "methods": "Support methods",
        "chart_title": "Practices per process element and country",
        "chart_desc": "Number of practices supporting each element, one bar per country. A practice can support "
                      "several elements.",
        "chart_table": "The chart's numbers as a table", "chart_svg": "Download the chart (SVG)",
        "element": "Process element", "method": "Support method", "country": "Country",
        "actor-type": "Actor type", "level": "Level",
        "do": "What you can do", "do_browse": "Browse and filter the practices by element, method, country, "
              "actor type and level.",
        "do_query": "Ask your own question in SPARQL, or run one of the curated queries.",
        "do_validate": "Check an RDF file against the sikg shapes before you send it.",
        "do_download": "The whole knowledge graph:",
        "do_ontology": "The classes and properties of the sikg ontology.",
        "browse_title": "Practices", "filters": "Filters", "apply": "Apply filters", "clear_all": "Clear all",
        "results": "{n} of {total} practices", "no_results": "No practice matches. Remove a filter or change "
                   "the words.", "remove": "Remove filter", "active": "Active filters",
        "search_for": "Search for", "jsonld": "This list as JSON-LD", "operated_by": "Operated by",
        "any_of": "Within one group, a practice matching any ticked value is shown; groups combine.",
        "validate_title": "Validate RDF data",
        "validate_intro": "Paste RDF or choose a file. It is checked against the sikg SHACL shapes, with the "
                          "ontology and the resources already in the knowledge graph as context. Nothing is stored.",
        "paste": "Paste RDF", "syntax": "Syntax of the pasted text", "or_file": "…or upload a file",
        "file_hint": "Syntax by extension: .ttl .nt .nq .trig .jsonld .rdf", "check": "Validate",
        "report": "Report", "conforms": "The data conforms: no violations.",
        "conforms_warnings": "The data conforms, with {w} warning(s).",
        "not_conforms": "The data does not conform: {v} violation(s), {w} warning(s).",
        "what": "What", "where": "Where", "fix": "How to fix", "value": "value",
        "download_report": "Download the report", "unreadable": "The data could not be read",
        "line": "line {line}, column {column}", "fix_syntax": "Correct the syntax at that place; the parser "
        "stops at the first error.", "template": "A complete example practice:",
        "nothing_sent": "Paste some RDF or choose a file first.", "checking": "Checking…",
        "sparql_title": "SPARQL query", "run": "Run query", "result_format": "Download format",
        "editor_help": "Ctrl-Enter runs the query; Tab leaves the editor.",
        "footer": "Data: BuiCaSuS good examples (2022), curated with sources. Software: MIT licence.",
    },
    "sv": {
        "site": "Kunskapsgraf om stöd till social innovation", "skip": "Hoppa till innehållet",
        "home": "Start", "browse": "Bläddra bland praktiker", "query": "SPARQL-fråga", "curated": "Färdiga frågor",
        "validate": "Validera data", "ontology": "Ontologi", "download": "Ladda ner", "language": "Språk",
        "home_title": "Stöd till social innovation i Europa",
        "home_intro": "{practices} praktiker från {countries} länder som stödjer social innovation, kartlagda av "
                      "projektet BuiCaSuS, kopplade till den sociala innovationsprocessens fem element och "
                      "stödmetoderna under varje element.",
        "search": "Sök praktiker", "search_button": "Sök", "search_hint": "Ord på valfritt språk, t.ex. "
                  "financing, Mobilisering, accompagnement",
        "process": "Den sociala innovationsprocessen", "process_note": "Elementen är numrerade för visning; de "
                   "upprepas och flätas samman snarare än följer på varandra.",
        "practices_n": "{n} praktiker", "practice_1": "1 praktik", "methods": "Stödmetoder",
        "chart_title": "Praktiker per processelement och land",
        "chart_desc": "Antal praktiker som stödjer varje element, en stapel per land. En praktik kan stödja "
                      "flera element.",
        "chart_table": "Diagrammets siffror som tabell", "chart_svg": "Ladda ner diagrammet (SVG)",
        "element": "Processelement", "method": "Stödmetod", "country": "Land", "actor-type": "Aktörstyp",
        "level": "Nivå",
        "do": "Det här kan du göra", "do_browse": "Bläddra bland och filtrera praktikerna efter element, metod, "
              "land, aktörstyp och nivå.",
        "do_query": "Ställ egna frågor i SPARQL, eller kör en av de färdiga frågorna.",
        "do_validate": "Kontrollera en RDF-fil mot sikg:s regler innan du skickar den.",
        "do_download": "Hela kunskapsgrafen:",
        "do_ontology": "Klasserna och egenskaperna i sikg-ontologin.",
        "browse_title": "Praktiker", "filters": "Filter", "apply": "Filtrera", "clear_all": "Rensa alla",
        "results": "{n} av {total} praktiker", "no_results": "Ingen praktik matchar. Ta bort ett filter eller "
                   "ändra orden.", "remove": "Ta bort filter", "active": "Aktiva filter",
        "search_for": "Sökord", "jsonld": "Listan som JSON-LD", "operated_by": "Drivs av",
        "any_of": "Inom en grupp visas praktiker som matchar något av de valda värdena; grupperna kombineras.",
        "validate_title": "Validera RDF-data",
        "validate_intro": "Klistra in RDF eller välj en fil. Den kontrolleras mot sikg:s SHACL-regler, med "
                          "ontologin och resurserna som redan finns i kunskapsgrafen som sammanhang. Inget sparas.",
        "paste": "Klistra in RDF", "syntax": "Syntax för den inklistrade texten", "or_file": "…eller ladda upp "
        "en fil", "file_hint": "Syntax efter filändelse: .ttl .nt .nq .trig .jsonld .rdf", "check": "Validera",
        "report": "Rapport", "conforms": "Datan uppfyller reglerna: inga fel.",
        "conforms_warnings": "Datan uppfyller reglerna, med {w} varning(ar).",
        "not_conforms": "Datan uppfyller inte reglerna: {v} fel, {w} varning(ar).",
        "what": "Vad", "where": "Var", "fix": "Så rättar du", "value": "värde",
        "download_report": "Ladda ner rapporten", "unreadable": "Datan kunde inte läsas",
        "line": "rad {line}, kolumn {column}", "fix_syntax": "Rätta syntaxen på det stället; tolken stannar vid "
        "första felet.", "template": "En komplett exempelpraktik:",
        "nothing_sent": "Klistra in RDF eller välj en fil först.", "checking": "Kontrollerar…",
        "sparql_title": "SPARQL-fråga", "run": "Kör frågan", "result_format": "Format att ladda ner",
        "editor_help": "Ctrl-Enter kör frågan; Tab lämnar redigeraren.",
        "footer": "Data: BuiCaSuS goda exempel (2022), kurerade med källor. Programvara: MIT-licens.",
    },
}

# How to fix a result, by the SHACL constraint component that produced it ({path} and {focus} are filled in).
FIX_HINTS = {
    "en": {
        "MinCountConstraintComponent": "Add a {path} statement to {focus}.",
        "QualifiedMinCountConstraintComponent": "Add a {path} value of the kind the message names to {focus}.",
        "MaxCountConstraintComponent": "Keep one {path} value on {focus} and remove the others.",
        "QualifiedMaxCountConstraintComponent": "Remove the extra {path} values from {focus}.",
        "ClassConstraintComponent": "Point {path} at a resource of the expected class: an existing sikg resource "
                                    "(see Browse) or one your file describes with its rdf:type.",
        "InConstraintComponent": "Use one of the allowed values for {path}: the concepts of the sikg schemes "
                                 "(see the Ontology page).",
        "NodeKindConstraintComponent": "Give {path} an IRI in angle brackets, not a text in quotes.",
        "DatatypeConstraintComponent": "Give {path} a value of the expected datatype.",
        "LanguageInConstraintComponent": "Tag the text of {path} with one of the allowed languages (e.g. @en, @sv).",
        "UniqueLangConstraintComponent": "Keep one {path} per language on {focus}.",
        "PatternConstraintComponent": "Write the value of {path} in the form the message describes.",
        "MinLengthConstraintComponent": "Write a longer value for {path}.",
        "SPARQLConstraintComponent": "Check the spelling against the ontology; only its classes and properties "
                                     "are known.",
        "": "Do what the message says; data/templates/practice.ttl shows a complete practice.",
    },
    "sv": {
        "MinCountConstraintComponent": "Lägg till ett {path}-påstående för {focus}.",
        "QualifiedMinCountConstraintComponent": "Lägg till ett {path}-värde av det slag meddelandet nämner för "
                                                "{focus}.",
        "MaxCountConstraintComponent": "Behåll ett {path}-värde för {focus} och ta bort de andra.",
        "QualifiedMaxCountConstraintComponent": "Ta bort de extra {path}-värdena från {focus}.",
        "ClassConstraintComponent": "Låt {path} peka på en resurs av rätt klass: en befintlig sikg-resurs eller "
                                    "en som din fil beskriver med rdf:type.",
        "InConstraintComponent": "Använd ett av de tillåtna värdena för {path}: begreppen i sikg:s "
                                 "begreppssystem (se Ontologi).",
        "NodeKindConstraintComponent": "Ge {path} en IRI inom vinkelparenteser, inte en text inom citattecken.",
        "DatatypeConstraintComponent": "Ge {path} ett värde av rätt datatyp.",
        "LanguageInConstraintComponent": "Märk texten i {path} med ett av de tillåtna språken (t.ex. @en, @sv).",
        "UniqueLangConstraintComponent": "Behåll ett {path} per språk för {focus}.",
        "PatternConstraintComponent": "Skriv värdet för {path} i den form meddelandet beskriver.",
        "MinLengthConstraintComponent": "Skriv ett längre värde för {path}.",
        "SPARQLConstraintComponent": "Kontrollera stavningen mot ontologin; bara dess klasser och egenskaper "
                                     "är kända.",
        "": "Gör det meddelandet säger; data/templates/practice.ttl visar en komplett praktik.",
    },
}

PASTE_SYNTAXES = (("text/turtle", "Turtle"), ("application/ld+json", "JSON-LD"),
                  ("application/n-triples", "N-Triples"), ("application/n-quads", "N-Quads"),
                  ("application/trig", "TriG"), ("application/rdf+xml", "RDF/XML"))

DOWNLOADS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("nq", "N-Quads"), ("trig", "TriG"),
             ("rdfxml", "RDF/XML"))


def choose_data_language(requested: str | None, accept_language) -> LanguageChoice:
    """The language the reader wants the data in (labels, descriptions): the same choice as the /id pages make,
    carrying the interface language chosen with it (so `_pick` marks texts against the page's real language)."""
    return choose_languages(requested, accept_language)


def choose_ui_language(requested: str | None, accept_language) -> str:
    """The interface speaks English or Swedish, chosen by RFC 4647 lookup among those two (`fr-FR, sv;q=0.5` gives
    Swedish, with French labels where the data has them); `?lang=fr` gives French labels in an English page."""
    return choose_data_language(requested, accept_language).page


def text(language: str) -> dict:
    return TEXT.get(language, TEXT["en"])


def _rows(store, query: str) -> list[dict]:
    result = store.query(query, prefixes=PREFIXES)
    names = [v.value for v in result.variables]
    return [{n: s[n] for n in names} for s in result]


def _pick(literals, language: str) -> Text | None:
    """The text in `language`, else English, else any, marked with its language where a page for a reader of
    `language` is in another."""
    literal = pick(literals, language)
    return shown(literal, page_language(language)) if literal is not None else None


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _notation_key(notation: str | None):
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\s]", notation or "~"))


def local_href(iri: str) -> str:
    """This server's path for a resource under the base IRI; other IRIs stay as they are."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


# -- concepts (elements, methods, countries, actor types, levels) ----------------------------------------------

@dataclass
class Concept:
    iri: str
    key: str  # what a URL filter names it by: the slug, or the country code
    label: Text
    notation: str | None = None
    href: str = ""


def concept_labels(store, language: str) -> dict[str, Concept]:
    """Every concept with a skos:prefLabel, labelled in `language` (English fallback)."""
    labels: dict[str, list] = {}
    notations: dict[str, str] = {}
    for row in _rows(store, "SELECT ?c ?label ?notation WHERE { ?c skos:prefLabel ?label . FILTER(isIRI(?c)) "
                            "OPTIONAL { ?c skos:notation ?notation } }"):
        iri = row["c"].value
        labels.setdefault(iri, []).append(row["label"])
        if row["notation"] is not None:
            notations[iri] = row["notation"].value
    concepts = {}
    for iri, literals in labels.items():
        is_country = iri.startswith(PREFIXES["country"])
        key = notations.get(iri, _local(iri)) if is_country else _local(iri)
        concepts[iri] = Concept(iri, key, _pick(list(dict.fromkeys(literals)), language), notations.get(iri),
                                local_href(iri))
    return concepts


def _concept(concepts: dict[str, Concept], iri: str) -> Concept:
    if iri in concepts:
        return concepts[iri]
    key = iri.rsplit("/", 1)[-1]
    return Concept(iri, key, Text(key), None, local_href(iri))


# -- home ------------------------------------------------------------------------------------------------------

@dataclass
class MethodSummary:
    concept: Concept
    practices: int


@dataclass
class ElementSummary:
    concept: Concept
    definition: Text
    practices: int
    methods: list[MethodSummary] = field(default_factory=list)


@dataclass
class Chart:
    elements: list[Concept]
    countries: list[Concept]
    counts: dict[tuple[str, str], int]  # (element IRI, country IRI): practices
    svg: str = ""


@dataclass
class Home:
    practices: int
    countries: int
    elements: list[ElementSummary]
    chart: Chart


def _counts(store, query: str, *keys: str) -> dict:
    return {tuple(row[k].value for k in keys) if len(keys) > 1 else row[keys[0]].value: int(row["n"].value)
            for row in _rows(store, query)}


def process_elements(store, language: str, concepts: dict[str, Concept] | None = None) -> list[ElementSummary]:
    """The five elements in display order, each with its practices and its methods (with theirs)."""
    concepts = concepts if concepts is not None else concept_labels(store, language)
    element_counts = _counts(store, "SELECT ?e (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ; "
                                    "sikg:supportsElement ?e } GROUP BY ?e", "e")
    method_counts = _counts(store, "SELECT ?m (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ; "
                                   "sikg:usesMethod ?m } GROUP BY ?m", "m")
    definitions: dict[str, list] = {}
    for row in _rows(store, "SELECT ?e ?d WHERE { ?e a sikg:ProcessElement . OPTIONAL { ?e skos:definition ?d } }"):
        definitions.setdefault(row["e"].value, [])
        if row["d"] is not None:
            definitions[row["e"].value].append(row["d"])
    methods: dict[str, list[MethodSummary]] = {}
    for row in _rows(store, "SELECT DISTINCT ?m ?e WHERE { ?m a sikg:SupportMethod ; sikg:forElement ?e }"):
        method = _concept(concepts, row["m"].value)
        methods.setdefault(row["e"].value, []).append(MethodSummary(method, method_counts.get(method.iri, 0)))
    elements = []
    for iri, literals in definitions.items():
        element = _concept(concepts, iri)
        listed = sorted(methods.get(iri, []), key=lambda m: _notation_key(m.concept.notation))
        definition = _pick(literals, language) or Text("")
        elements.append(ElementSummary(element, definition, element_counts.get(iri, 0), listed))
    return sorted(elements, key=lambda e: _notation_key(e.concept.notation))


def chart_data(store, language: str, concepts: dict[str, Concept] | None = None) -> Chart:
    concepts = concepts if concepts is not None else concept_labels(store, language)
    counts = _counts(store, "SELECT ?e ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ; "
                            "sikg:supportsElement ?e ; sikg:country ?c } GROUP BY ?e ?c", "e", "c")
    element_iris = [r["e"].value for r in _rows(store, "SELECT DISTINCT ?e WHERE { ?e a sikg:ProcessElement }")]
    country_iris = [r["c"].value for r in _rows(store, "SELECT DISTINCT ?c WHERE { ?p a sikg:SupportPractice ; "
                                                       "sikg:country ?c }")]
    elements = sorted((_concept(concepts, e) for e in element_iris), key=lambda c: _notation_key(c.notation))
    countries = sorted((_concept(concepts, c) for c in country_iris), key=lambda c: c.label.casefold())
    chart = Chart(elements, countries, counts)
    chart.svg = chart_svg(chart, text(language))
    return chart


def home(store, language: str) -> Home:
    concepts = concept_labels(store, language)
    totals = _rows(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) (COUNT(DISTINCT ?c) AS ?countries) WHERE { "
                          "?p a sikg:SupportPractice . OPTIONAL { ?p sikg:country ?c } }")[0]
    return Home(int(totals["n"].value), int(totals["countries"].value), process_elements(store, language, concepts),
                chart_data(store, language, concepts))


def _wrap(words: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in words.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _lang_attribute(text: str) -> str:
    """The lang attribute a data text needs where its language is not the page's (see resources.Text)."""
    lang = getattr(text, "lang", None)
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


# -- browse ----------------------------------------------------------------------------------------------------

@dataclass
class FacetValue:
    concept: Concept
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    values: list[FacetValue]


@dataclass
class PracticeHit:
    iri: str
    href: str
    label: Text
    description: Text
    country: list[Concept]
    elements: list[Concept]
    organisations: list[Text]


@dataclass
class Browse:
    total: int
    practices: list[PracticeHit]
    facets: list[Facet]
    selected: dict[str, list[str]]
    q: str
    active: list[tuple[str, Concept]]


def normalise(words: str) -> str:
    """Case- and accent-insensitive form, so that "samhallsentreprenorskap" finds "Samhällsentreprenörskap"."""
    decomposed = unicodedata.normalize("NFKD", words.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def read_filters(args) -> tuple[dict[str, list[str]], str]:
    """The facet selections (keys, slugs or IRIs) and the search words from a request's query string."""
    selected = {}
    for facet in FACETS:
        values = [v.strip() for v in args.getlist(facet) if v and v.strip()]
        if values:
            selected[facet] = list(dict.fromkeys(values))
    return selected, (args.get("q") or "").strip()[:200]


def _facts(store) -> tuple[dict[str, dict[str, set[str]]], dict[str, list], dict[str, list]]:
    """Per practice: its facet values, its texts (labels and descriptions, every language), its organisations."""
    facts: dict[str, dict[str, set[str]]] = {}
    for row in _rows(store, "SELECT ?p WHERE { ?p a sikg:SupportPractice }"):
        facts[row["p"].value] = {f: set() for f in FACETS}
    unions = " UNION ".join(f'{{ ?p {path} ?v BIND("{facet}" AS ?f) }}' for facet, path in FACET_PATHS.items())
    for row in _rows(store, f"SELECT DISTINCT ?p ?f ?v WHERE {{ ?p a sikg:SupportPractice . {unions} }}"):
        facts[row["p"].value][row["f"].value].add(row["v"].value)
    texts: dict[str, list] = {}
    for row in _rows(store, "SELECT ?p ?prop ?t WHERE { ?p a sikg:SupportPractice ; ?prop ?t . "
                            "VALUES ?prop { rdfs:label skos:prefLabel skos:altLabel dct:description } "
                            "FILTER(isLiteral(?t)) }"):
        texts.setdefault(row["p"].value, []).append((row["prop"].value, row["t"]))
    organisations: dict[str, list] = {}
    for row in _rows(store, "SELECT ?p ?o ?name WHERE { ?p a sikg:SupportPractice ; sikg:operatedBy ?o . "
                            "OPTIONAL { ?o rdfs:label|foaf:name|skos:prefLabel ?name } }"):
        organisations.setdefault(row["p"].value, []).append((row["o"].value, row["name"]))
    return facts, texts, organisations


def _resolve(selected: dict[str, list[str]], concepts: dict[str, Concept]) -> dict[str, set[str]]:
    """Filter values to IRIs: a value may be the concept's key (slug, country code) or its full IRI."""
    by_key: dict[tuple[str, str], str] = {}
    for iri, c in concepts.items():
        by_key[(c.key.casefold(), iri)] = iri
    resolved = {}
    for facet, values in selected.items():
        iris = set()
        for value in values:
            if value in concepts:
                iris.add(value)
                continue
            matches = [iri for (key, iri) in by_key if key == value.casefold() and _facet_accepts(facet, iri)]
            iris.update(matches or [value])  # an unknown value matches nothing
        resolved[facet] = iris
    return resolved


def _facet_accepts(facet: str, iri: str) -> bool:
    if facet == "country":
        return iri.startswith(PREFIXES["country"])
    return iri.startswith(f"{BASE}id/{facet}/")


def browse(store, language: str, selected: dict[str, list[str]], q: str) -> Browse:
    """The practices matching every facet (any of the values ticked within one facet) and all the search words,
    with each facet value's count: the practices it would match together with the other facets and the words."""
    concepts = concept_labels(store, language)
    facts, texts, organisations = _facts(store)
    wanted = _resolve(selected, concepts)
    words = normalise(q).split()
    haystacks = {p: normalise(" ".join(t.value for _, t in texts.get(p, []))) for p in facts}
    by_words = {p for p in facts if all(w in haystacks[p] for w in words)}

    def matches(practice: str, skip: str | None = None) -> bool:
        return practice in by_words and all(facts[practice][f] & iris for f, iris in wanted.items() if f != skip)

    hits = [p for p in facts if matches(p)]
    facets = []
    for facet in FACETS:
        pool = [p for p in facts if matches(p, skip=facet)]
        values = set().union(*(facts[p][facet] for p in facts)) if facts else set()
        entries = []
        for iri in values:
            concept = _concept(concepts, iri)
            entries.append(FacetValue(concept, sum(iri in facts[p][facet] for p in pool),
                                      iri in wanted.get(facet, set())))
        facets.append(Facet(facet, sorted(entries, key=lambda v: _facet_order(facet, v.concept))))
    practices = []
    for p in hits:
        labels = [t for prop, t in texts.get(p, []) if prop != PREFIXES["dct"] + "description"]
        descriptions = [t for prop, t in texts.get(p, []) if prop == PREFIXES["dct"] + "description"]
        names: dict[str, list] = {}
        for o, name in organisations.get(p, []):
            names.setdefault(o, []).extend([name] if name is not None else [])
        orgs = sorted(_pick(ns, language) or Text(_local(o)) for o, ns in names.items())
        description = _pick(descriptions, language) or Text("")
        practices.append(PracticeHit(
            p, local_href(p), _pick(labels, language) or Text(_local(p)), Text(_snippet(description), description.lang),
            [_concept(concepts, c) for c in sorted(facts[p]["country"])],
            sorted((_concept(concepts, e) for e in facts[p]["element"]), key=lambda c: _notation_key(c.notation)),
            orgs))
    practices.sort(key=lambda h: normalise(h.label))
    active = [(facet, _concept(concepts, iri)) for facet in FACETS for iri in sorted(wanted.get(facet, ()))]
    return Browse(len(facts), practices, facets, selected, q, active)


def _facet_order(facet: str, concept: Concept):
    if facet in ("element", "method"):
        return (_notation_key(concept.notation), "")
    if facet == "level" and concept.key in LEVEL_ORDER:
        return ((LEVEL_ORDER.index(concept.key),), "")
    return ((99,), concept.label.casefold())


def _snippet(description: str, limit: int = 260) -> str:
    if len(description) <= limit:
        return description
    cut = description[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def practices_jsonld(store, iris: list[str], context_url: str) -> dict:
    """The practices' own statements (not their qualified records) as compact JSON-LD, always as a @graph list."""
    graph_key = next((term for term, value in jsonld.context().items() if value == "@graph"), "@graph")
    if not iris:
        return {"@context": context_url, graph_key: []}
    values = " ".join(f"<{iri}>" for iri in iris)
    triples = list(store.query(f"CONSTRUCT {{ ?p ?pred ?o }} WHERE {{ VALUES ?p {{ {values} }} ?p ?pred ?o . "
                               f"FILTER(!isBlank(?o)) }}"))
    document = jsonld.compact(triples, context_url)
    if graph_key not in document and "@graph" not in document:  # one node compacts to the node itself
        body = {k: v for k, v in document.items() if k != "@context"}
        document = {"@context": document.get("@context", context_url), graph_key: [body]}
    return document


def query_string(args, **changes) -> str:
    """The current query string with some parameters replaced (None removes), for links that keep the rest."""
    from urllib.parse import urlencode

    pairs = [(k, v) for k, v in args.items(multi=True) if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((key, v))
    return ("?" + urlencode(pairs)) if pairs else "?"


def without(args, facet: str, key: str) -> str:
    """The query string with one facet value taken away."""
    remaining = [v for v in args.getlist(facet) if v != key]
    return query_string(args, **{facet: remaining or None})


# -- validation ------------------------------------------------------------------------------------------------

@dataclass
class ReportItem:
    severity: str
    what: str
    where: str
    fix: str
    value: str | None = None
    focus_href: str | None = None


@dataclass
class ReadableReport:
    conforms: bool
    violations: int
    warnings: int
    items: list[ReportItem]
    unreadable: bool = False
    downloads: list[tuple[str, str, str]] = field(default_factory=list)  # (label, file name, data: URL)


def compact_iri(iri: str | None) -> str:
    if not iri:
        return ""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def fix_hint(component: str | None, path: str | None, focus: str | None, language: str) -> str:
    hints = FIX_HINTS.get(language, FIX_HINTS["en"])
    name = (component or "").rsplit("#", 1)[-1]
    template = hints.get(name, hints[""])
    return template.format(path=compact_iri(path) or "…", focus=compact_iri(focus) or "…")


def readable(report: validation.ValidationReport, language: str) -> ReadableReport:
    items = []
    for r in sorted(report.results, key=lambda r: (r.severity != "Violation", r.focus_node or "", r.path or "")):
        where = compact_iri(r.focus_node) + (f" → {compact_iri(r.path)}" if r.path else "")
        items.append(ReportItem(r.severity, r.message, where, fix_hint(r.constraint_component, r.path, r.focus_node,
                                                                          language),
                                r.value if r.value != r.focus_node else None, local_href(r.focus_node) if (r.focus_node or "").startswith("http")
                                else None))
    result = ReadableReport(report.conforms, report.count("Violation"), report.count("Warning"), items)
    result.downloads = [
        ("JSON", "sikg-report.json", _data_url("application/json", report.to_json())),
        ("Text", "sikg-report.txt", _data_url("text/plain", report.to_text())),
        ("Turtle", "sikg-report.ttl", _data_url("text/turtle", report.to_turtle())),
    ]
    return result


def unreadable(error: rdf_input.RdfInputError, language: str) -> ReadableReport:
    words = text(language)
    where = error.source + (", " + words["line"].format(line=error.line, column=error.column)
                            if error.line is not None else "")
    body = {"error": "unreadable RDF", "message": error.message, "line": error.line, "column": error.column}
    return ReadableReport(False, 1, 0, [ReportItem("Violation", f'{words["unreadable"]}: {error.message}', where,
                                                   words["fix_syntax"])], True,
                          [("JSON", "sikg-report.json", _data_url("application/json", json.dumps(body, indent=2)))])


def _data_url(media_type: str, body: str) -> str:
    return f"data:{media_type};charset=utf-8;base64,{base64.b64encode(body.encode('utf-8')).decode('ascii')}"


class NothingToValidate(ValueError):
    pass


def validate_submission(store, pasted: str, syntax: str | None, upload: bytes | None, filename: str | None,
                        language: str) -> ReadableReport:
    """The form's input, a file or pasted text, checked as POST /validate checks a body."""
    if upload:
        try:
            rdf_format = rdf_input.format_for_path(Path(filename or "upload.ttl"))
        except rdf_input.RdfInputError as error:
            return unreadable(error, language)
        payload, source = upload, filename or "upload"
    elif pasted.strip():
        try:
            rdf_format = rdf_input.format_for_media_type(syntax or "text/turtle")
        except rdf_input.UnsupportedMediaType as error:
            return unreadable(rdf_input.RdfInputError("pasted text", str(error)), language)
        payload, source = pasted.encode("utf-8"), "pasted text"
    else:
        raise NothingToValidate(text(language)["nothing_sent"])
    try:
        quads = rdf_input.parse_upload(payload, rdf_format, source)
    except rdf_input.RdfInputError as error:
        return unreadable(error, language)
    return readable(validation.validate_quads(quads, validation.store_reference(store)), language)


def client_strings(language: str) -> dict:
    """What the validation page's script needs to write the same report as the server does."""
    words = text(language)
    keys = ("conforms", "conforms_warnings", "not_conforms", "what", "where", "fix", "value", "unreadable", "line",
            "fix_syntax", "download_report", "nothing_sent", "checking", "report")
    return {"text": {k: words[k] for k in keys}, "hints": FIX_HINTS.get(language, FIX_HINTS["en"]),
            "prefixes": dict(sorted(PREFIXES.items(), key=lambda p: -len(p[1])))}


# -- the SPARQL page -------------------------------------------------------------------------------------------

RESULT_DOWNLOADS = (("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"), ("tsv", "TSV"))
GRAPH_DOWNLOADS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdfxml", "RDF/XML"))
