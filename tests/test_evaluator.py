"""The evaluator pool (evaluator.EvaluatorPool): one pool serves the apps of several stores, each query answered over
its own store's current snapshot, whichever store was written last."""

import pytest

from helpers import ROOT, ask
from sikg.settings import Settings
from sikg.sparql.evaluator import EvaluatorPool
from sikg.store import open_store
from sikg.web.app import create_app

TEMPLATE_TTL = ROOT / "data" / "templates" / "practice.ttl"
PRACTICE = "https://w3id.org/sikg/id/practice/example-neighbourhood-voucher"
OTHER_PRACTICE = "https://w3id.org/sikg/id/practice/example-other-practice"
SIKG = "https://w3id.org/sikg/ontology#"


def make_app(store, pool):
    """An app on `store` that takes contributions from alice, sharing `pool`."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SIKG_CONTRIB_TOKEN", "alice=s3cret")
        env.setenv("SIKG_REVIEW", "0")  # published at once: this is about the evaluators, not review
        return create_app(store, settings=Settings.from_environment(), pool=pool)


def contribute(client, body: bytes) -> int:
    return client.post("/contributions", data=body, content_type="text/turtle",
                       headers={"Authorization": "Bearer s3cret"}).status_code


def asks(client, query: str) -> bool:
    return ask(client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/sparql-results+json"}))


def test_one_evaluator_pool_serves_two_stores():
    pool = EvaluatorPool(1, 10.0, 64 * 1024 * 1024)
    try:
        first, second = open_store("memory"), open_store("memory")
        first_client, second_client = make_app(first, pool).test_client(), make_app(second, pool).test_client()
        assert contribute(first_client, TEMPLATE_TTL.read_bytes()) == 201
        other = TEMPLATE_TTL.read_bytes().replace(b"example-neighbourhood-voucher", b"example-other-practice")
        assert contribute(second_client, other) == 201
        assert first.generation == second.generation
        assert asks(first_client, f"ASK {{ <{PRACTICE}> a <{SIKG}SupportPractice> }}")
        assert asks(second_client, f"ASK {{ <{OTHER_PRACTICE}> ?p ?o }}")
    finally:
        pool.close()
