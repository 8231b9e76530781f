"""The home page's summary: how many practices from how many countries, the five process elements with their
support methods and how many practices support each, and the charts (per element and per shared characteristic).
"""

from dataclasses import dataclass, field

from ..formats import DUMP_FORMATS, TURTLE
from ..i18n.languages import Text, page_language, pick, shown
from ..i18n.translations import is_translated, translated_texts
from ..namespaces import SKOS
from .chart import CHARACTERISTICS, Chart, chart_data
from .concepts import Concept, concept_for, concept_labels, counts, notation_key, rows

# The whole knowledge graph's download formats, as the home page lists them: (format name, display name).
DOWNLOADS = tuple((f.name, f.label) for f in (TURTLE, *(f for f in DUMP_FORMATS if f is not TURTLE)))


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
class Home:
    practices: int
    countries: int
    elements: list[ElementSummary]
    chart: Chart
    characteristics_chart: Chart


def process_elements(store, language: str, concepts: dict[str, Concept] | None = None) -> list[ElementSummary]:
    """The five elements in display order, each with its practices and its methods (with theirs)."""
    concepts = concepts if concepts is not None else concept_labels(store, language)
    element_counts = counts(store, "SELECT ?e (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ; "
                                   "sikg:supportsElement ?e } GROUP BY ?e", "e")
    method_counts = counts(store, "SELECT ?m (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ; "
                                  "sikg:usesMethod ?m } GROUP BY ?m", "m")
    definitions: dict[str, list] = {}
    for row in rows(store, "SELECT ?e ?d WHERE { ?e a sikg:ProcessElement . OPTIONAL { ?e skos:definition ?d } }"):
        definitions.setdefault(row["e"].value, [])
        if row["d"] is not None:
            definitions[row["e"].value].append(row["d"])
    methods: dict[str, list[MethodSummary]] = {}
    for row in rows(store, "SELECT DISTINCT ?m ?e WHERE { ?m a sikg:SupportMethod ; sikg:forElement ?e }"):
        method = concept_for(concepts, row["m"].value)
        methods.setdefault(row["e"].value, []).append(MethodSummary(method, method_counts.get(method.iri, 0)))
    translated = translated_texts(store, list(definitions), [SKOS.definition])
    elements = []
    for iri, literals in definitions.items():
        element = concept_for(concepts, iri)
        listed = sorted(methods.get(iri, []), key=lambda m: notation_key(m.concept.notation))
        literal = pick(literals, language)
        definition = shown(literal, page_language(language),
                           translated=is_translated(translated, iri, SKOS.definition, literal))
        elements.append(ElementSummary(element, definition, element_counts.get(iri, 0), listed))
    return sorted(elements, key=lambda e: notation_key(e.concept.notation))


def home_summary(store, language: str) -> Home:
    """What the home page shows, in the reader's language."""
    concepts = concept_labels(store, language)
    totals = rows(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) (COUNT(DISTINCT ?c) AS ?countries) WHERE { "
                         "?p a sikg:SupportPractice . OPTIONAL { ?p sikg:country ?c } }")[0]
    return Home(int(totals["n"].value), int(totals["countries"].value), process_elements(store, language, concepts),
                chart_data(store, language, concepts), chart_data(store, language, concepts, CHARACTERISTICS))
