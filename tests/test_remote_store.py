"""sikg over an external store does not depend on the store's default graph: every query is sent with its dataset
named (the public graphs, or the graphs its FROM / FROM NAMED give), so an Oxigraph server started without
--union-default-graph serves exactly what one started with it serves. And a store sikg cannot use is said so: /health
answers 503 with one line, `sikg serve` stops at start with it, `sikg load` fills the store.
"""

import json
import re
import subprocess
import sys
from collections import Counter

import pyoxigraph as ox
import pytest

from helpers import ROOT, FakeEndpoint, OxigraphServer, canonical, free_port, from_nquads, run_cli, to_quads_with_pyld
from sikg.namespaces import GRAPH_CURATED, GRAPH_ONTOLOGY, GRAPH_TOKENS
from sikg.sparql.queries import catalogue
from sikg.store import RemoteStore, open_store
from sikg.web.app import create_app

PRACTICE = "<https://w3id.org/sikg/ontology#SupportPractice>"
REQUESTS = [
    ("/health", {}),
    ("/sparql", {"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p a {PRACTICE} }}"}),
    ("/sparql", {"query": f"SELECT ?p WHERE {{ ?p a {PRACTICE} }} ORDER BY ?p"}),
    ("/sparql", {"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"}),
    ("/sparql", {"query": f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_CURATED}> WHERE {{ ?p a {PRACTICE} }}"}),
    ("/sparql", {"query": f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_ONTOLOGY}> WHERE {{ ?p a {PRACTICE} }}"}),
    ("/sparql", {"query": f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{GRAPH_CURATED}> "
                          "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"}),
    ("/sparql", {"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p a {PRACTICE} }}", "default-graph-uri": GRAPH_CURATED}),
    ("/sparql", {"query": f"CONSTRUCT {{ ?p a {PRACTICE} }} WHERE {{ ?p a {PRACTICE} }}", "format": "nt"}),
    ("/queries/practices-per-country", {}),
    ("/practices", {}),
    ("/", {}),
    ("/id/practice/cap-impact", {"format": "nt"}),
    ("/id/practice/cap-impact", {}),
    ("/export", {"format": "nq"}),
    ("/.well-known/void", {"format": "nt"}),
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two Oxigraph servers, with and without the union default graph, each filled by `sikg load`."""
    started = {}
    try:
        for union in (True, False):
            server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), union=union)
            server.start()
            started[union] = server
            loaded = run_cli("load", "--store", server.query_url)
            assert loaded.returncode == 0, loaded.stderr
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture(scope="module")
def clients(servers):
    return {union: create_app(open_store(server.query_url)).test_client() for union, server in servers.items()}


@pytest.fixture(scope="module")
def virtuoso_client(virtuoso_server):
    """The client of an app over the worker's real Virtuoso (tests/conftest.py, tests/virtuoso.py); `setup` loads it
    (virtuoso_kg) before each test."""
    return create_app(open_store(virtuoso_server.sparql_url, timeout=30)).test_client()


SETUPS = ["oxigraph-union", "oxigraph", pytest.param("virtuoso", marks=pytest.mark.slow)]


@pytest.fixture
def setup(request, clients):
    """The client of one external store set-up (the `SETUPS` parameter of the test); Virtuoso holding the curated
    KG and nothing else, as `sikg load` leaves it (docs/deployment.md)."""
    if request.param == "virtuoso":
        request.getfixturevalue("virtuoso_kg")
        return request.getfixturevalue("virtuoso_client")
    return clients[request.param == "oxigraph-union"]


def _answer(client, path: str, params: dict) -> tuple[int, object]:
    """The status and the body, compared as what it says: RDF as a dataset with its blank nodes canonically
    renamed (each store names its own), a page as its lines (_html_lines)."""
    tabular = path in ("/sparql", "/queries/practices-per-country")
    accept = {} if "format" in params else {"Accept": "text/csv" if tabular else "text/html"}
    response = client.get(path, query_string=params, headers=accept)
    body = response.get_data(as_text=True)
    if params.get("format") in ("nt", "nq"):
        return response.status_code, canonical(from_nquads(body))
    if response.mimetype == "text/html":
        return response.status_code, _html_lines(body)
    return response.status_code, body


def _html_lines(html: str) -> list[str]:
    """A page as its lines, a tag or a text each, whatever their order (what is drawn from blank nodes, and groups
    of links, come in the order a store returns them)."""
    lines = re.sub(r">\s*<", ">\n<", html).splitlines()
    return sorted(line.strip() for line in lines if line.strip())


@pytest.mark.parametrize("setup", SETUPS[1:], indirect=True)
@pytest.mark.parametrize("path, params", REQUESTS, ids=[f"{p} {sorted(q.values())}"[:60] for p, q in REQUESTS])
def test_every_route_answers_the_same_without_the_union_default_graph(clients, setup, path, params):
    """And over Virtuoso: the same bytes for SPARQL results (sikg writes them, whatever the store wrote)."""
    with_union, other = _answer(clients[True], path, params), _answer(setup, path, params)
    assert with_union[0] == 200, with_union
    assert other == with_union


CURATED = [(name, {p.name: p.default for p in query.parameters if p.default})
           for name, query in sorted(catalogue().items())]


@pytest.fixture(scope="module")
def embedded():
    return create_app(open_store("memory")).test_client()


def _solutions(client, name: str, params: dict) -> tuple[int, set, frozenset]:
    """A curated query's answer as a set of rows (each a set of (variable, term)), blank nodes all alike (each store
    names its own) and a GROUP_CONCAT's " | "-separated list as a set (SPARQL leaves its order to the store)."""
    response = client.get(f"/queries/{name}", query_string=params,
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    rows = frozenset(frozenset((variable, "_:" if term["type"] == "bnode" else
                                (term["type"], frozenset(term["value"].split(" | ")), term.get("datatype"),
                                 term.get("xml:lang")))
                               for variable, term in row.items()) for row in body["results"]["bindings"])
    return response.status_code, set(body["head"]["vars"]), rows


@pytest.mark.parametrize("setup", SETUPS, indirect=True)
@pytest.mark.parametrize("name, params", CURATED, ids=[name for name, _ in CURATED])
def test_every_curated_query_answers_the_same_on_every_store(embedded, setup, name, params):
    """Every curated query with its example parameters gives the same set of rows over the embedded store as over
    an Oxigraph server with and without the union default graph, and over Virtuoso: a parameter holds inside FILTER
    (NOT) EXISTS, MINUS, OPTIONAL, UNION and subqueries there exactly as on the embedded store (gaps-in-country: 9
    rows, not 2)."""
    expected = _solutions(embedded, name, params)
    assert expected[2] or not params, f"{name} answers nothing with its example parameters"
    assert _solutions(setup, name, params) == expected


COUNTRY = "http://publications.europa.eu/resource/authority/country/"
PAGES = [  # every page family, by the people's formats and the machines'
    ("/", {}),
    ("/practices", {}),
    ("/practices", {"element": "realisation", "country": COUNTRY + "FRA"}),
    ("/practices", {"method": "competitions-awards"}),
    ("/practices", {"q": "incubator"}),  # search
    ("/id/practice/cap-impact", {}),
    ("/id/practice/cap-impact", {"format": "nt"}),
    ("/id/organisation/avise", {}),
    ("/id/organisation/avise", {"format": "nt"}),
    ("/id/element/realisation", {}),
    ("/id/method/competitions-awards", {}),
    ("/ontology", {}),
    ("/queries", {}),
    *[("/export", {"format": name}) for name in ("nq", "trig", "nt", "ttl", "rdfxml", "jsonld")],
    ("/export", {"format": "jsonld", "frame": "practices"}),
    ("/.well-known/void", {"format": "nt"}),
]
_SYNTAX = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
           "ttl": ox.RdfFormat.TURTLE, "rdfxml": ox.RdfFormat.RDF_XML}


def _page(client, path: str, params: dict) -> tuple[int, object]:
    """A page's status and what it says: RDF as a dataset with its blank nodes canonically renamed (each store names
    its own; a JSON-LD frame read as RDF), HTML as its lines (tags and text), whatever their order (what is drawn from
    blank nodes comes in the order of their names)."""
    response = client.get(path, query_string=params, headers={} if "format" in params else {"Accept": "text/html"})
    body = response.get_data()
    if params.get("format") == "jsonld":  # with sikg's context, read by pyld (pyoxigraph would not fetch it)
        return response.status_code, canonical(to_quads_with_pyld(json.loads(body)))
    if "format" in params:
        return response.status_code, canonical(ox.parse(input=body, format=_SYNTAX[params["format"]]))
    return response.status_code, _html_lines(body.decode())


@pytest.mark.parametrize("setup", SETUPS, indirect=True)
@pytest.mark.parametrize("path, params", PAGES, ids=[f"{p} {sorted(q.values())}"[:70] for p, q in PAGES])
def test_every_page_family_answers_the_same_on_every_store(embedded, setup, path, params):
    """Each page family (home, the practices with facets and search, a practice, an organisation, an element, a
    method, the ontology, the queries, the exports in every format) says the same over every store."""
    expected = _page(embedded, path, params)
    assert expected[0] == 200, expected
    found = _page(setup, path, params)
    if isinstance(expected[1], list):  # the lines that differ, to read
        missing, extra = Counter(expected[1]) - Counter(found[1]), Counter(found[1]) - Counter(expected[1])
        assert (found[0], dict(missing), dict(extra)) == (200, {}, {})
    assert found == expected


def test_the_answers_are_not_empty(clients):
    """(So that "the same" above is not "the same nothing".)"""
    status, body = _answer(clients[False], *REQUESTS[1])
    assert status == 200 and body.splitlines()[1] == "35"
    assert len(_answer(clients[False], "/export", {"format": "nq"})[1]) == len(open_store("memory"))


def test_sikg_stats_is_the_same(servers):
    with_union, without = (run_cli("stats", "--store", servers[u].query_url) for u in (True, False))
    assert with_union.returncode == without.returncode == 0
    assert without.stdout == with_union.stdout and "35" in without.stdout


def test_private_graphs_are_read_without_the_union(servers):
    """query_private (contributions, tokens) names every graph as its dataset too."""
    store = open_store(servers[False].query_url)
    store.update(f'INSERT DATA {{ GRAPH <{GRAPH_TOKENS}> {{ <urn:x> <urn:p> "secret" }} }}')
    try:
        assert bool(store.query_private('ASK { <urn:x> <urn:p> "secret" }'))
        assert not bool(store.query('ASK { <urn:x> <urn:p> "secret" }'))
    finally:
        store.remove_graphs([GRAPH_TOKENS])


# -- a store sikg cannot use -------------------------------------------------------------------------------------

@pytest.fixture
def empty_server(tmp_path):
    server = OxigraphServer(tmp_path / "empty", union=False)
    server.start()
    yield server
    server.stop()


def test_an_empty_store_is_unhealthy_and_not_served_until_loaded(empty_server):
    url = empty_server.query_url
    client = create_app(open_store(url)).test_client()
    health = client.get("/health")
    assert health.status_code == 503
    assert health.get_json() == {"status": "unusable",
                                 "message": f"the store holds no sikg content: run sikg load --store {url}"}
    refused = subprocess.run([sys.executable, "-m", "sikg.cli", "serve", "--store", url, "--port", str(free_port())],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert refused.stderr.strip() == f"sikg serve: the store holds no sikg content: run sikg load --store {url}"
    assert run_cli("load", "--store", url).returncode == 0
    assert client.get("/health").status_code == 200


class _IgnoresTheDataset(RemoteStore):
    """A store that evaluates every query over its own default graph, whatever dataset the request names (as a
    store that does not implement default-graph-uri / named-graph-uri would)."""

    def _query_response(self, sparql, accept, stream=False, timeout=None, graphs=((), ())):
        return super()._query_response(sparql, accept, stream, timeout)


def test_a_store_that_ignores_the_dataset_needs_the_union_and_says_so(servers):
    """Only then does the union setting matter: over the union it is usable, without it /health says which setting
    to use, and so do `sikg serve` and `sikg load` (the same check)."""
    assert _IgnoresTheDataset(servers[True].query_url).unusable() is None
    store = _IgnoresTheDataset(servers[False].query_url)
    problem = store.unusable()
    assert "serve --union-default-graph" in problem and "tdb2:unionDefaultGraph true" in problem
    health = create_app(store).test_client().get("/health")
    assert health.status_code == 503 and health.get_json()["message"] == problem and "\n" not in problem


# -- parameters bound as the embedded store binds them -------------------------------------------------------------

BINDING_CASES = [
    "SELECT ?x ?o WHERE { ?s ?p ?o FILTER NOT EXISTS { $x ?p ?o } }",
    "SELECT ?x ?o WHERE { ?s ?p ?o FILTER EXISTS { ?x ?p ?o } }",
    "SELECT ?x ?o WHERE { ?s ?p ?o MINUS { ?x ?p ?o } }",
    "SELECT DISTINCT ?x ?s WHERE { ?s <urn:p> ?o OPTIONAL { ?c <urn:q> ?x } }",
    "SELECT ?x ?s ?c WHERE { ?s <urn:p> ?o OPTIONAL { ?c <urn:q> ?s FILTER(?s = ?x) } }",
    "SELECT ?x ?s WHERE { { ?s <urn:p> ?o } UNION { ?x <urn:p> ?o BIND(1 AS ?s) } }",
    "SELECT ?x ?o WHERE { { SELECT ?o WHERE { ?x ?p ?o } } }",  # a subquery's own ?x is not the parameter
    "SELECT ?x ?o WHERE { { SELECT ?x ?o WHERE { ?x ?p ?o } } }",
    "SELECT ?x ?o WHERE { { SELECT * WHERE { ?x ?p ?o } } }",
    "SELECT (COUNT(*) AS ?n) ?x WHERE { ?s ?p ?o } GROUP BY ?x",
    "SELECT ?x ?s WHERE { ?s ?p ?o } ORDER BY ?x",
    "SELECT * WHERE { ?x ?p ?o }",
    "SELECT ?x (STR(?x) AS ?y) WHERE { ?x ?p ?o FILTER(?o != '?x') } # ?x",
    "SELECT ?x ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
]


@pytest.mark.parametrize("query", BINDING_CASES)
def test_a_parameter_is_bound_as_pyoxigraph_binds_it(query):
    import pyoxigraph as ox

    from sikg.store.remote import bind_terms

    store = ox.Store()
    for subject in ("urn:a", "urn:b"):
        store.add(ox.Quad(ox.NamedNode(subject), ox.NamedNode("urn:p"), ox.Literal(subject[-1])))
    store.add(ox.Quad(ox.NamedNode("urn:c"), ox.NamedNode("urn:q"), ox.NamedNode("urn:a"), ox.NamedNode("urn:g")))

    def rows(solutions):
        return sorted(str({v.value: s[v] for v in solutions.variables}) for s in solutions)

    for term in (ox.NamedNode("urn:a"), ox.Literal('a "quoted" } ?x')):
        substitutions = {ox.Variable("x"): term}
        assert rows(store.query(bind_terms(query, substitutions))) == \
            rows(store.query(query, substitutions=substitutions))


@pytest.mark.parametrize("query", ["SELECT ?s WHERE { ?s ?p ?o }", "SELECT ?x WHERE { ?s ?p ?o BIND(?s AS ?x) }",
                                   "SELECT ?x WHERE { VALUES ?x { <urn:a> } }", "SELECT (1 AS ?x) WHERE { }"])
def test_a_parameter_the_query_cannot_take_is_refused(query):
    import pyoxigraph as ox

    from sikg.store.remote import bind_terms

    with pytest.raises(SyntaxError):
        bind_terms(query, {ox.Variable("x"): ox.NamedNode("urn:a")})


# -- what stores answer differently, and answers no store should give ---------------------------------------------

@pytest.fixture
def fake():
    started = []

    def start(answer):
        started.append(FakeEndpoint(answer))
        return started[-1]

    yield start
    for endpoint in started:
        endpoint.stop()


def _json(variables, rows) -> tuple[int, str, str]:
    import json
    return 200, "application/sparql-results+json", json.dumps({"head": {"vars": variables},
                                                              "results": {"bindings": rows}})


GRAPH_A, GRAPH_B = "https://example.org/graph/a", "https://example.org/graph/b"


def test_virtuoso_s_unbound_graph_name_lists_the_graphs_from_their_quads(fake):
    """Virtuoso answers `GRAPH ?g { }` with one row whose ?g is unbound; the graphs are then listed from their quads
    (it crashed `sikg load` with an AttributeError)."""
    def answer(query):
        if "GRAPH ?g { }" in query:
            return _json(["g"], [{}])
        if "GRAPH ?g { ?s ?p ?o }" in query and "GROUP BY ?g" in query:
            return _json(["g"], [{"g": {"type": "uri", "value": g}} for g in (GRAPH_B, GRAPH_A, GRAPH_A)])
        return _json(["t"], [])  # the state token: none yet
    assert RemoteStore(fake(answer).url).named_graphs() == [GRAPH_A, GRAPH_B]


def _xml(variable, iri):
    row = f'<result><binding name="{variable}"><uri>{iri}</uri></binding></result>' if iri else ""
    return ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            f'<variable name="{variable}"/></head><results>{row}</results></sparql>')


def _typed(variable, iri):  # SPARQL 1.0 JSON's typed-literal, as Virtuoso writes it
    count = '"n": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}'
    row = f'{{"{variable}": {{"type": "uri", "value": "{iri}"}}, {count}}}' if iri else ""
    return f'{{"head": {{"vars": ["{variable}", "n"]}}, "results": {{"bindings": [{row}]}}}}'


@pytest.mark.parametrize("media_type, write", [
    ("application/sparql-results+xml", _xml),
    ("text/tab-separated-values; charset=utf-8",
     lambda variable, iri: f"?{variable}\n" + (f"<{iri}>\n" if iri else "")),
    ("application/sparql-results+json", _typed),
], ids=["xml", "tsv", "typed-literal"])
def test_results_in_another_format_are_read_by_their_content_type(fake, media_type, write):
    """(The state token query finds none; the graph listing finds one graph.)"""
    store = RemoteStore(fake(lambda query: (200, media_type, write("g", GRAPH_A) if "?g" in query else
                                            write("t", None))).url)
    assert store.named_graphs() == [GRAPH_A]


ODD_ANSWERS = {
    "an HTML page": (200, "text/html", "<html><body>Please log in</body></html>"),
    "no Content-Type": (200, None, '{"head": {"vars": ["g"]}, "results": {"bindings": []}}'),
    "a body that breaks off": (200, "application/sparql-results+json", '{"head": {"vars": ["g"]}, "results": {"bi'),
    "a graph named by a literal": _json(["g", "t", "n"], [{"g": {"type": "literal", "value": "a graph"},
                                                          "t": {"type": "literal", "value": "x"},
                                                          "n": {"type": "literal", "value": "many"}}]),
    "a forbidden query": (403, "text/plain", "Access denied\nfor user SPARQL\n"),
    "a failure over several lines": (500, "text/html", "<html>\n<h1>Virtuoso 22023 Error</h1>\n</html>\n"),
    "a graph where results were asked": (200, "text/turtle", "<urn:a> <urn:b> <urn:c> ."),
}


@pytest.mark.parametrize("odd", ODD_ANSWERS, ids=list(ODD_ANSWERS))
def test_an_unexpected_answer_is_one_line_and_a_503_never_a_traceback(fake, odd):
    from sikg.store import StoreUnavailable

    url = fake(lambda query: ODD_ANSWERS[odd]).url
    store = RemoteStore(url)
    for read in (store.named_graphs, lambda: len(store), lambda: list(store.all_quads())):
        with pytest.raises(StoreUnavailable) as raised:
            read()
        assert "\n" not in str(raised.value) and "external store" in str(raised.value)
    health = create_app(open_store(url)).test_client().get("/health")
    assert health.status_code == 503 and "\n" not in health.get_json()["message"]
    loaded = run_cli("load", "--store", url)  # as the Virtuoso of issue 28 made it stop with a traceback
    assert loaded.returncode == 3, loaded.stderr
    assert "Traceback" not in loaded.stderr and loaded.stderr.count("\n") == 1, loaded.stderr
    assert loaded.stderr.startswith("sikg: the external store")


@pytest.mark.parametrize("command", [["stats"], ["query", "ASK { ?s ?p ?o }"], ["export", "--format", "nt"]])
def test_every_command_over_a_store_that_does_not_answer_says_so_in_one_line(fake, command):
    url = fake(lambda query: ODD_ANSWERS[next(iter(ODD_ANSWERS))]).url
    ran = run_cli(*command, "--store", url)
    assert ran.returncode == 3 and "Traceback" not in ran.stderr and ran.stderr.count("\n") == 1, ran.stderr


def test_a_store_that_answers_an_unexpected_count_says_so(fake):
    from sikg.store import StoreUnavailable

    def answer(query):
        if "COUNT" in query:
            return _json(["n"], [{}])
        return _json(["g", "t"], [])
    with pytest.raises(StoreUnavailable, match=r"counting the quads has \?n unbound"):
        len(RemoteStore(fake(answer).url))


@pytest.mark.parametrize("odd", ["an HTML page", "no Content-Type", "a body that breaks off", "a forbidden query",
                                 "a graph where results were asked"])
@pytest.mark.parametrize("output", ["json", "csv", "text"])
def test_an_unexpected_answer_to_a_query_on_the_endpoint_is_a_503_of_one_line(fake, odd, output):
    """The store lists its graphs as expected but answers the client's query the odd way: passed on (json, csv), or
    read to be written as a table (text), it is a 503 with one line, never a 200 labelled as what it is not: every
    answer is read whole and written again by sikg, so a body that breaks off is found too."""
    def answer(query):
        if "DISTINCT ?g" in query:
            return _json(["g"], [{"g": {"type": "uri", "value": GRAPH_CURATED}}])
        if "?t" in query and "identifier" in query:
            return _json(["t"], [])
        return ODD_ANSWERS[odd]
    client = create_app(open_store(fake(answer).url)).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }", "format": output})
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_data(as_text=True).strip().count("\n") == 0


# -- each store difference handled in store/remote.py, one test each -------------------------------------------------

def test_the_store_s_kind_is_known_by_its_server_header():
    from sikg.store.remote import STANDARD, _dialect

    assert _dialect("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu").name == "Virtuoso"
    assert _dialect("Oxigraph/0.4.11") is STANDARD and _dialect(None) is STANDARD


def test_virtuoso_s_own_graphs_are_not_the_kg():
    from sikg.store.remote import DIALECTS, STANDARD

    virtuoso = DIALECTS["virtuoso"]
    for own in ("http://www.openlinksw.com/schemas/virtrdf#", "http://127.0.0.1:8890/DAV/",
                "http://localhost:8890/sparql"):
        assert virtuoso.owns(own) and not STANDARD.owns(own)
    assert not virtuoso.owns(GRAPH_CURATED) and not virtuoso.owns("http://localhost:8890/sparql?graph=x")


@pytest.mark.parametrize("chunk", [1, 7, 100, 1 << 20])
def test_virtuoso_s_blank_node_labels_and_booleans_are_read_as_every_store_writes_them(chunk):
    """"nodeID://b1" is no blank node label pyoxigraph reads, and "0"^^xsd:boolean is false as other stores write
    it; fixed in a whole answer and in a streamed one, whichever way its chunks fall."""
    import io

    import pyoxigraph as ox

    from sikg.store.remote import _read_answer, _Relabelled

    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    body = ('{ "head": { "vars": ["s", "b", "t"] }, "results": { "bindings": [ { "s": { "type": "bnode", "value": '
            f'"nodeID://b10003" }}, "b": {{ "type": "typed-literal", "datatype": "{boolean}", "value": "0" }}, '
            f'"t": {{ "type": "typed-literal", "datatype": "{boolean}", "value": "1" }} }} ] }} }}').encode()

    class Chunked(io.RawIOBase):
        def __init__(self):
            self.data = body

        def read(self, size=-1):
            size = chunk if size < 0 else min(size, chunk)
            out, self.data = self.data[:size], self.data[size:]
            return out

    streamed = list(ox.parse_query_results(_Relabelled(Chunked()), format=ox.QueryResultsFormat.JSON))

    class Response:
        headers = {"Content-Type": "application/sparql-results+json"}

    whole = list(_read_answer(Response(), body))
    for row in (streamed[0], whole[0]):
        assert isinstance(row["s"], ox.BlankNode) and row["s"].value == "b10003"
        assert row["b"] == ox.Literal("false", datatype=ox.NamedNode(boolean))
        assert row["t"] == ox.Literal("true", datatype=ox.NamedNode(boolean))


@pytest.mark.parametrize("update, kept", [
    ('INSERT DATA { GRAPH <urn:g> { _:a <urn:p> "x" . _:a <urn:q> [ <urn:r> "}" ] } }', 0),
    ('INSERT DATA { <urn:s> <urn:p> "_:not a blank node" } ; INSERT DATA { GRAPH <urn:g> { [] <urn:p> 1 } }', 1),
    ('INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> <urn:o> } }', 1),
])
def test_an_insert_data_with_blank_nodes_is_sent_as_a_template_that_inserts_the_same(update, kept):
    """(Virtuoso refuses blank nodes in INSERT DATA.) On Oxigraph both forms insert the same graph."""
    import pyoxigraph as ox

    from sikg.store.remote import _insert_data_as_template

    rewritten = _insert_data_as_template(update)
    assert rewritten.count("INSERT DATA") == kept and rewritten.count("WHERE { }") == update.count("INSERT DATA") - kept
    stores = ox.Store(), ox.Store()
    stores[0].update(update)
    stores[1].update(rewritten)
    assert canonical(stores[0]) == canonical(stores[1]) and len(stores[0]) > 0


def test_an_update_that_changes_nothing_but_the_state_token_is_no_empty_insert(fake):
    """Virtuoso refuses `INSERT DATA { GRAPH <g> { } }`: the new state token is then the whole update."""
    sent = []

    def answer(query):
        return _json(["t"], [])
    endpoint = fake(answer)
    store = RemoteStore(endpoint.url)
    original = store._request

    def spy(method, url, **options):
        sent.append(options.get("body"))
        return original(method, url, **options)
    store._request = spy
    store.update("")
    assert sent and sent[-1].decode().startswith("DROP SILENT GRAPH") and "{ }" not in sent[-1].decode()


def test_a_query_of_a_page_the_store_refuses_is_a_503_of_one_line_not_a_500(fake):
    """(Virtuoso 7.2.5's SPARQL compiler failed on a resource page's query with an internal error: a 500.)"""
    def answer(query):
        if "DISTINCT ?g" in query:
            return _json(["g"], [{"g": {"type": "uri", "value": GRAPH_CURATED}}])
        if "?t" in query and "identifier" in query:
            return _json(["t"], [])
        return 400, "text/plain", "Virtuoso 37000 Error SP031: SPARQL compiler: Internal error\n\nSPARQL query:\n…"
    client = create_app(open_store(fake(answer).url)).test_client()
    for path in ("/id/practice/cap-impact", "/practices", "/"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 503, (path, response.status_code)
        assert "Internal error" in response.get_data(as_text=True)
    refused = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    assert refused.status_code == 400  # a client's own query the store refuses stays the client's


@pytest.mark.slow  # starts an Oxigraph server
def test_a_write_is_seen_by_its_writer_s_next_read_while_others_write_at_once(tmp_path):
    """Oxigraph server applies concurrent updates each on its own snapshot, so two writes at once can both leave
    their state token (neither drops the other's): a state token read as one value of the two could then be one read
    before the second write, and the graphs listed under it (cached per token) would miss that write's graph. Six
    threads each create graphs; after each write, its writer's next read lists the graph it made."""
    import threading

    server = OxigraphServer(tmp_path, union=False)
    server.start()
    try:
        store = open_store(server.query_url)
        missed = []
        # each write also replaces a scratch graph of 1,000 triples: a write that takes a while, so that they overlap
        bulk = "DROP SILENT GRAPH <urn:scratch> ; INSERT DATA { GRAPH <urn:scratch> { " + " ".join(
            f"<urn:s{i}> <urn:p> {i} ." for i in range(1000)) + " } }"

        def write(thread: int) -> None:
            for n in range(10):
                graph = f"https://example.org/race/{thread}/{n}"
                store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:s> <urn:p> {n} }} }} ; {bulk}")
                if graph not in store.named_graphs():
                    missed.append(graph)

        threads = [threading.Thread(target=write, args=(thread,)) for thread in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not missed, f"{len(missed)} of 40 writes not seen by their writer's next read, e.g. {missed[:3]}"
    finally:
        server.stop()
