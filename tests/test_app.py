"""The HTTP service's foundation routes: /health and /sparql by GET."""

import json

import pytest


def test_health_reports_the_triple_count(client, kg):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "triples": len(kg)}


def test_sparql_get_select_returns_sparql_json(client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert json.loads(response.data)["results"]["bindings"][0]["n"]["value"] == "35"


def test_sparql_malformed_query_is_400_with_the_parsers_message(client):
    response = client.get("/sparql", query_string={"query": "SELECT WHERE {"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "error" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("path, method, statuses", [
    ("/id/{kind}/{slug}", "get", {"200", "304", "400", "404", "406"}),
    ("/practices", "get", {"200", "400", "406"}),
    ("/ontology", "get", {"200", "400", "406"}),
    ("/shapes", "get", {"200", "400", "406"}),
    ("/.well-known/void", "get", {"200", "400", "406"}),
    ("/queries", "get", {"200", "400", "406"}),
    ("/", "get", {"200", "400", "406"}),
    ("/contributions/{id}", "get", {"200", "400", "404", "406"}),
    ("/validate", "post", {"200", "400", "406", "413", "415"}),
    ("/contributions", "post", {"201", "400", "401", "403", "406", "413", "415", "422"}),
])
def test_openapi_documents_the_statuses_each_route_returns(client, path, method, statuses):
    document = client.get("/openapi.json").get_json()
    assert statuses <= set(document["paths"][path][method]["responses"]), path


def test_the_statuses_openapi_documents_are_returned(client):
    """A sample of the documented refusals, seen on the real routes."""
    assert client.get("/practices", query_string={"format": "bogus"}).status_code == 400
    assert client.get("/practices", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/id/practice/ptce", query_string={"format": "bogus"}).status_code == 400
    etag = client.get("/id/practice/ptce").headers["ETag"]
    assert client.get("/id/practice/ptce", headers={"If-None-Match": etag}).status_code == 304
