"""What the contribution form makes: its fields read into RDF for one practice (its organisation picked from the KG
or described anew, its qualified links with basis, rationale and source), checked against the shapes, and each result
of the report put back beside the field it is about (by its focus node and sh:resultPath), in plain words.

The records of the qualified links are blank nodes in the data sent; while checking, they are IRIs of the form's own
(urn:x-sikg-form:…), so that a result about one of them says which entry of which group it is about.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..i18n.ui_text import form_words
from ..namespaces import ORGANISATION, PRACTICE, PREFIXES, RDF, SIKG
from ..rdf import jsonld
from ..validation import shacl
from ..validation.report import fix_hint
from .form import LANGUAGE_CHOICE, MAX_ENTRIES, Field, Form, Group, Section, entry_prefix, field_name, filled_entries
from .form_input import as_fields, fields_by_name, general_name

RECORD = "urn:x-sikg-form:record:"
SLUG = "slug"  # the practice's short name in its IRI: the one field no shape describes
CARRIED = "carried"  # a correction's nodes the form has no fields for (a record's evidence), as N-Triples
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_ENTRY = re.compile(r"^(.*?)\|(\d{1,3})\|")


@dataclass
class Problem:
    severity: str  # "Violation", "Warning", or "Form" (the form itself could not be read)
    message: str
    fix: str = ""

    def as_json(self) -> dict:
        return {"severity": self.severity, "message": self.message, "fix": self.fix}


@dataclass
class Draft:
    """The form read: the triples made, where each node came from, and what could not be read."""
    practice: str
    triples: list[ox.Triple] = field(default_factory=list)
    where: dict = field(default_factory=dict)  # focus IRI -> (prefix, {path: Field}, {direct path: group name})
    entries: dict[str, list[int]] = field(default_factory=dict)  # group name -> the entries to show
    problems: dict[str, list[Problem]] = field(default_factory=dict)  # field name ("" the whole form) -> problems

    def refuse(self, name: str, message: str) -> None:
        self.problems.setdefault(name, []).append(Problem("Form", message))

    def published(self) -> list[ox.Triple]:
        """The triples as sent: each record a blank node."""
        nodes: dict[str, ox.BlankNode] = {}
        node = lambda t: nodes.setdefault(t.value, ox.BlankNode()) if isinstance(t, ox.NamedNode) \
            and t.value.startswith(RECORD) else t
        # the practice first, then its records, then what else it describes: Turtle groups each subject's triples
        order = sorted(self.triples, key=lambda t: (t.subject.value != self.practice,
                                                    not t.subject.value.startswith(RECORD), t.subject.value))
        return [ox.Triple(node(t.subject), t.predicate, node(t.object)) for t in order]


def used_prefixes(triples) -> dict[str, str]:
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    return {name: ns for name, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-")


def _raw(values, name: str) -> list[str]:
    return [v.strip() for v in values.getlist(name) if v and v.strip()]


def _node(f: Field, prefix: str, values, draft: Draft, words: dict) -> list:
    """A field leading to nodes its shapes describe (a link's evidence): one node, a record of the form's own, for
    each of its entries with an input filled in, described by them; where each node's inputs are is noted, so that a
    result about it (a page missing) is shown beside them."""
    name = field_name(prefix, f)
    used = filled_entries(name, values) if f.multiple else [-1]
    draft.entries[name] = f.node_entries(name, values)
    nodes = []
    for i in used:
        inner = entry_prefix(name, f, i)
        made = [(g, term) for g in f.nested.fields for term in _objects(g, inner, values, draft, words)]
        if not made:
            continue
        node = ox.NamedNode(f"{RECORD}node-{len(draft.where)}-{len(draft.triples)}")
        if f.node_class:
            draft.triples.append(ox.Triple(node, RDF.term("type"), ox.NamedNode(f.node_class)))
        draft.triples += [ox.Triple(node, ox.NamedNode(g.path), term) for g, term in made]
        draft.where[node.value] = ({g.path: field_name(inner, g) for g in f.nested.fields}, {})
        nodes.append(node)
    return nodes


def _objects(f: Field, prefix: str, values, draft: Draft, words: dict) -> list:
    """The RDF terms a field's inputs make (an unreadable one noted against the field)."""
    if f.kind == "node":
        return _node(f, prefix, values, draft, words)
    if f.kind == "langtext":
        return [ox.Literal(v, language=lang) for lang in f.languages for v in _raw(values, field_name(prefix, f, lang))]
    name = field_name(prefix, f)
    raws = _raw(values, name)
    if f.kind == "iri":
        raws = [line.strip() for raw in raws for line in raw.splitlines() if line.strip()]
    terms = []
    for raw in raws:
        if f.kind in ("iri", "choice"):
            if raw == "new":
                continue
            if not re.match(r"^https?://", raw, re.IGNORECASE) and f.kind == "iri":
                draft.refuse(name, words["not_iri"].format(value=raw))
                continue
            if f.kind == "choice" and f.choices and raw not in {c.value for c in f.choices}:
                draft.refuse(name, words["not_choice"].format(value=raw))  # only what the list offers
                continue
            try:
                terms.append(ox.NamedNode(raw))
            except ValueError:
                draft.refuse(name, words["not_iri"].format(value=raw))
        elif f.kind == "literal":
            terms.append(ox.Literal(raw, datatype=ox.NamedNode(f.datatype)))
        else:
            terms.append(ox.Literal(raw))
    return terms


def _describe(subject: ox.NamedNode, section: Section, values, draft: Draft, words: dict) -> None:
    fields = {}
    for f in section.fields:
        name = field_name(section.prefix, f)
        fields[f.path] = name
        for term in _objects(f, section.prefix, values, draft, words):
            draft.triples.append(ox.Triple(subject, ox.NamedNode(f.path), term))
    draft.where[subject.value] = (fields, {})


def _iri(namespace: str, slug: str, name: str, values, draft: Draft, words: dict, store) -> ox.NamedNode:
    iri = ox.NamedNode(namespace + slug)
    if store.query(f"ASK {{ <{iri.value}> ?p ?o }}"):
        draft.refuse(name, words["taken"].format(iri=iri.value))
    return iri


def _first_text(section: Section, values) -> str:
    for f in section.fields:
        if f.kind == "langtext":
            for lang in f.languages:
                found = _raw(values, field_name(section.prefix, f, lang))
                if found:
                    return found[0]
    return ""


def entries(group: Group, values) -> tuple[list[int], list[int]]:
    """(the entries filled in, the entries to show: those and one empty one)."""
    used = sorted({int(m.group(2)) for key in values.keys() if (m := _ENTRY.match(key)) and m.group(1) == group.name
                   and not key.endswith("|" + LANGUAGE_CHOICE)
                   and any(v.strip() for v in values.getlist(key))})[:MAX_ENTRIES]
    return used, used + [max(used, default=-1) + 1]


def _links(practice: ox.NamedNode, number: str, group: Group, values, draft: Draft, words: dict) -> None:
    filled, shown = entries(group, values)
    draft.entries[group.name] = shown
    directs = set()
    for i in filled:
        prefix = f"{group.name}|{i}|"
        record = ox.NamedNode(f"{RECORD}{number}-{i}")
        draft.triples.append(ox.Triple(practice, ox.NamedNode(group.qualifier), record))
        if group.record_class:
            draft.triples.append(ox.Triple(record, RDF.term("type"), ox.NamedNode(group.record_class)))
        fields = {}
        for f in group.fields:
            name = field_name(prefix, f)
            fields[f.path] = name
            fields.update(dict.fromkeys(f.alternative_of, name))  # a result of its sh:or has no path: shown here
            for term in _objects(f, prefix, values, draft, words):
                draft.triples.append(ox.Triple(record, ox.NamedNode(f.path), term))
                if f.key == group.target and term not in directs:
                    directs.add(term)
                    draft.triples.append(ox.Triple(practice, ox.NamedNode(group.direct), term))
        draft.where[record.value] = (fields, {})


def _new_slug(section: Section, values, draft: Draft, words: dict) -> str:
    """A new organisation's short name in its IRI: its own input where there is one (the spreadsheet's column),
    else made from its first name."""
    name = section.prefix + SLUG
    given = (values.get(name) or "").strip().lower()
    if given and not _SLUG.match(given):
        draft.refuse(name, words["bad_slug"])
    return given if _SLUG.match(given) else slugify(given or _first_text(section, values)) or "new-organisation"


def read_form(form: Form, values, store, language: str, records: str = "") -> Draft:
    """The form's inputs (a MultiDict) as the RDF of one practice; `records` sets its records' IRIs apart from
    those of other practices read with it (a spreadsheet's rows)."""
    words = form_words(language)
    values, unread = as_fields(form, values, words)  # names chosen as IRIs, a text with its language in its box
    root = form.root
    # the form describes a practice; the one to correct an organisation (correction.py) an organisation
    namespace = ORGANISATION if root.target_class == SIKG.Organisation else PRACTICE
    slug = (values.get(SLUG) or "").strip().lower() or slugify(_first_text(root, values)) or "new-practice"
    draft = Draft(namespace + slug)
    if not _SLUG.match(slug):
        draft.refuse(SLUG, words["bad_slug"])
        slug = slugify(slug) or "new-practice"
        draft.practice = namespace + slug
    for name, messages in unread.items():
        draft.problems.setdefault(name, []).extend(Problem("Form", m) for m in messages)
    if (values.get("revises") or "") == namespace + slug:  # a correction of a published resource (correction.py)
        practice = ox.NamedNode(namespace + slug)
    else:
        practice = _iri(namespace, slug, SLUG, values, draft, words, store)
    draft.triples.append(ox.Triple(practice, RDF.term("type"), ox.NamedNode(root.target_class)))
    _describe(practice, root, values, draft, words)
    for f in (f for f in root.fields if f.new and "new" in values.getlist(field_name("", f))):
        name = field_name("", f)
        organisation = _iri(ORGANISATION, _new_slug(f.new, values, draft, words), name, values, draft, words, store)
        draft.triples += [ox.Triple(practice, ox.NamedNode(f.path), organisation),
                          ox.Triple(organisation, RDF.term("type"), ox.NamedNode(f.new.target_class))]
        _describe(organisation, f.new, values, draft, words)
    for number, group in enumerate(root.groups):
        _links(practice, f"{records}{number}", group, values, draft, words)
    draft.where[practice.value] = (draft.where[practice.value][0], {g.direct: g.name for g in root.groups})
    _carried(practice, values, draft)
    return draft


def _carried(practice: ox.NamedNode, values, draft: Draft) -> None:
    """What a correction carries unchanged (correction.py writes it): the blank nodes below the resource or its
    records that the form has no fields for (a record's evidence), as N-Triples naming the records by their form
    IRIs; only the nodes still linked from the resource or a record it keeps."""
    by_subject: dict = {}
    for text in values.getlist(CARRIED):
        try:
            for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES):
                by_subject.setdefault(t.subject, []).append(t)
        except SyntaxError:
            draft.refuse("", "the carried part of the correction is not N-Triples")
    kept = {practice} | {t.object for t in draft.triples if t.subject == practice and isinstance(t.object, ox.NamedNode)
                         and t.object.value.startswith(RECORD)}
    todo, seen = list(kept), set()
    while todo:
        node = todo.pop()
        for t in by_subject.get(node, []) if node not in seen else []:
            if isinstance(t.object, ox.BlankNode):  # a node under it, and what is said about that node
                draft.triples.append(t)
                todo.append(t.object)
            elif isinstance(node, ox.BlankNode):
                draft.triples.append(t)
        seen.add(node)


# -- the report, beside the fields -----------------------------------------------------------------------------

@dataclass
class Preview:
    draft: Draft
    report: shacl.ValidationReport | None
    turtle: str
    jsonld: str

    @property
    def problems(self) -> dict[str, list[Problem]]:
        return self.draft.problems

    @property
    def conforms(self) -> bool:
        return self.report is not None and self.report.conforms and not any(
            p.severity == "Form" for found in self.problems.values() for p in found)

    def as_json(self) -> dict:
        return {"conforms": self.conforms, "practice": self.draft.practice,
                "problems": {name: [p.as_json() for p in found] for name, found in self.problems.items()},
                "turtle": self.turtle, "jsonld": self.jsonld}


def labels_by_name(form: Form) -> dict[str, str]:
    """Each field's label by its name (in every entry of a group: by the name without the entry)."""
    labels = {name: f.label for name, f in fields_by_name(form).items()}
    labels.update({g.name: g.label for g in form.root.groups})
    return labels


def place(result, draft: Draft) -> str:
    """The name of the field a result is about ("" where it is about the whole practice)."""
    fields, directs = draft.where.get(result.focus_node, ({}, {}))
    return directs.get(result.path) or fields.get(result.path) or fields.get(result.source_shape) or ""


def plain(result, label: str | None, language: str) -> Problem:
    """A result in plain words: its message, and how to fix it in the form's terms (the validation page's hint
    where the form has none for that constraint)."""
    words = form_words(language)
    component = (result.constraint_component or "").rsplit("#", 1)[-1]
    hint = words["hints"].get(component)
    fix = hint.format(field=label) if hint and label else fix_hint(result.constraint_component, result.path,
                                                                  result.focus_node, language)
    return Problem(result.severity, result.message_in(language), fix)


def preview(form: Form, values, store, language: str) -> Preview:
    draft = read_form(form, values, store, language)
    report = shacl.validate_quads([ox.Quad(t.subject, t.predicate, t.object) for t in draft.triples],
                                  shacl.store_reference(store))
    labels = labels_by_name(form)
    for result in report.results:
        name = place(result, draft)
        label = labels.get(name) or labels.get(general_name(name))
        draft.problems.setdefault(name, []).append(plain(result, label, language))
    published = draft.published()
    turtle = ox.serialize(published, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(published)).decode("utf-8")
    document = json.dumps(jsonld.compact(published, jsonld.context_url()), indent=2, ensure_ascii=False)
    return Preview(draft, report, turtle, document)
