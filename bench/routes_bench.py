"""The cost of the HTTP layer itself: one in-process app (Flask's test client, no server, no network) answers a
mix of requests that each take a different path through routing, negotiation, the hooks and the response helpers,
none of them repeated, so the answer caches do not hide that layer.

Run it against two source trees side by side to see what a change to the layer costs, e.g. after a refactor:

    farm-bench -n 5 --vs "env PYTHONPATH=/tmp/old/src .venv/bin/python bench/routes_bench.py" \\
        -- env PYTHONPATH=src .venv/bin/python bench/routes_bench.py

Only the public entry points are used (store.open_store, app.create_app), so an older tree runs it unchanged. It
prints how many requests got which status, so that both sides can be seen to do the same work.
"""

import collections
import sys

from sikg.web.app import create_app
from sikg.store import open_store

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def requests():
    practices = ["cap-impact", "coompanion", "spis-umea", "la-27e-region", "institut-godin"]
    for round_ in range(ROUNDS):
        for slug in practices:
            for fmt in ("ttl", "jsonld", "nt", "html"):
                yield "GET", f"/id/practice/{slug}?format={fmt}&r={round_}", {}
            yield "GET", f"/id/practice/{slug}?r={round_}", {"Accept": "application/json"}
        for accept in ("text/turtle", "text/html", "application/ld+json", "*/*"):
            yield "GET", f"/ontology?r={round_}", {"Accept": accept}
            yield "GET", f"/sparql?r={round_}", {"Accept": accept}
        for n in range(20):  # distinct queries: none is answered from the cache
            query = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {n + 1 + round_ * 20}"
            yield "GET", "/sparql?" + f"query={query}", {"Accept": "application/sparql-results+json"}
        yield "GET", f"/practices?format=jsonld&r={round_}", {}
        yield "GET", f"/queries?r={round_}", {"Accept": "application/json"}
        yield "GET", f"/.well-known/void?r={round_}", {}
        yield "GET", f"/export?format=bogus&r={round_}", {}
        yield "GET", f"/id/practice/none-such-{round_}", {}


def main() -> None:
    app = create_app(open_store("memory"))
    client = app.test_client()
    statuses = collections.Counter()
    for method, path, headers in requests():
        statuses[client.open(path, method=method, headers=headers).status_code] += 1
    print(dict(sorted(statuses.items())))
    pool = app.extensions["sikg"]
    (pool.pool if hasattr(pool, "pool") else pool["pool"]).close()


if __name__ == "__main__":
    main()
