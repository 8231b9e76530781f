"""What /sparql refuses before a query reaches the store (safety.py): SPARQL Update in any form, SERVICE and LOAD
(however they are spelt or hidden) with nothing fetched, and graphs the store does not hold, named in FROM, FROM NAMED
or the protocol's parameters; update keywords inside literals, variables, IRIs and comments are not refused."""

import dataclasses
import re
import time
import urllib.parse

import pytest
from listener import Listener

from helpers import ask, assert_refused, results
from sikg.settings import Settings
from sikg.sparql.safety import tokenize
from sikg.web.app import create_app

ONT = "https://w3id.org/sikg/graph/ontology"
CUR = "https://w3id.org/sikg/graph/curated"
UNKNOWN = "http://example.org/not-a-graph-here"


@pytest.fixture(scope="module")
def client(kg):
    app = create_app(kg, dataclasses.replace(Settings.from_environment(), evaluators=2))
    yield app.test_client()
    app.extensions["sikg"].pool.close()


@pytest.fixture(scope="module")
def kg_size(kg):
    """The store's size before this module runs: no request here may change it."""
    return len(kg)


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


UPDATE = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }"


@pytest.mark.parametrize("send", [
    pytest.param("get-update"),
    "get-query", "post-form-update", "post-form-query", "post-sparql-update", "post-direct-query"])
def test_sparql_update_is_refused_with_the_reason(client, kg, kg_size, send):
    if send == "get-update":
        response = client.get("/sparql", query_string={"update": UPDATE})
    elif send == "get-query":
        response = client.get("/sparql", query_string={"query": UPDATE})
    elif send == "post-form-update":
        response = client.post("/sparql", data={"update": UPDATE})
    elif send == "post-form-query":
        response = client.post("/sparql", data={"query": UPDATE})
    elif send == "post-sparql-update":
        response = client.post("/sparql", data=UPDATE, content_type="application/sparql-update")
    else:
        response = client.post("/sparql", data=UPDATE, content_type="application/sparql-query")
    assert_refused(response, 400, "SPARQL Update", "read-only")
    assert len(kg) == kg_size
    assert ask(client.get("/sparql", query_string={"query": "ASK { <urn:x:s> ?p ?o }"})) is False


@pytest.mark.parametrize("operation", [
    "CLEAR ALL", "DROP GRAPH <https://w3id.org/sikg/graph/curated>", "CREATE GRAPH <urn:x:g>",
    "DELETE WHERE { ?s ?p ?o }", "COPY DEFAULT TO <urn:x:g>", "MOVE DEFAULT TO <urn:x:g>", "ADD DEFAULT TO <urn:x:g>",
    "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://e/> # a comment\ninsert data { ex:s ex:p ex:o }",
])
def test_every_update_operation_sent_as_a_query_is_refused_naming_it(client, kg, kg_size, operation):
    keyword = re.sub(r"^PREFIX.*\n", "", operation).split()[0].upper()
    response = client.get("/sparql", query_string={"query": operation})
    assert_refused(response, 400, f"SPARQL Update ({keyword})")
    assert len(kg) == kg_size


def test_update_keywords_inside_literals_variables_iris_and_comments_are_not_refused(client):
    query = ('PREFIX insert: <https://w3id.org/sikg/ontology#>\n'
             'SELECT ?delete ?load WHERE { # SERVICE <http://127.0.0.1:9/> LOAD INSERT\n'
             '  ?delete a insert:SupportPractice . BIND("SERVICE LOAD DROP CLEAR" AS ?load)\n'
             '  FILTER(?delete != <urn:service:load:insert>)\n'
             '} LIMIT 1')
    rows = results(client.get("/sparql", query_string={"query": query}))
    assert len(rows) == 1 and rows[0]["load"] == "SERVICE LOAD DROP CLEAR"


@pytest.mark.parametrize("keyword", ["SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "SERVICE SILENT"])
def test_service_is_refused_and_nothing_is_fetched(client, listener, keyword):
    query = f"SELECT * WHERE {{ {keyword} <{listener.url}> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": query})
    assert_refused(response, 400, "SERVICE is not allowed")
    time.sleep(0.1)
    assert listener.connections == []


@pytest.mark.parametrize("hiding", [
    # A prefixed name's local part may escape '#', "'" and '@' (SPARQL 1.1, PN_LOCAL_ESC). The safety check's
    # tokenizer stops the name before the backslash and then reads the escaped character as the start of a comment,
    # a string or a language tag, so it never sees the SERVICE that the parser (and Oxigraph) does see.
    pytest.param("VALUES ?v {{ ex:a\\# }} SERVICE <{url}> {{ ?s ?p ?o }}", id="escaped-hash"),
    pytest.param("VALUES ?v {{ ex:a\\' }} SERVICE <{url}> {{ ?s ?p ?o }} FILTER(?v != 'x')", id="escaped-quote"),
    pytest.param("?s ?p ex:a\\@ SERVICE <{url}> {{ ?x ?y ?z }}", id="escaped-at"),
])
def test_service_hidden_behind_an_escaped_local_name_is_refused(client, listener, hiding):
    query = "PREFIX ex: <http://e/>\nSELECT * WHERE { " + hiding.format(url=listener.url) + " }"
    response = client.get("/sparql", query_string={"query": query})
    time.sleep(0.1)
    assert listener.connections == [], f"the endpoint connected out: {listener.connections[0][:60]!r}"
    assert_refused(response, 400, "SERVICE is not allowed")


def test_load_is_refused_and_nothing_is_fetched(client, listener, kg, kg_size):
    response = client.get("/sparql", query_string={"query": f"LOAD <{listener.url}> INTO GRAPH <urn:x:g>"})
    assert_refused(response, 400, "LOAD")
    time.sleep(0.1)
    assert listener.connections == []
    assert len(kg) == kg_size


@pytest.mark.parametrize("query", [
    "SELECT * FROM <{base}sparql> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{base}sparql> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "PREFIX ex: <{base}> SELECT * FROM ex:sparql WHERE {{ ?s ?p ?o }}",
    "BASE <{base}> SELECT * FROM <sparql> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM <{ont}> FROM <{base}sparql> WHERE {{ ?s ?p ?o }}",
], ids=["from", "from-named", "from-prefixed-name", "from-relative-iri", "from-known-and-unknown"])
def test_from_an_unknown_graph_is_refused_naming_it(client, listener, query):
    # The unknown graph is the listener's URL: a store that loads graphs on demand would fetch it.
    base = listener.url.removesuffix("sparql")
    response = client.get("/sparql", query_string={"query": query.format(base=base, ont=ONT)})
    assert_refused(response, 400, f"unknown graph <{listener.url}>")
    time.sleep(0.1)
    assert listener.connections == []


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("send", ["get", "post-form", "post-direct"])
def test_a_protocol_graph_the_store_does_not_hold_is_refused(client, parameter, send):
    if send == "get":
        response = client.get("/sparql", query_string={"query": "ASK {}", parameter: UNKNOWN})
    elif send == "post-form":
        response = client.post("/sparql", data={"query": "ASK {}", parameter: UNKNOWN})
    else:
        response = client.post("/sparql?" + urllib.parse.urlencode({parameter: UNKNOWN}), data="ASK {}",
                               content_type="application/sparql-query")
    assert_refused(response, 400, f"unknown graph <{UNKNOWN}>")


def test_from_a_graph_the_store_holds_is_accepted(client):
    assert ask(client.get("/sparql", query_string={"query": f"ASK FROM <{ONT}> FROM NAMED <{CUR}> {{}}"})) is True


@pytest.mark.parametrize("query, expected", [
    ("ASK { ?s ex:p ex:o. }", [("pname", "ex:o"), ("other", ".")]),
    ("ASK { ?s ex:p ex:o.. }", [("pname", "ex:o"), ("other", "."), ("other", ".")]),
    ("ASK { ?s ex:p ex:a.b }", [("pname", "ex:a.b")]),  # a dot inside a local name is the name's
    ("ASK { ?s ex:p ex:. }", [("pname", "ex:"), ("other", ".")]),
])
def test_a_prefixed_name_never_ends_with_a_dot(query, expected):
    """SPARQL's PN_LOCAL cannot end with "."; the tokenizer reads "ex:o." as the name, then the end of the triple."""
    tokens = tokenize(query)
    assert tokens[4:4 + len(expected)] == expected and tokens[-1] == ("other", "}")


def test_tokens_skip_comments_and_white_space_even_at_the_end():
    assert tokenize("ASK {}#x") == [("word", "ASK"), ("other", "{"), ("other", "}")]
    assert tokenize("  # nothing but a comment\n ") == []
