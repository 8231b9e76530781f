"""Dereferenceable IRIs: what the service says about one resource, and how its page shows it in the reader's language
(chosen in i18n/languages.py)."""

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..i18n.languages import Text, match_language, page_language, pick, shown
from ..i18n.translations import is_translated, translated_texts
from ..i18n.ui_text import property_words
from ..namespaces import BASE, DCT, FOAF, GRAPH_ONTOLOGY, GRAPH_TRANSLATIONS, ID, OWL, PROV, RDF, RDFS, SIKG, SKOS

KINDS = ("practice", "organisation", "element", "method", "level", "actor-type", "characteristic", "basis", "scheme",
         "collection", "dataset", "finding")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,200}$")
LABELS = [SKOS.prefLabel, RDFS.label, DCT["title"]]
QUOTATION = SIKG.quotation


def resource_iri(kind: str, slug: str) -> str | None:
    """The IRI for /id/{kind}/{slug}, or None for a path that cannot name a resource (traversal, odd characters)."""
    if kind not in KINDS or not _SLUG.match(slug) or ".." in slug:
        return None
    return ID[f"{kind}/{slug}"]


def describe(store, iri: str) -> list[ox.Triple]:
    """The resource's own triples with the blank nodes they lead to (its qualified links, and their evidence), the
    labels of everything it links to, and the sikg links that point at it (with their subjects' labels), so a page
    can show both ways."""
    node = f"<{iri}>"
    query = f"""
    PREFIX sikg: <{SIKG}>
    CONSTRUCT {{ ?s ?p ?o . ?o ?lp ?label . ?in ?ip {node} . ?in ?inlp ?inlabel . ?in a ?intype . }}
    WHERE {{
      {{ {node} ?p ?o . BIND({node} AS ?s)
         OPTIONAL {{ ?o ?lp ?label . FILTER(?lp IN (<{LABELS[0]}>, <{LABELS[1]}>, <{LABELS[2]}>)) }} }}
      UNION
      {{ {node} ?p0 ?b . FILTER(isBlank(?b)) ?b ?p ?o . BIND(?b AS ?s)
         OPTIONAL {{ ?o ?lp ?label . FILTER(?lp IN (<{LABELS[0]}>, <{LABELS[1]}>, <{LABELS[2]}>)) }} }}
      UNION
      {{ {node} ?p0 ?b . FILTER(isBlank(?b)) ?b sikg:evidence ?s . FILTER(isBlank(?s)) ?s ?p ?o . }}
      UNION
      {{ ?in ?ip {node} . FILTER(STRSTARTS(STR(?ip), STR(sikg:)) && !isBlank(?in))
         OPTIONAL {{ ?in ?inlp ?inlabel . FILTER(?inlp IN (<{LABELS[0]}>, <{LABELS[1]}>)) }}
         OPTIONAL {{ ?in a ?intype }} }}
    }}"""
    return list(dict.fromkeys(store.query(query)))  # CONSTRUCT repeats a triple once per label it matched


def exists(store, iri: str) -> bool:
    return bool(store.query(f"ASK {{ <{iri}> ?p ?o }}"))


def local_href(iri: str) -> str:
    """This server's path for a resource under the base IRI, whatever host the base IRI names; other IRIs stay as
    they are."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


@dataclass
class Link:
    iri: str
    label: Text
    local: bool  # a resource of this service, shown as an internal link

    @property
    def href(self) -> str:
        """Local resources link to this server's path, whatever host the base IRI names."""
        return local_href(self.iri) if self.local else self.iri


@dataclass
class ResourcePage:
    iri: str
    title: Text
    language: str  # of the page's own words: what <html lang> and Content-Language say
    # <title> cannot carry a lang attribute: the label in the page's language where there is one, else `title`
    document_title: str
    requested: str  # the reader's choice, which the data may or may not have texts in
    types: list[Link] = field(default_factory=list)
    texts: list[tuple[str, Text]] = field(default_factory=list)  # (property label, text)
    links: list[tuple[str, list[Link]]] = field(default_factory=list)
    qualified: list[dict] = field(default_factory=list)
    incoming: list[tuple[str, list[Link]]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # the resource's own quotations (a finding's): copied from its source, so always marked with their language
    quotations: list[Text] = field(default_factory=list)
    quotation_heading: str = ""
    contributed: bool = False


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


@dataclass
class _Naming:
    """How a page names what its resource links to: each resource by its label in the reader's language (marked
    with its own where that is not the page's), each property by its label in the page's language."""

    labels: dict[str, list[ox.Literal]]  # by subject IRI, every language
    language: str
    page_lang: str
    property_labels: dict[str, str]

    def link(self, term) -> Link:
        label = pick(self.labels.get(term.value, []), self.language)
        return Link(term.value, shown(label, self.page_lang, _local_name(term.value)), term.value.startswith(BASE))

    def prop(self, p: str) -> str:
        return self.property_labels.get(p, _local_name(p))

    def grouped(self, links: dict[str, list[Link]]) -> list[tuple[str, list[Link]]]:
        return [(self.prop(p), sorted(found, key=lambda link: link.label.lower())) for p, found in links.items()]

    def qualified(self, predicate: str, node: ox.BlankNode, triples: list[ox.Triple]) -> dict:
        """A qualified link (the blank node `predicate` leads to): what it links to, its source, its rationale.
        `targets` are what it links to and `basis` on what grounds, told apart by the property's IRI (sikg:basis),
        never by its label, which differs in every language."""
        record = {"property": self.prop(predicate), "targets": [], "basis": []}
        texts: dict[str, list[ox.Literal]] = {}
        flat = _evidence(node, triples)  # the earlier form: pages and quotations on the record itself
        record["evidence"] = [_evidence(e.object, triples) for e in triples
                              if e.subject == node and e.predicate.value == SIKG.evidence]
        record["evidence"] += [flat] if flat["sources"] or flat["quotations"] else []
        record["source"] = next((s for e in record["evidence"] for s in e["sources"]), None)  # the first, for lists
        for r in triples:
            if r.subject == node and r.predicate.value not in (QUOTATION, DCT.source, SIKG.evidence):
                if isinstance(r.object, ox.Literal):
                    texts.setdefault(r.predicate.value, []).append(r.object)
                elif r.predicate.value != RDF.type:
                    named = (self.prop(r.predicate.value), self.link(r.object))
                    record.setdefault("links", []).append(named)
                    record["basis" if r.predicate.value == SIKG.basis else "targets"].append(named)
        rationale = texts.pop(SIKG.rationale, None) or next(iter(texts.values()), [])
        record["rationale"] = shown(pick(rationale, self.language), self.page_lang)
        role = pick(texts.get(SIKG.role, []), self.language)
        record["role"] = shown(role, self.page_lang) if role is not None else None
        return record


def _evidence(node, triples: list[ox.Triple]) -> dict:
    """The pages and quotations of one evidence node (or, in the earlier form, of the record itself): each quotation
    copied word for word from its page, never translated, so always marked with its own language."""
    found: dict = {"sources": [], "quotations": []}
    for r in triples:
        if r.subject == node and r.predicate.value == DCT.source:
            found["sources"].append(r.object.value)
        elif r.subject == node and r.predicate.value == QUOTATION and isinstance(r.object, ox.Literal):
            found["quotations"].append(Text(r.object.value, r.object.language or None))
    return found


def build_page(store, iri: str, triples: list[ox.Triple], language: str,
               property_labels: dict[str, str], translated: set | None = None) -> ResourcePage:
    """What the HTML page shows, chosen from the description in the reader's language (English, else any, where
    the data has no text in it), each text marked with its own language where that is not the page's. `translated`:
    which texts are the sikg team's translations (translated_texts), where the caller has asked for many pages'
    at once; else they are asked for here."""
    subject = ox.NamedNode(iri)
    page_lang = page_language(language)
    labels: dict[str, list[ox.Literal]] = {}
    for t in triples:
        if t.predicate.value in LABELS and isinstance(t.object, ox.Literal):
            labels.setdefault(t.subject.value, []).append(t.object)
    naming = _Naming(labels, language, page_lang, property_labels)
    if translated is None:  # which of its texts are the sikg team's translations
        translated = translated_texts(store, [iri])
    title = pick(labels.get(iri, []), language)
    in_page_language = [label for label in labels.get(iri, []) if match_language(label.language, (page_lang,))]
    page = ResourcePage(iri, shown(title, page_lang, _local_name(iri), is_translated(translated, iri, LABELS, title)),
                        page_lang,
                        in_page_language[0].value if in_page_language else shown(title, page_lang, _local_name(iri)),
                        language)
    grouped_texts: dict[str, list[ox.Literal]] = {}
    grouped_links: dict[str, list[Link]] = {}
    for t in (t for t in triples if t.subject == subject):
        p = t.predicate.value
        if p == RDF.type:
            page.types.append(naming.link(t.object))
        elif p == DCT.source:
            page.sources.append(t.object.value)
        elif p == QUOTATION and isinstance(t.object, ox.Literal):
            page.quotations.append(Text(t.object.value, t.object.language or None))
            page.quotation_heading = naming.prop(p)
        elif isinstance(t.object, ox.Literal):
            if p not in LABELS:
                grouped_texts.setdefault(p, []).append(t.object)
        elif isinstance(t.object, ox.BlankNode):
            page.qualified.append(naming.qualified(p, t.object, triples))
        else:
            grouped_links.setdefault(p, []).append(naming.link(t.object))
    for p, literals in grouped_texts.items():
        chosen = pick(literals, language) if any(literal.language for literal in literals) else None
        for literal in ([chosen] if chosen else literals):
            page.texts.append((naming.prop(p), shown(literal, page_lang,
                                                     translated=is_translated(translated, iri, p, literal))))
    page.types.sort(key=lambda link: link.label.lower())  # as links are: not in the order a store returns them
    page.links = naming.grouped(grouped_links)
    incoming: dict[str, list[Link]] = {}
    for t in triples:
        if t.object == subject and t.subject != subject and not isinstance(t.subject, ox.BlankNode):
            incoming.setdefault(t.predicate.value, []).append(naming.link(t.subject))
    page.incoming = naming.grouped(incoming)
    page.sources.sort()
    return page


def property_labels(store, language: str) -> dict[str, str]:
    """Labels of the ontology's properties for page headings, which are the page's own words: in the page's
    language (English fallback) whichever language the reader chose for the data."""
    language = page_language(language)
    rows = store.query(f"""SELECT ?p ?label WHERE {{ GRAPH ?g {{ ?p <{RDFS.label}> ?label }}
                           FILTER(STRSTARTS(STR(?p), "{SIKG}")) }}""")
    found: dict[str, list[ox.Literal]] = {}
    for row in rows:
        found.setdefault(row["p"].value, []).append(row["label"])
    labels = {p: shown(pick(ls, language), language) for p, ls in found.items()}
    vocabulary = property_words(language)
    for namespace in (DCT, FOAF, SKOS, PROV):
        for local, text in vocabulary.items():
            labels.setdefault(namespace[local], text)
    return labels


def ontology_terms(store, language: str) -> list[dict]:
    """The ontology's classes and properties with label and definition in `language` (English fallback; the
    translations graph holds the other languages), marked with their language where that is not the page's and as
    translated where they are the sikg team's translation."""
    page_lang = page_language(language)
    rows = store.query(f"""
        SELECT ?term ?kind ?prop ?text ?translated WHERE {{
          GRAPH ?g {{ ?term a ?kind FILTER(STRSTARTS(STR(?term), "{SIKG}"))
                      FILTER(?kind IN (<{OWL.Class}>, <{OWL.ObjectProperty}>, <{OWL.DatatypeProperty}>)) }}
          GRAPH ?h {{ ?term ?prop ?text FILTER(?prop IN (<{RDFS.label}>, <{SKOS.definition}>)) }}
          BIND(?h = <{GRAPH_TRANSLATIONS}> AS ?translated) }}""")
    terms: dict[str, dict] = {}
    translated: set = set()
    for row in rows:
        entry = terms.setdefault(row["term"].value, {"iri": row["term"].value, "kind": _local_name(row["kind"].value),
                                                     RDFS.label: [], SKOS.definition: []})
        entry[row["prop"].value].append(row["text"])
        if row["translated"].value == "true":
            translated.add((row["term"].value, row["prop"].value, row["text"]))
    result = []
    for entry in (e for e in terms.values() if e[RDFS.label] and e[SKOS.definition]):
        texts = {}
        for prop, key in ((RDFS.label, "label"), (SKOS.definition, "definition")):
            literal = pick(list(dict.fromkeys(entry[prop])), language)
            texts[key] = shown(literal, page_lang, translated=is_translated(translated, entry["iri"], prop, literal))
        result.append({"iri": entry["iri"], "name": _local_name(entry["iri"]), "kind": entry["kind"], **texts})
    return sorted(result, key=lambda t: (t["kind"] != "Class", t["name"].lower()))


def ontology_graph(store) -> list[ox.Triple]:
    """The ontology as /ontology publishes it: its graph, with the sikg team's translations of its terms' labels
    and definitions (the translations graph's texts about a resource the ontology graph describes)."""
    return list(store.query(f"""
        CONSTRUCT {{ ?s ?p ?o }} WHERE {{
          {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}
          UNION
          {{ GRAPH <{GRAPH_TRANSLATIONS}> {{ ?s ?p ?o FILTER(isLiteral(?o)) }}
             FILTER EXISTS {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s a ?type }} }} }} }}"""))
