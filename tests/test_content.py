"""The curated content: 35 practices by country, the five elements and 19 methods exactly as the article gives them."""

import pytest

from helpers import ROOT, select

ARTICLE = ROOT.parent / "shared" / "source" / "000_1e28752c96977be0.txt"

# The BuiCaSuS article's wording (https://socialinnovation.se/goda-exempel-visar-huvudfaktorer-for-att-stodja-social-innovation/),
# element by element, in the article's order.
ARTICLE_ELEMENTS = {
    "1": ("Identifiering och analys av samhällsutmaningar", [
        "Samla kunskap och analysera samhällsutmaningar och behov",
        "Expandera normer för mobilisering av aktörer och resurser"]),
    "2": ("Mobilisering och koordinering av aktörer och resurser", [
        "Samhällsengagemang",
        "Mobilisera resurser"]),
    "3": ("Idégenerering – design, test och anpassning av lösningar", [
        "Samla intressenter",
        "Utmana silos och strukturer",
        "Inkubationsprogram"]),
    "4": ("Förverkligande – implementering och uppskalning", [
        "Stärka ekosystemet",
        "Identifiera och involvera intressenter",
        "Facilitera utbyte av bästa praxis och goda exempel",
        "Stärka politiken inom social innovationsfältet",
        "Acceleratorsprogram som stödjer skalning av sociala innovationer",
        "Designa finansiering för att stödja skalning av sociala innovationer",
        "Metoder och kunskap om hur man kan stödja sociala innovationer till innovations- och företagsfrämjare"]),
    "5": ("Skapa samhällsförändring", [
        "Verktyg för effektvärdering",
        "Stödja utvärderingsprocesserna",
        "Resurscenter för att bedöm social impact",
        "Tävlingar, utmärkelser",
        "Verktyg för att validera potentialen att skala sociala innovationer"]),
}


def test_35_practices(kg):
    rows = select(kg, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice }")
    assert rows[0]["n"] == "35"


def test_practices_per_country(kg):
    rows = select(kg, """SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sikg:SupportPractice ; sikg:country ?c }
                         GROUP BY ?c""")
    counts = {r["c"].rsplit("/", 1)[1]: int(r["n"]) for r in rows}
    assert counts == {"FRA": 14, "LVA": 4, "ESP": 7, "SWE": 10}


def test_every_practice_is_a_member_of_the_buicasus_collection(kg):
    rows = select(kg, """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
        collection:buicasus-good-examples a sikg:PracticeCollection ; prov:hadMember ?p .
        ?p a sikg:SupportPractice }""")
    assert rows[0]["n"] == "35"


def test_five_elements_in_order_with_the_articles_swedish_wording(kg):
    rows = select(kg, """SELECT ?notation ?sv WHERE { ?e a sikg:ProcessElement ; skos:inScheme scheme:process-elements ;
                         skos:notation ?notation ; skos:prefLabel ?sv FILTER(LANG(?sv) = "sv") } ORDER BY ?notation""")
    assert [(r["notation"], r["sv"]) for r in rows] == [(n, e[0]) for n, e in ARTICLE_ELEMENTS.items()]


def test_ordered_collection_lists_the_elements_in_display_order(kg):
    # SPARQL does not keep list order, so walk the RDF list cell by cell.
    cells = {r["cell"]: (r["notation"], r["next"]) for r in select(kg, """
        SELECT ?cell ?notation ?next WHERE { collection:process-order skos:memberList/rdf:rest* ?cell .
            ?cell rdf:first ?e ; rdf:rest ?next . ?e skos:notation ?notation }""")}
    head = select(kg, "SELECT ?l WHERE { collection:process-order skos:memberList ?l }")[0]["l"]
    order = []
    while head in cells:
        notation, head = cells[head]
        order.append(notation)
    assert order == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("notation", list(ARTICLE_ELEMENTS))
def test_each_element_has_exactly_the_articles_methods(kg, notation):
    rows = select(kg, f"""SELECT ?sv ?methodNotation WHERE {{
        ?m a sikg:SupportMethod ; sikg:forElement ?e ; skos:notation ?methodNotation ; skos:prefLabel ?sv .
        ?e skos:notation "{notation}" . FILTER(LANG(?sv) = "sv") }}""")
    order = lambda r: int(r["methodNotation"].split(".")[1])
    assert [r["sv"] for r in sorted(rows, key=order)] == ARTICLE_ELEMENTS[notation][1]


def test_19_methods_each_with_an_english_label_and_definition(kg):
    rows = select(kg, """SELECT ?m WHERE { ?m a sikg:SupportMethod ; skos:prefLabel ?en ; skos:definition ?d .
                         FILTER(LANG(?en) = "en" && LANG(?d) = "en") }""")
    assert len({r["m"] for r in rows}) == 19


@pytest.mark.skipif(not ARTICLE.exists(), reason="the source article (shared/) is not beside this checkout")
def test_swedish_labels_stand_verbatim_in_the_article():
    text = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    for element, methods in ARTICLE_ELEMENTS.values():
        for label in [element, *methods]:
            assert label in text, label


def test_levels_and_actor_types_and_characteristics(kg):
    rows = select(kg, """SELECT ?scheme (COUNT(?c) AS ?n) WHERE { ?c skos:inScheme ?scheme } GROUP BY ?scheme""")
    counts = {r["scheme"].rsplit("/", 1)[1]: int(r["n"]) for r in rows}
    assert counts["levels"] == 3
    assert counts["actor-types"] >= 9
    assert counts["characteristics"] == 3
    levels = select(kg, """SELECT ?n WHERE { ?l a sikg:Level ; skos:notation ?n }""")
    assert {r["n"] for r in levels} == {"micro", "meso", "macro"}


def test_every_practice_has_what_the_foundation_requires(kg):
    rows = select(kg, """
        SELECT ?p WHERE { ?p a sikg:SupportPractice .
          FILTER NOT EXISTS {
            ?p rdfs:label ?en ; dct:description ?d ; sikg:country ?c ; sikg:operatedBy ?o ; sikg:supportsElement ?e ;
               dct:source ?s .
            ?o rdfs:label ?name ; sikg:actorType ?t .
            FILTER(LANG(?en) = "en" && LANG(?d) = "en")
          } }""")
    assert rows == []


def test_practices_carry_an_original_language_label_where_the_name_is_not_english(kg):
    rows = select(kg, """SELECT ?p WHERE { ?p a sikg:SupportPractice .
        FILTER NOT EXISTS { ?p rdfs:label ?l FILTER(LANG(?l) != "en") } }""")
    # Three practices are known by English names only (Reach for Change Latvia, The Joint Way, SPIS).
    assert len(rows) <= 3, rows


def test_links_stated_in_buicasus_material_cite_it(kg):
    rows = select(kg, """SELECT ?source WHERE { ?p sikg:qualifiedElementSupport|sikg:qualifiedMethodUse ?l .
                         ?l sikg:basis basis:stated ; sikg:evidence/dct:source ?source }""")
    assert rows, "at least the Cap Impact and Agirre Lehendakaria Center links are stated by BuiCaSuS"
    buicasus = {"https://socialinnovation.se/en/nyheter/ny-rapport-visar-hur-stod-kan-skapas-for-sociala-innovationsprocesser/"}
    assert {r["source"] for r in rows} <= buicasus


def test_homepages_are_iris_and_organisations_are_shared_not_duplicated(kg):
    rows = select(kg, """SELECT ?name (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a sikg:Organisation ; rdfs:label ?name }
                         GROUP BY ?name HAVING (COUNT(DISTINCT ?o) > 1)""")
    assert rows == []


# -- issue 16: the report's findings about the collection -----------------------------------------------------------

def test_every_finding_of_the_collection_has_its_page_and_a_quotation_tagged_with_its_language(kg):
    """Each finding of the BuiCaSuS report is a sikg:Finding of the collection, with an English label and
    description, the page that states it (a documented source), and at least one quotation from that page, short and
    tagged with the page's language."""
    findings = select(kg, """SELECT ?f WHERE { collection:buicasus-good-examples sikg:finding ?f }""")
    assert findings, "the collection has no findings"
    for row in findings:
        f = row["f"]
        assert f.startswith("https://w3id.org/sikg/id/finding/"), f
        facts = select(kg, f"""SELECT ?label ?description ?source ?q WHERE {{
            <{f}> a sikg:Finding ; rdfs:label ?label ; dct:description ?description ; dct:source ?source ;
                sikg:quotation ?q .
            ?source a sikg:SourceDocument .
            FILTER(LANG(?label) = "en" && LANG(?description) = "en") }}""")
        assert facts, f"{f} lacks an English label or description, a documented source or a quotation"
    for row in kg.query("""SELECT ?q WHERE { <https://w3id.org/sikg/id/collection/buicasus-good-examples>
                             <https://w3id.org/sikg/ontology#finding>/<https://w3id.org/sikg/ontology#quotation>
                             ?q }"""):
        q = row["q"]
        assert q.language in {"en", "sv", "fr"}, q
        assert q.value.strip() and len(q.value) <= 300, q.value
