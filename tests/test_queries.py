"""The curated query catalogue (queries/*.rq, not queries/qc/): each query, run with its default parameters, gives
exactly the result in queries/{name}.expected.tsv; headers are complete; parameters are bound as RDF terms."""

import io

import pyoxigraph as ox
import pytest

from helpers import ROOT
from sikg.namespaces import PREFIXES
from sikg.sparql import queries
from sikg.store import open_store
from sikg.web.app import create_app

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
NAMES = [p.stem for p in QUERIES]
LANGUAGES = ("en", "sv", "fr", "es", "lv")  # each query's title and description are in the five

SIKG = "https://w3id.org/sikg/ontology#"
ID = "https://w3id.org/sikg/id/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


@pytest.fixture(scope="module")
def kg():
    """The curated KG, loaded once for this module; the tests only read it."""
    return open_store("memory")


def run(kg, name: str, values: dict[str, str] | None = None):
    text, bindings = queries.bind(name, values or {})
    return kg.query(text, substitutions={ox.Variable(k): v for k, v in bindings.items()})


def tsv(result) -> str:
    buffer = io.BytesIO()
    result.serialize(buffer, ox.QueryResultsFormat.TSV)
    return buffer.getvalue().decode("utf-8")


def rows(kg, name: str, values: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    """The solutions as plain strings: IRIs and lexical forms, None where unbound."""
    result = run(kg, name, values)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def ask(kg, query: str) -> bool:
    return bool(kg.query(f"PREFIX sikg: <{SIKG}>\nASK {{ {query} }}"))


def select_one(kg, query: str) -> str:
    """The one value of a one-row, one-column SELECT (sikg's prefixes declared)."""
    solution = next(iter(kg.query(query, prefixes=PREFIXES)))
    return solution[0].value


# -- the catalogue as a whole -------------------------------------------------------------------------------------

def test_the_catalogue_has_at_least_15_queries():
    assert len(QUERIES) >= 15, NAMES


def test_the_catalogue_is_what_the_service_lists():
    assert sorted(queries.catalogue()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_query_name_is_lowercase_hyphenated(name):
    assert queries._NAME.match(name) and name == name.lower() and "_" not in name


@pytest.mark.parametrize("name", NAMES)
def test_query_has_a_title_and_a_description(name):
    query = queries.get(name)
    assert query.title.strip(), f"{name} has no '# title:'"
    assert query.description.strip(), f"{name} has no '# description:'"
    assert query.text.startswith("# title:"), f"{name} does not begin with its header"


@pytest.mark.parametrize("name", NAMES)
def test_query_has_a_title_and_a_description_in_each_of_the_five_languages(name):
    query = queries.get(name)
    assert query.titles["en"] == query.title and query.descriptions["en"] == query.description
    for language in LANGUAGES:
        assert query.title_in(language).strip(), f"{name} has no '# title@{language}:'"
        assert query.description_in(language).strip(), f"{name} has no '# description@{language}:'"
        assert query.title_language(language) == query.description_language(language) == language, (name, language)
        if language != "en":  # translated, not the English copied
            assert query.titles[language] != query.title and query.descriptions[language] != query.description


def test_a_language_without_a_translation_gets_the_english_title_and_description():
    query = queries.get("practices-per-country")
    assert query.title_in("de") == query.title and query.description_in("de") == query.description
    assert query.title_language("de") == query.description_language("de") == "en"
    assert query.title_in("lv") == "Prakses pa valstīm"


def test_a_header_line_in_a_language_may_continue_on_the_next(tmp_path):
    path = tmp_path / "two-lines.rq"
    path.write_text("# title: Two\n# title: lines\n# title@sv: Två\n# title@SV: rader\n# description@fr: Deux\n"
                    "SELECT * WHERE { ?s ?p ?o }\n# title@es: not a header\n", encoding="utf-8")
    query = queries.parse_query_file(path)
    assert query.titles == {"en": "Two lines", "sv": "Två rader"} and query.title == "Two lines"
    assert query.descriptions == {"fr": "Deux"} and query.description == "" and query.description_in("fr") == "Deux"


def test_the_json_catalogue_keeps_the_english_title_and_gives_every_language(kg):
    answer = create_app(kg).test_client().get("/queries", headers={"Accept": "application/json"})
    entries = {q["name"]: q for q in answer.get_json()}
    assert sorted(entries) == sorted(NAMES)
    for name, entry in entries.items():
        query = queries.get(name)
        assert entry["title"] == query.title and entry["description"] == query.description
        assert set(entry["titles"]) == set(entry["descriptions"]) == set(LANGUAGES), name
        assert entry["titles"]["en"] == entry["title"] and entry["titles"]["lv"] == query.title_in("lv")


@pytest.mark.parametrize("name", NAMES)
def test_query_declares_its_own_prefixes(name):
    """Runs unchanged on any SPARQL 1.1 endpoint: no prefix is taken from the caller."""
    text = queries.get(name).text
    ox.Store().query(text)  # parses (and runs, on nothing) without sikg's prefixes declared for it


@pytest.mark.parametrize("name", NAMES)
def test_parameter_defaults_parse_with_their_type(name):
    for parameter in queries.get(name).parameters:
        assert parameter.type in {"iri", "string", "lang", "integer"}, (name, parameter)
        assert f"?{parameter.name}" in parameter_free_text(name), f"{name}: ?{parameter.name} is not used"
        if parameter.default is not None:
            term = parameter.term(parameter.default)
            expected = {"iri": ox.NamedNode, "string": ox.Literal, "lang": ox.Literal, "integer": ox.Literal}
            assert isinstance(term, expected[parameter.type])


def parameter_free_text(name: str) -> str:
    """The query without its header comments."""
    return "\n".join(line for line in queries.get(name).text.splitlines() if not line.startswith("#"))


# -- every query against its expected result ----------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_query_gives_its_expected_result(kg, name):
    expected = (ROOT / "queries" / f"{name}.expected.tsv").read_text(encoding="utf-8")
    assert tsv(run(kg, name)) == expected


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_with_every_parameter_left_empty(kg, name):
    """An empty value leaves the parameter unbound; the query still answers (typically: for everything)."""
    result = run(kg, name, {p.name: "" for p in queries.get(name).parameters})
    assert tsv(result).startswith("?")


def test_expected_files_belong_to_queries():
    orphans = {p.name.removesuffix(".expected.tsv") for p in (ROOT / "queries").glob("*.expected.tsv")} - set(NAMES)
    assert not orphans


# -- what the defaults say, checked against the data -------------------------------------------------------------

def test_practices_per_country_are_the_buicasus_numbers(kg):
    counts = {r["country"].removeprefix(COUNTRY): int(r["practices"]) for r in rows(kg, "practices-per-country")}
    assert counts == {"FRA": 14, "LVA": 4, "ESP": 7, "SWE": 10}


def test_practices_per_element_and_country_for_every_country(kg):
    found = rows(kg, "practices-per-element-and-country", {"country": ""})
    practices = {}
    for row in found:
        practices.setdefault(row["country"].removeprefix(COUNTRY), set()).add(row["practice"])
    assert {c: len(p) for c, p in practices.items()} == {"FRA": 14, "LVA": 4, "ESP": 7, "SWE": 10}
    assert len(found) == 97  # one row per element link


def test_countries_side_by_side_adds_up(kg):
    table = rows(kg, "countries-side-by-side")
    assert [r["notation"] for r in table] == ["1", "2", "3", "4", "5"]
    for row in table:
        parts = sum(int(row[c]) for c in ("france", "latvia", "spain", "sweden"))
        assert parts == int(row["all"]), row
    realisation = table[3]
    assert (realisation["france"], realisation["latvia"], realisation["sweden"]) == ("10", "4", "7")


# -- a second parameter value gives a different, sensible answer -------------------------------------------------

def test_practices_for_another_method(kg):
    method = ID + "method/incubation-programmes"
    found = rows(kg, "practices-for-method", {"method": method})
    assert {r["practice"].removeprefix(ID + "practice/") for r in found} == {
        "coompanion", "vinnova-social-innovation", "reach-for-change-latvia", "emergence-acceleration",
        "novaterra-la-promotora"}
    for row in found:
        assert row["method"] == method and row["notation"] == "3.3"
        assert ask(kg, f"<{row['practice']}> sikg:usesMethod <{method}>")
    assert rows(kg, "practices-for-method") != found


def test_practices_per_element_for_another_element_and_for_all(kg):
    challenges = rows(kg, "practices-per-element", {"element": ID + "element/challenges"})
    assert len(challenges) == 12 and {r["notation"] for r in challenges} == {"1"}
    for row in challenges:
        assert ask(kg, f"<{row['practice']}> sikg:supportsElement <{ID}element/challenges>")
    every = rows(kg, "practices-per-element", {"element": ""})
    notations = [int(r["notation"]) for r in every]
    assert len(every) == 97 and notations == sorted(notations) and set(notations) == {1, 2, 3, 4, 5}


def test_gaps_in_another_country(kg):
    sweden = rows(kg, "gaps-in-country", {"country": COUNTRY + "SWE"})
    assert [r["notation"] for r in sweden] == ["1.2", "4.5", "5.3", "5.4", "5.5"]
    for row in sweden:
        assert row["country"] == COUNTRY + "SWE"
        assert not ask(kg, f"?p sikg:usesMethod <{row['concept']}> ; sikg:country <{COUNTRY}SWE>")
    # A country without practices lacks everything; no country at all: what no practice anywhere covers.
    assert len(rows(kg, "gaps-in-country", {"country": COUNTRY + "DEU"})) == 5 + 19
    anywhere = [r["concept"] for r in rows(kg, "gaps-in-country", {"country": ""})]
    assert anywhere == [r["method"] for r in rows(kg, "methods-without-examples")]


def test_sources_of_another_practice(kg):
    found = rows(kg, "practice-sources", {"practice": ID + "practice/seal"})
    statements = [r["statement"] for r in found]
    assert statements.count("practice") == 11
    # a row per link and evidence (a quotation with its page; a link resting on two pages has both): as SPARQL
    # counts them
    pairs = {kind: int(select_one(kg, f"""SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}practice/seal> sikg:{prop} ?r .
        ?r sikg:evidence ?e }}""")) for kind, prop in (("element", "qualifiedElementSupport"),
                                                   ("method", "qualifiedMethodUse"), ("level", "qualifiedLevelTarget"))}
    assert (statements.count("element"), statements.count("method"), statements.count("level")) == \
        (pairs["element"], pairs["method"], pairs["level"]) and pairs["method"] >= 6
    links = [r for r in found if r["statement"] != "practice"]
    assert all(r["basis"] == ID + "basis/curated" and r["source"] and r["rationale"] and r["quotation"]
               for r in links)
    # the record citing two pages: each quotation beside its own page, never beside the other
    ecosystem = {(r["source"], r["quotation"][:30]) for r in links if r["target"] == ID + "method/strengthen-ecosystem"}
    assert ecosystem == {("https://buysocialeuropeb2b.eu/en/n/interviews/social-entrepreneurship-association-latvia",
                          "The member organizations are b"),
                         ("https://sua.lv/en/activity-report-of-year-2023/", "working in three main areas – ")}
    default = rows(kg, "practice-sources")
    assert {r["basis"] for r in default if r["statement"] != "practice"} == {ID + "basis/curated", ID + "basis/stated"}


def test_labels_in_another_language_fall_back_to_english(kg):
    swedish = rows(kg, "labels-in-language")
    english = rows(kg, "labels-in-language", {"lang": "en"})
    german = rows(kg, "labels-in-language", {"lang": "de"})
    assert len(swedish) == len(english) == len(german) == 5 + 19
    assert [r["concept"] for r in swedish] == [r["concept"] for r in english]
    assert [r["label"] for r in german] == [r["label"] for r in english]  # no German: English throughout
    assert "Inkubationsprogram" in {r["label"] for r in swedish}
    assert "Incubation programmes" in {r["label"] for r in english}
    result = run(kg, "labels-in-language", {"lang": "de"})
    assert {s["label"].language for s in result} == {"en"}


def test_search_for_another_string_ignores_case_and_language(kg):
    found = rows(kg, "search", {"q": "KOOPERATIV"})
    # the curated texts, and the sikg team's Swedish translations that say "kooperativ" too
    assert {ID + "actor-type/cooperative", ID + "practice/coompanion"} <= {r["resource"] for r in found}
    assert all("kooperativ" in r["text"].lower() for r in found)
    assert rows(kg, "search", {"q": "zzz-no-such-text"}) == []


def test_practices_supporting_more_elements(kg):
    found = rows(kg, "practices-supporting-several-elements", {"min": "4"})
    assert len(found) == 10 and all(int(r["elements"]) >= 4 for r in found)
    assert {r["practice"] for r in found if r["elements"] == "5"} == {
        ID + "practice/agirre-center-alc", ID + "practice/vinnova-social-innovation"}
    assert len(rows(kg, "practices-supporting-several-elements")) == 29


def test_links_of_another_basis(kg):
    curated = rows(kg, "qualified-links", {"basis": ID + "basis/curated"})
    assert len(curated) == int(select_one(kg, """SELECT (COUNT(*) AS ?n) WHERE {
        VALUES ?qualified { sikg:qualifiedElementSupport sikg:qualifiedMethodUse sikg:qualifiedLevelTarget }
        ?p a sikg:SupportPractice ; ?qualified ?r . ?r sikg:basis basis:curated ; sikg:evidence ?e }""")) > 300
    one_practice = rows(kg, "qualified-links", {"basis": "", "practice": ID + "practice/cap-impact"})
    assert len(one_practice) == 1 + 4 + 1  # one row per quotation: a method use quotes two passages
    assert {r["basis"] for r in one_practice} == {ID + "basis/curated", ID + "basis/stated"}


def test_practices_of_one_actor_type_and_level(kg):
    companies = rows(kg, "practices-by-actor-type", {"actortype": ID + "actor-type/company"})
    assert {r["practice"] for r in companies} == {ID + "practice/the-joint-way", ID + "practice/novaterra-la-promotora"}
    micro = rows(kg, "practices-by-level", {"level": ID + "level/micro"})
    assert len(micro) == 16 and {r["level"] for r in micro} == {ID + "level/micro"}
    avise = rows(kg, "organisations-and-practices", {"organisation": ID + "organisation/avise"})
    operated = int(select_one(kg, "SELECT (COUNT(*) AS ?n) WHERE { organisation:avise sikg:operates ?p }"))
    assert len(avise) == operated >= 5 and {r["organisationLabel"] for r in avise} == {"Avise"}


# -- parameters are terms, never text ------------------------------------------------------------------------------

def test_a_malicious_string_parameter_is_just_a_string(kg):
    before = len(kg)
    payload = '") } } ; DROP ALL ; SELECT * { ("'
    result = run(kg, "search", {"q": payload})
    assert [v.value for v in result.variables] == ["q", "resource", "type", "property", "text"]
    assert list(result) == []
    assert len(kg) == before
    assert rows(kg, "practices-per-country")  # the KG is still there


def test_a_malicious_iri_parameter_is_refused(kg):
    with pytest.raises(queries.ParameterError):
        queries.bind("practice-sources", {"practice": "https://x> } ; DROP ALL ; SELECT * { <x"})
    with pytest.raises(queries.ParameterError):
        queries.bind("practices-supporting-several-elements", {"min": "2) } ; DROP ALL ; SELECT * { (1"})


def test_an_iri_parameter_may_be_a_prefixed_name_with_sikgs_prefixes(kg):
    # A user copies "practice:cap-impact" from sikg's own Turtle or JSON-LD: it means the full IRI, not <practice:…>.
    full = rows(kg, "practice-sources", {"practice": ID + "practice/cap-impact"})
    assert full and rows(kg, "practice-sources", {"practice": "practice:cap-impact"}) == full
    assert rows(kg, "practices-for-method", {"method": "method:incubation-programmes"}) == \
        rows(kg, "practices-for-method", {"method": ID + "method/incubation-programmes"})


def test_an_integer_parameter_takes_any_integer_and_names_the_range_it_cannot_compare(kg):
    assert rows(kg, "practices-supporting-several-elements", {"min": "9223372036854775807"}) == []
    assert rows(kg, "practices-supporting-several-elements", {"min": "-9223372036854775808"})
    for huge in ("99999999999999999999999", "-99999999999999999999999", "9" * 10000):
        with pytest.raises(queries.ParameterError, match="out of range"):
            queries.bind("practices-supporting-several-elements", {"min": huge})


def test_the_service_expands_prefixed_names_and_says_out_of_range(kg):
    client = create_app(kg).test_client()
    answer = client.get("/queries/practice-sources?practice=practice:cap-impact",
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200 and answer.get_json()["results"]["bindings"]
    refused = client.get("/queries/practices-supporting-several-elements?min=99999999999999999999999")
    assert refused.status_code == 400 and "out of range" in refused.get_data(as_text=True)


def test_characteristics_by_element_and_country_counts_the_practices_that_have_one():
    """The table counts, per characteristic, element and country, the practices that have that characteristic and
    support that element, as a plain SPARQL count does; it narrows to one characteristic."""
    store = open_store("memory")
    found = rows(store, "characteristics-by-element-and-country")
    assert found and {r["characteristic"] for r in found} == {ID + "characteristic/co-creation",
                                                     ID + "characteristic/community-engagement",
                                                     ID + "characteristic/cross-sector-collaboration"}
    for row in found:
        counted = select_one(store, f"""SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a sikg:SupportPractice ;
            sikg:hasCharacteristic <{row['characteristic']}> ; sikg:supportsElement <{row['element']}> ;
            sikg:country <{row['country']}> }}""")
        assert int(row["practices"]) == int(counted), row
    narrowed = rows(store, "characteristics-by-element-and-country",
                    {"characteristic": ID + "characteristic/community-engagement"})
    assert narrowed and {r["characteristic"] for r in narrowed} == {ID + "characteristic/community-engagement"}
