"""Sending a big graph to an external store (`sikg load --store URL FILE`) with the Graph Store Protocol, in
requests of bounded size: the first one a PUT (it replaces the graph), every next one a POST (it adds to it), each an
N-Triples body of about CHUNK_BYTES. One request of the whole graph would be held whole by sikg and the store alike,
and a store's own limit on a request's size (or its time limit on one) would refuse it.

A store reads each request as a document of its own, so a blank node must not be split between two (most stores
give each document's blank nodes new identities: two halves would be two nodes). A chunk is cut only where every
blank node seen so far has had its last triple; one whose blank nodes keep on running into the next is longer than
CHUNK_BYTES, as long as it has to be.

A graph sent so is replaced in steps, not atomically; so RemoteStore sends to a staging graph of a private name
(staging.py), which no public read sees, and then moves it into place with one small update request (with the new
state token): a load that fails half-way leaves the previous graphs as they were.
"""

from collections.abc import Callable, Iterator
from urllib.parse import quote

import pyoxigraph as ox

from ..errors import StoreUnavailable

CHUNK_BYTES = 8 * 1024 * 1024


def chunks(triples: list[ox.Triple], max_bytes: int | None = None) -> Iterator[tuple[bytes, int]]:
    """(N-Triples body, triples in it) of about `max_bytes` (CHUNK_BYTES) each at most, cut where no blank node
    spans the cut."""
    max_bytes = max_bytes or CHUNK_BYTES
    last = _last_uses(triples)
    start, size, open_until = 0, 0, -1
    for index, triple in enumerate(triples):
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.BlankNode):
                open_until = max(open_until, last[term])
        size += _estimate(triple)
        if size >= max_bytes and open_until <= index:
            yield ox.serialize(triples[start : index + 1], format=ox.RdfFormat.N_TRIPLES), index + 1 - start
            start, size = index + 1, 0
    if start < len(triples) or not triples:
        yield ox.serialize(triples[start:], format=ox.RdfFormat.N_TRIPLES), len(triples) - start


def _last_uses(triples: list[ox.Triple]) -> dict[ox.BlankNode, int]:
    last = {}
    for index, triple in enumerate(triples):
        if isinstance(triple.subject, ox.BlankNode):
            last[triple.subject] = index
        if isinstance(triple.object, ox.BlankNode):
            last[triple.object] = index
    return last


def _estimate(triple: ox.Triple) -> int:
    """About the triple's N-Triples line's length (its terms' text, their brackets and quotes, the spaces and dot)."""
    return len(triple.subject.value) + len(triple.predicate.value) + len(triple.object.value) + 12


def send_graph(
    request: Callable,
    store_url: str,
    graph: str,
    triples: list[ox.Triple],
    progress=None,
    timeout: float = 600,
    label: str | None = None,
) -> None:
    """Replaces `graph` at the Graph Store Protocol endpoint `store_url` with `triples`, in chunks; `request(method,
    url, body=, headers=, timeout=)` sends one (RemoteStore._request); `progress`: a progress.Progress, told of the
    triples sent, under `label` (the graph's last path segment unless given)."""
    url = f"{store_url}?graph={quote(graph, safe='')}"
    sent, label = 0, f"sending {label or graph.rsplit('/', 1)[-1]}"
    for number, (body, count) in enumerate(chunks(triples)):
        response = request(
            "PUT" if number == 0 else "POST",
            url,
            body=body,
            timeout=timeout,
            headers={"Content-Type": "application/n-triples", "Content-Length": str(len(body))},
        )
        if response.status >= 400:
            why = " ".join(response.data[:200].decode(errors="replace").split())
            raise StoreUnavailable(f"the external store refused the graph {graph} ({response.status}): {why}")
        sent += count
        if progress is not None:
            progress.advance(label, sent, len(triples), unit="quads")
