"""The HTTP service's foundation routes: /health and /sparql by GET."""

import json

import pytest

from sikg.app import create_app


@pytest.fixture(scope="module")
def client(kg):
    return create_app(kg).test_client()


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
