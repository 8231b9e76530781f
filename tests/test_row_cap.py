"""A store's row cap never gives a short graph as a whole one. Virtuoso cuts every answer at its ResultSetMaxRows
and says so only for SELECT (X-SPARQL-MaxRows); its CONSTRUCT and DESCRIBE answers are cut without a word
(store/remote.py, the Virtuoso comment: what was measured). sikg reads the cap the store runs with and refuses a
CONSTRUCT's answer of more triples than the cap, and a DESCRIBE of more resources than the cap (counted by a SELECT
DISTINCT), with a 503 of one line (exit status 3 on the command line) naming the setting to raise; the Turtle and
N-Triples exports read every quad in pages instead. The exact header behaviours on a fake Virtuoso here; the
store's own behaviour on a real one started with a cap of 1,000 rows (tests/virtuoso.py), skipped with its reason
where Virtuoso is not installed.
"""

import json
import re
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from virtuoso import MISSING, Virtuoso

from helpers import FakeEndpoint, run_cli
from sikg.errors import StoreUnavailable
from sikg.namespaces import SIKG
from sikg.store import RemoteStore, open_store

CAP = 1000
SETTING = b"raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini"


# -- a fake Virtuoso: exact answers and headers -------------------------------------------------------------------
def virtuoso_named(answer) -> FakeEndpoint:
    """An endpoint that names itself as Virtuoso 7.2.5 does and answers each query with answer(query) -> (Content-Type,
    body, extra headers); its `queries` record what was asked."""
    return FakeEndpoint(lambda query: (200, *answer(query)), server="Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu")


def _results(variable: str, values: list, headers=None):
    rows = [{} if value is None else {variable: value} for value in values]
    body = json.dumps({"head": {"vars": [variable]}, "results": {"bindings": rows}})
    return "application/sparql-results+json", body, headers or {}


def _triples(count: int) -> str:
    return "".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(count))


@pytest.fixture
def fake_virtuoso():
    started = []

    def start(cap="1000", construct=0, found=0, said=None):
        """cap: the ?cap the store states (its sys_stat, a typed literal as Virtuoso writes it; None: unbound);
        construct: the triples a CONSTRUCT or DESCRIBE sends; found: the rows of the SELECT of a DESCRIBE's
        resources, and said: its X-SPARQL-MaxRows header (None: none)."""

        def answer(query):
            if "sparql_result_set_max_rows" in query:
                integer = "http://www.w3.org/2001/XMLSchema#integer"
                return _results("cap", [cap and {"type": "typed-literal", "datatype": integer, "value": cap}])
            if "SELECT DISTINCT ?x" in query:
                rows = [{"type": "uri", "value": f"https://example.org/s{i}"} for i in range(found)]
                return (*_results("x", rows)[:2], {} if said is None else {"X-SPARQL-MaxRows": str(said)})
            if "CONSTRUCT" in query or "DESCRIBE" in query:
                return "application/n-triples", _triples(construct), {}
            return _results("t", [])  # the state token and the graph listing: none yet

        started.append(virtuoso_named(answer))
        return started[-1]

    yield start
    for server in started:
        server.stop()


CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def test_a_construct_of_more_triples_than_the_stated_cap_is_refused(fake_virtuoso):
    """Virtuoso sends a cut CONSTRUCT's first cap + 1 triples, with no header: refused, not given as the graph."""
    with pytest.raises(StoreUnavailable, match="may have cut its answer at 1000 triples .*ResultSetMaxRows"):
        RemoteStore(fake_virtuoso(construct=1001).url).query(CONSTRUCT)


def test_a_construct_within_the_cap_is_whole(fake_virtuoso):
    server = fake_virtuoso(construct=1000)
    assert len(RemoteStore(server.url).query(CONSTRUCT)) == 1000
    assert any("sparql_result_set_max_rows" in query for query in server.queries)  # read with the answer


def test_an_empty_construct_needs_no_cap(fake_virtuoso):
    server = fake_virtuoso(construct=0)
    assert RemoteStore(server.url).query(CONSTRUCT) == []
    assert not any("sparql_result_set_max_rows" in query for query in server.queries)


def test_a_cap_of_zero_is_none(fake_virtuoso):
    """ResultSetMaxRows 0 or left out of virtuoso.ini: sys_stat says 0, and nothing is cut (measured: 12,000 triples
    sent whole)."""
    assert len(RemoteStore(fake_virtuoso(cap="0", construct=12_000).url).query(CONSTRUCT)) == 12_000


@pytest.mark.parametrize("cap, error", [("lots", "'lots' is not a number of rows"), (None, "has ?cap unbound")])
def test_a_cap_that_cannot_be_read_is_a_store_failure(fake_virtuoso, cap, error):
    with pytest.raises(StoreUnavailable, match=re.escape(error)):
        RemoteStore(fake_virtuoso(cap=cap, construct=5).url).query(CONSTRUCT)


DESCRIBE = "PREFIX ex: <https://example.org/> DESCRIBE ?x ex:a WHERE { ?x ?p ?o } LIMIT 5000"


@pytest.mark.parametrize("found, said", [(1000, None), (999, 999)])
def test_a_describe_of_more_resources_than_the_cap_is_refused(fake_virtuoso, found, said):
    """A cut DESCRIBE may send few triples or none (Virtuoso describes only the first resources found): its
    resources are counted by a SELECT DISTINCT; more than the cap (with the one it names), or that SELECT cut (at
    the cap virtuoso.ini says now), and it is refused."""
    server = fake_virtuoso(construct=0, found=found, said=said)
    with pytest.raises(StoreUnavailable, match="may have cut its answer at 1000 resources described"):
        RemoteStore(server.url).query(DESCRIBE)
    assert "PREFIX ex: <https://example.org/> SELECT DISTINCT ?x WHERE { ?x ?p ?o } LIMIT 5000" in server.queries


def test_a_describe_of_as_many_resources_as_the_cap_is_whole(fake_virtuoso):
    assert len(RemoteStore(fake_virtuoso(construct=3, found=999).url).query(DESCRIBE)) == 3


def test_a_describe_of_named_resources_only_is_not_counted(fake_virtuoso):
    server = fake_virtuoso(construct=3000)  # one resource described in whole, past the cap
    assert len(RemoteStore(server.url).query("DESCRIBE <https://example.org/s1>")) == 3000
    assert [query for query in server.queries if "example.org" in query] == ["DESCRIBE <https://example.org/s1>"]


# -- a real Virtuoso capped at 1,000 rows -----------------------------------------------------------------------
needs_virtuoso = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


@pytest.fixture
def capped(virtuoso_capped):
    """A Virtuoso whose ResultSetMaxRows is 1,000 (its default is 10,000), holding the curated KG (more than 1,000
    triples) and nothing else: the worker's one (tests/conftest.py), loaded again if a test wrote to it."""
    assert virtuoso_capped.max_rows == CAP
    return virtuoso_capped


def _ask(server: Virtuoso, query: str, accept: str) -> tuple[dict, bytes]:
    request = urllib.request.Request(
        server.sparql_url, data=urllib.parse.urlencode({"query": query}).encode(), headers={"Accept": accept}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(response.headers), response.read()


@pytest.mark.parametrize(
    "accept, syntax",
    [
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.7", ox.RdfFormat.N_TRIPLES),  # sikg's
    ],
)
@needs_virtuoso
@pytest.mark.slow
def test_virtuoso_cuts_a_construct_without_saying_so(capped, accept, syntax):
    """What the detection rests on: the store's cut CONSTRUCT is its first cap + 1 triples, with no header."""
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    headers, body = _ask(capped, query, accept)
    assert not any(name.lower() == "x-sparql-maxrows" for name in headers)
    assert len(list(ox.parse(body, format=syntax))) == CAP + 1
    headers, body = _ask(capped, "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", "application/sparql-results+json")
    assert headers.get("X-SPARQL-MaxRows") == str(CAP)  # where a SELECT says it


@needs_virtuoso
@pytest.mark.slow
def test_a_cut_construct_or_describe_is_refused_by_the_store(capped):
    store = open_store(capped.sparql_url, timeout=60)
    with pytest.raises(StoreUnavailable, match="may have cut its answer at 1000 triples"):
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert len(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1000")) == 1000
    # Virtuoso describes some of the resources found, so that the answer may be short of the cap
    with pytest.raises(StoreUnavailable, match="may have cut its answer at 1000 resources described"):
        store.query("DESCRIBE ?s WHERE { ?s ?p ?o }")
    one = next(iter(store.query("SELECT ?s WHERE { ?s a ?type } LIMIT 1")))["s"]
    assert store.query(f"DESCRIBE {one}")  # named resources: not cut


@needs_virtuoso
@pytest.mark.slow
def test_the_cap_the_store_runs_with_is_the_one_checked(capped):
    """virtuoso.ini raised but the server not restarted: its SELECTs follow the file (the /sparql handler reads it
    each time), its CONSTRUCTs and DESCRIBEs still the cap it started with, which is the one sikg reads."""
    ini = capped.directory / "virtuoso.ini"
    written = ini.read_text()
    ini.write_text(written.replace(f"ResultSetMaxRows = {CAP}", "ResultSetMaxRows = 1000000"))
    try:
        store = open_store(capped.sparql_url, timeout=60)
        assert len(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")) > CAP  # no longer cut
        with pytest.raises(StoreUnavailable, match="may have cut its answer at 1000 triples"):
            store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        with pytest.raises(StoreUnavailable, match="may have cut its answer at 1000 resources described"):
            store.query("DESCRIBE ?s WHERE { ?s ?p ?o }")
    finally:
        ini.write_text(written)


@pytest.mark.parametrize(
    "query, accept",
    [
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "text/turtle"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/ld+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", "text/turtle"),
    ],
)
@needs_virtuoso
@pytest.mark.slow
def test_a_client_s_cut_construct_is_a_503_of_one_line(capped, query, accept):
    from sikg.web.app import create_app

    client = create_app(open_store(capped.sparql_url, timeout=60)).test_client()
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert answer.status_code == 503, answer.data[:300]
    assert SETTING in answer.data and b"Traceback" not in answer.data
    whole = client.get("/sparql", query_string={"query": query + " LIMIT 10"}, headers={"Accept": accept})
    assert whole.status_code == 200


@pytest.mark.parametrize("fmt", ["ttl", "nt"])
@needs_virtuoso
@pytest.mark.slow
def test_a_triples_export_over_the_cap_is_whole(capped, fmt):
    """The union graph's export reads every quad in pages (as the quad exports do), not one CONSTRUCT."""
    exported = run_cli("export", "--store", capped.sparql_url, "--format", fmt)
    assert exported.returncode == 0, exported.stderr
    embedded = run_cli("export", "--store", "memory", "--format", fmt)
    syntax = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES
    over_virtuoso = list(ox.parse(exported.stdout.encode(), format=syntax))
    over_embedded = list(ox.parse(embedded.stdout.encode(), format=syntax))
    assert len(over_virtuoso) == len(over_embedded) > CAP
    named = {str(t) for t in over_virtuoso if "_:" not in str(t)}  # blank nodes are labelled anew
    assert named == {str(t) for t in over_embedded if "_:" not in str(t)}


@needs_virtuoso
@pytest.mark.slow
def test_a_view_whose_construct_is_cut_exits_3_in_one_line(capped):
    """The schema.org view is one CONSTRUCT of sikg's over more than 1,000 triples here: refused, not short."""
    exported = run_cli("export", "--store", capped.sparql_url, "--schema-org", "--format", "jsonld")
    assert exported.returncode == 3 and exported.stdout == ""
    assert "ResultSetMaxRows" in exported.stderr and len(exported.stderr.strip().splitlines()) == 1


@needs_virtuoso
@pytest.mark.slow
def test_a_page_whose_construct_is_cut_is_a_503_not_a_short_page(capped):
    """A practice 1,200 resources link to: its page's CONSTRUCT (the links in, with their labels) passes the cap."""
    from sikg.web.app import create_app

    store = open_store(capped.sparql_url, timeout=60)
    practice = "https://w3id.org/sikg/id/practice/orebro-psi"
    graph = "https://example.org/graph/row-cap-links"
    client = create_app(store).test_client()
    assert client.get("/id/practice/orebro-psi", headers={"Accept": "text/html"}).status_code == 200
    link, target = ox.NamedNode(f"{SIKG}relatedPractice"), ox.NamedNode(practice)
    links = [ox.Triple(ox.NamedNode(f"https://example.org/p{i}"), link, target) for i in range(1200)]
    store.replace_graphs({graph: links})
    try:
        page = client.get("/id/practice/orebro-psi", headers={"Accept": "text/html"})
        assert page.status_code == 503 and b"ResultSetMaxRows" in page.data and b"Traceback" not in page.data
    finally:
        store.remove_graphs([graph])
