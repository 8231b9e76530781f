"""The words of the pages for people, in every language the interface speaks: the interface's strings, the hints on
how to fix a validation result, and what the validation page's script needs to write its report in the same words.

They live in gettext catalogues, not here: `locales/messages.pot` (each message's `msgctxt` is its key, its `msgid`
the English) and `locales/{language}/LC_MESSAGES/messages.po`, one per language, read once with Babel. A language
is spoken where its catalogue is present, so a new language is a new catalogue and no code. A key is flat
("home_title") or dotted by the table it belongs to ("hints.MinCountConstraintComponent", "form.sign_in",
"form.hints.…", "resource.…", "property.…", "js.…").

The data's own texts (labels, descriptions) are not here: they come from the store, in the reader's language
(i18n/languages.py).
"""

from functools import lru_cache
from pathlib import Path

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
def messages(language: str) -> dict[str, str]:
    """Every message of `language`'s catalogue by its key; where it is missing or empty, the English (the msgid
    in the English catalogue). A language without a catalogue gets English."""
    if language not in catalogue_languages():
        language = "en"
    with catalogue_path(language).open("rb") as file:
        catalogue = [m for m in read_po(file) if m.id and m.context]
    if language == "en":
        return {m.context: m.string or m.id for m in catalogue}
    found = {m.context: m.string for m in catalogue}
    return {key: found.get(key) or english for key, english in messages("en").items()}


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
    return {"text": {k: words[k] for k in keys}, "hints": fix_hints(language),
            "prefixes": dict(sorted(PREFIXES.items(), key=lambda p: -len(p[1])))}


def script_words(language: str) -> dict:
    """What the SPARQL page's script writes (its status lines), in `language`."""
    return _table(language, "js.")


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
