"""Every page renders in every interface language as it does in English (issue 29, item 1): the same links to the
same targets (the `lang` parameter aside), the same headings, sections, lists and form controls, and no two links
glued together with no text between them. A page that decides what to show by a translated word (the basis of a
qualified link recognised by its label "basis" or "grund") fails here in the languages that word is not in; a sixth
catalogue added to src/sikg/i18n/locales is checked with no change to this test.

Apps here write (the review page needs a contribution): the module's app is built on a store of its own."""

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from helpers import contribution_form_links
from sikg.contributions.sign_in import csrf_for
from sikg.i18n.languages import PAGE_LANGUAGES
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app

TOKEN = "tok-alice"
PAGES = {  # each page family, by one page of it
    "home": "/",
    "practices": "/practices",
    "practices, filtered": "/practices?country=FRA&element=societal-change",
    "practice": "/id/practice/cap-impact",
    "organisation": "/id/organisation/avise",
    "element": "/id/element/societal-change",
    "method": "/id/method/incubation-programmes",
    "ontology": "/ontology",
    "queries": "/queries",
    "validate": "/validate",
    "contribute": "/contribute",
    "review": "/review",
}
# What a page's structure is: the elements a reader navigates by (headings, sections, lists, form controls)
STRUCTURE = {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "nav", "main", "form", "fieldset", "legend",
             "label", "input", "select", "option", "textarea", "button", "datalist", "table", "tr", "th", "td", "ul",
             "ol", "li", "dl", "dt", "dd", "blockquote", "details", "summary", "pre", "svg", "img", "figure", "a"}
VOID = {"input", "img", "br", "hr", "meta", "link", "source", "wbr", "area", "col", "embed", "param", "track"}


def without_lang(href: str) -> str:
    """A link's target with its `lang` parameter taken away: the same target in every language."""
    parts = urlsplit(href)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"])
    return urlunsplit(parts._replace(query=query))


class Structure(HTMLParser):
    """A page's links (targets without `lang`), its structural elements counted by tag, its form controls by name,
    and the links that follow another with nothing between them, not even a space."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: Counter = Counter()
        self.tags: Counter = Counter()
        self.controls: Counter = Counter()
        self.glued: list[str] = []
        self._open: list[str] = []  # the <a> elements open
        self._last_closed_a: str | None = None  # the href of the <a> just closed, until text or another tag follows

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in STRUCTURE:
            self.tags[tag] += 1
        if tag in ("input", "select", "textarea", "button") and attrs.get("type") != "hidden":
            self.controls[(tag, attrs.get("name"), attrs.get("type"))] += 1
        if tag == "a":
            href = attrs.get("href") or ""
            if self._last_closed_a is not None:
                self.glued.append(f"{self._last_closed_a} + {href}")
            self.links[without_lang(href)] += 1
            self._open.append(href)
        self._last_closed_a = None

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            self._last_closed_a = self._open.pop()
        else:
            self._last_closed_a = None

    def handle_data(self, data):
        if data:  # even a space keeps two links apart on the screen
            self._last_closed_a = None


def structure(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def app():
    store = open_store("memory")
    app = create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": f"alice={TOKEN}"}))
    source = "https://example.org/parity/about"
    contribution = {
        "csrf": csrf_for(TOKEN), "action": "submit", "slug": "parity-vouchers",
        "rdfs:label|en": "Parity Vouchers",
        "dct:description|en": "A made-up programme for the parity test: small vouchers for residents' groups to try "
                              "an idea in their neighbourhood.",
        "sikg:country": "http://publications.europa.eu/resource/authority/country/SWE",
        "sikg:operatedBy": "https://w3id.org/sikg/id/organisation/avise", "dct:source": source,
        **contribution_form_links(source)}
    author = app.test_client()
    author.set_cookie("sikg_token", TOKEN)
    response = author.post("/contribute", data=contribution)
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)[:2000]
    assert 'id="submitted"' in response.get_data(as_text=True)
    return app


@pytest.fixture(scope="module")
def curator(app):
    client = app.test_client()
    client.set_cookie("sikg_token", app.extensions["sikg"].contributions.tokens.add("Cora Curator", "curator"))
    return client


def render(client, path: str, language: str) -> str:
    response = client.get(path + ("&" if "?" in path else "?") + f"lang={language}",
                          headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, language, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def english(curator):
    return {family: structure(render(curator, path, "en")) for family, path in PAGES.items()}


def test_the_interface_speaks_more_than_english():
    assert len(PAGE_LANGUAGES) >= 5 and PAGE_LANGUAGES[0] == "en"


@pytest.mark.parametrize("family", PAGES)
def test_english_links_are_never_glued(english, family):
    assert english[family].glued == [], family
    assert english[family].links, family


@pytest.mark.parametrize("language", [tag for tag in PAGE_LANGUAGES if tag != "en"])
@pytest.mark.parametrize("family", PAGES)
def test_every_language_has_the_english_structure(curator, english, family, language):
    page = structure(render(curator, PAGES[family], language))
    reference = english[family]
    assert page.glued == [], f"{family} in {language}: links with no text between them: {page.glued}"
    assert page.links == reference.links, (f"{family} in {language}: links not in English "
                                           f"{page.links - reference.links}, English links missing "
                                           f"{reference.links - page.links}")
    assert page.tags == reference.tags, f"{family} in {language}: {page.tags - reference.tags} more, " \
                                        f"{reference.tags - page.tags} fewer than in English"
    assert page.controls == reference.controls, family


def test_the_check_finds_a_glued_basis():
    """The defect this test was written for, as French showed it: the basis a link glued to its target."""
    glued = structure('<li><a href="/id/basis/stated?lang=fr">énoncé</a><a href="/id/element/x">Créer</a> — …</li>')
    assert glued.glued == ["/id/basis/stated?lang=fr + /id/element/x"]
    assert structure('<li><a href="/a">A</a>, <a href="/b">B</a></li>').glued == []


def test_the_why_these_links_list_reads_the_same_in_every_language(curator):
    """On a practice's page each reason is: what it links to, the reason, then its basis in brackets, unlinked."""
    for language in PAGE_LANGUAGES:
        page = render(curator, "/id/practice/cap-impact", language)
        why = page[page.index('<ul class="qualified">'):]
        why = why[:why.index("</ul>")]
        assert "/id/basis/" not in why, language
        assert why.count("<em") == why.count("<li>") > 0, language
