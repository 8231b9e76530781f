"""Countries named in the reader's language (issue 29, item 2): ontology/countries.ttl gives the EU Publications
Office country authority table's names of the EU and EEA countries and of every country the data uses, in the five
interface languages, sourced to the table and in its scheme (issue 27, item 4); the practices' country facet and
lists name them in the reader's language and sort them in its order (i18n/languages.collation_key)."""

import re

import pytest

from sikg.i18n.languages import PAGE_LANGUAGES, collation_key
from sikg.namespaces import COUNTRY

TABLE = "http://publications.europa.eu/resource/authority/country"
EU_AND_EEA = ("AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP "
              "SWE ISL LIE NOR").split()


def select(kg, query: str) -> list[dict]:
    result = kg.query(query)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def test_every_eu_eea_and_used_country_is_named_in_every_interface_language(kg):
    query = "SELECT DISTINCT ?c WHERE { ?p <https://w3id.org/sikg/ontology#country> ?c }"
    used = {row["c"] for row in select(kg, query)}
    assert used and used <= {COUNTRY + code for code in EU_AND_EEA}  # else add the new country to countries.ttl
    for code in EU_AND_EEA:
        rows = select(kg, f"""SELECT (LANG(?l) AS ?tag) WHERE {{ <{COUNTRY}{code}>
                                  <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}""")
        assert sorted(r["tag"] for r in rows) == sorted(PAGE_LANGUAGES), code


def test_each_country_is_in_the_table_s_scheme_and_cites_it(kg):
    without = select(kg, f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?c WHERE {{ ?c skos:prefLabel ?l FILTER(STRSTARTS(STR(?c), "{COUNTRY}"))
                          FILTER NOT EXISTS {{ ?c skos:inScheme <{TABLE}> ; dct:source <{TABLE}> }} }}""")
    assert without == []
    scheme = select(kg, f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?l WHERE {{ <{TABLE}> a skos:ConceptScheme ; skos:prefLabel ?l FILTER(LANG(?l) = "en") }}""")
    assert len(scheme) == 1


@pytest.mark.parametrize("language, names", [
    ("en", ["France", "Latvia", "Spain", "Sweden"]),
    ("fr", ["Espagne", "France", "Lettonie", "Suède"]),
    ("es", ["España", "Francia", "Letonia", "Suecia"]),
    ("sv", ["Frankrike", "Lettland", "Spanien", "Sverige"]),
    ("lv", ["Francija", "Latvija", "Spānija", "Zviedrija"]),
])
def test_the_country_facet_names_and_sorts_countries_in_the_reader_s_language(client, language, names):
    page = client.get(f"/practices?lang={language}").get_data(as_text=True)
    facet = page[page.index('id="facet-country"'):]
    facet = facet[:facet.index("</fieldset>")]
    assert re.findall(r"<label for=\"f-country-[A-Z]{3}\"><span[^>]*>([^<]+)</span>", facet) == names
    hits = page[page.index('<ol class="hits">'):]
    assert set(re.findall(r'<span class="country"[^>]*>([^<]+)</span>', hits)) == set(names)


def test_the_chosen_country_is_named_in_the_reader_s_language(client):
    page = client.get("/practices?lang=lv&country=FRA").get_data(as_text=True)
    chips = page[page.index('class="chips"'):]
    assert ": <span>Francija</span>" in chips[:chips.index("</ul>")]
    assert '<span class="country">Francija</span>' in page and '<span class="country">France' not in page


def test_collation_follows_the_language():
    assert sorted(["Suède", "France", "Espagne", "Éire"], key=lambda s: collation_key(s, "fr")) == \
        ["Éire", "Espagne", "France", "Suède"]
    latvian = ["Zviedrija", "Šveice", "Spānija", "Somija", "Čehija", "Cipra", "Dānija"]
    assert sorted(latvian, key=lambda s: collation_key(s, "lv")) == \
        ["Cipra", "Čehija", "Dānija", "Somija", "Spānija", "Šveice", "Zviedrija"]
    swedish = ["Österrike", "Zypern", "Ålborg", "Sverige"]
    assert sorted(swedish, key=lambda s: collation_key(s, "sv")) == ["Sverige", "Zypern", "Ålborg", "Österrike"]
    assert sorted(swedish, key=lambda s: collation_key(s, "en")) == ["Ålborg", "Österrike", "Sverige", "Zypern"]
    assert sorted(["Ñandú", "Nube", "Oso"], key=lambda s: collation_key(s, "es")) == ["Nube", "Ñandú", "Oso"]
