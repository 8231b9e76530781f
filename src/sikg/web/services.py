"""The services one app holds, built once from the settings and the store and kept in `app.extensions["sikg"]`:
routes reach them through `current()` and hold none of their own."""

from dataclasses import dataclass

from flask import current_app

from ..contributions.service import Contributions
from ..contributions.tokens import registry_for
from ..errors import StoreUnavailable
from ..http.dumps import DumpFiles
from ..settings import Settings
from ..sparql.evaluator import EvaluatorPool
from ..sparql.protocol import SparqlService


@dataclass
class Services:
    settings: Settings
    store: object  # a store.KnowledgeGraphStore
    sparql: SparqlService
    contributions: Contributions
    dumps: DumpFiles
    pool: EvaluatorPool | None  # the query evaluator processes over the embedded store; None over an external one


def build(store, settings: Settings, pool: EvaluatorPool | None = None) -> Services:
    evaluator = store.query_evaluator(settings, pool)
    sparql = SparqlService(store, evaluator.run, settings.query_timeout, settings.max_result_bytes,
                           settings.cache_bytes)
    contributions = Contributions(store, registry_for(store), settings.contrib_tokens, settings.review)
    return Services(settings, store, sparql, contributions, DumpFiles.from_setting(settings.export_cache),
                    evaluator.pool)


def current() -> Services:
    return current_app.extensions["sikg"]


def warm_up(built: Services) -> None:
    """Has the service's evaluators open the store's current snapshot and make their copies of it in memory in the
    background (EvaluatorPool.warm; `sikg serve` waits for it before a worker takes a connection, and /health says
    "starting" until then): until they have, an aggregate took 3-4 times as long (issue 28, item 4)."""
    if built.pool is None:
        return
    try:
        snapshot = built.store.snapshot()
    except StoreUnavailable:
        return  # nothing to read yet: each evaluator opens the snapshot at its first query
    built.pool.warm(snapshot)


def health(store, pool: EvaluatorPool | None = None) -> tuple[dict, int]:
    """(body, status) for /health: 200 with the store's size, or 503 saying why the store cannot be used (as JSON,
    where other routes answer errors as text, since monitors read it): down ("unavailable"), or answering but not
    usable by sikg ("unusable": no sikg content under this SIKG_BASE, or a dataset the store does not honour), or
    still starting: the query evaluators in `pool` are not ready ("starting"), so that a load balancer waits."""
    if pool is not None and not pool.ready.is_set():
        return {"status": "starting", "message": "the query evaluators are copying the store into memory"}, 503
    try:
        problem = store.unusable()
        if problem:
            return {"status": "unusable", "message": problem}, 503
        return {"status": "ok", "triples": len(store)}, 200
    except StoreUnavailable as error:
        return {"status": "unavailable", "message": str(error)}, 503
