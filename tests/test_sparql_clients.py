"""The SPARQL clients people use, really installed, against a real `sikg serve` (issue 30): each query form by each
way the client sends it, the answer parsed by the client itself. The README's list of clients names exactly these.

- SPARQLWrapper (PyPI): every return format × GET, form POST and direct POST × SELECT, ASK, CONSTRUCT, DESCRIBE.
  SPARQLWrapper sends its own format names in format=, output= and results= beside an Accept header; a format the
  query form cannot be (TURTLE for a SELECT: it keeps one return format for every query) is sent with `Accept: */*`
  and answered in the form's default format, which the client parses too (and warns about, as it says it does).
- rdflib's SPARQLStore (GET, POST, form POST; each result format it asks for; triples()), and its SPARQLUpdateStore
  refused cleanly: the endpoint is read-only.
- The npm clients: Comunica and sparql-http-client (its stream and parsing clients), run under Node from
  tests/sparql-clients-js (installed from its lock file by `make test`); see test_node_clients below.
Over the embedded store (the session's `sikg serve`), and SPARQLWrapper's and rdflib's over an external store too:
an Oxigraph server that `sikg serve` runs over.
"""

import csv
import io
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import warnings
from xml.dom.minidom import Document

import pytest
import rdflib

from helpers import ROOT, OxigraphServer, run_cli, serving

pytestmark = pytest.mark.slow  # real servers, and Node

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")

SIKG = "https://w3id.org/sikg/ontology#"
PRACTICE = "https://w3id.org/sikg/id/practice/coompanion"
QUERIES = {
    "SELECT": f"SELECT ?p WHERE {{ ?p a <{SIKG}SupportPractice> }} ORDER BY ?p",
    "ASK": f"ASK {{ <{PRACTICE}> a <{SIKG}SupportPractice> }}",
    "CONSTRUCT": f"CONSTRUCT {{ ?p a <{SIKG}SupportPractice> }} WHERE {{ ?p a <{SIKG}SupportPractice> }}",
    "DESCRIBE": f"DESCRIBE <{PRACTICE}>",
}
PRACTICES = 35
TYPE = (rdflib.URIRef(PRACTICE), rdflib.RDF.type, rdflib.URIRef(SIKG + "SupportPractice"))
RETURN_FORMATS = ["json", "xml", "turtle", "n3", "rdf", "rdf+xml", "csv", "tsv", "json-ld"]  # SPARQLWrapper's all
# The formats each query form can be in SPARQLWrapper's terms (its own test suites call the others "unexpected").
EXPECTED = {"SELECT": {"json", "xml", "csv", "tsv"}, "ASK": {"json", "xml", "csv", "tsv"},
            "CONSTRUCT": {"json", "xml", "turtle", "n3", "rdf", "rdf+xml", "json-ld"}}
EXPECTED["DESCRIBE"] = EXPECTED["CONSTRUCT"]
METHODS = ["GET", "POST", "POST directly"]
IGNORED = "Sikg-Format-Ignored"


@pytest.fixture(scope="module", params=["embedded", "oxigraph"])
def endpoint(request, tmp_path_factory):
    """/sparql of `sikg serve`: the session's, over the embedded store, or one over an Oxigraph server that
    `sikg load` filled."""
    if request.param == "embedded":
        yield request.getfixturevalue("live_server") + "/sparql"
        return
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), union=False)
    server.start()
    try:
        loaded = run_cli("load", "--store", server.query_url)
        assert loaded.returncode == 0, loaded.stderr
        log = tmp_path_factory.mktemp("server-over-oxigraph") / "server.log"
        with serving(["--store", server.query_url, "--workers", "4"], log) as url:
            yield url + "/sparql"
    finally:
        server.stop()


# -- SPARQLWrapper ---------------------------------------------------------------------------------------------------

def _sparqlwrapper(endpoint: str, form: str, return_format: str, method: str):
    from SPARQLWrapper import GET, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setQuery(QUERIES[form])
    client.setReturnFormat(return_format)
    client.setMethod(GET if method == "GET" else POST)
    client.setRequestMethod(POSTDIRECTLY if method == "POST directly" else URLENCODED)
    return client


def _graph(parsed, return_format: str) -> rdflib.Graph:
    """A CONSTRUCT or DESCRIBE answer as SPARQLWrapper hands it over: an rdflib graph it parsed (RDF/XML, JSON-LD),
    or the Turtle (N3) bytes, which it leaves to the caller to read."""
    if isinstance(parsed, rdflib.Graph):
        return parsed
    assert isinstance(parsed, bytes), type(parsed)
    return rdflib.Graph().parse(data=parsed, format="n3" if return_format == "n3" else "turtle")


def _solutions(parsed) -> list[str] | bool:
    """A SELECT's practices or an ASK's answer, from what SPARQLWrapper's convert() gives for each format: a dict
    (SPARQL JSON), a DOM document (SPARQL XML), bytes (CSV, TSV)."""
    if isinstance(parsed, dict):
        if "boolean" in parsed:
            return parsed["boolean"]
        return [row["p"]["value"] for row in parsed["results"]["bindings"]]
    if isinstance(parsed, Document):
        booleans = parsed.getElementsByTagName("boolean")
        if booleans:
            return booleans[0].firstChild.data == "true"
        return [uri.firstChild.data for uri in parsed.getElementsByTagName("uri")]
    assert isinstance(parsed, bytes), type(parsed)
    text = parsed.decode()
    if text.strip().splitlines()[-1] in ("true", "false"):  # a boolean in CSV or TSV
        return text.strip().splitlines()[-1] == "true"
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if "\t" in text or text.startswith("?") else ","))
    return [row[0].strip("<>") for row in rows[1:]]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", RETURN_FORMATS)
@pytest.mark.parametrize("form", list(QUERIES))
def test_sparqlwrapper(endpoint, form, return_format, method):
    client = _sparqlwrapper(endpoint, form, return_format, method)
    expected = return_format in EXPECTED[form]
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        result = client.query()
        parsed = result.convert()
    said = [str(w.message) for w in warned if "has been returned by the endpoint" in str(w.message)]
    ignored = result.info().get(IGNORED.lower())
    if expected:  # answered in the format asked for, by the name the client sent
        assert not said and ignored is None, (said, ignored)
    else:  # the form's default format, and the header and the client say so
        assert said and ignored and "a format this result cannot be" in ignored, (said, ignored)
    if form in ("CONSTRUCT", "DESCRIBE"):
        graph = _graph(parsed, return_format)
        assert TYPE in graph
        assert len(graph) == PRACTICES if form == "CONSTRUCT" else len(graph) > 20
    elif form == "ASK":
        assert _solutions(parsed) is True
    else:
        practices = _solutions(parsed)
        assert len(practices) == PRACTICES and PRACTICE in practices


def test_sparqlwrapper_with_only_conneg_gets_what_its_accept_asks_for(endpoint):
    """setOnlyConneg(True): Accept alone, no format parameter; for each return format SPARQLWrapper has an Accept
    header for (for a graph, `json` and `rdf` have none: it sends */*)."""
    conneg = {"SELECT": ["json", "xml", "csv", "tsv"], "CONSTRUCT": ["turtle", "n3", "xml", "rdf+xml", "json-ld"]}
    for form, return_formats in conneg.items():
        for return_format in return_formats:
            client = _sparqlwrapper(endpoint, form, return_format, "GET")
            client.setOnlyConneg(True)
            with warnings.catch_warnings(record=True) as warned:
                warnings.simplefilter("always")
                parsed = client.query().convert()
            assert not [w for w in warned if "has been returned" in str(w.message)], (form, return_format)
            if form == "SELECT":
                assert PRACTICE in _solutions(parsed)
            else:
                assert TYPE in _graph(parsed, return_format)


def test_sparqlwrapper_errors(endpoint):
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT ?x WHERE { ?x ")
    with pytest.raises(QueryBadFormed):
        client.query()
    update = SPARQLWrapper(endpoint)
    update.setMethod(POST)
    update.setQuery(f"INSERT DATA {{ <{PRACTICE}> <urn:sikg-test:p> 1 }}")
    with pytest.raises(QueryBadFormed) as refused:
        update.query()
    assert b"read-only" in str(refused.value).encode()


@pytest.mark.parametrize("form, parameter, value, accept, media_type, ignored", [
    ("SELECT", "output", "text", None, "text/plain", None),  # Fuseki's text: a table for people
    ("ASK", "output", "text", None, "text/plain", None),
    ("CONSTRUCT", "output", "text", None, "text/turtle", None),
    ("DESCRIBE", "format", "xml", None, "application/rdf+xml", None),
    ("SELECT", "format", "xml", None, "application/sparql-results+xml", None),
    ("SELECT", "format", "bogus", "text/tab-separated-values", "text/tab-separated-values", "unknown format"),
    ("CONSTRUCT", "format", "csv", "*/*", "text/turtle", "a format this result cannot be"),
])
def test_format_names_through_the_real_server(endpoint, form, parameter, value, accept, media_type, ignored):
    """What the matrix relies on, through the server's whole stack (the GET answered before Flask, granian) and over
    the external store, whose results sikg writes as the table itself."""
    query = urllib.parse.urlencode({"query": QUERIES[form], parameter: value})
    request = urllib.request.Request(f"{endpoint}?{query}", headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
        assert response.headers.get_content_type() == media_type
        assert response.headers.get(IGNORED) == (ignored and f"{parameter}={value}: {ignored}; the answer follows "
                                                             "Accept")
    if media_type == "text/plain":
        lines = body.splitlines()
        assert lines == ["yes"] if form == "ASK" else (lines[0].strip() == "p" and lines[-1] == "(35 rows)" and
                                                       any(line.strip() == PRACTICE for line in lines))


# -- rdflib's SPARQLStore and SPARQLUpdateStore ----------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["xml", "json", "csv"])
def test_rdflib_sparqlstore(endpoint, method, return_format):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=endpoint, method=method, returnFormat=return_format))
    rows = [str(row[0]) for row in graph.query(QUERIES["SELECT"])]
    assert len(rows) == PRACTICES and PRACTICE in rows
    if return_format == "csv":  # SELECT only: CSV results define no boolean, and rdflib's reader reads none
        return
    assert graph.query(QUERIES["ASK"]).askAnswer is True
    if return_format == "json":  # rdflib then asks for SPARQL JSON alone, which no graph is
        return
    constructed = graph.query(QUERIES["CONSTRUCT"]).graph
    assert len(constructed) == PRACTICES and TYPE in constructed
    described = graph.query(QUERIES["DESCRIBE"]).graph
    assert TYPE in described and len(described) > 20
    types = set(graph.triples((rdflib.URIRef(PRACTICE), rdflib.RDF.type, None)))
    assert TYPE in types


def test_rdflib_sparqlupdatestore_is_refused_cleanly(endpoint):
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

    store = SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint)
    graph = rdflib.Graph(store=store, identifier=rdflib.URIRef("urn:sikg-test:graph"))
    new = (rdflib.URIRef(PRACTICE), rdflib.URIRef("urn:sikg-test:p"), rdflib.Literal("x"))
    for write in (lambda: graph.add(new), lambda: graph.update(f"INSERT DATA {{ <{PRACTICE}> <urn:sikg-test:p> 1 }}"),
                  lambda: graph.remove(TYPE)):
        with pytest.raises(urllib.error.HTTPError) as refused:
            write()
        assert refused.value.code == 400
        assert b"read-only" in refused.value.read()
    reader = rdflib.Graph(store=SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint))
    assert reader.query(f"ASK {{ <{PRACTICE}> <urn:sikg-test:p> ?o }}").askAnswer is False
    assert reader.query(QUERIES["ASK"]).askAnswer is True


# -- the npm clients: Comunica, sparql-http-client ----------------------------------------------------------------

CLIENTS_JS = ROOT / "tests" / "sparql-clients-js"


@pytest.fixture(scope="module")
def node_answers(endpoint):
    """Every cell of clients.mjs, run once against the endpoint: {cell: "ok" or what went wrong}."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the npm SPARQL clients run under Node")
    if not (CLIENTS_JS / "node_modules").is_dir():
        pytest.fail("tests/sparql-clients-js is not installed: `make test` installs it from its lock file "
                    "(npm ci --prefix tests/sparql-clients-js)")
    run = subprocess.run([node, str(CLIENTS_JS / "clients.mjs"), endpoint], capture_output=True, text=True,
                         timeout=240, env=dict(os.environ, NODE_NO_WARNINGS="1"))
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


NODE_CELLS = [f"comunica {form}" for form in QUERIES] + \
    [f"sparql-http-client {kind} {operation} {form}" for kind in ("stream", "parsing")
     for operation in ("get", "postUrlencoded", "postDirect") for form in QUERIES] + \
    ["sparql-http-client update refused"]


@pytest.mark.parametrize("cell", NODE_CELLS)
def test_node_clients(node_answers, cell):
    assert node_answers.get(cell) == "ok", node_answers.get(cell, f"{cell} was not run")


def test_node_clients_ran_exactly_these_cells(node_answers):
    assert sorted(node_answers) == sorted(NODE_CELLS)
