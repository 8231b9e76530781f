"""The concepts the pages for people show and filter by (process elements, support methods, countries, actor
types, levels), labelled in the reader's language, and the small SPARQL helpers the page modules (home.py, chart.py,
browse.py) share.

Everything is read from the store with SPARQL, so a page and a query of the same question give the same numbers.
"""

import re
from dataclasses import dataclass

from ..i18n.languages import Text, pick_text
from ..namespaces import COUNTRY, PREFIXES
from .resources import local_href


def rows(store, query: str) -> list[dict]:
    """A SELECT query's solutions (with the sikg prefixes declared) as dicts of terms by variable name."""
    result = store.query(query, prefixes=PREFIXES)
    names = [v.value for v in result.variables]
    return [{n: s[n] for n in names} for s in result]


def counts(store, query: str, *keys: str) -> dict:
    """A counting query's `?n` by the value of its key variable (by the tuple of values, for several keys)."""
    return {tuple(row[k].value for k in keys) if len(keys) > 1 else row[keys[0]].value: int(row["n"].value)
            for row in rows(store, query)}


def last_segment(iri: str) -> str:
    """The IRI's last path segment (a trailing slash ignored): what a resource without a label is shown as."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def notation_key(notation: str | None):
    """A sort key that puts notations in numeric order (2 before 10, 1.2 before 1.10); no notation sorts last."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\s]", notation or "~"))


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
    for row in rows(store, "SELECT ?c ?label ?notation WHERE { ?c skos:prefLabel ?label . FILTER(isIRI(?c)) "
                           "OPTIONAL { ?c skos:notation ?notation } }"):
        iri = row["c"].value
        labels.setdefault(iri, []).append(row["label"])
        if row["notation"] is not None:
            notations[iri] = row["notation"].value
    concepts = {}
    for iri, literals in labels.items():
        is_country = iri.startswith(COUNTRY)
        key = notations.get(iri, last_segment(iri)) if is_country else last_segment(iri)
        concepts[iri] = Concept(iri, key, pick_text(list(dict.fromkeys(literals)), language), notations.get(iri),
                                local_href(iri))
    return concepts


def concept_for(concepts: dict[str, Concept], iri: str) -> Concept:
    """The concept with that IRI, or, for one without a label, one named by the IRI's last segment."""
    if iri in concepts:
        return concepts[iri]
    key = iri.rsplit("/", 1)[-1]
    return Concept(iri, key, Text(key), None, local_href(iri))
