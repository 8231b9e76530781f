"""The evaluators' copies of a RocksDB snapshot in memory (evaluator.Mirror): the snapshot answers at once, its copy
once complete, with the same rows; a write's new snapshot answers at once (never an older copy); no copy over the
budget; the time limit still kills. `EvaluatorPool.answered` counts answers by the kind of store that gave them."""

import json
import time
from contextlib import contextmanager

import pyoxigraph as ox
import pytest

from sikg.sparql.evaluator import EvalRequest, EvaluatorPool, QueryTimeout
from sikg.store.embedded import EmbeddedStore

EX = "http://example.org/"
GRAPH = EX + "graph"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ROWS = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s ?o"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def triples(first: int, count: int) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"o{i}", language="en"))
            for i in range(first, first + count)]


@pytest.fixture
def store(tmp_path):
    kg = EmbeddedStore(tmp_path / "store")
    kg.replace_graphs({GRAPH: triples(0, 200)})
    return kg


@contextmanager
def evaluator(budget: int = 1 << 20, timeout: float = 30.0):
    """A pool of one evaluator that copies snapshots of up to `budget` bytes of N-Quads."""
    pool = EvaluatorPool(1, timeout, 1 << 20, mirror_bytes=budget)
    try:
        yield pool
    finally:
        pool.close()


def run(pool: EvaluatorPool, store: EmbeddedStore, query: str) -> dict:
    """The JSON results of `query` over the store's current snapshot, and which kind of store gave them."""
    before, body = pool.answered.copy(), []
    for kind, payload in pool.run(store.snapshot(), EvalRequest(query, "json")):
        if kind == "chunk":
            body.append(payload)
    (answered_by,) = (pool.answered - before).keys()
    return {"by": answered_by, "bindings": json.loads(b"".join(body))["results"]["bindings"]}


def count(answer: dict) -> int:
    return int(answer["bindings"][0]["n"]["value"])


def until_the_copy_answers(pool: EvaluatorPool, store: EmbeddedStore, query: str, check) -> None:
    """Asks `query` until the copy answers (bounded), checking every answer, from either store, with `check`."""
    for _ in range(400):
        answer = run(pool, store, query)
        check(answer)
        if answer["by"] == "memory":
            return
        time.sleep(0.025)
    raise AssertionError("the evaluator never answered from its copy")


def test_the_snapshot_answers_then_its_copy_with_the_same_rows(store):
    with evaluator() as pool:
        first = run(pool, store, ROWS)
        assert len(first["bindings"]) == 200
        until_the_copy_answers(pool, store, ROWS, lambda answer: answer["bindings"] == first["bindings"])
        assert run(pool, store, ROWS)["by"] == "memory"


def test_a_write_is_seen_at_once_never_through_the_older_copy(store):
    with evaluator() as pool:
        until_the_copy_answers(pool, store, COUNT, lambda answer: count(answer) == 200)
        for round_ in range(1, 4):
            store.replace_graphs({GRAPH: triples(0, 200 + round_)})
            assert count(run(pool, store, COUNT)) == 200 + round_  # whichever store answers: never the older copy
            until_the_copy_answers(pool, store, COUNT, lambda answer, round_=round_: count(answer) == 200 + round_)


@pytest.mark.parametrize("budget", [0, 1000])
def test_no_copy_without_the_budget_for_it(store, budget):
    with evaluator(budget) as pool:
        for _ in range(40):  # as long as a copy within its budget takes to answer here, many times over
            assert count(run(pool, store, COUNT)) == 200
            time.sleep(0.025)
        assert set(pool.answered) == {"rocksdb"}


def test_an_in_memory_store_is_answered_from_memory():
    kg = EmbeddedStore()
    kg.replace_graphs({GRAPH: triples(0, 5)})
    with evaluator() as pool:
        assert run(pool, kg, COUNT) == {"by": "memory", "bindings": [{"n": {
            "type": "literal", "value": "5", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}


def test_the_time_limit_still_kills_a_query_over_the_copy(store):
    with evaluator(timeout=1.0) as pool:
        until_the_copy_answers(pool, store, COUNT, lambda answer: count(answer) == 200)
        with pytest.raises(QueryTimeout):
            run(pool, store, CARTESIAN)
        # The replacement starts without a copy, answers from the snapshot meanwhile, then builds its own.
        until_the_copy_answers(pool, store, COUNT, lambda answer: count(answer) == 200)


def test_a_warmed_evaluator_answers_its_first_query_from_its_copy(store):
    """EvaluatorPool.warm: the evaluators open the snapshot and complete their copy before they take a query, and
    `ready` is clear until then (sikg serve's workers take no connection, /health says "starting")."""
    with evaluator() as pool:
        assert pool.ready.is_set()  # nobody warms it: ready at once
        pool.warm(store.snapshot())
        assert pool.ready.wait(60), "the warm-up never ended"
        assert run(pool, store, ROWS)["by"] == "memory"
    with evaluator(budget=100) as pool:  # over the budget: no copy, and ready all the same
        pool.warm(store.snapshot(), wait=True)
        assert pool.ready.is_set()
        assert run(pool, store, COUNT)["by"] == "rocksdb"
