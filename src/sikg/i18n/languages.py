"""Which languages a reader gets: the data's texts (labels exist in SUPPORTED_LANGUAGES) and the pages' own words
(the interface speaks PAGE_LANGUAGES), each chosen by RFC 4647 lookup over `?lang=` and Accept-Language; and how a
text from the data is picked in the chosen language and marked with its own where that is not the page's.

Every page (/id, /ontology, home, browse, validation form) chooses through here, so they agree on <html lang> and
Content-Language.
"""

import unicodedata

import pyoxigraph as ox

from .ui_text import catalogue_languages, text

# The words of the pages (headings, navigation) exist in the languages with a catalogue (en, sv, fr, es, lv): a new
# catalogue in src/sikg/i18n/locales is a new interface language. The data has more.
PAGE_LANGUAGES = catalogue_languages()
SUPPORTED_LANGUAGES = tuple(dict.fromkeys(("en", "sv", "fr", "es", "lv", "ca", "eu") + PAGE_LANGUAGES))


def language_names() -> list[tuple[str, str]]:
    """Each language the interface speaks with its name in itself (from its catalogue), for the language switch."""
    return [(tag, text(tag)["language_name"]) for tag in PAGE_LANGUAGES]


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
    `ca-ES, sv;q=0.5` Catalan labels in a Swedish page, since English is not acceptable to that reader. `?lang=` is
    an explicit choice: `lang=ca` gives Catalan data in an English page (there is no Catalan interface)."""
    data = choose_language(requested, accept_language)
    if match_language(requested, SUPPORTED_LANGUAGES):
        page = match_language(requested, PAGE_LANGUAGES) or "en"
    else:
        page = choose_language(None, accept_language, PAGE_LANGUAGES)
    return LanguageChoice(data, page)


def choose_data_language(requested: str | None, accept_language) -> LanguageChoice:
    """The language the reader wants the data in (labels, descriptions): the same choice as the /id pages make,
    carrying the interface language chosen with it (so `pick_text` marks texts against the page's real
    language)."""
    return choose_languages(requested, accept_language)


def choose_ui_language(requested: str | None, accept_language) -> str:
    """The interface's language, chosen by RFC 4647 lookup among PAGE_LANGUAGES (`ca-ES, sv;q=0.5` gives Swedish,
    with Catalan labels where the data has them); `?lang=ca` gives Catalan labels in an English page."""
    return choose_data_language(requested, accept_language).page


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
    not in; and whether it is the sikg team's translation (from the translations graph), which a page says beside
    it."""

    lang: str | None
    translated: bool

    def __new__(cls, value: str, lang: str | None = None, translated: bool = False):
        text = super().__new__(cls, value)
        text.lang = lang
        text.translated = translated
        return text


def shown(literal: ox.Literal | None, page: str, default: str = "", translated: bool = False) -> Text:
    """A picked literal (or `default` where there is none) as a Text for a page whose own words are in `page`,
    `translated` where it comes from the translations graph."""
    if literal is None:
        return Text(default)
    language = literal.language or None
    return Text(literal.value, language if language and language.lower() != page.lower() else None, translated)


def pick_text(literals, language: str) -> Text | None:
    """The text in `language`, else English, else any, marked with its language where a page for a reader of
    `language` is in another; None where there is no text."""
    literal = pick(literals, language)
    return shown(literal, page_language(language)) if literal is not None else None


# Letters a language sorts as letters of their own, each after the letter it follows (Swedish å, ä, ö after z;
# Latvian č after c, š after s…; Spanish ñ after n), the tailorings of the Unicode Collation Algorithm's root order
# that CLDR gives for these languages. Any other accented letter sorts with its base letter, its accent deciding
# only between words otherwise equal (French, English, and Latvian ā, ē, ī, ū).
_TAILORED_LETTERS = {
    "sv": {"å": ("z", 1), "ä": ("z", 2), "æ": ("z", 2), "ö": ("z", 3), "ø": ("z", 3)},
    "lv": {"č": ("c", 1), "ģ": ("g", 1), "ķ": ("k", 1), "ļ": ("l", 1), "ņ": ("n", 1), "š": ("s", 1), "ž": ("z", 1)},
    "es": {"ñ": ("n", 1)},
}


def _base_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def collation_key(text: str, language: str):
    """A sort key that orders names as a reader of `language` expects them in a list: Suède after Espagne and
    France in French, Zviedrija after Spānija in Latvian, Österrike after Zypern in Swedish; case and accents
    decide only between names otherwise equal. (No ICU here: the few tailorings of the interface's languages.)"""
    tailored = _TAILORED_LETTERS.get(str(language or "").lower().split("-")[0], {})  # the data's language
    folded = unicodedata.normalize("NFC", text.casefold())
    primary = tuple(tailored.get(ch) or (_base_letters(ch), 0) for ch in folded)
    return primary, folded, text
