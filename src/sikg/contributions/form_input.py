"""What a person typed into the contribution form, as its fields take it (issue 29, item 3): a choice is sent as the
name the person picked or typed in the reader's language (a country, an organisation, a method), read back as the IRI
it names, whatever the case typed; "A new one, described below" as `new`; the IRI itself is taken too (the page
without its names, the tests, a spreadsheet). A text with its language chosen from a list ("with_language": a
quotation) is sent as the text and, beside it, its language (`{name}|language`), read as the text in its language's
input (`{name}|{language}`), where form_data.py reads every text."""

import re
import unicodedata

from werkzeug.datastructures import MultiDict

from .form import LANGUAGE_CHOICE, Field, Form, field_name

_NUMBER = re.compile(r"\|\d{1,3}(?=\|)")  # an entry's number in an input's name
_WEB_ADDRESS = re.compile(r"^https?://\S+$", re.IGNORECASE)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).casefold()


def general_name(key: str) -> str:
    """An input's name without its entries' numbers: "group|0|sikg:evidence|1|dct:source" is
    "group|sikg:evidence|dct:source"."""
    return _NUMBER.sub("", key)


def fields_by_name(form: Form) -> dict[str, Field]:
    """Each field by its input's name (a group's fields by the name without the entry: "group|field"; the fields of
    the node a field leads to by its name and theirs: "group|sikg:evidence|dct:source")."""
    fields: dict[str, Field] = {}
    for prefix, within in [(s.prefix, s.fields) for s in form.sections()] + [(f"{g.name}|", g.fields)
                                                                               for g in form.root.groups]:
        fields.update(_named(prefix, within))
    return fields


def _named(prefix: str, fields: list[Field]) -> dict[str, Field]:
    named = {}
    for f in fields:
        named[field_name(prefix, f)] = f
        if f.nested is not None:
            named.update(_named(field_name(prefix, f) + "|", f.nested.fields))
    return named


def chosen(f: Field, sent: str, words: dict) -> str:
    """The value a choice's input names: the IRI of the choice with that name (or that IRI), `new` for a new one,
    else what was sent, which form_data.py refuses as not one of the choices."""
    sent = sent.strip()
    if sent == "new" or any(c.value == sent for c in f.choices):
        return sent
    wanted = _folded(sent)
    named = next((c.value for c in f.choices if _folded(c.label) == wanted), None)
    if named is None and f.new is not None and wanted == _folded(words["new"]):
        return "new"
    return named or sent


def as_fields(form: Form, values, words: dict) -> tuple[MultiDict, dict[str, list[str]]]:
    """The inputs as form_data.py reads them, and what could not be read (a language not offered), by input name."""
    fields = fields_by_name(form)
    general = general_name
    read, refused = MultiDict(), {}
    for key in values.keys():
        f = fields.get(general(key))
        if f is not None and (f.kind == "choice" or f.choices):
            for sent in values.getlist(key):
                value = chosen(f, sent, words)
                if f.kind == "iri" and value.strip() and not _WEB_ADDRESS.match(value):  # a name not in the list
                    refused.setdefault(key, []).append(words["not_choice"].format(value=value.strip()))
                else:
                    read.add(key, value)
        elif f is not None and f.kind == "langtext" and f.presentation == "with_language":
            languages = values.getlist(f"{key}|{LANGUAGE_CHOICE}")
            for i, text in enumerate(values.getlist(key)):
                language = languages[i] if i < len(languages) else ""
                if not text.strip():
                    continue
                if language in f.languages:
                    read.add(f"{key}|{language}", text)
                else:
                    refused.setdefault(key, []).append(words["not_language"].format(value=language))
        elif not _language_of_a_text(key, fields, general):
            for sent in values.getlist(key):
                read.add(key, sent)
    return read, refused


def _language_of_a_text(key: str, fields: dict[str, Field], general) -> bool:
    owner, _, last = key.rpartition("|")
    f = fields.get(general(owner)) if last == LANGUAGE_CHOICE else None
    return f is not None and f.presentation == "with_language"
