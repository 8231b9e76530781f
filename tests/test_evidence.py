"""Evidence as its own node (issue 27, item 2): the earlier form, a record's own dct:source and sikg:quotation, is
paired into evidence nodes on arrival where the pairing is certain, and left for its author where it is not."""

import pyoxigraph as ox

from sikg.rdf.reading import parse_upload

PREFIXES = """@prefix sikg: <https://w3id.org/sikg/ontology#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix practice: <https://w3id.org/sikg/id/practice/> . @prefix method: <https://w3id.org/sikg/id/method/> .
"""
SIKG = "https://w3id.org/sikg/ontology#"
SOURCE = "http://purl.org/dc/terms/source"


def parsed(body: str) -> list[ox.Quad]:
    return parse_upload((PREFIXES + body).encode(), ox.RdfFormat.TURTLE, "test")


def evidence_of(quads) -> set[tuple[str, str | None]]:
    """(page, quotation) of every evidence node."""
    nodes = {q.object for q in quads if q.predicate.value == SIKG + "evidence"}
    about = lambda n, p: [q.object.value for q in quads if q.subject == n and q.predicate.value == p]
    return {(about(n, SOURCE)[0], next(iter(about(n, SIKG + "quotation")), None)) for n in nodes}


def test_a_record_citing_one_page_gets_one_evidence_node_per_quotation():
    quads = parsed("""practice:p sikg:qualifiedMethodUse [ sikg:method method:x ; dct:source <https://a.example/> ;
        sikg:quotation "first passage"@en , "second passage"@en ] .""")
    assert evidence_of(quads) == {("https://a.example/", "first passage"), ("https://a.example/", "second passage")}
    record = next(q.object for q in quads if q.predicate.value == SIKG + "qualifiedMethodUse")
    assert not [q for q in quads if q.subject == record and q.predicate.value in (SOURCE, SIKG + "quotation")]
    assert sum(q.object.value == SIKG + "Evidence" for q in quads) == 2


def test_a_record_citing_pages_without_quotations_gets_a_node_per_page():
    quads = parsed("""practice:p sikg:qualifiedMethodUse [ sikg:method method:x ;
        dct:source <https://a.example/> , <https://b.example/> ] .""")
    assert evidence_of(quads) == {("https://a.example/", None), ("https://b.example/", None)}


def test_quotations_beside_several_pages_are_left_for_their_author():
    body = """practice:p sikg:qualifiedMethodUse [ sikg:method method:x ; dct:source <https://a.example/> ,
        <https://b.example/> ; sikg:quotation "on one of them"@en ] ."""
    quads = parsed(body)
    assert evidence_of(quads) == set()
    assert {q.predicate.value for q in quads} >= {SOURCE, SIKG + "quotation"}


def test_evidence_already_paired_and_a_practice_s_own_sources_are_untouched():
    body = """practice:p dct:source <https://c.example/> ; sikg:qualifiedMethodUse [ sikg:method method:x ;
        sikg:evidence [ dct:source <https://a.example/> ; sikg:quotation "passage"@en ] ] ."""
    quads = parsed(body)
    assert evidence_of(quads) == {("https://a.example/", "passage")}
    assert len(quads) == len(list(ox.parse((PREFIXES + body).encode(), format=ox.RdfFormat.TURTLE)))


def test_why_these_links_shows_each_quotation_with_its_own_page(client):
    page = client.get("/id/practice/seal?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    interview = "https://buysocialeuropeb2b.eu/en/n/interviews/social-entrepreneurship-association-latvia"
    report = "https://sua.lv/en/activity-report-of-year-2023/"
    def evidence_around(text: str) -> str:
        at = page.index(text)
        return page[page.rindex('<div class="evidence">', 0, at):page.index("</div>", at)]

    # each quotation in its own evidence block: cited from its own page, with that page's link, never the other's
    members = evidence_around("The member organizations are both social enterprises")
    areas = evidence_around("working in three main areas")
    assert f'cite="{interview}"' in members and f'<a href="{interview}" rel="external">' in members
    assert report not in members
    assert f'cite="{report}"' in areas and f'<a href="{report}" rel="external">' in areas
    assert interview not in areas
