"""The words of the pages for people, in every language the interface speaks: the interface's strings, the hints on
how to fix a validation result, and what the validation page's script needs to write its report in the same words.

They live in gettext catalogues, not here: `locales/messages.pot` (each message's `msgctxt` is its key, its `msgid`
the English) and `locales/{language}/LC_MESSAGES/messages.po`, one per language, read once with Babel. A language
is spoken where its catalogue is present, so a new language is a new catalogue and no code. A key is flat
("home_title") or dotted by the table it belongs to ("hints.MinCountConstraintComponent", "form.sign_in",
"form.hints.…", "resource.…", "property.…", "js.…").

A count followed by what it counts ("1 practice", "21 prakse") is a plural entry (msgid_plural, one msgstr per
form): `counted` chooses the form by the catalogue's own Plural-Forms rule, as gettext's ngettext does, and
`plural_forms` hands the forms to the pages' scripts by CLDR category ("one", "few", "other"...), which is what the
browser's Intl.PluralRules answers; tests/test_plurals.py holds the two rules to agree.

The data's own texts (labels, descriptions) are not here: they come from the store, in the reader's language
(i18n/languages.py).
"""

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from ..namespaces import PREFIXES

LOCALES = Path(__file__).parent / "locales"
# The order of the language switch; a catalogue of any other language follows these, alphabetically.
PREFERRED_ORDER = ("en", "sv", "fr", "es", "lv")


def catalogue_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=1)
def catalogue_languages() -> tuple[str, ...]:
    """The languages with a catalogue, English first: the languages the interface speaks."""
    present = {p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/messages.po")}
    return tuple(tag for tag in PREFERRED_ORDER if tag in present) + tuple(sorted(present - set(PREFERRED_ORDER)))


@lru_cache(maxsize=None)
def _catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as file:
        return read_po(file)


def _spoken(language: str) -> str:
    return language if language in catalogue_languages() else "en"


@lru_cache(maxsize=None)
def messages(language: str) -> dict[str, str]:
    """Every message of `language`'s catalogue by its key; where it is missing or empty, the English (the msgid
    in the English catalogue). A language without a catalogue gets English. A plural entry is here by its last
    form (the general plural), for code that has no count at hand; `counted` chooses the right one."""
    language = _spoken(language)
    catalogue = [m for m in _catalogue(language) if m.id and m.context]
    found = {m.context: m.string[-1] if m.pluralizable else m.string for m in catalogue}
    if language == "en":
        return {m.context: found[m.context] or (m.id[-1] if m.pluralizable else m.id) for m in catalogue}
    return {key: found.get(key) or english for key, english in messages("en").items()}


@lru_cache(maxsize=None)
def _plural_entries(language: str) -> dict[str, tuple[str, ...]]:
    """The plural entries of `language`'s catalogue by key, with all their forms; English where a form is empty."""
    language = _spoken(language)
    entries = {m.context: tuple(m.string) for m in _catalogue(language) if m.context and m.pluralizable}
    if language == "en":
        english = {m.context: m.id for m in _catalogue("en") if m.context and m.pluralizable}
        return {key: forms if all(forms) else english[key] for key, forms in entries.items()}
    return {key: forms for key, forms in entries.items() if len(forms) == plural_count(language) and all(forms)}


def plural_count(language: str) -> int:
    """How many plural forms `language`'s catalogue has (its Plural-Forms header's nplurals)."""
    return _catalogue(_spoken(language)).num_plurals


@lru_cache(maxsize=None)
def plural_rule(language: str) -> Callable[[int], int]:
    """The catalogue's Plural-Forms expression as a function of the count: which form (0, 1, 2…) a count takes."""
    return gettext.c2py(_catalogue(_spoken(language)).plural_expr)


def plural_categories(language: str) -> tuple[str, ...]:
    """The CLDR plural categories of `language`, in the order of its catalogue's forms (gettext's order:
    zero, one, two, few, many, other)."""
    order = ("zero", "one", "two", "few", "many", "other")
    tags = Locale.parse(_spoken(language)).plural_form.tags | {"other"}
    return tuple(tag for tag in order if tag in tags)


def counted(language: str, key: str, count: int, **values) -> str:
    """The message `key` for `count` in `language`, its placeholders filled ({n} with the count unless `values`
    give it: "{n} of {total} practices" takes its form from {total}): gettext's ngettext, keyed by msgctxt. A
    language whose catalogue lacks the entry's forms gets the English ones with the English rule; a key that is not
    a plural entry is the same text for every count."""
    language = _spoken(language)
    forms = _plural_entries(language).get(key)
    if forms is None and key in _plural_entries("en"):
        language, forms = "en", _plural_entries("en")[key]
    chosen = forms[plural_rule(language)(count)] if forms else messages(language)[key]
    return chosen.format(**{"n": count, **values})


def plural_forms(language: str, prefix: str = "") -> dict[str, dict[str, str]]:
    """The plural entries whose key starts with `prefix`, by the rest of the key, each as its forms by CLDR
    category, for a page's script to choose with Intl.PluralRules."""
    language = _spoken(language)
    found = {}
    for key, english in _plural_entries("en").items():
        if key.startswith(prefix) and "." not in key[len(prefix):]:
            own = _plural_entries(language).get(key)
            forms, tags = (own, plural_categories(language)) if own else (english, plural_categories("en"))
            found[key[len(prefix):]] = dict(zip(tags, forms, strict=True))
    return found


def _table(language: str, prefix: str) -> dict[str, str]:
    """The messages whose key starts with `prefix`, by the rest of the key."""
    return {key[len(prefix):]: value for key, value in messages(language).items()
            if key.startswith(prefix) and "." not in key[len(prefix):]}


def text(language: str) -> dict:
    """The interface's words in `language` (the flat keys), English where the interface does not speak it."""
    return _table(language, "")


def fix_hints(language: str) -> dict:
    """How to fix a validation result, by the SHACL constraint component that produced it ({path} and {focus} are
    filled in); the general hint under ""."""
    hints = _table(language, "hints.")
    hints[""] = hints.pop("default")
    return hints


def client_strings(language: str) -> dict:
    """What the validation page's script needs to write the same report as the server does."""
    words = text(language)
    keys = ("conforms", "conforms_warnings", "not_conforms", "what", "where", "fix", "value", "unreadable", "line",
            "fix_syntax", "download_report", "nothing_sent", "checking", "report")
    counts = {k: v for k, v in plural_forms(language).items() if k in ("conforms_warnings", "violations_n",
                                                                        "warnings_n")}
    return {"text": {k: words[k] for k in keys}, "hints": fix_hints(language), "counts": counts,
            "prefixes": dict(sorted(PREFIXES.items(), key=lambda p: -len(p[1])))}


def script_words(language: str) -> dict:
    """What the SPARQL page's script writes (its status lines), in `language`; a count's words (rows, triples) as
    their plural forms by CLDR category."""
    return {**_table(language, "js."), **plural_forms(language, "js.")}


def resource_words(language: str) -> dict:
    """The resource and ontology pages' own headings."""
    return _table(language, "resource.")


def property_words(language: str) -> dict:
    """Names for the properties of other vocabularies (dct:description, skos:prefLabel…) as headings, by local
    name."""
    return _table(language, "property.")


def form_words(language: str) -> dict:
    """The contribution, sign-in and review pages' words in `language`, with "hints": how to fix a result in the
    form's terms ({field} is the field's label)."""
    return {**_table(language, "form."), "hints": _table(language, "form.hints.")}


def sheet_words(language: str) -> dict:
    """The spreadsheet template's own words (its sheets' names, how to fill it in) and what an upload's problems
    say, in `language`."""
    return _table(language, "sheet.")
