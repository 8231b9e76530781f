"""A count and what it counts agree in every language (issue 27, item 6): "1 practice", "21 prakse" (Latvian's
singular for 21), never "1 practices". The catalogues' plural entries are chosen by each catalogue's Plural-Forms
rule (ui_text.counted, gettext's ngettext); the rule must be the CLDR one Babel and the browser (Intl.PluralRules)
know, and the pages render counts with it: the home page's element counts and method tooltips and the practices
list's heading, over a store whose methods and elements have 0, 1, 2, 5 and 21 practices, in all five languages."""

import re
from html import unescape

import pytest
from babel import Locale

from helpers import FIXTURES, attributes, html
from sikg.i18n import ui_text
from sikg.namespaces import GRAPH_CURATED
from sikg.store import open_store
from sikg.web.app import create_app

LANGUAGES = ("en", "sv", "fr", "es", "lv")
COUNTS = (0, 1, 2, 5, 21)
# What a count of practices reads in each language, by CLDR category (a category a language lacks falls back to
# "other"): written here, not read from the catalogues, so that a wrong form in a catalogue shows. Latvian's "zero"
# (0, 10-20, 30...) takes the genitive plural.
PRACTICES = {"en": {"one": "{n} practice", "other": "{n} practices"},
             "sv": {"one": "{n} gott exempel", "other": "{n} goda exempel"},
             "fr": {"one": "{n} pratique", "other": "{n} pratiques"},
             "es": {"one": "{n} práctica", "other": "{n} prácticas"},
             "lv": {"zero": "{n} prakšu", "one": "{n} prakse", "other": "{n} prakses"}}
RESULTS = {"en": {"one": "{n} of {total} practice", "other": "{n} of {total} practices"},
           "sv": {"one": "{n} av {total} gott exempel", "other": "{n} av {total} goda exempel"},
           "fr": {"one": "{n} sur {total} pratique", "other": "{n} sur {total} pratiques"},
           "es": {"one": "{n} de {total} práctica", "other": "{n} de {total} prácticas"},
           "lv": {"one": "{n} no {total} prakses", "other": "{n} no {total} praksēm"}}  # "no": genitive, dative pl.
COUNTRIES = {"en": {"one": "{n} country", "other": "{n} countries"}, "sv": {"one": "{n} land", "other": "{n} länder"},
             "fr": {"other": "{n} pays"}, "es": {"one": "{n} país", "other": "{n} países"},
             "lv": {"one": "{n} valsts", "other": "{n} valstīm"}}  # after "no" (from): genitive, dative plural
VIOLATIONS = {"en": {"one": "{n} violation", "other": "{n} violations"}, "sv": {"other": "{n} fel"},
              "fr": {"one": "{n} violation", "other": "{n} violations"},
              "es": {"one": "{n} infracción", "other": "{n} infracciones"},
              "lv": {"zero": "{n} pārkāpumu", "one": "{n} pārkāpums", "other": "{n} pārkāpumi"}}
WARNINGS = {"en": {"one": "{n} warning", "other": "{n} warnings"},
            "sv": {"one": "{n} varning", "other": "{n} varningar"},
            "fr": {"one": "{n} avertissement", "other": "{n} avertissements"},
            "es": {"one": "{n} advertencia", "other": "{n} advertencias"},
            "lv": {"zero": "{n} brīdinājumu", "one": "{n} brīdinājums", "other": "{n} brīdinājumi"}}


def expected(table: dict, language: str, count: int, **values) -> str:
    """The form for `count` by CLDR (Babel's data, not the catalogue's header: English 1 only, French 0 and 1,
    Latvian 1, 21, 31… but not 11), filled ({n} is the count unless `values` say otherwise)."""
    forms = table[language]
    category = Locale.parse(language).plural_form(count)
    return forms.get(category, forms["other"]).format(**{"n": count, **values})


# -- the lookup -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogues_plural_rule_is_the_cldr_rule(language):
    """The form the catalogue's header chooses is the category Babel (and the browser's Intl.PluralRules) gives:
    the server and the pages' scripts say the same words for every count."""
    rule, categories = ui_text.plural_rule(language), ui_text.plural_categories(language)
    assert len(categories) == ui_text.plural_count(language)
    cldr = Locale.parse(language).plural_form
    wrong = [n for n in [*range(2001), 10**6, 2 * 10**6] if categories[rule(n)] != cldr(n)]
    assert not wrong, wrong[:10]


def test_latvian_has_three_forms_with_its_zero_form():
    assert ui_text.plural_categories("lv") == ("zero", "one", "other")
    rule = ui_text.plural_rule("lv")
    assert [rule(n) for n in (0, 1, 2, 10, 11, 21, 111, 30)] == [0, 1, 2, 0, 0, 1, 0, 0]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("n", COUNTS + (10, 11, 101, 111))
def test_a_count_takes_its_languages_form(language, n):
    assert ui_text.counted(language, "practices_n", n) == expected(PRACTICES, language, n)
    assert ui_text.counted(language, "violations_n", n) == expected(VIOLATIONS, language, n)
    assert ui_text.counted(language, "warnings_n", n) == expected(WARNINGS, language, n)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_entry_has_all_its_forms_in_every_language(language):
    """Every count the catalogues count has the language's every form (none falls back to English)."""
    english = {m.context for m in ui_text._catalogue("en") if m.context and m.pluralizable}
    assert {"practices_n", "results", "js.rows", "js.triples"} <= english
    own = {m.context: m.string for m in ui_text._catalogue(language) if m.context and m.pluralizable}
    assert set(own) == english
    assert all(len(forms) == ui_text.plural_count(language) and all(forms) for forms in own.values())
    if language == "en":
        assert ui_text.counted("en", "js.rows", 1, ms=3) == "1 row in 3 ms"
        assert ui_text.counted("en", "form.batch_caption", 1) == "The 1 practice of this contribution"


def test_no_english_plural_says_1_with_a_plural_noun():
    """"1 practices"-type output from any English count: the singular form of every entry is singular."""
    for key in ui_text._plural_entries("en"):
        said = ui_text.counted("en", key, 1, total=1, ms=7, violations=0, warnings=0, w=1, practices=1,
                               countries="1 country")
        assert not re.search(r"\b1 (\w+ )?\w+s\b", said), said


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_scripts_get_each_form_by_its_cldr_category(language):
    rows = ui_text.script_words(language)["rows"]
    assert tuple(rows) == ui_text.plural_categories(language)
    assert all("{n}" in form and "{ms}" in form for form in rows.values())


def test_a_key_that_is_not_a_plural_entry_reads_the_same_for_every_count():
    at_most = ui_text.messages("sv")["form.up_to"]
    assert [ui_text.counted("sv", "form.up_to", n) for n in (1, 2)] == [at_most.format(n=1), at_most.format(n=2)]
    assert ui_text.messages("en")["practices_n"] == "{n} practices"  # code without a count gets the plural


# -- the pages --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def counted_store():
    """The curated KG cut to 21 practices, with their element and method links replaced: the first five methods (in
    IRI order) have 0, 1, 2, 5 and 21 practices, and the five elements 0, 1, 2, 5 and 21."""
    store = open_store("memory")
    store.update("PREFIX sikg: <https://w3id.org/sikg/ontology#> DELETE { GRAPH ?g { ?p ?link ?x } } WHERE { "
                 "GRAPH ?g { ?p ?link ?x } VALUES ?link { sikg:usesMethod sikg:supportsElement } }")
    practices = sorted(r["p"].value for r in store.query(
        "SELECT DISTINCT ?p WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }"))
    assert len(practices) >= 21
    # 21 practices in all (Latvian's singular): the others are no longer practices
    store.update("DELETE DATA { " + " ".join(f"GRAPH <{GRAPH_CURATED}> {{ <{p}> a "
                                             "<https://w3id.org/sikg/ontology#SupportPractice> }"
                                             for p in practices[21:]) + " }")
    wanted = {}
    for kind, link in (("SupportMethod", "usesMethod"), ("ProcessElement", "supportsElement")):
        concepts = sorted(r["c"].value for r in store.query(
            f"SELECT DISTINCT ?c WHERE {{ ?c a <https://w3id.org/sikg/ontology#{kind}> }}"))[:5]
        triples = " ".join(f"<{p}> <https://w3id.org/sikg/ontology#{link}> <{c}> ."
                           for c, n in zip(concepts, COUNTS, strict=True) for p in practices[:n])
        store.update(f"INSERT DATA {{ GRAPH <{GRAPH_CURATED}> {{ {triples} }} }}")
        wanted.update({c.rsplit("/", 1)[1]: n for c, n in zip(concepts, COUNTS, strict=True)})
    return store, wanted


@pytest.fixture(scope="module")
def counted_client(counted_store):
    return create_app(counted_store[0]).test_client()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_page_counts_each_method_and_element_in_its_languages_form(counted_store, counted_client, language):
    wanted = counted_store[1]
    page = html(counted_client, f"/?lang={language}")
    badges = dict(re.findall(r'<li data-method="([^"]+)".*?<span class="badge" title="([^"]*)"', page, re.S))
    elements = {attributes(tag)["data-element"]: page.split(tag, 1)[1] for tag in
                re.findall(r'<li class="element"[^>]*>', page)}
    seen = 0
    for key, n in wanted.items():
        if key in badges:
            assert unescape(badges[key]) == expected(PRACTICES, language, n), (key, n)
            seen += 1
        if key in elements:
            count = re.search(r'<p class="count"><a [^>]*data-count="(\d+)"[^>]*>([^<]*)</a>', elements[key])
            assert int(count[1]) == n and unescape(count[2]) == expected(PRACTICES, language, n), (key, n)
            seen += 1
    assert seen == 10
    # the lead: "21 practices from 4 countries", Latvian "21 prakse no 4 valstīm"
    countries = len({r["c"].value for r in counted_store[0].query(
        "SELECT DISTINCT ?c WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> ; "
        "<https://w3id.org/sikg/ontology#country> ?c }")})
    lead = unescape(re.search(r'<p class="lead">([^<]*)</p>', page)[1])
    words = {"en": " from ", "sv": " från ", "fr": " de ", "es": " de ", "lv": " no "}[language]
    assert lead.startswith(expected(PRACTICES, language, 21) + words + expected(COUNTRIES, language, countries)), lead


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("n", COUNTS)
def test_the_practices_list_counts_its_results_in_its_languages_form(counted_store, counted_client, language, n):
    method = next(key for key, count in counted_store[1].items() if count == n)
    page = html(counted_client, f"/practices?method={method}&lang={language}")
    heading = re.search(r'<h2 id="results-heading" data-count="(\d+)">([^<]*)</h2>', page)
    assert int(heading[1]) == n
    assert unescape(heading[2]) == expected(RESULTS, language, 21, n=n, total=21)  # "5 of 21": 21's form


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("fixture", ["invalid/practice-no-country.ttl", "invalid/warning-practice-no-level.ttl"])
def test_the_validation_summary_counts_violations_and_warnings_in_its_languages_form(client, language, fixture):
    """The page's summary as the server writes it (the script writes the same from the same forms): "1 violation,
    2 warnings", never "violation(s)"."""
    from sikg.validation.shacl import validate_files

    path = FIXTURES / fixture
    report = validate_files([path])
    violations = sum(r.severity.endswith("Violation") for r in report.results)
    warnings = len(report.results) - violations
    response = client.post(f"/validate/form?lang={language}", data={"data": path.read_text(encoding="utf-8")},
                           content_type="multipart/form-data")
    summary = " ".join(unescape(re.search(r'<p id="report-summary"[^>]*>(.*?)</p>', response.get_data(as_text=True),
                                          re.S)[1]).split())
    assert "(s)" not in summary and "(ar)" not in summary and "(es)" not in summary
    if violations:
        assert expected(VIOLATIONS, language, violations) in summary, summary
        assert expected(WARNINGS, language, warnings) in summary, summary
    else:
        assert warnings and (language == "lv" or expected(WARNINGS, language, warnings) in summary), summary


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_charts_bar_titles_count_in_the_languages_form(counted_client, language):
    """Each bar's tooltip (its SVG <title>) says its count in words: "Sverige · 1. Mobilisering: 1 gott exempel"."""
    page = html(counted_client, f"/?lang={language}")
    bars = re.findall(r'<rect class="bar"[^>]*data-count="(\d+)"><title>([^<]*)</title>', page)
    assert {int(n) for n, _ in bars} >= {0, 1, 2}
    for n, title in bars:
        assert unescape(title).endswith(f"{':' if language != 'fr' else chr(0x202f) + ':'} "
                                        + expected(PRACTICES, language, int(n))), title


def test_a_batch_of_21_practices_is_singular_in_latvian():
    """A batch has two practices or more, which English never says in the singular; Latvian does for 21, 31…"""
    assert ui_text.counted("lv", "form.batch_intro", 21).startswith("Pakete: 21 prakse vienā")
    assert ui_text.counted("lv", "form.batch_intro", 11).startswith("Pakete: 11 prakšu vienā")
    assert ui_text.counted("lv", "form.batch_intro", 2).startswith("Pakete: 2 prakses vienā")
    assert ui_text.counted("en", "form.batch_intro", 2).startswith("A batch: 2 practices in one contribution")
