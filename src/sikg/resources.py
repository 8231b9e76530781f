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


# The words of the pages (headings, navigation) exist in these languages only; the data has more.
PAGE_LANGUAGES = ("en", "sv")


def match_language(tag: str | None, available) -> str | None:
    """BCP 47 lookup (RFC 4647 §3.4), case-insensitive: the tag, then ever shorter prefixes of it, so that sv-SE
    finds sv."""
    subtags = (tag or "").strip().lower().split("-")
    while subtags and subtags[0]:
        candidate = "-".join(subtags)
        if candidate in available:
            return candidate
        subtags.pop()
    return None


def choose_language(requested: str | None, accept_language, available=SUPPORTED_LANGUAGES) -> str:
    """`?lang=` first, then the browser's Accept-Language (in its order of preference), then English; both
    matched by the same BCP 47 rule."""
    preferences = [requested] + [tag for tag, quality in (accept_language or []) if quality > 0]  # best first
    for tag in preferences:
        chosen = match_language(tag, available)
        if chosen:
            return chosen
    return "en"


class LanguageChoice(str):
    """The reader's language for the data's texts (the string itself), carrying `page`: the language of the page's
    own words, chosen with it (see `choose_languages`). Every function that takes a data language and derives the
    page's from it (`page_language`) then agrees with the route on what <html lang> says."""

    page: str

    def __new__(cls, data: str, page: str):
        choice = super().__new__(cls, data)
        choice.page = page
        return choice


def choose_languages(requested: str | None, accept_language) -> LanguageChoice:
    """The data language (labels exist in SUPPORTED_LANGUAGES) and the page language (the interface speaks
    PAGE_LANGUAGES), each by RFC 4647 lookup over the reader's preferences among what exists: for
    `fr-FR, sv;q=0.5` French labels in a Swedish page, since English is not acceptable to that reader. `?lang=` is
    an explicit choice: `lang=fr` gives French data in an English page (there is no French interface)."""
    data = choose_language(requested, accept_language)
    if match_language(requested, SUPPORTED_LANGUAGES):
        page = match_language(requested, PAGE_LANGUAGES) or "en"
    else:
        page = choose_language(None, accept_language, PAGE_LANGUAGES)
    return LanguageChoice(data, page)


def page_language(language: str) -> str:
    """The language a page's own words are in for a reader who chose `language`: the one chosen with it (a
    LanguageChoice), else `language` where the interface speaks it, else English. This is what <html lang> and
    Content-Language state."""
    return getattr(language, "page", None) or (language if language in PAGE_LANGUAGES else "en")


def pick(literals: list[ox.Literal], language: str) -> ox.Literal | None:
    """The literal in `language` (or a regional variant of it), else English, else any."""
    for wanted in (language, "en"):
        for literal in literals:
            tag = (literal.language or "").lower()
            if tag == wanted or tag.startswith(wanted + "-"):
                return literal
    return literals[0] if literals else None


class Text(str):
    """A text from the data, with the lang attribute it needs on a page: its own language where that differs from
    the page's (a French label on an English page), else None, so that no text is labelled with a language it is
    not in."""

    lang: str | None

    def __new__(cls, value: str, lang: str | None = None):
        text = super().__new__(cls, value)
        text.lang = lang
        return text


def shown(literal: ox.Literal | None, page: str, default: str = "") -> Text:
    """A picked literal (or `default` where there is none) as a Text for a page whose own words are in `page`."""
    if literal is None:
        return Text(default)
    language = literal.language or None
    return Text(literal.value, language if language and language.lower() != page.lower() else None)


@dataclass
class Link:
    iri: str
    label: Text
    local: bool  # a resource of this service, shown as an internal link

    @property
    def href(self) -> str:
        """Local resources link to this server's path, whatever host the base IRI names."""
        return "/" + self.iri[len(BASE):] if self.local else self.iri


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
    contributed: bool = False


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def build_page(store, iri: str, triples: list[ox.Triple], language: str, property_labels: dict[str, str]) -> ResourcePage:
    """What the HTML page shows, chosen from the description in the reader's language (English, else any, where
    the data has no text in it), each text marked with its own language where that is not the page's."""
    subject = ox.NamedNode(iri)
    page_lang = page_language(language)
    labels: dict[str, list[ox.Literal]] = {}
    for t in triples:
        if t.predicate.value in LABELS and isinstance(t.object, ox.Literal):
            labels.setdefault(t.subject.value, []).append(t.object)

    def link(term) -> Link:
        label = pick(labels.get(term.value, []), language)
        return Link(term.value, shown(label, page_lang, _local_name(term.value)), term.value.startswith(BASE))

    def prop(p: str) -> str:
        return property_labels.get(p, _local_name(p))

    own = [t for t in triples if t.subject == subject]
    title = pick(labels.get(iri, []), language)
    in_page_language = [l for l in labels.get(iri, []) if match_language(l.language, (page_lang,))]
    page = ResourcePage(iri, shown(title, page_lang, _local_name(iri)), page_lang,
                        in_page_language[0].value if in_page_language else shown(title, page_lang, _local_name(iri)),
                        language)
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
            record["rationale"] = shown(literal, page_lang)
            page.qualified.append(record)
        else:
            grouped_links.setdefault(p, []).append(link(t.object))
    for p, literals in grouped_texts.items():
        chosen = pick(literals, language) if any(l.language for l in literals) else None
        for literal in ([chosen] if chosen else literals):
            page.texts.append((prop(p), shown(literal, page_lang)))
    page.links = [(prop(p), sorted(links, key=lambda l: l.label.lower())) for p, links in grouped_links.items()]
    incoming: dict[str, list[Link]] = {}
    for t in triples:
        if t.object == subject and t.subject != subject and not isinstance(t.subject, ox.BlankNode):
            incoming.setdefault(t.predicate.value, []).append(link(t.subject))
    page.incoming = [(prop(p), sorted(links, key=lambda l: l.label.lower())) for p, links in incoming.items()]
    page.sources.sort()
    return page


def property_labels(store, language: str) -> dict[str, str]:
    """Labels of the ontology's properties for page headings, which are the page's own words: in the page's
    language (English fallback) whichever language the reader chose for the data."""
    language = page_language(language)
    rows = store.query(f"""SELECT ?p ?label WHERE {{ GRAPH ?g {{ ?p <{PREFIXES['rdfs']}label> ?label }}
                           FILTER(STRSTARTS(STR(?p), "{PREFIXES['sikg']}")) }}""")
    found: dict[str, list[ox.Literal]] = {}
    for row in rows:
        found.setdefault(row["p"].value, []).append(row["label"])
    labels = {p: shown(pick(ls, language), language) for p, ls in found.items()}
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
    """The ontology's classes and properties with label and definition in `language` (English fallback), marked
    with their language where that is not the page's."""
    page_lang = page_language(language)
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
                       "label": shown(pick(list(set(entry["labels"])), language), page_lang),
                       "definition": shown(pick(list(set(entry["definitions"])), language), page_lang)})
    return sorted(result, key=lambda t: (t["kind"] != "Class", t["name"].lower()))
