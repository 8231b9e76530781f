"""The interface's words in gettext catalogues (sikg.i18n): every catalogue present holds every
message of messages.pot, translated, with the same placeholders; the interface speaks exactly the languages with a
catalogue, names each in itself in the switch, and a page in one of them has its words from the catalogue; the curated
queries are titled and described in the page's language (English, marked lang="en", where a query has no translation);
on `?lang=lv` no English chrome is left (once the fr, es and lv catalogues are in)."""

import json
import re
import shutil
from html import unescape
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from sikg.i18n import languages, ui_text
from sikg.settings import Settings
from sikg.sparql import queries
from sikg.store import open_store
from sikg.web.app import create_app

LOCALES = ui_text.LOCALES
TEMPLATE = LOCALES / "messages.pot"
CATALOGUES = sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))
FIVE = {"en": "English", "sv": "Svenska", "fr": "Français", "es": "Español", "lv": "Latviešu"}
ALL_FIVE = all(ui_text.catalogue_path(tag).exists() for tag in FIVE)
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def read(path):
    with path.open("rb") as file:
        return read_po(file)


def entries(path) -> list:
    return [m for m in read(path) if m.id]


def template() -> dict[str, str]:
    return {m.context: m.id for m in entries(TEMPLATE)}


def language_of(path) -> str:
    return path.parent.parent.name


def translated(message, forms: int) -> bool:
    """A message has its text, a plural entry one for each of its language's forms."""
    if message.pluralizable:
        return len(message.string) == forms and all(s.strip() for s in message.string)
    return isinstance(message.string, str) and bool(message.string.strip())


# -- the catalogues ------------------------------------------------------------------------------------------------

def test_the_template_has_a_key_for_every_message_and_no_key_twice():
    keys = [m.context for m in entries(TEMPLATE)]
    assert all(keys) and len(keys) == len(set(keys))
    assert TEMPLATE.read_text(encoding="utf-8").count("\nmsgctxt ") == len(keys)  # none merged away by read_po
    assert {"en", "sv"} <= {language_of(p) for p in CATALOGUES}


@pytest.mark.parametrize("path", CATALOGUES, ids=language_of)
def test_every_message_is_present_and_translated(path):
    wanted = template()
    found = {m.context: m for m in entries(path)}
    assert path.read_text(encoding="utf-8").count("\nmsgctxt ") == len(found), "a msgctxt twice"
    assert set(found) == set(wanted), (set(wanted) - set(found), set(found) - set(wanted))
    stale = [key for key, m in found.items() if m.id != wanted[key]]
    assert not stale, stale  # the msgid is the template's English
    if language_of(path) != "en":  # English may leave msgstr empty: the msgid is the text
        forms = read(path).num_plurals  # (read once: reading the catalogue again for each message took seconds)
        untranslated = [key for key, m in found.items() if not translated(m, forms)]
        assert not untranslated, untranslated
    assert not [key for key, m in found.items() if m.fuzzy], "a fuzzy translation is one nobody checked"


@pytest.mark.parametrize("path", CATALOGUES, ids=language_of)
def test_placeholders_stay_verbatim(path):
    wrong = [(m.context, m.string) for m in entries(path) if m.string and not m.pluralizable
             and sorted(PLACEHOLDER.findall(m.string)) != sorted(PLACEHOLDER.findall(m.id))]
    assert not wrong, wrong


@pytest.mark.parametrize("path", CATALOGUES, ids=language_of)
def test_a_plural_form_keeps_the_placeholders_of_the_counts_it_is_for(path):
    """A form may leave out the count only where it is said for 1 alone ("Accept the practice"): a form that some
    other count takes (Latvian's "one" is 21's too) keeps every placeholder of the English plural."""
    rule = ui_text.plural_rule(language_of(path))
    for m in entries(path):
        if m.pluralizable and any(m.string):
            wanted = set(PLACEHOLDER.findall(m.id[1]))
            for index, form in enumerate(m.string):
                assert set(PLACEHOLDER.findall(form)) <= wanted, (m.context, form)
                if any(rule(n) == index for n in range(200) if n != 1):
                    assert set(PLACEHOLDER.findall(form)) == wanted, (m.context, index, form)


@pytest.mark.parametrize("path", CATALOGUES, ids=language_of)
def test_each_catalogue_names_its_language_in_itself(path):
    name = ui_text.text(language_of(path))["language_name"]
    assert name and (language_of(path) not in FIVE or name == FIVE[language_of(path)])


# -- the interface speaks the languages with a catalogue --------------------------------------------------------------

def test_the_page_languages_are_those_with_a_catalogue():
    assert languages.PAGE_LANGUAGES == ui_text.catalogue_languages()
    assert languages.PAGE_LANGUAGES[0] == "en"
    assert set(languages.PAGE_LANGUAGES) == {language_of(p) for p in CATALOGUES}
    assert set(languages.PAGE_LANGUAGES) <= set(languages.SUPPORTED_LANGUAGES)


def test_a_new_catalogue_is_a_new_language(tmp_path, monkeypatch):
    """No code: a catalogue made with `pybabel init` from the template (here: a copy of the English) is found."""
    shutil.copytree(LOCALES, tmp_path / "locales")
    german = tmp_path / "locales" / "de" / "LC_MESSAGES"
    german.mkdir(parents=True)
    shutil.copy(LOCALES / "en" / "LC_MESSAGES" / "messages.po", german / "messages.po")
    monkeypatch.setattr(ui_text, "LOCALES", tmp_path / "locales")
    ui_text.catalogue_languages.cache_clear()
    try:
        assert ui_text.catalogue_languages()[-1] == "de"
    finally:
        monkeypatch.undo()
        ui_text.catalogue_languages.cache_clear()


def test_the_accessors_keep_their_shapes():
    english = ui_text.text("en")
    assert english["home_title"] == "Support for social innovation in Europe"
    assert ui_text.text("xx") == english  # no catalogue: English
    hints = ui_text.fix_hints("sv")
    assert "{path}" in hints["MinCountConstraintComponent"] and "" in hints
    form = ui_text.form_words("sv")
    assert form["sign_in"] == "Logga in" and "{field}" in form["hints"]["MinCountConstraintComponent"]
    assert ui_text.resource_words("sv")["sources"] == "Källor"
    assert set(ui_text.client_strings("en")) == {"text", "hints", "counts", "prefixes"}
    assert ui_text.property_words("sv")["description"] == "beskrivning"
    assert "{ms}" in ui_text.script_words("en")["rows"]["other"]


def switch(page: str) -> list[tuple[str, str]]:
    nav = page.split('<nav class="lang"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'hreflang="([^"]+)" lang="[^"]+"[^>]*>([^<]+)</a>', nav)


def test_the_switch_lists_every_interface_language_in_its_own_name(client):
    for language in languages.PAGE_LANGUAGES:
        page = client.get("/", query_string={"lang": language}).get_data(as_text=True)
        assert switch(page) == [(tag, ui_text.text(tag)["language_name"]) for tag in languages.PAGE_LANGUAGES]
    assert languages.language_names()[:2] == [("en", "English"), ("sv", "Svenska")]


@pytest.mark.skipif(not ALL_FIVE, reason="the fr, es and lv catalogues are not in yet")
def test_the_switch_lists_the_five(client):
    page = client.get("/practices").get_data(as_text=True)
    assert switch(page)[:5] == list(FIVE.items())


def test_a_swedish_page_has_the_catalogues_words(client):
    swedish = {m.context: m.string for m in entries(ui_text.catalogue_path("sv"))}
    response = client.get("/", query_string={"lang": "sv"})
    page = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == "sv" and '<html lang="sv">' in page
    for key in ("home_title", "browse", "main_menu", "footer"):
        assert swedish[key] in page, key
    sparql = client.get("/sparql", query_string={"lang": "sv"}, headers={"Accept": "text/html"}).get_data(as_text=True)
    settings = json.loads(sparql.split('id="sparql-data">', 1)[1].split("</script>", 1)[0])
    assert swedish["query_editor"] in sparql and settings["words"]["running"] == swedish["js.running"]


def test_a_language_without_a_catalogue_gets_english(client):
    response = client.get("/", query_string={"lang": "ca"})
    assert response.headers["Content-Language"] == "en"
    assert ui_text.text("en")["home_title"] in response.get_data(as_text=True)


# -- the curated queries in the page's language ------------------------------------------------------------------------

def curated_links(page: str) -> dict[str, str]:
    return dict(re.findall(r'<a class="curated-query"[^>]* data-name="([^"]+)"[^>]*>([^<]+)</a>', page))


def curated_data(page: str) -> list[dict]:
    return json.loads(unescape(page.split('id="curated-data">', 1)[1].split("</script>", 1)[0]))


@pytest.mark.parametrize("language", FIVE)
def test_the_curated_queries_speak_the_pages_language(client, language):
    catalogue = queries.catalogue()
    listed = client.get("/queries", query_string={"lang": language}, headers={"Accept": "text/html"})
    page = unescape(listed.get_data(as_text=True))
    assert listed.headers["Content-Language"] == language
    assert dict(re.findall(r'<h2 id="([^"]+)">([^<]+)</h2>', page)) == \
        {name: q.title_in(language) for name, q in catalogue.items()}
    assert all(f"<p>{q.description_in(language)}</p>" in page for q in catalogue.values())
    sparql = unescape(client.get("/sparql", query_string={"lang": language}, headers={"Accept": "text/html"})
                      .get_data(as_text=True))
    assert curated_links(sparql) == {name: q.title_in(language) for name, q in catalogue.items()}
    assert {q["name"]: (q["title"], q["title_lang"], q["description_lang"]) for q in curated_data(sparql)} == \
        {name: (q.title_in(language), language, language) for name, q in catalogue.items()}


def test_the_latvian_catalogue_has_the_latvian_titles(client):
    page = client.get("/queries?lang=lv", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<h2 id="practices-per-country">Prakses pa valstīm</h2>' in page
    assert "Practices per country" not in re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)  # but in the query's text


def test_a_query_not_yet_translated_is_shown_in_english_marked_as_english(client, monkeypatch):
    english_only = queries.CuratedQuery("only-english", "Only in English", "Not translated yet.", "SELECT * {}",
                                        titles={"en": "Only in English"}, descriptions={"en": "Not translated yet."})
    monkeypatch.setattr(queries, "catalogue", lambda: {"only-english": english_only})
    # The catalogue changed behind the store's back: pages the front cache kept would be the old ones.
    html = {"Accept": "text/html", "Cache-Control": "no-store"}
    page = client.get("/queries?lang=lv", headers=html).get_data(as_text=True)
    assert '<h2 id="only-english" lang="en">Only in English</h2>' in page
    assert '<p lang="en">Not translated yet.</p>' in page
    sparql = client.get("/sparql?lang=lv", headers=html).get_data(as_text=True)
    assert re.search(r'<a class="curated-query"[^>]* lang="en">Only in English</a>', sparql)
    assert curated_data(sparql)[0]["title_lang"] == "en"
    english = client.get("/queries?lang=en", headers=html).get_data(as_text=True)
    assert '<h2 id="only-english">Only in English</h2>' in english  # English on an English page needs no mark


# -- no English chrome on ?lang=lv -------------------------------------------------------------------------------------

CHROME = {"nav", "h1", "h2", "h3", "label", "button", "legend", "summary", "th", "title"}


class Chrome(HTMLParser):
    """The texts of a page's chrome: the navigation's links, headings, labels, buttons, legends and the title."""

    def __init__(self, tags=CHROME):
        super().__init__()
        self.tags = tags
        self.open: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self.open.append(tag)
        if tag == "nav" and "nav" in self.tags:
            self.texts.append(dict(attrs).get("aria-label") or "")

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]

    def handle_data(self, data):
        if data.strip() and (self.tags - {"nav"} & set(self.open)
                             or ("nav" in self.tags and "nav" in self.open and "a" in self.open)):
            self.texts.append(data.strip())


def chrome(page: str, tags=CHROME) -> set[str]:
    parser = Chrome(tags)
    parser.feed(page)
    return {t.rstrip(":").strip() for t in parser.texts if t}


@pytest.fixture(scope="module")
def writable_app():
    return create_app(open_store("memory"), Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=tok-alice"}))


def signed_in(app, token):
    client = app.test_client()
    client.set_cookie("sikg_token", token)
    return client


@pytest.mark.skipif(not ALL_FIVE, reason="the fr, es and lv catalogues are not in yet")
def test_no_english_chrome_is_left_on_a_latvian_page(writable_app):
    latvian = ui_text.messages("lv")
    english = {text for key, text in ui_text.messages("en").items()
               if latvian[key] != text and key != "language_name"}  # the switch names each language in itself
    curator = writable_app.extensions["sikg"].contributions.tokens.add("Lv Curator", "curator")
    html = {"Accept": "text/html"}
    pages = [(writable_app.test_client(), path) for path in ("/", "/practices", "/validate", "/sparql", "/queries",
                                                             "/ontology", "/sign-in")]
    pages += [(signed_in(writable_app, "tok-alice"), "/contribute"), (signed_in(writable_app, curator), "/review")]
    for client, path in pages:
        pages_in = {lang: client.get(path, query_string={"lang": lang}, headers=html) for lang in ("en", "lv")}
        assert pages_in["lv"].status_code == 200 and pages_in["lv"].headers["Content-Language"] == "lv", path
        lv = chrome(pages_in["lv"].get_data(as_text=True))
        assert not lv & english, (path, lv & english)
        h1 = {lang: re.search(r"<h1[^>]*>(.*?)</h1>", pages_in[lang].get_data(as_text=True), re.S).group(1)
              for lang in ("en", "lv")}
        assert h1["en"] != h1["lv"], path
    form = {lang: chrome(signed_in(writable_app, "tok-alice").get("/contribute", query_string={"lang": lang})
                         .get_data(as_text=True), {"label", "legend"}) for lang in ("en", "lv")}
    tags = set(languages.SUPPORTED_LANGUAGES)  # a text field's language is labelled by its tag
    assert not form["en"] & form["lv"] - tags, "the form's labels (the ontology's, in Latvian) are in English"
