"""A correction from the browser (issue 26): the contribution form filled in with a published practice's current
description (GET /contribute?revise=IRI), which, sent, is a proposed revision of it with the contributor's reason,
reviewed like any other."""

import pyoxigraph as ox
from werkzeug.datastructures import MultiDict

from ..errors import NotFound
from ..namespaces import PRACTICE, describe_pattern
from .form import Field, Form, field_name
from .form_data import SLUG

REVISES, REASON = "revises", "reason"  # the form's inputs for what it corrects and why


def _inputs(prefix: str, fields: list[Field], triples: list[ox.Triple]) -> list[tuple[str, str]]:
    """The form's inputs for `fields`, from the triples about one node."""
    found = []
    for f in fields:
        objects = [t.object for t in triples if t.predicate.value == f.path]
        if f.kind == "langtext":
            found += [(field_name(prefix, f, o.language), o.value) for o in objects
                      if isinstance(o, ox.Literal) and o.language in f.languages]
        else:
            found += [(field_name(prefix, f), o.value) for o in objects if not isinstance(o, ox.BlankNode)]
    return found


def form_values(form: Form, store, iri: str | None) -> MultiDict:
    """The form's inputs for the practice's current description; NotFound (404) for what is not a published
    practice."""
    if not iri or not iri.startswith(PRACTICE) or not store.query(f"ASK {{ <{iri}> a ?type }}"):
        raise NotFound(f"no published practice {iri or ''} to correct")
    triples = list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {describe_pattern(iri)} }}"))
    about: dict = {}
    for t in triples:
        about.setdefault(t.subject, []).append(t)
    own = about.get(ox.NamedNode(iri), [])
    values = [(REVISES, iri), (SLUG, iri[len(PRACTICE):])] + _inputs(form.root.prefix, form.root.fields, own)
    for group in form.root.groups:
        records = [t.object for t in own if t.predicate.value == group.qualifier and isinstance(t.object, ox.BlankNode)]
        for i, record in enumerate(records):
            values += _inputs(f"{group.name}|{i}|", group.fields, about.get(record, []))
    return MultiDict(values)
