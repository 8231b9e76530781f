"""The /sparql endpoint: SPARQL 1.1 Protocol conformance (the W3C protocol test suite's query-operation cases,
adapted to this dataset), the contract's error answers, content negotiation, the dataset, caching, descriptions, and
the safety of the real server (no outbound connection, the time limit, real clients).
What safety.py refuses before a query reaches the store (SPARQL Update, SERVICE, LOAD, unknown graphs) is tested in
test_safety.py.

The W3C cases come from w3c/rdf-tests, sparql/sparql11/protocol/manifest.ttl; each test is named after its case.
Where a case queries the suite's data (http://kasei.us/2009/09/sparql/data/data{0,1,2,3}.rdf) it is adapted to the two
named graphs this store holds: a resource typed only in the ontology graph stands in for one data file, a practice
typed only in the curated graph for another. The update-operation cases that expect success (update_dataset_*,
update_post_form, update_post_direct, update_base_uri) are not run: /sparql is read-only by contract, and the same
requests are asserted to be refused below. Their bad_update_* cases, which expect a 4xx, are run as they stand.
"""

import dataclasses
import json
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from listener import Listener

from helpers import ask, assert_refused, results, text
from sikg.errors import BadRequest
from sikg.settings import Settings
from sikg.sparql.protocol import _strict_parameters
from sikg.web.app import create_app

ONT = "https://w3id.org/sikg/graph/ontology"
CUR = "https://w3id.org/sikg/graph/curated"
TRANSLATIONS = "https://w3id.org/sikg/graph/translations"
ONTOLOGY = "https://w3id.org/sikg/ontology"  # a owl:Ontology, in the ontology graph only
PRACTICE = "https://w3id.org/sikg/id/practice/coompanion"  # a sikg:SupportPractice, in the curated graph only
SIKG = "https://w3id.org/sikg/ontology#"
OWL = "http://www.w3.org/2002/07/owl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
UNKNOWN = "http://example.org/not-a-graph-here"

RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
               "rdfxml": "application/rdf+xml", "trig": "application/trig", "nq": "application/n-quads"}

PRACTICES = f"SELECT ?p WHERE {{ ?p a <{SIKG}SupportPractice> }} ORDER BY ?p"
PRACTICES_GRAPH = (f"CONSTRUCT {{ ?p a <{SIKG}SupportPractice> }} WHERE {{ ?p a <{SIKG}SupportPractice> }}")
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _settings(evaluators: int) -> Settings:
    return dataclasses.replace(Settings.from_environment(), evaluators=evaluators)


@pytest.fixture(scope="module")
def app(kg):
    app = create_app(kg, _settings(2))
    yield app
    app.extensions["sikg"].pool.close()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def kg_size(kg):
    """The store's size before this module runs: no request here may change it."""
    return len(kg)


@pytest.fixture(scope="module")
def graph_sizes(kg):
    rows = kg.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"].value: int(r["n"].value) for r in rows}


# -- helpers -----------------------------------------------------------------------------------------------------


def triples(response) -> set[ox.Triple]:
    """The RDF of a 200 answer, parsed back by its Content-Type (quads of a dataset format taken as triples)."""
    assert response.status_code == 200, text(response)
    rdf_format = ox.RdfFormat.from_media_type(response.mimetype)
    assert rdf_format is not None, response.mimetype
    out = set()
    for statement in ox.parse(response.data, format=rdf_format):
        out.add(ox.Triple(statement.subject, statement.predicate, statement.object))
    return out


def quality(accept: str, media_type: str) -> float:
    """The quality an Accept header gives a media type, by RFC 9110 12.5.1: the most specific range decides."""
    best_specificity, best_q = -1, 0.0
    main, _, sub = media_type.partition("/")
    for part in accept.split(","):
        media_range, *params = [p.strip() for p in part.split(";")]
        q = next((float(p[2:]) for p in params if p.startswith("q=")), 1.0)
        r_main, _, r_sub = media_range.partition("/")
        if media_range == "*/*":
            specificity = 0
        elif r_sub == "*" and r_main == main:
            specificity = 1
        elif media_range == media_type:
            specificity = 2
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


# == 1. The W3C SPARQL 1.1 Protocol test cases: query operation ===================================================

def test_query_post_form(client):
    response = client.post(f"/sparql?default-graph-uri={urllib.parse.quote(ONT, safe='')}",
                           data="query=ASK%20%7B%7D", content_type="application/x-www-form-urlencoded")
    assert response.mimetype in RESULT_TYPES.values()
    assert ask(response) is True


def test_query_dataset_default_graphs_get(client):
    response = client.get("/sparql", query_string=[
        ("query", f"ASK {{ <{ONTOLOGY}> a ?type1 . <{PRACTICE}> a ?type2 . }}"),
        ("default-graph-uri", ONT), ("default-graph-uri", CUR)])
    assert ask(response) is True


def test_query_dataset_default_graphs_post(client):
    url = "/sparql?" + urllib.parse.urlencode([("default-graph-uri", ONT), ("default-graph-uri", CUR)])
    response = client.post(url, data=f"ASK {{ <{ONTOLOGY}> a ?type1 . <{PRACTICE}> a ?type2 . }}",
                           content_type="application/sparql-query")
    assert ask(response) is True


def test_query_dataset_named_graphs_post(client):
    url = "/sparql?" + urllib.parse.urlencode([("named-graph-uri", ONT), ("named-graph-uri", CUR)])
    response = client.post(url, data=f"ASK {{ GRAPH ?g1 {{ <{ONTOLOGY}> a ?type1 }} "
                                     f"GRAPH ?g2 {{ <{PRACTICE}> a ?type2 }} }}",
                           content_type="application/sparql-query")
    assert ask(response) is True


def test_query_dataset_named_graphs_get(client):
    response = client.get("/sparql", query_string=[
        ("query", f"ASK {{ GRAPH ?g1 {{ <{ONTOLOGY}> a ?type1 }} GRAPH ?g2 {{ <{PRACTICE}> a ?type2 }} }}"),
        ("named-graph-uri", ONT), ("named-graph-uri", CUR)])
    assert ask(response) is True


def test_query_dataset_full(client):
    # The suite's default graph data3 + named data1, data2 become: default = curated, named = ontology.
    url = "/sparql?" + urllib.parse.urlencode([("default-graph-uri", CUR), ("named-graph-uri", ONT)])
    response = client.post(url, data=f"ASK {{\n  <{PRACTICE}> a ?type\n  GRAPH ?g1 {{ <{ONTOLOGY}> a ?type1 }}\n}}",
                           content_type="application/sparql-query")
    assert ask(response) is True
    # …and the dataset is exactly that: the ontology is not in the default graph, the curated graph is not named.
    response = client.post(url, data=f"ASK {{ {{ <{ONTOLOGY}> a ?t }} UNION {{ GRAPH ?g {{ <{PRACTICE}> a ?t }} }} }}",
                           content_type="application/sparql-query")
    assert ask(response) is False


def test_query_multiple_dataset(client):
    # The dataset in the protocol takes precedence over the one in the query (FROM).
    url = "/sparql?" + urllib.parse.urlencode([("named-graph-uri", ONT), ("named-graph-uri", CUR)])
    response = client.post(url, data=f"ASK FROM <{CUR}> {{ GRAPH ?g1 {{ <{ONTOLOGY}> a ?type1 }} "
                                     f"GRAPH ?g2 {{ <{PRACTICE}> a ?type2 }} }}",
                           content_type="application/sparql-query")
    assert ask(response) is True
    url = "/sparql?" + urllib.parse.urlencode([("default-graph-uri", ONT)])
    response = client.post(url, data=f"ASK FROM <{CUR}> {{ <{PRACTICE}> a ?type }}",
                           content_type="application/sparql-query")
    assert ask(response) is False


def test_query_get(client):
    response = client.get(f"/sparql?query=ASK%20%7B%7D&default-graph-uri={urllib.parse.quote(ONT, safe='')}")
    assert response.mimetype in RESULT_TYPES.values()
    assert ask(response) is True


def test_query_content_type_select(client):
    response = client.post(f"/sparql?default-graph-uri={urllib.parse.quote(ONT, safe='')}",
                           data="SELECT (1 AS ?value) {}", content_type="application/sparql-query")
    assert response.mimetype in RESULT_TYPES.values()
    assert results(response) == [{"value": "1"}]


def test_query_content_type_ask(client):
    response = client.post(f"/sparql?default-graph-uri={urllib.parse.quote(ONT, safe='')}",
                           data="ASK {}", content_type="application/sparql-query")
    assert response.mimetype in ("application/sparql-results+xml", "application/sparql-results+json")
    assert ask(response) is True


def test_query_content_type_describe(client):
    response = client.post(f"/sparql?default-graph-uri={urllib.parse.quote(ONT, safe='')}",
                           data="DESCRIBE <http://example.org/>", content_type="application/sparql-query")
    assert response.mimetype in GRAPH_TYPES.values()
    assert triples(response) == set()  # parses, and nothing is known about it


def test_query_content_type_construct(client):
    # Adapted: absolute IRIs (the verbatim case, with relative ones, is the next test).
    response = client.post(f"/sparql?default-graph-uri={urllib.parse.quote(ONT, safe='')}",
                           data="CONSTRUCT { <urn:x:s> <urn:x:p> 1 } WHERE {}",
                           content_type="application/sparql-query")
    assert response.mimetype in GRAPH_TYPES.values()
    assert triples(response) == {ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal(1))}


def test_query_content_type_construct_verbatim_relative_iris(client):
    response = client.post(f"/sparql?default-graph-uri={urllib.parse.quote(ONT, safe='')}",
                           data="CONSTRUCT { <s> <p> 1 } WHERE {}", content_type="application/sparql-query")
    assert response.status_code == 200, text(response)
    assert len(triples(response)) == 1


def test_query_post_direct(client):
    response = client.post("/sparql", data="ASK {}", content_type="application/sparql-query")
    assert ask(response) is True


def test_bad_query_method(client):
    response = client.put(f"/sparql?query=ASK%20%7B%7D&default-graph-uri={urllib.parse.quote(ONT, safe='')}",
                          data="", content_type="application/x-www-form-urlencoded")
    assert_refused(response, 405, "method not allowed")


def test_bad_multiple_queries(client):
    response = client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert_refused(response, 400, "exactly one query")


def test_bad_query_wrong_media_type(client):
    response = client.post("/sparql", data="ASK {}", content_type="text/plain")
    assert_refused(response, 415, "text/plain", "application/sparql-query")


def test_bad_query_missing_form_type(client):
    response = client.post("/sparql", data=b"query=ASK%20%7B%7D")
    assert_refused(response, 415, "unsupported body type")


def test_bad_query_missing_direct_type(client):
    response = client.post("/sparql", data=b"ASK {}")
    assert_refused(response, 415, "unsupported body type")


def test_bad_query_non_utf8(client):
    response = client.post("/sparql", data="ASK {}".encode("utf-16"),  # with a BOM, as the suite sends it
                           content_type="application/sparql-query; charset=UTF-16")
    assert_refused(response, 415, "utf-8")


def test_bad_query_syntax(client):
    response = client.get("/sparql?query=ASK%20%7B")
    assert_refused(response, 400, "error at 1:")


def test_bad_update_get(client, kg, kg_size):
    response = client.get("/sparql?update=CLEAR%20ALL")
    assert len(kg) == kg_size
    assert_refused(response, 400, "update")


def test_bad_multiple_updates(client, kg, kg_size):
    response = client.post("/sparql", data="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                           content_type="application/x-www-form-urlencoded")
    assert_refused(response, 400, "update")
    assert len(kg) == kg_size


def test_bad_update_wrong_media_type(client, kg, kg_size):
    response = client.post("/sparql", data="CLEAR NAMED", content_type="text/plain")
    assert_refused(response, 415, "unsupported body type")
    assert len(kg) == kg_size


def test_bad_update_missing_form_type(client, kg, kg_size):
    response = client.post("/sparql", data=b"update=CLEAR%20NAMED")
    assert_refused(response, 415, "unsupported body type")
    assert len(kg) == kg_size


def test_bad_update_non_utf8(client, kg, kg_size):
    response = client.post("/sparql", data="CLEAR NAMED".encode("utf-16"),
                           content_type="application/sparql-update; charset=UTF-16")
    assert_refused(response, 415, "utf-8")
    assert len(kg) == kg_size


def test_bad_update_syntax(client, kg, kg_size):
    response = client.post("/sparql", data="update=CLEAR%20XYZ", content_type="application/x-www-form-urlencoded")
    assert_refused(response, 400, "update")
    assert len(kg) == kg_size


def test_bad_update_dataset_conflict(client, kg, kg_size):
    body = ("PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
            "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
            "WHERE {\n    ?person foaf:givenName 'Bill'\n}")
    response = client.post("/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople", data=body,
                           content_type="application/sparql-update")
    assert_refused(response, 400, "update")
    assert len(kg) == kg_size


# == 2. The contract's Errors table, for /sparql ===================================================================

@pytest.mark.parametrize("send", ["get", "post-form", "post-direct"])
def test_malformed_sparql_is_400_text_plain_with_the_parsers_message(client, send):
    query = "SELECT ?s WHERE { ?s ?p }"
    if send == "get":
        response = client.get("/sparql", query_string={"query": query})
    elif send == "post-form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert_refused(response, 400, "expected")
    assert re.search(r"\b1:\d+", text(response)), "the parser's message gives the line:column"


@pytest.mark.parametrize("query, accept", [
    (PRACTICES, "image/png"), (PRACTICES, "text/turtle"), ("ASK {}", "application/ld+json"),
    (PRACTICES_GRAPH, "application/sparql-results+json"), (PRACTICES_GRAPH, "text/csv"),
])
def test_an_unsupported_accept_is_406_listing_what_is_available(client, query, accept):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    graph = query.startswith("CONSTRUCT")
    assert_refused(response, 406, "none of the accepted media types",
                   "text/turtle" if graph else "application/sparql-results+json")


def test_an_unknown_format_parameter_is_400_listing_the_formats(client):
    # An unknown name is the URL's error (400), as on /id and /export; a known format that cannot express the result
    # stays Not Acceptable.
    response = client.get("/sparql", query_string={"query": PRACTICES, "format": "pdf"})
    assert_refused(response, 400, "format=pdf", "json, xml, csv, tsv")
    response = client.get("/sparql", query_string={"query": PRACTICES, "format": "ttl"})
    assert_refused(response, 406, "format=ttl", "json, xml, csv, tsv")


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "multipart/form-data; boundary=x",
                                          "application/sparql-results+json"])
def test_an_unsupported_body_type_is_415(client, content_type):
    response = client.post("/sparql", data="ASK {}", content_type=content_type)
    assert_refused(response, 415, "unsupported body type", "application/x-www-form-urlencoded",
                   "application/sparql-query")


@pytest.mark.parametrize("body, content_type", [
    (b'ASK { ?s ?p "caf\xe9" }', "application/sparql-query"),
    (b'query=ASK+%7B%7D&x=\xff\xfe', "application/x-www-form-urlencoded"),
    ("ASK {}".encode("latin-1"), "application/sparql-query; charset=ISO-8859-1"),
    ("ASK {}".encode("utf-16-le"), "application/sparql-query; charset=utf-16le"),
], ids=["invalid-utf8-direct", "invalid-utf8-form", "declared-latin1", "declared-utf16"])
def test_a_body_that_is_not_utf8_is_415(client, body, content_type):
    response = client.post("/sparql", data=body, content_type=content_type)
    assert_refused(response, 415, "UTF-8")


@pytest.mark.parametrize("send", ["get", "post-form", "post-form-and-url", "post-direct-and-url"])
def test_two_query_parameters_are_400(client, send):
    if send == "get":
        response = client.get("/sparql", query_string=[("query", "ASK {}"), ("query", "ASK {}")])
    elif send == "post-form":
        response = client.post("/sparql", data="query=ASK+%7B%7D&query=ASK+%7B%7D",
                               content_type="application/x-www-form-urlencoded")
    elif send == "post-form-and-url":
        response = client.post("/sparql?query=ASK+%7B%7D", data={"query": "ASK {}"})
    else:
        response = client.post("/sparql?query=ASK+%7B%7D", data="ASK {}", content_type="application/sparql-query")
    assert_refused(response, 400, "exactly one query", "2 'query' parameters")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_methods_other_than_get_and_post_are_405_with_allow(client, method):
    response = client.open("/sparql", method=method, query_string={"query": "ASK {}"})
    assert_refused(response, 405, "method not allowed")
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert not allowed & {"PUT", "DELETE", "PATCH"}


def test_head_is_answered_like_get_without_a_body(client):
    get = client.get("/sparql", query_string={"query": "ASK {}"})
    head = client.head("/sparql", query_string={"query": "ASK {}"})
    assert head.status_code == 200, f"{head.status_code}, Allow: {head.headers.get('Allow')}"
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.data == b""


# == 3. Content negotiation ========================================================================================

def test_accept_with_q_values_picks_the_highest(client):
    response = client.get("/sparql", query_string={"query": PRACTICES},
                          headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert response.mimetype == "application/sparql-results+xml"
    assert len(results(response)) == 35
    response = client.get("/sparql", query_string={"query": PRACTICES},
                          headers={"Accept": "application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.9"})
    assert response.mimetype == "text/tab-separated-values"
    response = client.get("/sparql", query_string={"query": PRACTICES_GRAPH},
                          headers={"Accept": "text/turtle;q=0.2, application/n-triples"})
    assert response.mimetype == "application/n-triples"


@pytest.mark.parametrize("accept", ["*/*", None, "application/*"])
def test_any_media_type_gives_the_default_format(client, accept):
    headers = {"Accept": accept} if accept else {}
    select = client.get("/sparql", query_string={"query": PRACTICES}, headers=headers)
    assert select.mimetype == "application/sparql-results+json"
    assert len(results(select)) == 35
    ask_ = client.get("/sparql", query_string={"query": "ASK {}"}, headers=headers)
    assert ask_.mimetype == "application/sparql-results+json"
    if accept != "application/*":
        construct = client.get("/sparql", query_string={"query": PRACTICES_GRAPH}, headers=headers)
        assert construct.mimetype == "text/turtle"
        assert len(triples(construct)) == 35


def test_accept_text_wildcard_gives_csv_for_select(client):
    response = client.get("/sparql", query_string={"query": PRACTICES}, headers={"Accept": "text/*"})
    assert response.mimetype == "text/csv"
    assert len(results(response)) == 35


def test_accept_text_wildcard_gives_turtle_for_construct(client):
    response = client.get("/sparql", query_string={"query": PRACTICES_GRAPH}, headers={"Accept": "text/*"})
    assert response.mimetype == "text/turtle"
    assert len(triples(response)) == 35


@pytest.mark.parametrize("query, accept", [
    pytest.param(PRACTICES, "text/csv;q=0.5, application/sparql-results+xml", id="select-q-values"),
    pytest.param(PRACTICES, "application/*", id="select-application-wildcard"),
    pytest.param(PRACTICES_GRAPH, "text/*", id="construct-text-wildcard"),
    pytest.param(PRACTICES_GRAPH, "text/plain;q=0.1, application/n-quads", id="construct-q-values"),
    pytest.param(PRACTICES_GRAPH, "application/*",
        id="construct-application-wildcard"),
    pytest.param(PRACTICES, "application/sparql-results+json;q=0, */*;q=0.1",
        id="select-json-refused"),
    pytest.param(PRACTICES_GRAPH, "text/turtle;q=0, */*;q=0.1",
        id="construct-turtle-refused"),
    pytest.param(PRACTICES, "application/json", id="select-json-alias"),
    pytest.param(PRACTICES, "application/json, application/sparql-results+json;q=0", id="select-alias-only"),
    pytest.param(PRACTICES, "text/xml", id="select-xml-alias"),
    pytest.param(PRACTICES_GRAPH, "text/plain", id="construct-ntriples-alias"),
])
def test_the_answer_is_in_a_media_type_the_client_accepts(client, query, accept):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, text(response)
    assert quality(accept, response.mimetype) > 0, f"{response.mimetype} is not acceptable under {accept!r}"


def test_an_alias_media_type_gets_the_format_under_that_name(client):
    """Clients that only know "application/json" (fetch, curl habits) get SPARQL JSON, labelled as they asked."""
    response = client.get("/sparql", query_string={"query": PRACTICES}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert len(json.loads(response.data)["results"]["bindings"]) == 35
    canonical = client.get("/sparql", query_string={"query": PRACTICES})
    assert canonical.data == response.data and canonical.headers["ETag"] != response.headers["ETag"]


@pytest.mark.parametrize("name", list(RESULT_TYPES))
@pytest.mark.parametrize("by", ["format", "accept"])
def test_each_result_format_for_select_and_ask_parses_back(client, name, by):
    def get(query):
        if by == "format":
            return client.get("/sparql", query_string={"query": query, "format": name},
                              headers={"Accept": "application/sparql-results+json"})  # format= wins over Accept
        return client.get("/sparql", query_string={"query": query}, headers={"Accept": RESULT_TYPES[name]})

    select = get(PRACTICES)
    assert select.headers["Content-Type"] == RESULT_TYPES[name] + "; charset=utf-8"
    rows = results(select)
    assert len(rows) == 35
    assert {"p": PRACTICE} in rows
    yes, no = get(f"ASK {{ <{PRACTICE}> a ?t }}"), get(f"ASK {{ <{PRACTICE}> a <{OWL}Ontology> }}")
    assert yes.mimetype == no.mimetype == RESULT_TYPES[name]
    assert results(yes) is True and results(no) is False


@pytest.mark.parametrize("name", list(GRAPH_TYPES))
@pytest.mark.parametrize("by", ["format", "accept"])
def test_each_graph_format_for_construct_and_describe_parses_back(client, kg, name, by):
    def get(query):
        if by == "format":
            return client.get("/sparql", query_string={"query": query, "format": name})
        return client.get("/sparql", query_string={"query": query}, headers={"Accept": GRAPH_TYPES[name]})

    construct = get(PRACTICES_GRAPH)
    assert construct.headers["Content-Type"] == GRAPH_TYPES[name] + "; charset=utf-8"
    graph = triples(construct)
    assert len(graph) == 35
    assert ox.Triple(ox.NamedNode(PRACTICE), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode(SIKG + "SupportPractice")) in graph
    describe = get(f"DESCRIBE <{PRACTICE}>")
    assert describe.mimetype == GRAPH_TYPES[name]
    described = triples(describe)
    expected = {t for t in kg.query(f"CONSTRUCT {{ <{PRACTICE}> ?p ?o }} WHERE {{ <{PRACTICE}> ?p ?o }}")
                if not isinstance(t.object, ox.BlankNode)}  # blank nodes get new labels in each answer
    assert expected and expected <= described
    assert any(isinstance(t.object, ox.BlankNode) for t in described)  # the qualified relations come along


def test_the_format_parameter_takes_a_media_type_too(client):
    response = client.get("/sparql", query_string={"query": PRACTICES, "format": "text/tab-separated-values"})
    assert response.mimetype == "text/tab-separated-values"
    response = client.post("/sparql", data={"query": PRACTICES_GRAPH, "format": "application/n-triples"})
    assert response.mimetype == "application/n-triples"
    assert len(triples(response)) == 35


def test_answers_vary_on_accept(client):
    response = client.get("/sparql", query_string={"query": PRACTICES})
    assert "accept" in response.headers["Vary"].lower()


# -- the names other clients and servers send (issue 30): SPARQLWrapper's, Fuseki's; format= or output= -------------

IGNORED = "Sikg-Format-Ignored"
ASK_YES = f"ASK {{ <{PRACTICE}> a ?t }}"
DESCRIBE = f"DESCRIBE <{PRACTICE}>"
# name -> the media type it gives, by the query's form: SELECT/ASK, CONSTRUCT/DESCRIBE
CLIENT_RESULT_NAMES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                       "sparql": "application/sparql-results+xml", "csv": "text/csv",
                       "tsv": "text/tab-separated-values", "text": "text/plain",
                       "application/sparql-results+json": "application/sparql-results+json"}
CLIENT_GRAPH_NAMES = {"xml": "application/rdf+xml", "rdf": "application/rdf+xml", "rdf+xml": "application/rdf+xml",
                      "json": "application/ld+json", "json-ld": "application/ld+json", "turtle": "text/turtle",
                      "n3": "text/turtle", "text": "text/turtle", "ttl": "text/turtle", "nt": "application/n-triples",
                      "n-triples": "application/n-triples", "n-quads": "application/n-quads",
                      "JSON-LD": "application/ld+json", "application/rdf+xml": "application/rdf+xml"}


def _sent(client, how: str, parameter: str, query: str, value: str, accept: str | None = None):
    headers = {"Accept": accept} if accept else {}
    if how == "get":
        return client.get("/sparql", query_string={"query": query, parameter: value}, headers=headers)
    return client.post("/sparql", data={"query": query, parameter: value}, headers=headers)


def table_rows(response) -> list[str]:
    """The cells of the first column of a text table (Fuseki's `text`), under its header and rule."""
    assert response.status_code == 200, text(response)
    lines = text(response).splitlines()
    assert set(lines[1]) <= {"-", "+"}, lines[:2]
    return [line.split(" | ")[0].strip() for line in lines[2:] if not line.startswith("(")]


@pytest.mark.parametrize("how, parameter", [("get", "format"), ("get", "output"), ("post", "format"),
                                             ("post", "output")])
@pytest.mark.parametrize("name", list(CLIENT_RESULT_NAMES))
def test_client_names_for_select_and_ask_are_result_formats(client, how, parameter, name):
    select = _sent(client, how, parameter, PRACTICES, name)
    assert select.mimetype == CLIENT_RESULT_NAMES[name], text(select)
    assert IGNORED not in select.headers
    if select.mimetype == "text/plain":  # Fuseki's text: a table for people
        assert table_rows(select) == [row["p"] for row in results(client.get("/sparql",
                                                                              query_string={"query": PRACTICES}))]
        assert text(_sent(client, how, parameter, ASK_YES, name)) == "yes\n"
        return
    assert {"p": PRACTICE} in results(select) and len(results(select)) == 35
    assert results(_sent(client, how, parameter, ASK_YES, name)) is True


@pytest.mark.parametrize("how, parameter", [("get", "format"), ("get", "output"), ("post", "format"),
                                             ("post", "output")])
@pytest.mark.parametrize("name", list(CLIENT_GRAPH_NAMES))
def test_client_names_for_construct_and_describe_are_rdf_syntaxes(client, how, parameter, name):
    construct = _sent(client, how, parameter, PRACTICES_GRAPH, name)
    assert construct.mimetype == CLIENT_GRAPH_NAMES[name], text(construct)
    assert IGNORED not in construct.headers
    assert len(triples(construct)) == 35
    describe = _sent(client, how, parameter, DESCRIBE, name)
    assert describe.mimetype == CLIENT_GRAPH_NAMES[name]
    assert ox.NamedNode(PRACTICE) in {t.subject for t in triples(describe)}


@pytest.mark.parametrize("query, value, accept, media_type, why", [
    (PRACTICES, "bogus", "text/csv", "text/csv", "unknown format"),
    (PRACTICES, "bogus", "application/sparql-results+json, */*;q=0.1", "application/sparql-results+json",
     "unknown format"),
    (PRACTICES, "turtle", "application/sparql-results+xml", "application/sparql-results+xml",
     "a format this result cannot be"),
    (PRACTICES, "application/ld+json", "text/tab-separated-values", "text/tab-separated-values",
     "a format this result cannot be"),
    (PRACTICES_GRAPH, "bogus", "application/turtle,text/turtle", "text/turtle", "unknown format"),
    (PRACTICES_GRAPH, "csv", "application/n-triples", "application/n-triples", "a format this result cannot be"),
    (PRACTICES_GRAPH, "application/x-json+ld", "application/ld+json,application/x-json+ld", "application/ld+json",
     "unknown format"),
])
@pytest.mark.parametrize("how, parameter", [("get", "format"), ("post", "output")])
def test_a_parameter_that_cannot_be_followed_yields_to_an_accept_that_names_the_answer(client, query, value, accept,
                                                                                      media_type, why, how, parameter):
    response = _sent(client, how, parameter, query, value, accept)
    assert response.status_code == 200, text(response)
    assert response.mimetype == media_type
    assert response.headers[IGNORED] == f"{parameter}={value}: {why}; the answer follows Accept"
    assert response.headers["Vary"] == "Accept"
    by_accept = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.data == by_accept.data or query == PRACTICES_GRAPH and triples(response) == triples(by_accept)
    assert IGNORED not in by_accept.headers and response.headers["ETag"] == by_accept.headers["ETag"]
    assert IGNORED.lower() in response.headers["Access-Control-Expose-Headers"].lower()


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize("accept", [None, "*/*", "text/*", BROWSER_ACCEPT, "application/sparql-results+json;q=0, */*",
                                    "image/png"])
def test_an_unknown_name_alone_or_beside_a_wildcard_stays_a_400(client, accept):
    """A wildcard is every client's default (curl, urllib, browsers), not a choice: the parameter was, and a name sikg
    does not know may be mistyped, so its mistake is said, as on every route."""
    for how in ("get", "post"):
        assert_refused(_sent(client, how, "format", PRACTICES, "bogus", accept), 400, "unknown format=bogus",
                       "json, xml, csv, tsv")
        assert_refused(_sent(client, how, "output", PRACTICES_GRAPH, "jsn", accept), 400, "unknown format=jsn",
                       "ttl, nt, jsonld")


@pytest.mark.parametrize("select_accept, graph_accept", [
    (None, None), ("image/png", "text/csv"), ("text/turtle, application/sparql-results+json;q=0", "text/csv, */*;q=0")])
def test_a_known_name_the_result_cannot_be_without_an_accept_it_satisfies_stays_a_406(client, select_accept,
                                                                                      graph_accept):
    for how in ("get", "post"):
        assert_refused(_sent(client, how, "output", PRACTICES, "n3", select_accept), 406, "format=n3 cannot express",
                       "json, xml, csv, tsv")
        assert_refused(_sent(client, how, "format", PRACTICES_GRAPH, "tsv", graph_accept), 406,
                       "format=tsv cannot express", "ttl, nt, jsonld")


@pytest.mark.parametrize("query, name, accept, media_type", [
    (PRACTICES, "turtle", "*/*", "application/sparql-results+json"),  # SPARQLWrapper: TURTLE kept for a SELECT
    (ASK_YES, "json-ld", "*/*", "application/sparql-results+json"),
    (PRACTICES, "n3", BROWSER_ACCEPT, "application/sparql-results+json"),
    (PRACTICES, "rdf+xml", "text/*", "text/csv"),
    (PRACTICES_GRAPH, "csv", "*/*", "text/turtle"),
    (DESCRIBE, "tsv", "application/*", "application/n-triples"),
])
def test_a_known_name_the_result_cannot_be_yields_to_any_accept_it_satisfies(client, query, name, accept,
                                                                             media_type):
    for how, parameter in (("get", "format"), ("post", "output")):
        response = _sent(client, how, parameter, query, name, accept)
        assert response.status_code == 200 and response.mimetype == media_type, text(response)
        assert response.headers[IGNORED] == \
            f"{parameter}={name}: a format this result cannot be; the answer follows Accept"


def test_format_wins_over_output_and_a_followed_parameter_wins_over_accept(client):
    both = client.get("/sparql", query_string=[("query", PRACTICES), ("output", "csv"), ("format", "tsv")],
                      headers={"Accept": "application/sparql-results+xml"})
    assert both.mimetype == "text/tab-separated-values" and IGNORED not in both.headers
    # SPARQLWrapper sends each name twice for some formats, the name then its media types: the first is read
    twice = client.get("/sparql", query_string=[("query", PRACTICES_GRAPH), ("format", "json-ld"),
                                                ("format", "application/ld+json,application/x-json+ld")])
    assert twice.mimetype == "application/ld+json" and IGNORED not in twice.headers
    empty = client.get("/sparql", query_string={"query": PRACTICES, "format": "", "output": "csv"})
    assert empty.mimetype == "text/csv"


def test_the_ignored_parameter_is_said_in_a_header_whatever_it_holds(client):
    response = client.get("/sparql", query_string={"query": PRACTICES, "format": "t\u00ebst\r\nX-Evil: 1"},
                          headers={"Accept": "text/csv"})
    assert response.status_code == 200 and "X-Evil" not in response.headers
    assert response.headers[IGNORED].startswith("format=t%C3%ABst%0D%0AX-Evil%3A 1: unknown format")


def test_the_client_names_are_the_query_answers_only(client):
    """Other routes keep their own names: format=turtle on /id stays the URL's error."""
    assert client.get(f"/id/practice/{PRACTICE.rsplit('/', 1)[1]}", query_string={"format": "turtle"},
                      headers={"Accept": "text/turtle"}).status_code == 400


def test_a_text_table_too_large_is_refused_before_it_is_held():
    """The table is drawn whole (its columns as wide as their widest cell): it stops reading the solutions once their
    cells pass the cap, where the other formats are cut off by the writer as they are written."""
    from sikg.rdf.results import TableTooLarge, render_table
    from sikg.sparql.evaluator import EvalRequest, answer

    class Solutions:
        variables, read = [ox.Variable("s")], 0

        def __iter__(self):
            for _ in range(100_000):
                self.read += 1
                yield {"s": ox.Literal("x" * 50)}

    solutions = Solutions()
    with pytest.raises(TableTooLarge):
        render_table(solutions, max_bytes=2000)
    assert solutions.read < 50
    store = ox.Store()
    store.extend([ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal("x" * 50)) for i in range(200)])
    sent: list = []
    answer(store, EvalRequest("SELECT ?s ?o WHERE { ?s ?p ?o }", "table"), 2000, sent.append)
    assert sent[-1][:2] == ("error", "too-large") and not any(m[0] == "chunk" for m in sent)
    sent.clear()
    answer(store, EvalRequest("SELECT ?s ?o WHERE { ?s ?p ?o }", "table"), 64 * 1024, sent.append)
    assert sent[-1][0] == "done" and b"".join(m[1] for m in sent[:-1]).count(b"\n") == 203


# == 4. The dataset: the default graph is the union of the named graphs ===========================================

def test_the_default_graph_is_the_union_of_all_named_graphs(client, kg, graph_sizes):
    assert set(graph_sizes) == {ONT, CUR, TRANSLATIONS}
    # A triple from each graph is visible without GRAPH.
    assert ask(client.get("/sparql", query_string={
        "query": f"ASK {{ <{ONTOLOGY}> a <{OWL}Ontology> . <{PRACTICE}> a <{SIKG}SupportPractice> }}"})) is True
    count = results(client.get("/sparql", query_string={"query": COUNT_ALL}))
    assert int(count[0]["n"]) == sum(graph_sizes.values()) == len(kg)


def test_from_restricts_the_default_graph_to_that_graph(client, graph_sizes):
    count = results(client.get("/sparql", query_string={
        "query": f"SELECT (COUNT(*) AS ?n) FROM <{ONT}> WHERE {{ ?s ?p ?o }}"}))
    assert int(count[0]["n"]) == graph_sizes[ONT]
    assert ask(client.get("/sparql", query_string={"query": f"ASK FROM <{ONT}> {{ <{PRACTICE}> ?p ?o }}"})) is False


def test_from_keeps_the_triples_of_that_graph(client):
    assert ask(client.get("/sparql", query_string={
        "query": f"ASK FROM <{ONT}> {{ <{ONTOLOGY}> a <{OWL}Ontology> }}"})) is True


def test_from_named_restricts_the_named_graphs(client, graph_sizes):
    rows = results(client.get("/sparql", query_string={
        "query": f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{ONT}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"}))
    assert rows == [{"g": ONT, "n": str(graph_sizes[ONT])}]


@pytest.mark.parametrize("graph", [ONT, CUR])
def test_default_graph_uri_restricts_the_default_graph(client, graph_sizes, graph):
    count = results(client.get("/sparql", query_string={"query": COUNT_ALL, "default-graph-uri": graph}))
    assert int(count[0]["n"]) == graph_sizes[graph]
    own, other = (ONTOLOGY, PRACTICE) if graph == ONT else (PRACTICE, ONTOLOGY)
    assert ask(client.get("/sparql", query_string={"query": f"ASK {{ <{own}> a ?t }}",
                                                   "default-graph-uri": graph})) is True
    assert ask(client.get("/sparql", query_string={"query": f"ASK {{ <{other}> a ?t }}",
                                                   "default-graph-uri": graph})) is False


def test_named_graph_uri_restricts_the_named_graphs(client):
    rows = results(client.get("/sparql", query_string={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": CUR}))
    assert rows == [{"g": CUR}]


# == 5. CORS, ETag and caching =====================================================================================

def test_cors_on_get(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "etag" in response.headers["Access-Control-Expose-Headers"].lower()
    refused = client.get("/sparql", query_string={"query": "ASK {"}, headers={"Origin": "https://example.org"})
    assert refused.status_code == 400
    assert refused.headers["Access-Control-Allow-Origin"] == "*"  # a browser client can read the error


def test_cors_preflight_on_options(client):
    response = client.options("/sparql", headers={"Origin": "https://example.org",
                                                  "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
    assert 200 <= response.status_code < 300
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_etag_and_if_none_match_give_304(client):
    first = client.get("/sparql", query_string={"query": PRACTICES})
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[^"]+"', etag)
    again = client.get("/sparql", query_string={"query": PRACTICES}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get("/sparql", query_string={"query": PRACTICES}, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data
    # Another representation of the same query is another entity.
    csv_answer = client.get("/sparql", query_string={"query": PRACTICES}, headers={"Accept": "text/csv",
                                                                                   "If-None-Match": etag})
    assert csv_answer.status_code == 200 and csv_answer.headers["ETag"] != etag


def test_if_none_match_compares_etags_weakly(client):
    etag = client.get("/sparql", query_string={"query": PRACTICES}).headers["ETag"]
    assert client.get("/sparql", query_string={"query": PRACTICES},
                      headers={"If-None-Match": "W/" + etag}).status_code == 304


def test_a_write_changes_the_etag_and_the_answer():
    from sikg.store import open_store

    store = open_store("memory")
    app = create_app(store, _settings(1))
    try:
        client = app.test_client()
        query = {"query": "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"}
        before = client.get("/sparql", query_string=query)
        assert results(before) == []
        assert client.get("/sparql", query_string=query,
                          headers={"If-None-Match": before.headers["ETag"]}).status_code == 304
        assert_refused(client.get("/sparql", query_string={"query": "ASK FROM <urn:x:g> {}"}), 400, "unknown graph")

        store.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }")

        after = client.get("/sparql", query_string=query, headers={"If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200, "the old ETag must not match the new state"
        assert after.headers["ETag"] != before.headers["ETag"]
        assert results(after) == [{"o": "urn:x:o"}], "the cached answer from before the write was served"
        assert ask(client.get("/sparql", query_string={"query": "ASK { GRAPH <urn:x:g> { ?s ?p ?o } }",
                                                       "named-graph-uri": "urn:x:g"})) is True
    finally:
        app.extensions["sikg"].pool.close()


# == 6. Without a query: the Service Description and the HTML form; VoID; OpenAPI ==================================

def _graph_store(response) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples(response))
    return store


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json"])
def test_service_description(client, accept):
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.mimetype == accept
    sd = _graph_store(response)
    assert sd.query(f"""PREFIX sd: <{SD}>
        ASK {{ ?service a sd:Service ; sd:endpoint <http://localhost/sparql> ;
                        sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph ;
                        sd:defaultDataset ?dataset .
              ?dataset sd:defaultGraph ?default ;
                       sd:namedGraph [ sd:name <{ONT}> ] , [ sd:name <{CUR}> ] . }}""")
    formats = {r["f"].value for r in sd.query(f"SELECT ?f WHERE {{ ?s <{SD}resultFormat> ?f }}")}
    assert {f"http://www.w3.org/ns/formats/{f}" for f in
            ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
             "Turtle", "N-Triples", "RDF_XML", "JSON-LD")} <= formats
    assert "Update" not in " ".join(r["l"].value for r in
                                    sd.query(f"SELECT ?l WHERE {{ ?s <{SD}supportedLanguage> ?l }}"))


@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"])
def test_without_a_query_a_browser_gets_the_html_form(client, accept):
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = text(response)
    assert page.lstrip().lower().startswith("<!doctype html")
    assert re.search(r'<form[^>]*action="/sparql"', page) and 'name="query"' in page


def test_void_description(client, kg):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    void = _graph_store(response)
    rows = list(void.query(f"""PREFIX void: <{VOID}>
        SELECT ?dataset ?triples WHERE {{ ?dataset void:triples ?triples ;
                                                   void:sparqlEndpoint <http://localhost/sparql> . }}"""))
    assert len(rows) == 1 and int(rows[0]["triples"].value) == len(kg)
    partitions = {r["c"].value: int(r["n"].value) for r in void.query(
        f"SELECT ?c ?n WHERE {{ ?d <{VOID}classPartition> [ <{VOID}class> ?c ; <{VOID}entities> ?n ] }}")}
    assert partitions[SIKG + "SupportPractice"] == 35
    dumps = [r["d"].value for r in void.query(f"SELECT ?d WHERE {{ ?s <{VOID}dataDump> ?d }}")]
    assert dumps and all(d.startswith("http://localhost/export?format=") for d in dumps)


def test_openapi_lists_sparql(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.data)
    assert document["openapi"].startswith("3.")
    assert {"get", "post"} <= set(document["paths"]["/sparql"])
    assert "/.well-known/void" in document["paths"]


# == 7. The real server (granian, 2 s query limit) ================================================================

def http(url: str, query: str | None = None, *, data: bytes | None = None, headers: dict | None = None,
         method: str | None = None, timeout: float = 10):
    """A raw request; returns (status, headers, body, seconds)."""
    if query is not None:
        url += "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read(), time.monotonic() - started


@pytest.mark.parametrize("keyword", ["SERVICE", "\\u0053ERVICE", "service"])
def test_live_service_is_refused_and_no_connection_is_opened(live_server, listener, keyword):
    query = f"SELECT * WHERE {{ {keyword} <{listener.url}> {{ ?s ?p ?o }} }}"
    status, headers, body, _ = http(live_server + "/sparql", query)
    assert status == 400, body
    assert headers.get_content_type() == "text/plain"
    assert b"SERVICE is not allowed" in body
    # The same by POST, both ways.
    status, _, body, _ = http(live_server + "/sparql", data=query.encode(),
                              headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and b"SERVICE" in body
    status, _, body, _ = http(live_server + "/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"SERVICE" in body
    time.sleep(0.1)
    assert listener.connections == []


CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_live_query_over_the_time_limit_is_503_and_others_are_answered(live_server):
    limit = 2.0  # SIKG_QUERY_TIMEOUT of the live_server fixture
    # Two rounds: in the second, answering the parallel lookup needs the evaluator killed in the first to have been
    # replaced (the live server runs two evaluators, and the long query holds one).
    for round_, lookup in enumerate([f"ASK {{ <{PRACTICE}> a <{SIKG}SupportPractice> }}",
                                     f"SELECT ?t WHERE {{ <{PRACTICE}> a ?t }}"]):
        long_answer = {}
        long_query = threading.Thread(
            target=lambda long_answer=long_answer: long_answer.update(r=http(live_server + "/sparql", CARTESIAN)))
        long_query.start()
        time.sleep(0.3)  # the long query is running
        status, _, body, seconds = http(live_server + "/sparql", lookup,
                                        headers={"Accept": "application/sparql-results+json"})
        assert status == 200, f"round {round_}: {body!r}"
        assert seconds < 1.0, f"round {round_}: the lookup waited {seconds:.2f} s for the long query"
        assert b"SupportPractice" in body or b"true" in body
        long_query.join(timeout=limit + 5)
        status, headers, body, seconds = long_answer["r"]
        assert status == 503, f"round {round_}: {status} {body!r}"
        assert seconds < limit + 1, f"round {round_}: the 503 took {seconds:.2f} s"
        assert b"time limit" in body and headers.get_content_type() == "text/plain"
    status, _, body, _ = http(live_server + "/sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }")
    assert status == 200, body
    status, _, body, _ = http(live_server + "/health")
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_live_protocol_over_http(live_server):
    # A direct POST through a real HTTP stack, and a refusal with its Allow header.
    status, headers, body, _ = http(live_server + "/sparql", data=b"ASK {}",
                                    headers={"Content-Type": "application/sparql-query",
                                             "Accept": "application/sparql-results+xml"})
    assert status == 200 and headers.get_content_type() == "application/sparql-results+xml"
    assert bool(ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)) is True
    status, headers, _, _ = http(live_server + "/sparql", "ASK {}", method="DELETE")
    assert status == 405 and "GET" in headers["Allow"]


def test_live_rdflib_sparqlstore_runs_select_and_construct(live_server):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    for method in ("GET", "POST"):
        graph = rdflib.Graph(store=SPARQLStore(query_endpoint=live_server + "/sparql", method=method))
        selected = graph.query(PRACTICES)
        rows = [str(row[0]) for row in selected]
        assert len(rows) == 35 and PRACTICE in rows
        constructed = graph.query(PRACTICES_GRAPH)
        assert len(constructed.graph) == 35
        assert (rdflib.URIRef(PRACTICE), rdflib.RDF.type, rdflib.URIRef(SIKG + "SupportPractice")) \
            in constructed.graph
        assert graph.query(f"ASK {{ <{PRACTICE}> a ?t }}").askAnswer is True


def test_options_names_the_protocol_methods(client):
    response = client.options("/sparql")
    assert response.status_code == 204 and response.data == b""
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}


def test_parameters_are_read_as_parse_qsl_reads_them_or_refused_where_it_finds_invalid_utf8():
    """protocol._strict_parameters reads escapes in C (codecs.escape_decode) for speed: it must read every query
    string as urllib's parse_qsl(keep_blank_values=True, errors="strict") does, including backslashes, "+", "%"
    without two hex digits, and refuse exactly what parse_qsl raises on."""
    pieces = ["%", "%2", "%41", "%e2%82%ac", "%E2%82", "%ff", "%C3%A9", "\\", "\\x41", "\\x4", "+", "=", "&", "a",
              "%25", "%5C", "%5c", "%%", "%g1", "%0", ";", "\\\\", "%00", " ", "%5Cx41", "\\%41"]
    rng = random.Random(18)
    for _ in range(20000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        try:
            expected = sorted(urllib.parse.parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict"))
        except UnicodeDecodeError:
            with pytest.raises(BadRequest):
                _strict_parameters(raw.encode("ascii"), "the URL's query string")
            continue
        assert sorted(_strict_parameters(raw.encode("ascii"), "the URL's query string").items(multi=True)) \
            == expected, raw
