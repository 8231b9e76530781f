"""The shared store's writer makes the writes that arrive while another is made together (issue 31, item 3; store/
writer.py, Writer.execute): in the order they arrived, with one publication for them all, each answered once it is
committed and published; a write refused among them is answered with its own error, the others made."""

import threading
import time

import pyoxigraph as ox

from sikg.store.embedded import EmbeddedStore
from sikg.store.writer import Writer

GRAPH = "https://w3id.org/sikg/graph/private/pending/{:016x}"


def replacement(i: int, body: bytes | None = None) -> tuple:
    graph = GRAPH.format(i)
    quads = [ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"),
                     ox.Literal(i), ox.NamedNode(graph))]
    return "replace", [graph], body if body is not None else ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def made_together(writer: Writer, requests: list[tuple]) -> list[tuple]:
    """The requests sent at once while another write is under way (the writer's lock held): the answers."""
    answers = [None] * len(requests)

    def send(i):
        answers[i] = writer.execute(requests[i])

    with writer.lock:
        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
        for t in threads:
            t.start()
            deadline = time.monotonic() + 10
            while len(writer._queue) < threads.index(t) + 1 and time.monotonic() < deadline:
                time.sleep(0.001)  # each waiting in turn: the order they arrived in is known
    for t in threads:
        t.join(10)
    return answers


def test_writes_sent_at_once_are_made_together_with_one_publication(tmp_path, monkeypatch):
    store = EmbeddedStore(tmp_path / "store", boot="t", keep_snapshots=True)
    writer = Writer(store)
    published = []
    original = Writer.publish
    monkeypatch.setattr(Writer, "publish", lambda self: published.append(1) or original(self))
    before = store.generation
    answers = made_together(writer, [replacement(i) for i in range(6)])
    assert [a[0] for a in answers] == ["ok"] * 6
    assert len(published) == 1  # one publication for the six
    assert store.generation == before + 1  # and one write: the six replacements as one
    assert {a[1] for a in answers} == {store.state_token}
    for i in range(6):
        assert store.query_private(f"ASK {{ GRAPH <{GRAPH.format(i)}> {{ ?s ?p {i} }} }}")


def test_a_refused_write_among_them_is_answered_alone(tmp_path):
    store = EmbeddedStore(tmp_path / "store", boot="t", keep_snapshots=True)
    writer = Writer(store)
    requests = [replacement(0), replacement(1, b"<not n-quads"), replacement(2),
                ("update", "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> "
                           "<https://example.org/b> 3 } }"),
                ("update", "this is not SPARQL"), replacement(0)]
    answers = made_together(writer, requests)
    assert [a[0] for a in answers] == ["ok", "error", "ok", "ok", "error", "ok"]
    assert store.query_private(f"ASK {{ GRAPH <{GRAPH.format(0)}> {{ ?s ?p 0 }} }}")
    assert store.query_private(f"ASK {{ GRAPH <{GRAPH.format(2)}> {{ ?s ?p 2 }} }}")
    assert not store.query_private(f"ASK {{ GRAPH <{GRAPH.format(1)}> {{ ?s ?p ?o }} }}")
    assert store.query_private("ASK { GRAPH <https://example.org/g> { ?s ?p 3 } }")
