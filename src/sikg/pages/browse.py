"""Browsing the practices: facets (element, method, country, actor type, level, characteristic) with their counts,
search words matched case- and accent-insensitively in every language, the list of matching practices (as a page or as
JSON-LD), and the query strings of the page's links.
"""

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from ..i18n.languages import Text, collation_key, page_language, pick, pick_text, shown
from ..i18n.translations import is_translated, translated_texts
from ..namespaces import COUNTRY, DCT, ID, values
from ..rdf import jsonld
from .concepts import Concept, concept_for, concept_labels, last_segment, notation_key, rows
from .resources import local_href

FACETS = ("element", "method", "country", "actor-type", "level", "characteristic")
FACET_PATHS = {  # facet: the path from a practice to its values
    "element": "sikg:supportsElement",
    "method": "sikg:usesMethod",
    "country": "sikg:country",
    "actor-type": "sikg:operatedBy/sikg:actorType",
    "level": "sikg:targetsLevel",
    "characteristic": "sikg:hasCharacteristic",
}
LEVEL_ORDER = ("micro", "meso", "macro")


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
    for row in rows(store, "SELECT ?p WHERE { ?p a sikg:SupportPractice }"):
        facts[row["p"].value] = {f: set() for f in FACETS}
    unions = " UNION ".join(f'{{ ?p {path} ?v BIND("{facet}" AS ?f) }}' for facet, path in FACET_PATHS.items())
    for row in rows(store, f"SELECT DISTINCT ?p ?f ?v WHERE {{ ?p a sikg:SupportPractice . {unions} }}"):
        facts[row["p"].value][row["f"].value].add(row["v"].value)
    texts: dict[str, list] = {}
    for row in rows(store, "SELECT ?p ?prop ?t WHERE { ?p a sikg:SupportPractice ; ?prop ?t . "
                           "VALUES ?prop { rdfs:label skos:prefLabel skos:altLabel dct:description } "
                           "FILTER(isLiteral(?t)) }"):
        texts.setdefault(row["p"].value, []).append((row["prop"].value, row["t"]))
    organisations: dict[str, list] = {}
    for row in rows(store, "SELECT ?p ?o ?name WHERE { ?p a sikg:SupportPractice ; sikg:operatedBy ?o . "
                           "OPTIONAL { ?o rdfs:label|foaf:name|skos:prefLabel ?name } }"):
        organisations.setdefault(row["p"].value, []).append((row["o"].value, row["name"]))
    return facts, texts, organisations


def _resolve(selected: dict[str, list[str]], concepts: dict[str, Concept]) -> dict[str, set[str]]:
    """Filter values to IRIs: a value may be the concept's key (slug, country code) or its full IRI."""
    by_key: dict[tuple[str, str], str] = {}
    for iri, c in concepts.items():
        by_key[(c.key.casefold(), iri)] = iri
    resolved = {}
    for facet, chosen in selected.items():
        iris = set()
        for value in chosen:
            if value in concepts:
                iris.add(value)
                continue
            matches = [iri for (key, iri) in by_key if key == value.casefold() and _facet_accepts(facet, iri)]
            iris.update(matches or [value])  # an unknown value matches nothing
        resolved[facet] = iris
    return resolved


def _facet_accepts(facet: str, iri: str) -> bool:
    if facet == "country":
        return iri.startswith(COUNTRY)
    return iri.startswith(ID[facet + "/"])


def browse(store, language: str, selected: dict[str, list[str]], q: str) -> Browse:
    """The practices matching every facet (any of the values ticked within one facet) and all the search words,
    with each facet value's count: the practices it would match together with the other facets and the words."""
    concepts = concept_labels(store, language)
    facts, texts, organisations = _facts(store)  # texts: every language, the translations graph's too
    translated = translated_texts(store, predicates=[DCT.description])
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
            concept = concept_for(concepts, iri)
            entries.append(FacetValue(concept, sum(iri in facts[p][facet] for p in pool),
                                      iri in wanted.get(facet, set())))
        facets.append(Facet(facet, sorted(entries, key=lambda v: _facet_order(facet, v.concept, language))))
    practices = [_practice_hit(p, facts[p], texts.get(p, []), organisations.get(p, []), concepts, language,
                               translated) for p in hits]
    practices.sort(key=lambda h: collation_key(h.label, language))
    active = [(facet, concept_for(concepts, iri)) for facet in FACETS for iri in sorted(wanted.get(facet, ()))]
    return Browse(len(facts), practices, facets, selected, q, active)


def _practice_hit(practice: str, facts: dict[str, set[str]], texts: list, organisations: list,
                  concepts: dict[str, Concept], language: str, translated: set) -> PracticeHit:
    """One practice as the list shows it: label, the start of its description (marked where it is the sikg team's
    translation), countries, elements, operators."""
    labels = [t for prop, t in texts if prop != DCT.description]
    descriptions = [t for prop, t in texts if prop == DCT.description]
    names: dict[str, list] = {}
    for o, name in organisations:
        names.setdefault(o, []).extend([name] if name is not None else [])
    orgs = sorted((pick_text(ns, language) or Text(last_segment(o)) for o, ns in names.items()),
                  key=lambda name: collation_key(name, language))
    literal = pick(descriptions, language)
    description = shown(literal, page_language(language),
                        translated=is_translated(translated, practice, DCT.description, literal))
    return PracticeHit(
        practice, local_href(practice), pick_text(labels, language) or Text(last_segment(practice)),
        Text(_snippet(description), description.lang, description.translated),
        sorted((concept_for(concepts, c) for c in facts["country"]), key=lambda c: collation_key(c.label, language)),
        sorted((concept_for(concepts, e) for e in facts["element"]), key=lambda c: notation_key(c.notation)),
        orgs)


def _facet_order(facet: str, concept: Concept, language: str):
    """Elements and methods by their notation, levels from micro to macro, the rest (countries…) by name in the
    order of the reader's language."""
    if facet in ("element", "method"):
        return (notation_key(concept.notation), ())
    if facet == "level" and concept.key in LEVEL_ORDER:
        return ((LEVEL_ORDER.index(concept.key),), ())
    return ((99,), collation_key(concept.label, language))


def _snippet(description: str, limit: int = 260) -> str:
    if len(description) <= limit:
        return description
    cut = description[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def practices_jsonld(store, iris: list[str]) -> dict:
    """The practices' own statements (not their qualified records) as compact JSON-LD, always as a @graph list, with
    the sikg context inline (read with no network access; POST /validate takes it back as it is)."""
    graph_key = next((term for term, value in jsonld.context().items() if value == "@graph"), "@graph")
    if not iris:
        return {"@context": jsonld.context(), graph_key: []}
    triples = list(store.query(f"CONSTRUCT {{ ?p ?pred ?o }} WHERE {{ {values('p', iris)} ?p ?pred ?o . "
                               f"FILTER(!isBlank(?o)) }}"))
    document = jsonld.compact(triples)
    if graph_key not in document and "@graph" not in document:  # one node compacts to the node itself
        body = {k: v for k, v in document.items() if k != "@context"}
        document = {"@context": jsonld.context(), graph_key: [body]}
    return document


def query_string(args, **changes) -> str:
    """The current query string with some parameters replaced (None removes), for links that keep the rest."""
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
