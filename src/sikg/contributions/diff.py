"""A proposed revision as the review page shows it (issue 26): the difference between a resource's current public
description and the one a contribution proposes, as statements in words (each property and value by its label in
the reader's language), those removed and those added; a qualified link (a blank node: a practice's method, element
or finding record) is one statement, shown with its evidence (basis, rationale, source, quotation), so that a link
whose evidence changed is a link removed and a link added, each with its own evidence."""

from dataclasses import dataclass, field

import pyoxigraph as ox

from ..i18n.languages import page_language, pick, shown
from ..namespaces import DCT, RDF, SIKG, values
from ..pages import history, resources
from ..rdf.descriptions import by_subject, description_in

_DEPTH = 3  # as describe_pattern: a record's evidence, and its own records
EVIDENCE = {SIKG.basis, SIKG.rationale, DCT.source, SIKG.quotation}  # what a qualified link's record says for it


@dataclass
class Statement:
    property: str
    value: str
    language: str | None = None  # a literal's language, for the page to mark
    evidence: list = field(default_factory=list)  # (property, value, language) of a qualified link's record


@dataclass
class RevisionDiff:
    iri: str
    href: str
    title: str
    removed: list = field(default_factory=list)
    added: list = field(default_factory=list)


def _key(about: dict, term, depth: int = 0):
    """A term as something comparable across descriptions: a blank node by what it says (its records, recursively)."""
    if isinstance(term, ox.BlankNode) and depth < _DEPTH:
        return frozenset((t.predicate.value, _key(about, t.object, depth + 1)) for t in about.get(term, []))
    return term


def _statements(triples, iri: str) -> dict:
    """The resource's description as {comparable key: (predicate, object, its by-subject index)}."""
    about = by_subject(triples)
    return {(t.predicate.value, _key(about, t.object)): (t.predicate, t.object, about)
            for t in about.get(ox.NamedNode(iri), [])}


def revision_diffs(store, revised: list[str], proposed: list[ox.Triple], language: str,
                   property_labels: dict) -> list[RevisionDiff]:
    """For each revised resource, the statements its proposed description removes and adds."""
    return [_diff(store, iri, proposed, language, property_labels) for iri in revised]


def _diff(store, iri: str, proposed: list[ox.Triple], language: str, property_labels: dict) -> RevisionDiff:
    page_lang = page_language(language)
    current = history.own_description(store, iri)  # the translations graph's texts are kept: no part of the diff
    new = description_in(proposed, iri)
    old_statements, new_statements = _statements(current, iri), _statements(new, iri)
    removed = [old_statements[k] for k in old_statements if k not in new_statements]
    added = [new_statements[k] for k in new_statements if k not in old_statements]
    named = sorted({t.value for t in current + new for t in (t.predicate, t.object)
                    if isinstance(t, ox.NamedNode)} | {iri})
    labels = _labels(store, named, proposed)

    def name(term) -> str:
        if isinstance(term, ox.NamedNode):
            return str(shown(pick(labels.get(term.value, []), language), page_lang, term.value))
        return term.value

    def prop(predicate) -> str:
        return property_labels.get(predicate.value) or name(predicate)

    def statement(predicate, obj, about) -> Statement:
        if isinstance(obj, ox.BlankNode):
            record = [t for t in about.get(obj, []) if t.predicate.value != RDF.type]
            linked = [t for t in record if isinstance(t.object, ox.NamedNode) and t.predicate.value not in EVIDENCE]
            words = lambda t: (prop(t.predicate), name(t.object), getattr(t.object, "language", None) or None)
            evidence = sorted(words(t) for t in record if t.predicate.value in EVIDENCE)
            # each sikg:evidence node as its page then its quotation, so that a quotation stays beside its page
            pairs = [sorted((t for t in about.get(r.object, []) if t.predicate.value in EVIDENCE),
                            key=lambda t: t.predicate.value != DCT.source)
                     for r in record if r.predicate.value == SIKG.evidence]
            evidence += [words(t) for pair in sorted(pairs, key=lambda p: [words(t) for t in p]) for t in pair]
            return Statement(prop(predicate), ", ".join(sorted(name(t.object) for t in linked)), None, evidence)
        language_tag = obj.language if isinstance(obj, ox.Literal) else None
        return Statement(prop(predicate), name(obj), language_tag or None)

    in_order = lambda found: sorted((statement(*s) for s in found), key=lambda s: (s.property, s.value))
    title = str(shown(pick(labels.get(iri, []), language), page_lang, iri))
    return RevisionDiff(iri, resources.local_href(iri), title, in_order(removed), in_order(added))


def _labels(store, iris: list[str], proposed: list[ox.Triple]) -> dict[str, list[ox.Literal]]:
    """The labels of what the descriptions name: the KG's, and the contribution's own (a label it changes)."""
    labels: dict[str, list[ox.Literal]] = {}
    names = ", ".join(f"<{p}>" for p in resources.LABELS)
    for row in store.query(f"SELECT ?s ?l WHERE {{ {values('s', iris)} ?s ?p ?l FILTER(?p IN ({names})) }}"):
        labels.setdefault(row["s"].value, []).append(row["l"])
    for t in proposed:
        if t.predicate.value in resources.LABELS and isinstance(t.object, ox.Literal) \
                and t.subject.value not in labels:
            labels.setdefault(t.subject.value, []).append(t.object)
    return labels
