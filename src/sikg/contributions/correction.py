"""A correction from the browser (issue 26): the contribution form filled in with a published practice's or
organisation's current description (GET /contribute?revise=IRI), which, sent, is a proposed revision of it with the
contributor's reason, reviewed like any other.

Nothing of the current description may be lost on the way through the form: the form to correct a resource is the
contribution form (for an organisation, the fields form.py makes to describe a new one, as the whole form), widened to
what the resource says: a text in a language the form has no box for gets one, a property it has no field for gets a
field (an organisation's sikg:operates), a qualified record of a kind the page does not offer by default gets its
group (a practice's characteristics and partnerships). A record's evidence nodes fill its evidence entries (each
node the entry's fields hold in full; any other node below a record is carried unchanged in a hidden input, as a
second value where the page has one box, two English quotations in one record, is). The sikg team's translations
are not part of the description (history.own_description): they stay where they are unless the revision gives its
own text in their language."""

import re

import pyoxigraph as ox
from werkzeug.datastructures import MultiDict

from ..errors import NotFound
from ..i18n.languages import Text
from ..namespaces import ORGANISATION, PRACTICE, RDF, SIKG, XSD
from ..pages.history import own_description
from ..rdf.descriptions import by_subject
from ..validation.report import compact_iri
from .form import Field, Form, Section, Terms, build_form, entry_prefix, field_name, presentation
from .form_data import CARRIED, RECORD, SLUG

REVISES, REASON = "revises", "reason"  # the form's inputs for what it corrects and why
ROOTS = {PRACTICE: SIKG.SupportPractice, ORGANISATION: SIKG.Organisation}  # what the form describes, by namespace
_ONE_BOX = ("langtext", "text", "literal")  # kinds the page shows one input for (per language), as a single field
_ENTRY = re.compile(r"^(.*?)\|(\d{1,3})\|")  # a group's entry in an input's name: "group|0|field"


def _namespace(iri: str | None) -> str | None:
    return next((ns for ns in ROOTS if iri and iri.startswith(ns) and len(iri) > len(ns)), None)


def _published(store, iri: str | None) -> list[ox.Triple]:
    """The resource's own description; NotFound (404) for what is not a published practice or organisation."""
    triples = own_description(store, iri) if _namespace(iri) else []
    if not any(t.subject == ox.NamedNode(iri) and t.predicate.value == RDF.type for t in triples):
        raise NotFound(f"no published practice or organisation {iri or ''} to correct".replace("  ", " "))
    return triples


def correction_form(store, language: str, iri: str | None) -> Form:
    """The form to correct `iri` (the practice form for anything else): for an organisation, the fields that describe
    one; the practice's qualified records of every kind; widened to every language and property it uses now."""
    if _namespace(iri) is None:
        return build_form(store, language)
    form = build_form(store, language, records_by_class=True)
    if _namespace(iri) == ORGANISATION:
        organisation = next(f.new for f in form.root.fields if f.new and f.new.target_class == SIKG.Organisation)
        form = Form(Section("", organisation.target_class, organisation.label, list(organisation.fields)), language)
    try:
        triples = _published(store, iri)
    except NotFound:
        return form  # nothing to widen it to: the form as it is (a new resource, or one gone since)
    about, terms = by_subject(triples), Terms(store, language)
    root = ox.NamedNode(iri)
    _widen(form.root.fields, about.get(root, []), terms, {RDF.type, *(g.qualifier for g in form.root.groups),
                                                          *(g.direct for g in form.root.groups)})
    for group in form.root.groups:
        records = [t.object for t in about.get(root, []) if t.predicate.value == group.qualifier]
        _widen(group.fields, [t for r in records for t in about.get(r, [])], terms, {RDF.type})
        for f in (f for f in group.fields if f.nested is not None):  # a text of its evidence in another language
            nodes = [t.object for r in records for t in about.get(r, []) if t.predicate.value == f.path]
            _widen(f.nested.fields, [t for n in nodes for t in about.get(n, [])], terms, {RDF.type}, add=False)
    return form


def _widen(fields: list[Field], triples: list[ox.Triple], terms: Terms, skipped: set[str], add: bool = True) -> None:
    """Each language the triples' texts are in, as a box of their field; each property without a field, as one
    (unless not `add`)."""
    by_path = {f.path: f for f in fields}
    for t in triples:
        f = by_path.get(t.predicate.value)
        language = t.object.language if isinstance(t.object, ox.Literal) else None
        if f is not None and f.kind == "langtext" and language and language not in f.languages:
            f.languages.append(language)
            f.language_names = terms.language_names(f.languages)
        elif add and f is None and t.predicate.value not in skipped and not isinstance(t.object, ox.BlankNode):
            by_path[t.predicate.value] = f = _field_for(t.predicate.value, [
                u.object for u in triples if u.predicate == t.predicate], terms)
            fields.append(f)


def _field_for(path: str, objects: list, terms: Terms) -> Field:
    """A field for a property the form has none for, of the kind its values are, shown as form.py shows its own."""
    label = terms.labels([path]).get(path) or Text(compact_iri(path))
    literals = [o for o in objects if isinstance(o, ox.Literal)]
    languages = list(dict.fromkeys(o.language for o in literals if o.language))
    datatype = next(iter({o.datatype.value for o in literals if not o.language} - {XSD.string}), None)
    if not literals:
        made = Field(compact_iri(path), path, label, None, "iri")
    elif languages:
        made = Field(compact_iri(path), path, label, None, "langtext", languages=languages,
                     language_names=terms.language_names(languages))
    else:
        made = Field(compact_iri(path), path, label, None, "literal" if datatype else "text", datatype=datatype)
    made.presentation = presentation(made)
    return made


def _inputs(prefix: str, fields: list[Field], triples: list[ox.Triple], own_class: str | None) -> list:
    """The form's inputs for `fields`, from the triples about one node."""
    found = []
    for f in fields:
        objects = [t.object for t in triples if t.predicate.value == f.path
                   and not (f.path == RDF.type and t.object.value == own_class)]
        if f.kind == "langtext":
            found += [(field_name(prefix, f, o.language), o.value) for o in objects
                      if isinstance(o, ox.Literal) and o.language in f.languages]
        else:
            found += [(field_name(prefix, f), o.value) for o in objects if not isinstance(o, ox.BlankNode)]
    return found


def form_values(form: Form, store, iri: str | None) -> MultiDict:
    """The form's inputs for the resource's current description; NotFound (404) for what is not a published
    practice or organisation. `form` is correction_form's for `iri`."""
    about = by_subject(_published(store, iri))
    own = about.get(ox.NamedNode(iri), [])
    values = [(REVISES, iri), (SLUG, iri[len(_namespace(iri)):])]
    values += _inputs(form.root.prefix, form.root.fields, own, form.root.target_class)
    nested = _nested(ox.NamedNode(iri), own, {g.qualifier for g in form.root.groups}, about)
    for number, group in enumerate(form.root.groups):
        records = [t.object for t in own if t.predicate.value == group.qualifier and isinstance(t.object, ox.BlankNode)]
        for i, record in enumerate(records):
            values += _inputs(f"{group.name}|{i}|", group.fields, about.get(record, []), group.record_class)
            entries, taken = _node_entries(f"{group.name}|{i}|", group.fields, about.get(record, []), about)
            values += entries
            nested += _nested(ox.NamedNode(f"{RECORD}{number}-{i}"),
                              [t for t in about.get(record, []) if t.object not in taken], set(), about)
    if nested:
        values.append((CARRIED, "".join(f"{t} .\n" for t in nested)))
    return MultiDict(values)


def _node_entries(prefix: str, fields: list[Field], triples: list[ox.Triple], about: dict) -> tuple[list, set]:
    """The entries of the node fields (a link's evidence) for the nodes the triples lead to, and those nodes: each
    node its field's entry holds in full (its class, one value per single field, every text in a language offered);
    any other is left to be carried."""
    found, taken = [], set()
    for f in (f for f in fields if f.nested is not None):
        name, by_path, entry = field_name(prefix, f), {g.path: g for g in f.nested.fields}, 0
        for node in [t.object for t in triples if t.predicate.value == f.path and isinstance(t.object, ox.BlankNode)]:
            said = [t for t in about.get(node, []) if not (t.predicate.value == RDF.type and f.node_class
                                                           and t.object.value == f.node_class)]
            typed = len(said) < len(about.get(node, [])) or not f.node_class
            if not typed or (entry and not f.multiple) or not all(_holds(by_path.get(t.predicate.value), t, said)
                                                                   for t in said):
                continue
            found += _inputs(entry_prefix(name, f, entry), f.nested.fields, said, None)
            taken.add(node)
            entry += 1
    return found, taken


def _holds(f: Field | None, t: ox.Triple, said: list[ox.Triple]) -> bool:
    """Whether a node's field holds this statement of it as an input of its own."""
    if f is None or isinstance(t.object, ox.BlankNode) or (f.kind == "node"):
        return False
    if f.kind == "langtext" and not (isinstance(t.object, ox.Literal) and t.object.language in f.languages):
        return False
    return f.multiple or sum(u.predicate == t.predicate for u in said) == 1


def _nested(subject, triples: list[ox.Triple], grouped: set[str], about: dict) -> list[ox.Triple]:
    """The blank nodes below a node that the form has no group for (a record's evidence), each with all it says
    (recursively), the node named `subject` (a record by the IRI the form gives it: form_data.RECORD)."""
    found, todo, seen = [], [], set()
    for t in triples:
        if isinstance(t.object, ox.BlankNode) and t.predicate.value not in grouped:
            found.append(ox.Triple(subject, t.predicate, t.object))
            todo.append(t.object)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            found += about.get(node, [])
            todo += [t.object for t in about.get(node, []) if isinstance(t.object, ox.BlankNode)]
    return found


def carried(form: Form | None, values) -> list[tuple[str, str]]:
    """The inputs of a correction the page has no box for (a second value where it shows one input), which it
    carries in hidden inputs, unchanged, after the boxes (so that a box's own value comes first when posted)."""
    if form is None or not values.get(REVISES):
        return []
    one_box = lambda prefix, fields: {field_name(prefix, f, language) for f in fields
                                      if f.kind in _ONE_BOX or not f.multiple
                                      for language in (f.languages if f.kind == "langtext" else [None])}
    names = one_box(form.root.prefix, form.root.fields)
    names |= {name for g in form.root.groups for name in one_box(f"{g.name}||", g.fields)}
    in_entry = lambda key: _ENTRY.sub(lambda m: m.group(1) + "||", key, count=1)
    return [(key, value) for key in values.keys() if key in names or in_entry(key) in names
            for value in values.getlist(key)[1:]] + [(CARRIED, value) for value in values.getlist(CARRIED)]
