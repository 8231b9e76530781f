"""Dereferenceable IRIs: what the service says about one resource, and how a page shows it in a chosen language."""

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import BASE, PREFIXES

KINDS = ("practice", "organisation", "element", "method", "level", "actor-type", "characteristic", "basis", "scheme",
         "collection", "dataset")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,200}$")
LABELS = [PREFIXES["skos"] + "prefLabel", PREFIXES["rdfs"] + "label", PREFIXES["dct"] + "title"]
SUPPORTED_LANGUAGES = ("en", "sv", "fr", "es", "lv", "ca", "eu")


def resource_iri(kind: str, slug: str) -> str | None:
    """The IRI for /id/{kind}/{slug}, or None for a path that cannot name a resource (traversal, odd characters)."""
    if kind not in KINDS or not _SLUG.match(slug) or ".." in slug:
        return None
    return f"{BASE}id/{kind}/{slug}"


def describe(store, iri: str) -> list[ox.Triple]:
    """The resource's own triples with the blank nodes they lead to (its qualified links), the labels of everything
    it links to, and the sikg links that point at it (with their subjects' labels), so a page can show both ways."""
    node = f"<{iri}>"
    query = f"""
    PREFIX sikg: <{PREFIXES['sikg']}>
    CONSTRUCT {{ ?s ?p ?o . ?o ?lp ?label . ?in ?ip {node} . ?in ?inlp ?inlabel . ?in a ?intype . }}
    WHERE {{
      {{ {node} ?p ?o . BIND({node} AS ?s)
         OPTIONAL {{ ?o ?lp ?label . FILTER(?lp IN (<{LABELS[0]}>, <{LABELS[1]}>, <{LABELS[2]}>)) }} }}
      UNION
      {{ {node} ?p0 ?b . FILTER(isBlank(?b)) ?b ?p ?o . BIND(?b AS ?s)
         OPTIONAL {{ ?o ?lp ?label . FILTER(?lp IN (<{LABELS[0]}>, <{LABELS[1]}>, <{LABELS[2]}>)) }} }}
      UNION
      {{ ?in ?ip {node} . FILTER(STRSTARTS(STR(?ip), STR(sikg:)) && !isBlank(?in))
         OPTIONAL {{ ?in ?inlp ?inlabel . FILTER(?inlp IN (<{LABELS[0]}>, <{LABELS[1]}>)) }}
         OPTIONAL {{ ?in a ?intype }} }}
    }}"""
    return list(dict.fromkeys(store.query(query)))  # CONSTRUCT repeats a triple once per label it matched


def exists(store, iri: str) -> bool:
    return bool(store.query(f"ASK {{ <{iri}> ?p ?o }}"))


def choose_language(requested: str | None, accept_language) -> str:
    """`?lang=` first, then the browser's Accept-Language, then English."""
    if requested and requested.lower() in SUPPORTED_LANGUAGES:
        return requested.lower()
    best = accept_language.best_match(SUPPORTED_LANGUAGES) if accept_language else None
    return best or "en"


def pick(literals: list[ox.Literal], language: str) -> ox.Literal | None:
    """The literal in `language`, else English, else any."""
    for wanted in (language, "en"):
        for literal in literals:
            if literal.language == wanted:
                return literal
    return literals[0] if literals else None


@dataclass
class Link:
    iri: str
    label: str
    local: bool  # a resource of this service, shown as an internal link

    @property
    def href(self) -> str:
        """Local resources link to this server's path, whatever host the base IRI names."""
        return "/" + self.iri[len(BASE):] if self.local else self.iri


@dataclass
class ResourcePage:
    iri: str
    title: str
    language: str
    types: list[Link] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (property label, text)
    links: list[tuple[str, list[Link]]] = field(default_factory=list)
    qualified: list[dict] = field(default_factory=list)
    incoming: list[tuple[str, list[Link]]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    contributed: bool = False


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def build_page(store, iri: str, triples: list[ox.Triple], language: str, property_labels: dict[str, str]) -> ResourcePage:
    """What the HTML page shows, chosen from the description in the reader's language."""
    subject = ox.NamedNode(iri)
    labels: dict[str, list[ox.Literal]] = {}
    for t in triples:
        if t.predicate.value in LABELS and isinstance(t.object, ox.Literal):
            labels.setdefault(t.subject.value, []).append(t.object)

    def link(term) -> Link:
        label = pick(labels.get(term.value, []), language)
        return Link(term.value, label.value if label else _local_name(term.value), term.value.startswith(BASE))

    def prop(p: str) -> str:
        return property_labels.get(p, _local_name(p))

    own = [t for t in triples if t.subject == subject]
    title = pick(labels.get(iri, []), language)
    page = ResourcePage(iri, title.value if title else _local_name(iri), language)
    grouped_texts: dict[str, list[ox.Literal]] = {}
    grouped_links: dict[str, list[Link]] = {}
    for t in own:
        p = t.predicate.value
        if p == PREFIXES["rdf"] + "type":
            page.types.append(link(t.object))
        elif p == PREFIXES["dct"] + "source":
            page.sources.append(t.object.value)
        elif isinstance(t.object, ox.Literal):
            if p not in LABELS:
                grouped_texts.setdefault(p, []).append(t.object)
        elif isinstance(t.object, ox.BlankNode):
            record = {"property": prop(p)}
            for r in triples:
                if r.subject == t.object:
                    if isinstance(r.object, ox.Literal):
                        record.setdefault("texts", []).append(r.object)
                    elif r.predicate.value == PREFIXES["dct"] + "source":
                        record["source"] = r.object.value
                    elif r.predicate.value != PREFIXES["rdf"] + "type":
                        record.setdefault("links", []).append((prop(r.predicate.value), link(r.object)))
            literal = pick(record.pop("texts", []), language)
            record["rationale"] = literal.value if literal else ""
            page.qualified.append(record)
        else:
            grouped_links.setdefault(p, []).append(link(t.object))
    for p, literals in grouped_texts.items():
        chosen = pick(literals, language) if any(l.language for l in literals) else None
        for literal in ([chosen] if chosen else literals):
            page.texts.append((prop(p), literal.value))
    page.links = [(prop(p), sorted(links, key=lambda l: l.label.lower())) for p, links in grouped_links.items()]
    incoming: dict[str, list[Link]] = {}
    for t in triples:
        if t.object == subject and t.subject != subject and not isinstance(t.subject, ox.BlankNode):
            incoming.setdefault(t.predicate.value, []).append(link(t.subject))
    page.incoming = [(prop(p), sorted(links, key=lambda l: l.label.lower())) for p, links in incoming.items()]
    page.sources.sort()
    return page


def property_labels(store, language: str) -> dict[str, str]:
    """Labels of the ontology's properties in `language` (English fallback), for page headings."""
    rows = store.query(f"""SELECT ?p ?label WHERE {{ GRAPH ?g {{ ?p <{PREFIXES['rdfs']}label> ?label }}
                           FILTER(STRSTARTS(STR(?p), "{PREFIXES['sikg']}")) }}""")
    found: dict[str, list[ox.Literal]] = {}
    for row in rows:
        found.setdefault(row["p"].value, []).append(row["label"])
    labels = {p: pick(ls, language).value for p, ls in found.items()}
    defaults = {"en": {"description": "description", "source": "sources", "homepage": "homepage",
                       "prefLabel": "label", "definition": "definition", "notation": "notation",
                       "inScheme": "in scheme", "hadMember": "members", "publisher": "publisher"},
                "sv": {"description": "beskrivning", "source": "källor", "homepage": "webbplats",
                       "prefLabel": "benämning", "definition": "definition", "notation": "notation",
                       "inScheme": "i begreppssystem", "hadMember": "medlemmar", "publisher": "utgivare"}}
    vocabulary = defaults.get(language, defaults["en"])
    for namespace in ("dct", "foaf", "skos", "prov"):
        for local, text in vocabulary.items():
            labels.setdefault(PREFIXES[namespace] + local, text)
    return labels


def ontology_terms(store, language: str) -> list[dict]:
    """The ontology's classes and properties with label and definition in `language` (English fallback)."""
    rows = store.query(f"""
        SELECT ?term ?kind ?label ?definition WHERE {{ GRAPH ?g {{
          ?term a ?kind ; <{PREFIXES['rdfs']}label> ?label ; <{PREFIXES['skos']}definition> ?definition .
          FILTER(STRSTARTS(STR(?term), "{PREFIXES['sikg']}"))
          FILTER(?kind IN (<{PREFIXES['owl']}Class>, <{PREFIXES['owl']}ObjectProperty>,
                           <{PREFIXES['owl']}DatatypeProperty>)) }} }}""")
    terms: dict[str, dict] = {}
    for row in rows:
        entry = terms.setdefault(row["term"].value, {"iri": row["term"].value, "kind": _local_name(row["kind"].value),
                                                     "labels": [], "definitions": []})
        entry["labels"].append(row["label"])
        entry["definitions"].append(row["definition"])
    result = []
    for entry in terms.values():
        result.append({"iri": entry["iri"], "name": _local_name(entry["iri"]), "kind": entry["kind"],
                       "label": pick(list(set(entry["labels"])), language).value,
                       "definition": pick(list(set(entry["definitions"])), language).value})
    return sorted(result, key=lambda t: (t["kind"] != "Class", t["name"].lower()))
