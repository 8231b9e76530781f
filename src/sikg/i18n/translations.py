"""The sikg team's translations (the translations graph, built from data/translations/): which texts of the KG are
ours rather than the organisations', so that a page can say "translated by sikg" beside them.

A text is told by what it says and where: (subject IRI, predicate IRI, literal). One query answers it for a page.
"""

import pyoxigraph as ox

from ..namespaces import GRAPH_TRANSLATIONS, values

Key = tuple[str, str, ox.Literal]


def translated_texts(store, subjects: list[str] | None = None, predicates: list[str] | None = None) -> set[Key]:
    """The (subject, predicate, literal) the translations graph holds, about `subjects` (every one where None),
    with one of `predicates` (any where None)."""
    block = ""
    if subjects is not None:
        if not subjects:
            return set()
        block += values("s", subjects) + " "
    if predicates is not None:
        block += values("p", predicates) + " "
    query = f"SELECT ?s ?p ?o WHERE {{ {block}GRAPH <{GRAPH_TRANSLATIONS}> {{ ?s ?p ?o FILTER(isLiteral(?o)) }} }}"
    return {(row["s"].value, row["p"].value, row["o"]) for row in store.query(query)}


def is_translated(found: set[Key], subject: str, predicates, literal: ox.Literal | None) -> bool:
    """Whether `literal`, said of `subject` with one of `predicates` (an IRI or several), is a translation."""
    predicates = (predicates,) if isinstance(predicates, str) else predicates
    return literal is not None and any((subject, p, literal) in found for p in predicates)
