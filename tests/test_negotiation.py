"""Content negotiation (negotiation.py): its one decision (`negotiation.choose`) directly, and across routes: media-type
parameters in Accept, application/json for JSON-LD, format= errors and aliases, Vary, validators (ETag, 304), 416's
Content-Range, and what CORS exposes."""

import dataclasses
import json

import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from sikg import formats
from sikg.http import negotiation
from sikg.http.negotiation import without_parameters
from sikg.http.responses import status_of
from sikg.settings import Settings
from sikg.web.app import create_app

PRACTICE = "/id/practice/coompanion"
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
JSON_LD_PROFILES = ['application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"',
                    'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"',
                    "application/ld+json;charset=utf-8"]


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


# -- 1. media-type parameters are no reason to refuse ---------------------------------------------------------------

@pytest.mark.parametrize("path, accept", [
    *((path, accept) for path in (PRACTICE, "/export", "/practices") for accept in JSON_LD_PROFILES),
    (PRACTICE, "text/turtle;charset=utf-8"), ("/export", "text/turtle;charset=utf-8"),
])
def test_accept_with_media_type_parameters_is_answered(client, path, accept):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == accept.split(";")[0]


def test_sparql_results_accept_with_charset_is_answered(client):
    response = client.get("/sparql", query_string={"query": SELECT},
                          headers={"Accept": "application/sparql-results+json;charset=utf-8"})
    assert response.status_code == 200 and response.mimetype == "application/sparql-results+json"


def test_a_refused_type_stays_refused_whatever_its_parameters(client):
    response = client.get(PRACTICE, headers={"Accept": "text/turtle;charset=utf-8;q=0, image/png"})
    assert response.status_code == 406


# -- 2. JSON-LD is JSON ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [PRACTICE, "/export", "/practices"])
def test_application_json_gets_json_ld_labelled_as_asked(client, path):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.data)
    assert "@context" in document or "@graph" in document


def test_a_canonical_type_still_wins_over_the_json_alias(client):
    response = client.get(PRACTICE, headers={"Accept": "application/json, text/turtle;q=0.5"})
    assert response.mimetype == "text/turtle"


# -- 3. format= on /id ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["pdf", "json-ld"])
def test_an_unknown_format_on_id_is_400_listing_the_formats(client, value):
    response = client.get(PRACTICE, query_string={"format": value}, headers={"Accept": "text/turtle"})
    assert response.status_code == 400
    assert all(name in response.get_data(as_text=True) for name in ("html", "ttl", "jsonld", "nt", "rdfxml"))


@pytest.mark.parametrize("value", ["nq", "csv", "application/sparql-results+json"])
def test_a_known_format_id_has_no_representation_in_is_406_listing_the_formats(client, value):
    # The name is right (other routes answer with it), the resource cannot be that: Not Acceptable, as on /sparql.
    response = client.get(PRACTICE, query_string={"format": value}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert all(name in response.get_data(as_text=True) for name in ("html", "ttl", "jsonld", "nt", "rdfxml"))


@pytest.mark.parametrize("value, media_type", [
    ("ttl", "text/turtle"), ("text/turtle", "text/turtle"), ("application/x-turtle", "text/turtle"),
    ("jsonld", "application/ld+json"), ("application/json", "application/ld+json"), ("nt", "application/n-triples"),
    ("text/plain", "application/n-triples"), ("rdfxml", "application/rdf+xml"),
    ("application/xml", "application/rdf+xml"),
    ("html", "text/html"), ("application/xhtml+xml", "text/html"),
])
def test_id_takes_the_format_names_and_media_types_sparql_takes(client, value, media_type):
    response = client.get(PRACTICE, query_string={"format": value}, headers={"Accept": "image/png"})
    assert response.status_code == 200 and response.mimetype == media_type


@pytest.mark.parametrize("path", [PRACTICE, "/export", "/practices"])
def test_an_empty_format_is_no_format(client, path):
    with_empty = client.get(path, query_string={"format": ""}, headers={"Accept": "application/ld+json"})
    without = client.get(path, headers={"Accept": "application/ld+json"})
    assert with_empty.status_code == without.status_code == 200
    assert with_empty.mimetype == without.mimetype == "application/ld+json"


# -- 4, 5. Vary, and /queries by Accept -----------------------------------------------------------------------------

@pytest.mark.parametrize("path, accept", [
    ("/ontology", "text/html"), ("/ontology", "text/turtle"), ("/sparql", "text/html"), ("/sparql", "text/turtle"),
    ("/queries", "text/html"), ("/queries", "application/json"), (PRACTICE, "text/html"), (PRACTICE, "text/turtle"),
])
def test_every_variant_of_a_page_varies_on_accept_and_language(client, path, accept):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert {"accept", "accept-language"} <= vary(response)


def test_a_query_answer_varies_on_accept_only(client):
    """The repeated-GET cache keeps only answers that vary on Accept alone: a query answer must stay one."""
    response = client.get("/sparql", query_string={"query": SELECT})
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize("accept, media_type", [("text/html", "text/html"), ("application/json", "application/json"),
                                                ("*/*", "application/json"), (None, "application/json")])
def test_the_catalogue_is_negotiated(client, accept, media_type):
    response = client.get("/queries", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media_type


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "image/png"])
def test_the_catalogue_refuses_what_it_cannot_be(client, accept):
    assert client.get("/queries", headers={"Accept": accept}).status_code == 406


# -- 6. 416 ---------------------------------------------------------------------------------------------------------

def test_an_unsatisfiable_range_says_the_length(kg, tmp_path):
    settings = dataclasses.replace(Settings.from_environment(), evaluators=1, export_cache=str(tmp_path / "dumps"))
    app = create_app(kg, settings)
    try:
        client = app.test_client()
        whole = client.get("/export", query_string={"format": "nt"}).data
        kept = client.get("/export", query_string={"format": "nt"})
        assert kept.headers.get("Content-Length") == str(len(whole))
        beyond = client.get("/export", query_string={"format": "nt"}, headers={"Range": f"bytes={len(whole) + 5}-"})
        assert beyond.status_code == 416
        assert beyond.headers["Content-Range"] == f"bytes */{len(whole)}"
    finally:
        app.extensions["sikg"].pool.close()


# -- 7. validators ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, headers", [
    ("/context.jsonld", {}), (PRACTICE, {"Accept": "text/turtle"}), (PRACTICE, {"Accept": "text/html"}),
    (PRACTICE, {"Accept": "application/json"}),
])
def test_an_etag_is_answered_with_304(client, path, headers):
    first = client.get(path, headers=headers)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and not etag.startswith("W/")
    again = client.get(path, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and again.data == b""
    assert client.get(path, headers={**headers, "If-None-Match": "*"}).status_code == 304
    assert client.get(path, headers={**headers, "If-None-Match": '"other"'}).status_code == 200


def test_each_variant_of_a_resource_has_its_own_etag(client):
    etags = {client.get(PRACTICE, headers={"Accept": accept}).headers["ETag"]
             for accept in ("text/html", "text/turtle", "application/ld+json", "application/json")}
    etags.add(client.get(PRACTICE, headers={"Accept": "text/html"}, query_string={"lang": "sv"}).headers["ETag"])
    assert len(etags) == 5
    turtle = client.get(PRACTICE, headers={"Accept": "text/turtle"}).headers["ETag"]
    assert client.get(PRACTICE, headers={"Accept": "text/html", "If-None-Match": turtle}).status_code == 200


def test_a_write_changes_the_resource_etag(tmp_path):
    from sikg.store import open_store
    store = open_store("memory")
    app = create_app(store)
    try:
        client = app.test_client()
        before = client.get(PRACTICE, headers={"Accept": "text/turtle"}).headers["ETag"]
        store.update("INSERT DATA { GRAPH <urn:test-graph> { <urn:x> <urn:y> <urn:z> } }")
        assert client.get(PRACTICE, headers={"Accept": "text/turtle", "If-None-Match": before}).status_code == 200
    finally:
        app.extensions["sikg"].pool.close()


# -- 8. CORS ----------------------------------------------------------------------------------------------------------

def test_cors_exposes_location(client):
    exposed = {h.strip().lower() for h in
               client.get("/health").headers["Access-Control-Expose-Headers"].split(",")}
    assert {"location", "etag", "content-disposition", "link"} <= exposed


# -- the audit's negotiation defects: q=0 excludes, format= names are 400 when unknown, html where a page exists -----

@pytest.mark.parametrize("accept", ["text/html;q=0, */*", "text/*;q=0, */*", "text/html;q=0, application/*"])
def test_an_excluded_html_is_never_sent(client, accept):
    """RFC 9110 §12.5.1: q=0 means "not acceptable", also when a wildcard would match (the page is sent as
    text/html, so application/xhtml+xml reached through */* does not make it acceptable)."""
    response = client.get("/practices", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    # the home page has no other representation: Not Acceptable
    assert client.get("/", headers={"Accept": accept}).status_code == 406
    assert client.get("/", headers={"Accept": "application/xhtml+xml"}).mimetype == "text/html"


@pytest.mark.parametrize("path", ["/practices", "/ontology", "/shapes", "/.well-known/void", "/sparql", "/queries",
                                  PRACTICE, "/contributions/none-such", "/"])
def test_an_unknown_format_name_is_400_listing_the_valid_ones(client, path):
    response = client.get(path, query_string={"format": "bogus"})
    if path.startswith("/contributions"):
        assert response.status_code == 404  # the resource does not exist, whatever the format
        return
    assert response.status_code == 400, path
    assert response.mimetype == "text/plain" and "format=bogus" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, query", [("/practices", {"format": "csv"}), ("/shapes", {"format": "html"}),
                                         ("/queries", {"format": "ttl"}), ("/", {"format": "jsonld"}),
                                         ("/sparql", {"query": SELECT, "format": "ttl"}),
                                         ("/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
                                                      "format": "csv"})])
def test_a_known_format_the_resource_cannot_be_is_406(client, path, query):
    assert client.get(path, query_string=query).status_code == 406, (path, query)


@pytest.mark.parametrize("path", ["/ontology", "/sparql", "/queries", "/practices", "/", PRACTICE])
def test_format_html_gives_the_page_where_there_is_one(client, path):
    response = client.get(path, query_string={"format": "html"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/html", path


def test_queries_honours_format(client):
    response = client.get("/queries", query_string={"format": "json"}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert isinstance(response.get_json(), list)


def test_a_framed_export_refused_by_accept_lists_only_what_it_can_be(client):
    response = client.get("/export", query_string={"frame": "practices"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    message = response.get_data(as_text=True)
    assert "application/ld+json" in message and "application/json" in message
    assert "text/turtle" not in message and "application/n-triples" not in message


# -- negotiation.choose, the one decision every route's negotiation comes down to ------------------------------------

def accept(header: str | None) -> MIMEAccept:
    return without_parameters(parse_accept_header(header, MIMEAccept))


@pytest.mark.parametrize("header, expected", [
    (None, "ttl"),                                          # no Accept: the first offer
    ("*/*", "ttl"),                                         # a wildcard: the first offer too
    ("application/n-triples, text/turtle;q=0.5", "nt"),     # quality decides
    ("text/html, application/rdf+xml", "html"),             # a tie: the service's order
    ("text/plain", "nt"),                                   # an alias, labelled as asked (below)
    ("application/xhtml+xml", "html"),                      # only when named, never through */*
])
def test_choose_follows_quality_then_the_offers_order(header, expected):
    offers = (formats.TURTLE, formats.HTML, formats.N_TRIPLES, formats.RDF_XML)
    assert negotiation.choose(accept(header), None, offers).format.name == expected


def test_an_alias_is_answered_only_when_no_canonical_type_is_acceptable():
    offers = (formats.JSON_RESULTS, formats.XML_RESULTS)
    assert negotiation.choose(accept("application/json"), None, offers) == negotiation.Choice(formats.JSON_RESULTS,
                                                                                  "application/json")
    both = negotiation.choose(accept("application/json, application/sparql-results+xml;q=0.1"), None, offers)
    assert both == negotiation.Choice(formats.XML_RESULTS, "application/sparql-results+xml")


def test_a_page_is_labelled_text_html_whatever_the_client_called_it():
    choice = negotiation.choose(accept("application/xhtml+xml"), None, (formats.HTML,))
    assert choice == negotiation.Choice(formats.HTML, "text/html")
    chosen = negotiation.choose(accept("text/html;q=0, */*"), None, (formats.HTML, formats.JSON_LD))
    assert chosen.format is formats.JSON_LD


@pytest.mark.parametrize("requested, expected", [("jsonld", "jsonld"), ("application/ld+json", "jsonld"),
                                                 ("TEXT/Turtle; charset=utf-8", "ttl"),
                                                 ("application/x-turtle", "ttl")])
def test_format_names_a_format_by_name_media_type_or_alias(requested, expected):
    offers = (formats.TURTLE, formats.JSON_LD)
    chosen = negotiation.choose(accept("text/csv"), requested, offers)  # format= wins over Accept
    assert chosen.format.name == expected and chosen.media_type == chosen.format.media_type


@pytest.mark.parametrize("requested, status", [("csv", 406), ("text/csv", 406), ("html", 406), ("pdf", 400),
                                               ("image/png", 400)])
def test_a_format_the_offers_lack_is_406_if_the_service_knows_it_else_400(requested, status):
    with pytest.raises(negotiation.NegotiationFailed) as refused:
        negotiation.choose(accept(None), requested, (formats.TURTLE, formats.JSON_LD))
    assert status_of(refused.value) == status and "ttl, jsonld" in refused.value.message


def test_an_accept_nothing_offered_matches_lists_the_offers_and_aliases():
    with pytest.raises(negotiation.NegotiationFailed) as refused:
        negotiation.choose(accept("image/png"), None, (formats.JSON_LD,), formats.JSON_AS_JSON_LD)
    assert status_of(refused.value) == 406
    assert refused.value.message.endswith("offered: application/ld+json, application/json")


def test_nameable_formats_are_handed_back_for_the_caller_to_judge():
    """/export: format=ttl with the practices frame is the frame's refusal (400), not the negotiation's."""
    chosen = negotiation.choose(accept(None), "ttl", (formats.JSON_LD,), nameable=formats.DUMP_FORMATS)
    assert chosen.format is formats.TURTLE


def test_a_choice_made_once_is_not_handed_to_other_offers_formats_or_aliases():
    """choose keeps each choice (Werkzeug's matching is slow): its key is every argument, not the Accept alone."""
    json = accept("application/json")
    assert negotiation.choose(json, None, (formats.JSON_RESULTS,)).format is formats.JSON_RESULTS
    assert negotiation.choose(json, None, (formats.JSON_LD, formats.TURTLE), formats.JSON_AS_JSON_LD).format \
        is formats.JSON_LD
    with pytest.raises(negotiation.NegotiationFailed):
        negotiation.choose(json, None, (formats.JSON_LD, formats.TURTLE))  # the same without the alias
    assert negotiation.choose(json, "ttl", (formats.JSON_LD, formats.TURTLE)).format is formats.TURTLE
    assert negotiation.choose(json, None, (formats.TURTLE,), {"application/json": formats.TURTLE}) \
        == negotiation.Choice(formats.TURTLE, "application/json")
    assert negotiation.choose(json, "ttl", (formats.JSON_LD,), nameable=(formats.TURTLE,)).format is formats.TURTLE
    assert negotiation.choose(accept("text/turtle;q=0.1, application/json"), None, (formats.JSON_LD, formats.TURTLE),
                         formats.JSON_AS_JSON_LD).format is formats.TURTLE  # a canonical type before an alias
    assert negotiation.choose(accept(None), None, (formats.TURTLE, formats.JSON_LD)).format is formats.TURTLE


# -- choose(clients=True): a query answer reads the names SPARQL clients send, and yields to a named Accept ----------

@pytest.mark.parametrize("requested, offers, expected", [
    ("xml", formats.RESULT_FORMATS, formats.XML_RESULTS), ("xml", formats.GRAPH_FORMATS, formats.RDF_XML),
    ("json", formats.RESULT_FORMATS, formats.JSON_RESULTS), ("json", formats.GRAPH_FORMATS, formats.JSON_LD),
    ("text", formats.GRAPH_FORMATS, formats.TURTLE), ("N3", formats.GRAPH_FORMATS, formats.TURTLE),
])
def test_a_client_name_means_the_format_of_the_query_form(requested, offers, expected):
    chosen = negotiation.choose(accept("text/csv"), requested, offers, nameable=formats.NAMEABLE_RESULT_FORMATS
                                if offers is formats.RESULT_FORMATS else (), clients=True)
    assert chosen == negotiation.Choice(expected, expected.media_type)


def test_without_clients_the_names_and_the_refusals_stay_the_routes_own():
    with pytest.raises(negotiation.NegotiationFailed) as refused:
        negotiation.choose(accept("text/turtle"), "turtle", formats.GRAPH_FORMATS)
    assert status_of(refused.value) == 400
    with pytest.raises(negotiation.NegotiationFailed):
        negotiation.choose(accept("text/turtle"), "bogus", formats.GRAPH_FORMATS)
    yielded = negotiation.choose(accept("text/turtle"), "bogus", formats.GRAPH_FORMATS, clients=True)
    assert yielded.format is formats.TURTLE and status_of(yielded.ignored) == 400
    unsuitable = negotiation.choose(accept("text/turtle"), "csv", formats.GRAPH_FORMATS, clients=True)
    assert unsuitable.format is formats.TURTLE and status_of(unsuitable.ignored) == 406


@pytest.mark.parametrize("header", [None, "*/*", "text/*", "text/turtle;q=0, */*", "image/png"])
def test_an_unknown_name_yields_only_to_an_accept_that_names_the_answer(header):
    with pytest.raises(negotiation.NegotiationFailed) as refused:
        negotiation.choose(accept(header), "bogus", formats.GRAPH_FORMATS, clients=True)
    assert status_of(refused.value) == 400


@pytest.mark.parametrize("header, expected", [(None, None), ("image/png", None), ("*/*", formats.TURTLE),
                                              ("application/*", formats.N_TRIPLES)])
def test_a_known_name_the_offers_lack_yields_to_any_accept_they_satisfy(header, expected):
    if expected is None:
        with pytest.raises(negotiation.NegotiationFailed) as refused:
            negotiation.choose(accept(header), "csv", formats.GRAPH_FORMATS, clients=True)
        assert status_of(refused.value) == 406
        return
    chosen = negotiation.choose(accept(header), "csv", formats.GRAPH_FORMATS, clients=True)
    assert chosen.format is expected and status_of(chosen.ignored) == 406
