"""POST /validate and the contributions API (POST, GET, DELETE /contributions), and the contributor kit.

Every app here is built on a store of its own (`open_store("memory")`, the curated KG) and never on the shared `kg`
fixture: contributions write. The contribution token is read from SIKG_CONTRIB_TOKEN into the app's Settings when
`create_app` builds it, so each app is built with the variable set (or unset) for that moment only.

The last test, marked `slow`, runs the real server (`sikg serve`, granian) on an on-disk store, kills it with SIGKILL
right after a 201 and checks that the contribution survives the restart. It runs in `make test` like every other.
"""

import dataclasses
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from listener import Listener
from rdflib.compare import isomorphic

from helpers import FIXTURES, ROOT, free_port, offline_quads, run_cli, start_server, to_quads
from sikg.contributions import service as contributions_module
from sikg.contributions.sign_in import csrf_for
from sikg.rdf import content, jsonld
from sikg.rdf import reading as rdf_input
from sikg.settings import Settings
from sikg.sparql.evaluator import EvaluatorPool
from sikg.store import open_store
from sikg.validation import shacl as validation
from sikg.web.app import create_app

TEMPLATES = ROOT / "data" / "templates"
TEMPLATE_TTL = TEMPLATES / "practice.ttl"
TEMPLATE_JSONLD = TEMPLATES / "practice.jsonld"
PRACTICE = "https://w3id.org/sikg/id/practice/example-neighbourhood-voucher"
ORGANISATION = "https://w3id.org/sikg/id/organisation/example-regional-agency"
GRAPH_PREFIX = "https://w3id.org/sikg/graph/contribution/"
SIKG = "https://w3id.org/sikg/ontology#"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPORT_KEYS = {"focusNode", "path", "severity", "message", "sourceShape", "value"}


# -- helpers --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pool():
    """One small evaluator pool for the apps of this module that never write and query (each app would otherwise
    start its own)."""
    pool = EvaluatorPool(2, 10.0, 64 * 1024 * 1024)
    yield pool
    pool.close()


def make_app(store, pool, token: str | None = "alice=s3cret", max_upload: int | None = None):
    """An app whose settings were read from an environment with SIKG_CONTRIB_TOKEN set to `token` (None: unset)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SIKG_REVIEW", "0")  # these tests pin immediate publication (201); review is in test_review.py
        if token is None:
            env.delenv("SIKG_CONTRIB_TOKEN", raising=False)
        else:
            env.setenv("SIKG_CONTRIB_TOKEN", token)
        settings = Settings.from_environment()
    if max_upload is not None:
        settings = dataclasses.replace(settings, max_upload=max_upload)
    return create_app(store, settings=settings, pool=pool)


@pytest.fixture(scope="module")
def shared_store():
    """A store of this module's own, for requests that never write (/validate, refused contributions)."""
    return open_store("memory")


@pytest.fixture(scope="module")
def client(shared_store, pool):
    return make_app(shared_store, pool).test_client()


@pytest.fixture
def fresh():
    """A new store and a client on it, for a test that writes; with an evaluator pool of its own (one pool
    serving two stores is tested in test_evaluator.py)."""
    store, pool = open_store("memory"), EvaluatorPool(1, 10.0, 64 * 1024 * 1024)
    yield store, make_app(store, pool).test_client()
    pool.close()


def dump(store) -> list[bytes]:
    output = io.BytesIO()
    store.dump(output, ox.RdfFormat.N_QUADS)
    return sorted(output.getvalue().splitlines())


def template() -> bytes:
    return TEMPLATE_TTL.read_bytes()


def without_country() -> bytes:
    return template().replace(b"    sikg:country country:SWE ;\n", b"")


def ask(client, query: str) -> bool:
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["boolean"]


def practice_visible(client) -> bool:
    return ask(client, f"ASK {{ <{PRACTICE}> a <{SIKG}SupportPractice> }}")


@contextmanager
def listener():
    spy = Listener()
    try:
        yield spy
    finally:
        spy.close(grace=0.3)


def post(client, route: str, body, content_type: str | None = "text/turtle", headers=None, **options):
    headers = dict(headers or {})
    if route == "/contributions":
        headers = {**AUTH, **headers}
    if content_type is None:
        return client.post(route, data=body, headers=headers, **options)
    return client.post(route, data=body, content_type=content_type, headers=headers, **options)


ROUTES = ["/validate", "/contributions"]


# -- the contributor kit --------------------------------------------------------------------------------------------

def test_templates_are_not_part_of_the_curated_kg(kg):
    """data/*.ttl is the curated KG; data/templates/ is a subfolder, so its example never gets loaded."""
    files = [path.resolve() for files in content.curated_graphs().values() for path in files]
    assert files and not any(TEMPLATES.resolve() in path.parents for path in files)
    assert TEMPLATE_TTL.resolve() not in [p.resolve() for p in content.data_files()]
    assert not kg.query(f"ASK {{ {{ <{PRACTICE}> ?p ?o }} UNION {{ <{ORGANISATION}> ?p ?o }} }}")
    assert not kg.query('ASK { ?s ?p ?o FILTER(CONTAINS(STR(?s), "/id/practice/example-")) }')


@pytest.mark.slow
@pytest.mark.parametrize("path", [TEMPLATE_TTL, TEMPLATE_JSONLD], ids=["ttl", "jsonld"])
def test_templates_conform_with_no_warnings(path):
    result = run_cli("validate", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no violations, no warnings" in result.stdout
    report = json.loads(run_cli("validate", "--format", "json", str(path)).stdout)
    assert report == {"conforms": True, "results": []}


def test_the_two_templates_describe_the_same_graph():
    turtle = rdflib.Graph().parse(TEMPLATE_TTL, format="turtle")
    by_oxigraph = validation.to_rdflib(rdf_input.parse_file(TEMPLATE_JSONLD))
    document = json.loads(TEMPLATE_JSONLD.read_text())
    assert document["@context"] == "https://w3id.org/sikg/context.jsonld"
    by_pyld = rdflib.Graph().parse(data="\n".join(to_quads(document)), format="nt")
    assert len(turtle) > 40
    assert isomorphic(turtle, by_oxigraph)
    assert isomorphic(turtle, by_pyld)


def test_the_template_is_clearly_an_example():
    graph = rdflib.Graph().parse(TEMPLATE_TTL, format="turtle")
    described = {str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)}
    assert described == {PRACTICE, ORGANISATION}
    assert all(iri.rsplit("/", 1)[1].startswith("example-") for iri in described)
    sources = {str(o) for o in graph.objects(None, rdflib.DCTERMS.source)}
    assert sources and all(s.startswith("https://example.org/") for s in sources)
    text = TEMPLATE_TTL.read_text()
    for word in ("REQUIRED", "RECOMMENDED", "sikg:basis", "sikg:rationale", "basis:stated", "basis:curated"):
        assert word in text
    # Every kind of qualified record is shown, each with basis, rationale and its evidence: a page and a quotation.
    for kind in ("ElementSupport", "MethodUse", "LevelTarget"):
        records = list(graph.subjects(rdflib.RDF.type, rdflib.URIRef(SIKG + kind)))
        assert records
        for record in records:
            for prop in (rdflib.URIRef(SIKG + "basis"), rdflib.URIRef(SIKG + "rationale")):
                assert graph.value(record, prop) is not None
            evidence = graph.value(record, rdflib.URIRef(SIKG + "evidence"))
            assert graph.value(evidence, rdflib.DCTERMS.source) is not None
            assert graph.value(evidence, rdflib.URIRef(SIKG + "quotation")) is not None


# -- bad input: the Errors table, for both routes -------------------------------------------------------------------

@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("body", [b"", b"  \n\t\n"], ids=["empty", "whitespace"])
def test_an_empty_body_is_400(client, route, body):
    response = post(client, route, body)
    assert response.status_code == 400
    assert "empty" in response.get_json()["message"]


@pytest.mark.parametrize("route", ROUTES)
def test_unparseable_turtle_is_400_with_line_and_column(client, route):
    body = b"@prefix ex: <https://example.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n"
    response = post(client, route, body)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = response.get_json()
    assert error["line"] == 3 and isinstance(error["column"], int) and error["column"] > 0
    assert error["message"]


@pytest.mark.parametrize("route", ROUTES)
def test_unparseable_json_ld_is_400_with_line_and_column(client, route):
    response = post(client, route, b'{\n  "@id": "https://example.org/a",\n  oops\n}', "application/ld+json")
    assert response.status_code == 400
    assert response.get_json()["line"] == 3


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "application/octet-stream", None])
def test_an_unsupported_media_type_is_415(client, route, content_type):
    response = post(client, route, template(), content_type)
    assert response.status_code == 415
    assert "text/turtle" in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES)
def test_a_multipart_file_of_unknown_syntax_is_415(client, route):
    response = post(client, route, {"file": (io.BytesIO(template()), "practice.txt")}, "multipart/form-data")
    assert response.status_code == 415


@pytest.mark.parametrize("route", ROUTES)
def test_a_multipart_body_without_a_file_is_400(client, route):
    response = post(client, route, {"comment": "no file here"}, "multipart/form-data")
    assert response.status_code == 400


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("multipart", [False, True], ids=["body", "multipart"])
def test_a_body_over_the_limit_is_413(pool, route, multipart):
    store = open_store("memory")
    before = dump(store)
    client = make_app(store, pool, max_upload=1000).test_client()
    body = template()
    assert len(body) > 1000
    if multipart:
        response = post(client, route, {"file": (io.BytesIO(body), "practice.ttl")}, "multipart/form-data")
    else:
        response = post(client, route, body)
    assert response.status_code == 413
    assert dump(store) == before
    # A body under the limit still goes through.
    small = post(client, route, b"@prefix ex: <https://example.org/> .\nex:s ex:p ex:o .\n")
    assert small.status_code in (200, 201)


@pytest.mark.parametrize("route", ROUTES)
def test_a_chunked_body_over_the_limit_is_413_and_nothing_partial_is_written(route):
    lines = [f"<https://example.org/s{i:03d}> <https://example.org/p> \"x\" .\n".encode() for i in range(40)]
    store, pool = open_store("memory"), EvaluatorPool(1, 10.0, 64 * 1024 * 1024)
    try:
        before = dump(store)
        client = make_app(store, pool, max_upload=len(lines[0]) * 20).test_client()  # the cut: after 20 statements
        response = client.post(route, input_stream=io.BytesIO(b"".join(lines)), content_type="application/n-triples",
                               headers={**AUTH, "Transfer-Encoding": "chunked"},
                               # as WSGI servers set it for a chunked body
                               environ_overrides={"wsgi.input_terminated": True})
        assert response.status_code == 413, response.get_data(as_text=True)
        assert dump(store) == before
    finally:
        pool.close()


XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/s"><ex:p>&secret;</ex:p></rdf:Description>
</rdf:RDF>"""

INTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY name "expanded-entity-text"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/s"><ex:p>&name;</ex:p></rdf:Description>
</rdf:RDF>"""


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return ("""<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n""" + "\n".join(entities) + """\n]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/s"><ex:p>&lol9;</ex:p></rdf:Description>
</rdf:RDF>""").encode()


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("body", [XXE_FILE, INTERNAL_ENTITY, INTERNAL_ENTITY.replace(b"<!DOCTYPE", b"<! doctype")],
                         ids=["external-file-entity", "internal-entity", "odd-spelling"])
def test_rdf_xml_with_a_doctype_or_entity_is_400_and_never_expanded(client, shared_store, route, body):
    before = dump(shared_store)
    response = post(client, route, body, "application/rdf+xml")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "DOCTYPE" in text
    assert "root:" not in text and "expanded-entity-text" not in text
    assert dump(shared_store) == before


@pytest.mark.parametrize("route", ROUTES)
def test_rdf_xml_with_an_external_entity_on_the_network_fetches_nothing(client, route):
    with listener() as spy:
        body = XXE_FILE.replace(b"file:///etc/passwd", f"{spy.base}/entity".encode())
        response = post(client, route, body, "application/rdf+xml")
        assert response.status_code == 400
    assert spy.connections == []


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("multipart", [False, True], ids=["body", "multipart"])
def test_a_billion_laughs_is_refused_fast(client, route, multipart):
    body = billion_laughs()
    started = time.monotonic()
    if multipart:
        response = post(client, route, {"file": (io.BytesIO(body), "laughs.rdf")}, "multipart/form-data")
    else:
        response = post(client, route, body, "application/rdf+xml")
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert elapsed < 1.0
    assert "lollol" not in response.get_data(as_text=True)


def _remote_context_documents(url: str) -> dict[str, object]:
    return {
        "top-level": {"@context": url, "@id": "https://example.org/s", "https://example.org/p": "x"},
        "in-a-list": {"@context": ["https://w3id.org/sikg/context.jsonld", url], "@id": "https://example.org/s"},
        "nested-node": {"@context": {"ex": "https://example.org/"}, "@id": "https://example.org/s",
                        "ex:p": {"@context": url, "@id": "https://example.org/o"}},
        "scoped": {"@context": {"p": {"@id": "https://example.org/p", "@context": url}},
                   "@id": "https://example.org/s", "p": {"@id": "https://example.org/o", "https://example.org/q": 1}},
        "import": {"@context": {"@version": 1.1, "@import": url}, "@id": "https://example.org/s"},
        "array-of-nodes": [{"@context": url, "@id": "https://example.org/s"}],
    }


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case", list(_remote_context_documents("http://x")))
def test_json_ld_with_a_remote_context_is_400_and_nothing_is_fetched(client, shared_store, route, case):
    before = dump(shared_store)
    with listener() as spy:
        document = _remote_context_documents(f"{spy.base}/context.jsonld")[case]
        response = post(client, route, json.dumps(document), "application/ld+json")
        assert response.status_code == 400, response.get_data(as_text=True)
    assert spy.connections == []
    assert dump(shared_store) == before


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("depth", [300, 5_000, 100_000])
def test_deeply_nested_json_ld_is_400_not_500(client, route, depth):
    nested = '{"https://example.org/p": ' * depth + '"x"' + "}" * depth  # 2.6 MB at the deepest
    response = post(client, route, nested, "application/ld+json")
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["message"]
    arrays = post(client, route, "[" * depth + "]" * depth, "application/ld+json")
    assert arrays.status_code == 400


def test_owl_imports_is_never_followed_by_validate(client):
    with listener() as spy:
        body = template() + f"\n<{PRACTICE}> <http://www.w3.org/2002/07/owl#imports> <{spy.base}/ontology.ttl> .\n" \
            .encode()
        response = post(client, "/validate", body)
        assert response.status_code == 200
        assert response.get_json() == {"conforms": True, "results": []}  # validation ran, on the data as sent
        broken = post(client, "/validate", body.replace(b"    sikg:country country:SWE ;\n", b""))
        assert broken.get_json()["conforms"] is False
    assert spy.connections == []


def test_owl_imports_is_never_followed_by_a_contribution(fresh):
    store, client = fresh
    with listener() as spy:
        body = template() + f"\n<{PRACTICE}> <http://www.w3.org/2002/07/owl#imports> <{spy.base}/ontology.ttl> .\n" \
            .encode()
        response = post(client, "/contributions", body)
        assert response.status_code == 201
    assert spy.connections == []


# -- the token ------------------------------------------------------------------------------------------------------

def test_a_contribution_without_a_token_is_401(client, shared_store):
    before = dump(shared_store)
    response = client.post("/contributions", data=template(), content_type="text/turtle")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Basic YWxpY2U6czNjcmV0", "Bearer", "Bearer   ", TOKEN):
        response = client.post("/contributions", data=template(), content_type="text/turtle",
                               headers={"Authorization": header})
        assert response.status_code == 401, header
    assert dump(shared_store) == before


def test_a_contribution_with_a_wrong_token_is_403(client, shared_store):
    before = dump(shared_store)
    for token in ("wrong", "s3cre", "s3cret2", "alice", "alice=s3cret"):
        response = client.post("/contributions", data=template(), content_type="text/turtle",
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, token
    assert dump(shared_store) == before


def test_without_a_configured_token_contributions_are_off(pool):
    store = open_store("memory")
    before = dump(store)
    client = make_app(store, pool, token=None).test_client()
    for headers in ({}, AUTH, {"Authorization": "Bearer "}):
        response = client.post("/contributions", data=template(), content_type="text/turtle", headers=headers)
        assert response.status_code == 403
        assert "SIKG_CONTRIB_TOKEN" in response.get_data(as_text=True)
        assert client.delete("/contributions/0123456789abcdef", headers=headers).status_code == 403
    assert client.get("/contributions").get_json() == []
    assert client.post("/validate", data=template(), content_type="text/turtle").status_code == 200
    assert dump(store) == before


def test_several_labelled_tokens(pool):
    store = open_store("memory")
    client = make_app(store, pool, token="alice=s3cret, bob=t0ken").test_client()
    assert post(client, "/contributions", template(), headers={"Authorization": "Bearer t0ken"}).status_code == 201
    [entry] = client.get("/contributions").get_json()
    assert entry["contributor"] == "bob"


def test_a_single_token_with_an_equals_sign(pool):
    store = open_store("memory")
    client = make_app(store, pool, token="YWJjZA==").test_client()
    assert post(client, "/contributions", template(), headers={"Authorization": "Bearer ="}).status_code == 403
    response = post(client, "/contributions", template(), headers={"Authorization": "Bearer YWJjZA=="})
    assert response.status_code == 201


# -- report formats -------------------------------------------------------------------------------------------------

def test_validate_answers_json_by_default(client):
    response = post(client, "/validate", without_country())
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    report = response.get_json()
    assert report["conforms"] is False
    [result] = [r for r in report["results"] if r["severity"] == "Violation"]
    assert REPORT_KEYS <= set(result)
    assert result["focusNode"] == PRACTICE
    assert result["path"] == SIKG + "country"
    assert result["sourceShape"] == "https://w3id.org/sikg/shapes#Practice_country"
    assert "country" in result["message"]


def test_validate_reports_a_warning_without_failing(client):
    body = template().replace(b"    foaf:homepage <https://example.org/> ;\n", b"")
    report = post(client, "/validate", body).get_json()
    assert report["conforms"] is True
    [warning] = report["results"]
    assert warning["severity"] == "Warning" and warning["focusNode"] == ORGANISATION


def test_validate_reports_the_value_of_a_bad_term(client):
    body = template().replace(b"basis:curated ;\n        sikg:rationale \"The vouchers",
                              b"<https://example.org/made-up-basis> ;\n        sikg:rationale \"The vouchers")
    report = post(client, "/validate", body).get_json()
    assert report["conforms"] is False
    values = {r["value"] for r in report["results"]}
    assert "https://example.org/made-up-basis" in values


@pytest.mark.parametrize("accept,rdflib_format", [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_validate_gives_the_report_graph_by_content_negotiation(client, accept, rdflib_format):
    as_json = post(client, "/validate", without_country()).get_json()
    response = post(client, "/validate", without_country(), headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    [report] = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == rdflib.Literal(False)
    results = set(graph.objects(report, SH.result))
    assert len(results) == len(as_json["results"]) >= 1
    assert {str(graph.value(r, SH.focusNode)) for r in results} == {r["focusNode"] for r in as_json["results"]}
    conforming = post(client, "/validate", template(), headers={"Accept": accept})
    graph = rdflib.Graph().parse(data=conforming.get_data(as_text=True), format=rdflib_format)
    assert (None, SH.conforms, rdflib.Literal(True)) in graph


@pytest.mark.parametrize("name,body", [("practice.ttl", None), ("practice.jsonld", "jsonld")])
def test_validate_accepts_a_multipart_upload(client, name, body):
    data = TEMPLATE_JSONLD.read_bytes() if body == "jsonld" else template()
    response = post(client, "/validate", {"file": (io.BytesIO(data), name)}, "multipart/form-data")
    assert response.status_code == 200
    assert response.get_json() == {"conforms": True, "results": []}
    broken = post(client, "/validate", {"file": (io.BytesIO(without_country()), "practice.ttl")},
                  "multipart/form-data")
    assert broken.get_json()["conforms"] is False


def test_a_multipart_part_media_type_wins_over_its_file_name(client):
    response = post(client, "/validate", {"file": (io.BytesIO(template()), "practice.data", "text/turtle")},
                    "multipart/form-data")
    assert response.get_json() == {"conforms": True, "results": []}


@pytest.mark.parametrize("path,media_type", [(TEMPLATE_TTL, "text/turtle"), (TEMPLATE_JSONLD, "application/ld+json")])
def test_validate_accepts_the_templates_in_every_body_syntax(client, path, media_type):
    response = post(client, "/validate", path.read_bytes(), media_type)
    assert response.get_json() == {"conforms": True, "results": []}


@pytest.mark.parametrize("fmt,media_type", [(ox.RdfFormat.N_TRIPLES, "application/n-triples"),
                                            (ox.RdfFormat.N_QUADS, "application/n-quads"),
                                            (ox.RdfFormat.TRIG, "application/trig"),
                                            (ox.RdfFormat.RDF_XML, "application/rdf+xml")])
def test_validate_accepts_every_rdf_syntax(client, fmt, media_type):
    triples = [q.triple for q in rdf_input.parse_file(TEMPLATE_TTL)]
    response = post(client, "/validate", ox.serialize(triples, format=fmt), media_type)
    assert response.status_code == 200
    assert response.get_json() == {"conforms": True, "results": []}


# -- the round trip -------------------------------------------------------------------------------------------------

def test_a_conforming_contribution_round_trip(fresh):
    store, client = fresh
    before = dump(store)
    body = template()

    response = post(client, "/contributions", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    location = response.headers["Location"]
    assert re.fullmatch(r"[0-9a-f]{16}", created["id"])
    assert location == created["location"] and location.endswith(f"/contributions/{created['id']}")
    assert created["graph"] == GRAPH_PREFIX + created["id"]
    assert created["conforms"] is True

    # The data is in the KG: SPARQL's default graph (the union) sees it, in a graph of its own.
    assert practice_visible(client)
    rows = client.get("/sparql", query_string={"query": f"SELECT ?g WHERE {{ GRAPH ?g {{ <{PRACTICE}> ?p ?o }} }}"},
                      headers={"Accept": "application/sparql-results+json"}).get_json()["results"]["bindings"]
    assert {row["g"]["value"] for row in rows} == {created["graph"]}
    page = client.get("/id/practice/example-neighbourhood-voucher", headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    assert "Neighbourhood Innovation Vouchers (example)" in page.get_data(as_text=True)
    assert client.get("/id/organisation/example-regional-agency", headers={"Accept": "text/turtle"}).status_code == 200
    export = client.get("/export", query_string={"format": "nq"}).get_data(as_text=True)
    assert f"<{PRACTICE}>" in export and f"<{created['graph']}>" in export

    # The listing names it, its contributor's label and the sha256 of the body as sent.
    listing = client.get("/contributions")
    assert listing.status_code == 200 and listing.mimetype == "application/json"
    [entry] = listing.get_json()
    assert entry["id"] == created["id"] and entry["graph"] == created["graph"]
    assert entry["contributor"] == "alice"
    assert entry["sha256"] == hashlib.sha256(body).hexdigest()
    assert entry["generatedAtTime"]
    assert TOKEN not in json.dumps(listing.get_json()) and TOKEN.encode() not in b"".join(dump(store))

    # It reads back, in Turtle and in JSON-LD, as the data sent plus its provenance record.
    path = f"/contributions/{created['id']}"
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    contribution = rdflib.URIRef(created["graph"])
    assert (contribution, rdflib.RDF.type, rdflib.URIRef(SIKG + "Contribution")) in graph
    assert str(graph.value(contribution, rdflib.URIRef(SIKG + "payloadSha256"))) == entry["sha256"]
    assert isomorphic(_without_provenance(graph, contribution), rdflib.Graph().parse(TEMPLATE_TTL))
    as_jsonld = client.get(path, headers={"Accept": "application/ld+json"})
    assert as_jsonld.status_code == 200 and as_jsonld.mimetype == "application/ld+json"
    document = as_jsonld.get_json()
    assert document["@context"] == jsonld.context()  # inline: read with no network access
    offline = ox.serialize(offline_quads(document), format=ox.RdfFormat.N_QUADS).decode()
    assert isomorphic(rdflib.Graph().parse(data=offline, format="nt"), graph)

    # Withdrawing needs the token.
    assert client.delete(path).status_code == 401
    assert client.delete(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert practice_visible(client)
    withdrawn = client.delete(path, headers=AUTH)
    assert withdrawn.status_code == 204 and withdrawn.data == b""
    assert not practice_visible(client)
    assert client.get(path).status_code == 404
    assert client.get("/id/practice/example-neighbourhood-voucher").status_code == 404
    assert client.get("/contributions").get_json() == []
    assert client.delete(path, headers=AUTH).status_code == 404
    assert dump(store) == before  # withdrawing leaves the KG as it was before the contribution


def _without_provenance(graph: rdflib.Graph, contribution) -> rdflib.Graph:
    rest = rdflib.Graph()
    agents = set(graph.objects(contribution, rdflib.URIRef("http://www.w3.org/ns/prov#wasAttributedTo")))
    for triple in graph:
        if triple[0] != contribution and triple[0] not in agents:
            rest.add(triple)
    return rest


def test_a_json_ld_contribution_and_a_multipart_one(fresh):
    store, client = fresh
    body = TEMPLATE_JSONLD.read_bytes()
    response = post(client, "/contributions", body, "application/ld+json")
    assert response.status_code == 201, response.get_data(as_text=True)
    upload = template().replace(b"example-neighbourhood-voucher", b"example-second-practice")
    second = post(client, "/contributions", {"file": (io.BytesIO(upload), "practice.ttl")}, "multipart/form-data")
    assert second.status_code == 201
    digests = {entry["id"]: entry["sha256"] for entry in client.get("/contributions").get_json()}
    assert digests == {response.get_json()["id"]: hashlib.sha256(body).hexdigest(),
                       second.get_json()["id"]: hashlib.sha256(upload).hexdigest()}
    assert practice_visible(client)
    assert ask(client, "ASK { <https://w3id.org/sikg/id/practice/example-second-practice> ?p ?o }")


@pytest.mark.parametrize("fmt,media_type", [(ox.RdfFormat.N_QUADS, "application/n-quads"),
                                            (ox.RdfFormat.TRIG, "application/trig")])
def test_a_contribution_never_writes_into_a_graph_it_names(fresh, fmt, media_type):
    """Quads that name the curated graph (or any other) land in the contribution's own graph."""
    store, client = fresh
    curated = "https://w3id.org/sikg/graph/curated"
    graphs_before = store.named_graphs()
    curated_before = sorted(str(t) for t in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{curated}> "
                                                        f"{{ ?s ?p ?o }} }}"))
    quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(curated))
             for q in rdf_input.parse_file(TEMPLATE_TTL)]
    response = post(client, "/contributions", ox.serialize(quads, format=fmt), media_type)
    assert response.status_code == 201
    assert sorted(str(t) for t in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{curated}> "
                                              f"{{ ?s ?p ?o }} }}")) == curated_before
    assert store.named_graphs() == sorted(graphs_before + [response.get_json()["graph"]])


# -- refusals leave the KG as it was --------------------------------------------------------------------------------

@pytest.mark.parametrize("accept", [None, "text/turtle"])
def test_a_non_conforming_contribution_is_422_and_writes_nothing(fresh, accept):
    store, client = fresh
    before = dump(store)
    graphs = store.named_graphs()
    response = post(client, "/contributions", without_country(), headers={"Accept": accept} if accept else {})
    assert response.status_code == 422
    if accept is None:
        report = response.get_json()
        assert report["conforms"] is False
        assert any(r["path"] == SIKG + "country" and r["severity"] == "Violation" for r in report["results"])
    else:
        graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
        assert (None, SH.conforms, rdflib.Literal(False)) in graph
    assert dump(store) == before
    assert store.named_graphs() == graphs
    assert client.get("/contributions").get_json() == []
    assert not practice_visible(client)


@pytest.mark.slow  # the whole corpus of fixtures through the validator
@pytest.mark.parametrize("fixture", [p for p in sorted((FIXTURES / "invalid").glob("*.ttl"))
                                     if not p.name.startswith("warning-")], ids=lambda p: p.stem)
def test_every_invalid_fixture_is_refused_with_422(client, shared_store, fixture):
    before = dump(shared_store)
    response = post(client, "/contributions", fixture.read_bytes())
    assert response.status_code == 422, fixture.name
    assert response.get_json()["conforms"] is False
    assert dump(shared_store) == before


# -- the store is the reference, and it is looked up for the input's IRIs only ---------------------------------------

def test_a_contribution_pointing_at_a_curated_organisation_conforms(fresh):
    store, client = fresh
    body = (FIXTURES / "valid" / "practice.ttl").read_bytes()
    assert b"organisation:avise" in body
    response = post(client, "/contributions", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    # Pointing at it without describing it is enough; an organisation nobody describes is not.
    only_avise = _operated_by(b"organisation:avise").replace(b"example-neighbourhood-voucher", b"example-avise-only")
    assert post(client, "/contributions", only_avise).status_code == 201
    unknown = post(client, "/contributions", _operated_by(b"organisation:example-nobody-knows"))
    assert unknown.status_code == 422
    assert {r["sourceShape"] for r in unknown.get_json()["results"]} == {
        "https://w3id.org/sikg/shapes#Practice_operator_class"}


def _operated_by(operator: bytes) -> bytes:
    """The template's practice, operated by `operator`, without the template's organisation."""
    body = template().replace(b"sikg:operatedBy organisation:example-regional-agency", b"sikg:operatedBy " + operator)
    return body[:body.index(b"# \xe2\x94\x80\xe2\x94\x80 The organisation")]


def test_an_accepted_contribution_is_reference_for_the_next(fresh):
    store, client = fresh
    assert post(client, "/contributions", template()).status_code == 201
    second = _operated_by(b"organisation:example-regional-agency").replace(b"example-neighbourhood-voucher",
                                                                             b"example-follow-up")
    assert post(client, "/validate", second).get_json()["conforms"] is True
    assert post(client, "/contributions", second).status_code == 201


@pytest.mark.parametrize("route", ROUTES)
def test_validation_looks_up_only_the_inputs_iris(fresh, monkeypatch, route):
    store, client = fresh
    looked_up: list[set[str]] = []
    queries: list[str] = []
    original = validation.store_reference

    def recording_reference(target):
        lookup = original(target)

        def recorded(iris, subjects=frozenset()):
            looked_up.append(set(iris) | set(subjects))
            return lookup(iris, subjects)
        return recorded

    monkeypatch.setattr(validation, "store_reference", recording_reference)
    monkeypatch.setattr(contributions_module, "store_reference", recording_reference)
    store_query = store.query

    def recording_query(sparql, **options):
        queries.append(sparql)
        return store_query(sparql, **options)

    monkeypatch.setattr(store, "query", recording_query)
    body = (FIXTURES / "valid" / "practice.ttl").read_bytes()
    response = post(client, route, body)
    assert response.status_code in (200, 201)
    monkeypatch.setattr(store, "query", store_query)

    data = rdflib.Graph().parse(data=body, format="turtle")
    input_iris = {str(n) for n in set(data.subjects()) | set(data.objects()) if isinstance(n, rdflib.URIRef)}
    # the earlier form's records (a page and a quotation on the record) are paired on arrival into typed evidence
    # nodes (rdf/evidence.py): their class is the one IRI the validated data adds
    input_iris.add(SIKG + "Evidence")
    assert looked_up == [input_iris]
    assert "https://w3id.org/sikg/id/organisation/avise" in input_iris
    # Every query the validation ran is bound to those IRIs (no scan of the store).
    assert queries and all("VALUES ?s" in q for q in queries)
    assert all(iri in "".join(queries) for iri in input_iris)


# -- known bugs -----------------------------------------------------------------------------------------------------

CYCLE = b"""@prefix sikg: <https://w3id.org/sikg/ontology#> .
@prefix ex: <https://example.org/> .
_:a ex:next _:b . _:b ex:next _:a .
_:a a sikg:Organisation .
"""


@pytest.mark.parametrize("route", ROUTES)
def test_a_blank_node_cycle_gets_a_report_not_a_500(client, route):
    response = post(client, route, CYCLE)
    assert response.status_code in (200, 422)
    [result, *_] = response.get_json()["results"]
    assert result["focusNode"].startswith("[")


def _deep_rdf_xml(depth: int) -> bytes:
    return (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:ex="https://example.org/"><rdf:Description rdf:about="https://example.org/s">'
            + b"<ex:p><rdf:Description>" * depth + b"<ex:q>x</ex:q>" + b"</rdf:Description></ex:p>" * depth
            + b"</rdf:Description></rdf:RDF>")


def test_deeply_nested_rdf_xml_is_answered_fast():
    body = _deep_rdf_xml(12_000)  # 580 kB
    started = time.monotonic()
    try:
        rdf_input.parse_upload(body, ox.RdfFormat.RDF_XML, "request body")
    except rdf_input.RdfInputError:
        pass  # refusing it (400) is as good as parsing it fast
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("body,media_type", [(b"{}", "application/ld+json"),
                                             (b"@prefix ex: <https://example.org/> .\n# nothing yet\n", "text/turtle")])
def test_a_contribution_with_no_triples_is_refused(fresh, body, media_type):
    store, client = fresh
    before = dump(store)
    response = post(client, "/contributions", body, media_type)
    assert response.status_code in (400, 422)
    assert dump(store) == before


def test_json_ld_written_by_the_service_can_be_sent_back(client):
    listing = client.get("/practices", query_string={"format": "jsonld", "q": "Cap Impact"})
    assert listing.status_code == 200
    response = post(client, "/validate", listing.data, "application/ld+json")
    assert response.status_code == 200, response.get_data(as_text=True)


def test_contribution_json_ld_can_be_sent_back(fresh):
    store, client = fresh
    created = post(client, "/contributions", template()).get_json()
    document = client.get(f"/contributions/{created['id']}", headers={"Accept": "application/ld+json"}).data
    response = post(client, "/validate", document, "application/ld+json")
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_contribution_cannot_make_the_curated_kg_non_conforming(fresh):
    """Describing a curated practice proposes its whole new description (a revision, issue 26): checked alone, it
    must conform (a description without a country does not), and, conforming, it needs a reason."""
    store, client = fresh
    body = template().replace(b"example-neighbourhood-voucher", b"cap-impact") \
        .replace(b"Neighbourhood Innovation Vouchers (example)", b"Another English title")
    assert post(client, "/contributions", re.sub(rb"\n\s*sikg:country [^;]*;", b"\n", body)).status_code == 422
    response = post(client, "/contributions", body)
    assert response.status_code == 400 and b"reason" in response.data


def test_validate_with_an_unsupported_accept_is_406(client):
    response = post(client, "/validate", template(), headers={"Accept": "image/png"})
    assert response.status_code == 406


# -- Idempotency-Key, with review off (201) ------------------------------------------------------------------------

def test_a_post_sent_again_with_its_idempotency_key_is_the_first_201_and_writes_nothing(fresh):
    store, client = fresh
    before = dump(store)
    keyed = {"Idempotency-Key": '"8e03978e-40d5-43e8-bc93-6894a57f9324"'}
    first = post(client, "/contributions", template(), headers=keyed)
    assert first.status_code == 201, first.data
    written = dump(store)
    for body, content_type in [(template(), "text/turtle"), (template(), "text/turtle; charset=utf-8")]:
        again = post(client, "/contributions", body, content_type, headers=keyed)
        assert (again.status_code, again.headers["Location"], again.get_json()) == \
            (201, first.headers["Location"], first.get_json())
        assert dump(store) == written
    # The same key with another body, or the same bytes as another syntax: another request, refused.
    for body, content_type in [(template() + b"\n", "text/turtle"), (template(), "application/n-triples")]:
        refused = post(client, "/contributions", body, content_type, headers=keyed)
        assert refused.status_code == 422 and refused.mimetype == "text/plain", refused.data
        assert refused.get_data(as_text=True).count("\n") == 1
    assert dump(store) == written
    assert [c["id"] for c in client.get("/contributions").get_json()] == [first.get_json()["id"]]
    assert b"idempot" not in client.get("/export", query_string={"format": "nq"}).data.lower()
    assert client.delete(first.headers["Location"], headers=AUTH).status_code == 204
    assert dump(store) == before  # withdrawn, it leaves nothing, its key's memory included


def test_without_an_idempotency_key_nothing_changes(fresh, monkeypatch):
    """No key: the contribution is written as before (replace_graphs, no condition, no memory of a request)."""
    store, client = fresh
    updates = []
    monkeypatch.setattr(store, "update", lambda sparql: updates.append(sparql))
    assert post(client, "/contributions", template()).status_code == 201
    assert updates == [] and "idempotent" not in json.dumps(client.get("/contributions").get_json())


def test_openapi_describes_the_idempotency_key(client):
    post_ = client.get("/openapi.json").get_json()["paths"]["/contributions"]["post"]
    [header] = [p for p in post_["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and header["required"] is False
    assert "draft-ietf-httpapi-idempotency-key-header" in header["description"]
    assert "Idempotency-Key" in post_["responses"]["422"]["description"]
    assert "Idempotency-Key" in post_["responses"]["400"]["description"]


# -- Accept is read in one module ------------------------------------------------------------------------------------

def test_only_the_negotiation_module_weighs_accept():
    """Which representation an Accept header picks is decided in http/negotiation.py, nowhere else (the status of a
    contribution or its graph, the form's preview as JSON or a page); no second table of media types."""
    src = ROOT / "src" / "sikg"
    weighing = sorted(str(p.relative_to(src)) for p in src.rglob("*.py") if "best_match(" in p.read_text())
    assert weighing == ["http/negotiation.py"], weighing
    service = (src / "contributions" / "service.py").read_text()
    assert not re.search(r'"(text|application)/[a-z+-]+"', service)
    assert not hasattr(contributions_module, "wants_status")


@pytest.mark.parametrize("accept,format_,status_json", [
    (None, None, False), ("*/*", None, False), ("application/json", None, True), ("application/*", None, True),
    ("text/turtle", None, False), ("application/ld+json", None, False), ("application/json;q=0.5, text/turtle", None,
                                                                         False),
    ("text/turtle;q=0.5, application/json", None, True), ("text/html, application/json;q=0.9", None, True),
    ("application/json; charset=utf-8", None, True), ("text/turtle", "json", True),
    ("application/json", "ttl", False), ("application/json", "", True)])
def test_a_contribution_answers_its_status_or_its_graph_by_accept(fresh, accept, format_, status_json):
    store, client = fresh
    location = post(client, "/contributions", template()).headers["Location"]
    answer = client.get(location, headers={"Accept": accept} if accept else {},
                        query_string={"format": format_} if format_ is not None else {})
    assert answer.status_code == 200
    assert (answer.mimetype == "application/json") is status_json, answer.mimetype
    assert "Accept" in answer.headers["Vary"]


@pytest.mark.parametrize("accept,as_json", [(None, False), ("*/*", False), ("application/json", True),
                                            ("text/html", False), ("application/json;q=0.5, text/html", False),
                                            ("text/html;q=0.5, application/json", True)])
def test_the_form_previews_as_json_only_for_a_client_that_prefers_json(client, accept, as_json):
    client = client.application.test_client()  # signed in: a client of its own, not the module's
    client.set_cookie("sikg_token", TOKEN)
    answer = client.post("/contribute", data={"action": "preview", "csrf": csrf_for(TOKEN)},
                         headers={"Accept": accept} if accept else {})
    assert answer.status_code == 200, answer.data[:300]
    assert (answer.mimetype == "application/json") is as_json
    assert "Accept" in answer.headers.get("Vary", "")


# -- the real server: a crash right after 201 -----------------------------------------------------------------------

def _start_server(store_dir: Path, port: int, log_path: Path, **settings: str) -> subprocess.Popen:
    """`sikg serve` over `store_dir` with a contributor's token, review off, in a process group of its own (the tests
    signal the whole group); `settings`: SIKG_* variables that replace these (test_review.py starts it with review
    on)."""
    env = {**os.environ, "SIKG_CONTRIB_TOKEN": "alice=s3cret", "SIKG_EVALUATORS": "1", "SIKG_REVIEW": "0", **settings}
    env.pop("SIKG_STORE", None)
    process, _ = start_server(["--store", str(store_dir), "--workers", "2"], log_path, env, timeout=90, port=port,
                              own_group=True)
    return process


def _kill_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)  # the main process, its worker and the worker's evaluators
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _request(url: str, method: str = "GET", data: bytes | None = None, headers=None):
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.slow
def test_a_contribution_survives_a_sigkill_right_after_its_201(tmp_path):
    store_dir, port = tmp_path / "store", free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start_server(store_dir, port, tmp_path / "server-1.log")
    try:
        status, headers, body = _request(f"{base}/contributions", "POST", template(),
                                         {**AUTH, "Content-Type": "text/turtle"})
        assert status == 201, body
        _kill_group(process, signal.SIGKILL)  # at once: no shutdown, no flush but what the 201 already required
        assert process.returncode == -signal.SIGKILL
    finally:
        _kill_group(process, signal.SIGKILL)
    location, created = headers["Location"], json.loads(body)

    process = _start_server(store_dir, port, tmp_path / "server-2.log")  # reloads the curated graphs at start
    try:
        status, _, turtle = _request(location, headers={"Accept": "text/turtle"})
        assert status == 200
        graph = rdflib.Graph().parse(data=turtle.decode(), format="turtle")
        assert (rdflib.URIRef(PRACTICE), rdflib.RDF.type, rdflib.URIRef(SIKG + "SupportPractice")) in graph
        query = urllib.parse.urlencode({"query": f"ASK {{ <{PRACTICE}> a <{SIKG}SupportPractice> }}"})
        status, _, answer = _request(f"{base}/sparql?{query}", headers={"Accept": "application/sparql-results+json"})
        assert status == 200 and json.loads(answer)["boolean"] is True
        status, _, listing = _request(f"{base}/contributions")
        [entry] = json.loads(listing)
        assert entry["id"] == created["id"] and entry["sha256"] == hashlib.sha256(template()).hexdigest()
        # The curated graphs were reloaded beside it: 35 curated practices plus the contribution's one.
        query = urllib.parse.urlencode({"query": f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a <{SIKG}SupportPractice> }}"})
        status, _, answer = _request(f"{base}/sparql?{query}", headers={"Accept": "application/sparql-results+json"})
        assert json.loads(answer)["results"]["bindings"][0]["n"]["value"] == "36"
        # And it can still be withdrawn.
        assert _request(location, "DELETE", headers=AUTH)[0] == 204
        assert _request(location)[0] == 404
    finally:
        _kill_group(process, signal.SIGTERM)


@pytest.mark.parametrize("iri", ["practice:foo", "sikg:Bar", "schema:name"])
def test_an_iri_that_json_ld_would_read_as_a_compact_iri_is_refused_and_nothing_is_written(fresh, iri):
    """<practice:foo> is a valid absolute IRI, but in JSON-LD with the sikg context it reads as practice's namespace +
    "foo": stored, it would make the KG's JSON-LD exports say something else than its Turtle."""
    store, client = fresh
    before = dump(store)
    body = template() + f"\n<https://example.org/x> <https://example.org/p> <{iri}> .\n".encode()
    answer = client.post("/contributions", data=body, content_type="text/turtle", headers=AUTH)
    assert answer.status_code == 400, answer.data
    assert iri in answer.get_data(as_text=True) and "compact IRI" in answer.get_data(as_text=True)
    assert dump(store) == before


def test_json_ld_of_a_query_result_never_turns_an_iri_into_another(client):
    """A CONSTRUCT whose IRIs read as compact IRIs of the sikg context cannot be JSON-LD with it: a clear 4xx rather
    than JSON-LD naming other resources (Turtle still carries it)."""
    query = "CONSTRUCT { <http://a.example/s> <http://b.example/p> <practice:foo> } WHERE {}"
    as_jsonld = client.post("/sparql", data={"query": query}, headers={"Accept": "application/ld+json"})
    assert as_jsonld.status_code == 406  # the result exists; this representation of it does not
    assert "practice:foo" in as_jsonld.get_data(as_text=True)
    as_turtle = client.post("/sparql", data={"query": query}, headers={"Accept": "text/turtle"})
    assert as_turtle.status_code == 200 and b"<practice:foo>" in as_turtle.data
