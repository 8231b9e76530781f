"""A store that applies an update request's operations one by one (OpenLink Virtuoso 7.2.5 does: a failure between
two of them leaves the first applied) never leaves a contribution half changed: for every write of
contributions/service.py made of several operations, and for every number k of them applied before the request is
cut off (timeout, restart, connection lost), the contribution as the service then shows it, and the whole store once
the next read has finished what was begun, is either as before the write or as after it; the public graphs are so
at once, before any read.

`OneByOne` is the embedded store with Virtuoso's behaviour: it splits each update request on its top-level ";" (the
tokenizer the store layer stages with) and applies the operations one at a time, and, armed, cuts the next request
of the service's own (a claim's aside) after k of them. Not being the embedded store, the service takes Claims over
it as over any external store. What "before" and "after" are is read from the same write made whole on a store set
up the same way (the same ids: uuid4 is counted; times and blank nodes' labels aside). The last tests run the same
writes, cut the same way, over a real Virtuoso (tests/virtuoso.py; skipped without it).
"""

import itertools
import uuid

import pyoxigraph as ox
import pytest
from test_review import unchecked

from sikg.contributions import queue
from sikg.contributions.reports import GRAPH_REPORT
from sikg.contributions.service import Contributions
from sikg.contributions.tokens import Holder
from sikg.errors import Conflict, StoreUnavailable
from sikg.namespaces import GRAPH_CONTRIBUTION, GRAPH_PENDING, GRAPH_PRIVATE, GRAPH_REVISIONS, PRACTICE, SIKG, XSD
from sikg.settings import Settings
from sikg.sparql.safety import _scan
from sikg.store import open_store
from sikg.store.staging import _operations
from sikg.web.app import create_app

CAP = PRACTICE + "cap-impact"
CURATOR, ALICE = Holder("carol", "curator"), Holder("alice", "contributor")
CLAIMS = f"<{GRAPH_PRIVATE}claims>"
STAGING = GRAPH_PRIVATE + "staging/"


def operations(update: str) -> list[str]:
    """The operations of an update request, as a store that applies them one by one sees them."""
    text, tokens = _scan(update)
    return [text[tokens[first][2]:tokens[last][3]] for first, last in _operations(tokens)]


class OneByOne:
    """A store (the embedded one, `inner`) whose update requests are applied an operation at a time; `cut_after(k)`:
    the next request of the service's own (not a claim) stops after k operations, with the error a store that stops
    answering gives. `sizes`: the number of operations of each such request."""

    def __init__(self, inner):
        self.inner, self.cut, self.sizes = inner, None, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def cut_after(self, k: int) -> None:
        self.cut = k

    def update(self, sparql_update: str) -> None:
        parts = operations(sparql_update)
        own = CLAIMS not in sparql_update
        if own:
            self.sizes.append(len(parts))
        cut, self.cut = (self.cut, None) if own else (None, self.cut)
        for done, part in enumerate(parts):
            if done == cut:
                raise StoreUnavailable(f"the external store did not answer (cut after {cut} operations)")
            self.inner.update(part)

    def remove_graphs(self, graphs) -> None:
        self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))


def counted_uuids(monkeypatch):
    """uuid4 made predictable: the same ids in two runs of the same steps."""
    counter = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter) << 64))  # (an id: its first 64 bits)


def snapshot(store, public_only: bool = False) -> frozenset:
    """Every quad the service keeps (the claims, the report caches and staging graphs aside), times and blank
    nodes' labels aside."""
    graphs = store.named_graphs() if public_only else None
    quads = []
    for quad in store.query_private("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
        graph = quad["g"].value
        if graph.startswith((f"{GRAPH_PRIVATE}claims", GRAPH_REPORT, STAGING)) or (public_only and graph not in graphs):
            continue
        value = quad["o"]
        if isinstance(value, ox.Literal) and value.datatype == XSD.term("dateTime"):
            value = ox.Literal("T", datatype=value.datatype)
        quads.append(ox.Quad(quad["s"], quad["p"], value, quad["g"]))
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return frozenset(str(q) for q in dataset)


# -- the writes: (set up, write) -> the contribution's id --------------------------------------------------------------

def body(version: str) -> bytes:
    return (f'<https://example.org/p> <http://www.w3.org/2000/01/rdf-schema#label> "version {version}" ; '
            f'<http://www.w3.org/2000/01/rdf-schema#comment> [ <http://www.w3.org/2000/01/rdf-schema#label> '
            f'"a blank node, {version}" ] .').encode()


def correction() -> bytes:
    """Cap Impact's description with its English text changed: a revision."""
    return f'<{CAP}> a <https://w3id.org/sikg/ontology#Practice> ; <http://purl.org/dc/terms/description> ' \
           f'"Cap Impact was a training programme."@en .'.encode()


def pending(contributions, payload=None, key=None, comment=None):
    return contributions.contribute(payload or body("1"), ox.RdfFormat.TURTLE, ALICE, key=key, comment=comment).id


def accept(contributions, made):
    contributions.review(made, CURATOR, "accept", "fine")
    return made


def accept_keyed(contributions):
    return pending(contributions, key="k-1"), accept


def accept_revision(contributions):
    return pending(contributions, correction(), comment="It ended."), accept


def replace(contributions):
    def write(contributions, made):
        contributions.replace(made, body("2"), ox.RdfFormat.TURTLE, ALICE)
        return made
    return pending(contributions), write


def delete_accepted(contributions):
    def write(contributions, made):
        contributions.withdraw_as(made, CURATOR)
        return made
    made = pending(contributions, key="k-2")
    contributions.review(made, CURATOR, "accept", None)
    return made, write


def withdraw_resource(contributions):
    return None, lambda contributions, _: contributions.withdraw_resource(CAP, CURATOR, "It ended.").id


def withdraw_resource_after_revision(contributions):
    """A withdrawal of a resource revised before (its current version is 2)."""
    made, write = accept_revision(contributions)
    write(contributions, made)
    return withdraw_resource(contributions)


WRITES = {"accept": lambda c: (pending(c), accept), "accept a keyed contribution": accept_keyed,
          "accept a revision": accept_revision, "replace": replace, "delete an accepted contribution": delete_accepted,
          "withdraw a practice": withdraw_resource, "withdraw a revised practice": withdraw_resource_after_revision}


def run(monkeypatch, setup, cut=None):
    """The write on a new store, cut after `cut` operations (None: whole); (store, service, id, before, after public
    graphs, and the write's number of operations)."""
    counted_uuids(monkeypatch)
    store = OneByOne(open_store("memory"))
    contributions = Contributions(store, env_tokens={})
    made, write = setup(contributions)
    before, before_public, store.sizes = snapshot(store), snapshot(store, True), []
    if cut is None:
        made = write(contributions, made)
    else:
        store.cut_after(cut)
        with pytest.raises(StoreUnavailable):
            write(contributions, made)
    return store, contributions, made, (before, before_public), (store.sizes or [0])[0]


@pytest.fixture(autouse=True)
def fast_checks(monkeypatch):
    monkeypatch.setattr(Contributions, "_checked", unchecked)


@pytest.mark.slow  # every write cut after each of its operations, on a new store each time: 15-25 s in all
@pytest.mark.parametrize("name", WRITES)
def test_a_write_cut_between_its_operations_shows_the_contribution_before_or_after_never_half(name, monkeypatch):
    setup = WRITES[name]
    store, contributions, made, (old, old_public), size = run(monkeypatch, setup)
    new, new_public, after = snapshot(store), snapshot(store, True), contributions._state(made)
    assert size > 1 and old != new, "the write is one of several operations, and changes something"
    for cut in range(size):
        store, contributions, _, (before, _), _ = run(monkeypatch, setup, cut)  # (the same ids: uuid4 counted)
        assert before == old
        public = snapshot(store, True)  # at once: no read has finished anything yet
        assert public in (old_public, new_public), f"{name}: the public graphs are half changed after {cut}"
        shown = contributions._state(made)  # the next read
        whole = snapshot(store)
        assert whole in (old, new), f"{name}: the store is half changed after {cut} operations"
        assert snapshot(store, True) == (new_public if whole == new else old_public)
        if whole == new:
            assert (shown is None) == (after is None)
            if shown is not None:
                assert (shown.status, shown.review["decision"] if shown.review else None) == \
                       (after.status, after.review["decision"] if after.review else None)


def test_a_cut_accept_is_published_by_the_next_listing_and_shown_accepted(monkeypatch):
    """Cut after its decision, an accepted contribution is published by the next listing (or any read of it):
    then it is public, out of the queue, and shown accepted with its review."""
    store, contributions, made, _, size = run(monkeypatch, lambda c: (pending(c), accept), cut=1)
    assert size == 2
    assert made in [entry["id"] for entry in contributions.listing().entries]
    assert made not in [entry["id"] for entry in contributions.pending_page(CURATOR, queue.Page()).entries]
    shown = contributions.show(made, holder=ALICE)
    assert shown.status == "accepted" and shown.review["decision"] == "accept" and shown.public
    assert not store.query_private(f"ASK {{ GRAPH <{GRAPH_PENDING}{made}> {{ ?s ?p ?o }} }}")


def left_accepted_by_an_earlier_version(store, made: str) -> None:
    """What an accept cut after its first operation left before _publish_update: the record in the pending graph
    saying "accepted", the data still there."""
    record = f"<{GRAPH_PENDING}{made}> {{ <{GRAPH_CONTRIBUTION}{made}> <{SIKG.status}>"
    store.update(f'DELETE DATA {{ GRAPH {record} "pending" }} }} ;\nINSERT DATA {{ GRAPH {record} "accepted" }} }}')


def test_a_record_left_accepted_in_its_pending_graph_by_an_earlier_version_is_published_by_the_next_read(monkeypatch):
    store, contributions, made, _, _ = run(monkeypatch, lambda c: (pending(c), lambda c, made: made))
    left_accepted_by_an_earlier_version(store, made)
    shown = contributions.show(made, holder=ALICE)
    assert shown.status == "accepted" and shown.public
    assert not store.query_private(f"ASK {{ GRAPH <{GRAPH_PENDING}{made}> {{ ?s ?p ?o }} }}")
    assert store.query(f'ASK {{ GRAPH <{GRAPH_CONTRIBUTION}{made}> {{ ?s ?p "version 1" }} }}')


def test_on_the_web_a_cut_review_is_a_503_and_the_next_get_shows_it_accepted(pool):
    """The curator's POST of an accept cut after its decision answers 503 (try again); GET /contributions/{id} then
    shows it accepted, public, in the public listing; the review sent again is a 409 that says so."""
    store = OneByOne(open_store("memory"))
    app = create_app(store, settings=Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=a-token"}), pool=pool)
    curator = {"Authorization": f"Bearer {app.extensions['sikg'].contributions.tokens.add('carol', 'curator')}"}
    client = app.test_client()
    made = client.post("/contributions", data=body("1"), content_type="text/turtle",
                       headers={"Authorization": "Bearer a-token"}).get_json()["id"]
    store.cut_after(1)
    assert client.post(f"/contributions/{made}/review", json={"decision": "accept"}, headers=curator).status_code == 503
    shown = client.get(f"/contributions/{made}", headers={"Accept": "application/json"})  # anyone: it is public
    assert shown.status_code == 200 and shown.get_json()["status"] == "accepted"
    assert shown.get_json()["review"]["decision"] == "accept"
    assert made in [entry["id"] for entry in client.get("/contributions").get_json()]
    again = client.post(f"/contributions/{made}/review", json={"decision": "accept"}, headers=curator)
    assert again.status_code == 409 and b"accepted" in again.data


def test_a_cut_acceptance_of_a_revision_is_finished_before_another_revision_of_it_is_accepted(monkeypatch):
    """Two revisions of Cap Impact proposed on its version 1: the first accepted, cut before its publication; the
    second's acceptance publishes the first, then is a 409 (its version is no longer the current one): never two
    versions 2."""
    second = []

    def setup(contributions):
        second.append(pending(contributions, correction().replace(b"was a", b"is no longer a"), comment="Ended."))
        return pending(contributions, correction(), comment="It ended."), accept
    store, contributions, first, _, _ = run(monkeypatch, setup, cut=1)
    with pytest.raises(Conflict):
        contributions.review(second[0], CURATOR, "accept", None)
    current = {row["v"].value for row in store.query_private(
        f"SELECT ?v WHERE {{ GRAPH <{GRAPH_REVISIONS}> {{ <{CAP}> ?p ?v }} }}")}
    assert current == {CAP + "/history/2"}
    assert contributions._state(first).status == "accepted"
    assert contributions._state(second[0]).status == "pending"
    assert store.query(f'ASK {{ <{CAP}> ?p "Cap Impact was a training programme."@en }}')


# -- over a real Virtuoso ------------------------------------------------------------------------------------------

@pytest.fixture
def virtuoso(virtuoso_kg):
    """The worker's Virtuoso (tests/conftest.py) holding the curated KG and nothing else, as a store."""
    return open_store(virtuoso_kg.sparql_url, timeout=30)


def graph_triples(store, graph: str) -> set:
    return {(r["s"].value if not isinstance(r["s"], ox.BlankNode) else "_", r["p"].value, r["o"].value)
            for r in store.query_private(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")}


def cap_texts(store) -> set:
    """Cap Impact's public English description (a revision leaves the sikg team's translations where they are)."""
    return {row["o"].value for row in store.query(
        f'SELECT ?o WHERE {{ <{CAP}> <http://purl.org/dc/terms/description> ?o FILTER(LANG(?o) = "en") }}')}


@pytest.mark.slow
def test_over_virtuoso_a_write_cut_between_its_operations_is_before_or_after_never_half(virtuoso):
    """Over a real Virtuoso (which applies a request's operations one by one), each write cut after each of its
    operations: the next read shows the contribution before or after, and the store holds it so."""
    store = OneByOne(virtuoso)
    contributions = Contributions(store, env_tokens={})
    assert contributions.claims is not None
    # accepting a revision of Cap Impact, cut before any operation, then after its decision
    for cut, text in enumerate(("Cap Impact was a programme.", "Cap Impact was a training programme.")):
        before = cap_texts(virtuoso)
        made = pending(contributions, correction().replace(b"Cap Impact was a training programme.", text.encode()),
                       comment="It ended.")
        store.cut_after(cut)
        with pytest.raises(StoreUnavailable):
            accept(contributions, made)
        shown = contributions._state(made)
        if cut == 0:
            assert shown.status == "pending" and shown.review is None and cap_texts(virtuoso) == before
            accept(contributions, made)
            shown = contributions._state(made)
        assert shown.status == "accepted" and shown.review["decision"] == "accept" and shown.public
        assert cap_texts(virtuoso) == {text}
        assert not graph_triples(virtuoso, GRAPH_PENDING + made)
        assert contributions._revisions_of([CAP]) == {CAP: shown.revisions[0].new}
        assert before <= {o for _, _, o in graph_triples(virtuoso, shown.revisions[0].old.replace(
            "https://w3id.org/sikg/id/", GRAPH_PRIVATE + "version/").replace("/history/", "/"))}
    # a replacement, cut after each of its operations: the old data or the new, never neither
    made = pending(contributions)
    for cut in range(4):
        store.cut_after(cut)
        with pytest.raises(StoreUnavailable):
            contributions.replace(made, body(f"r{cut}"), ox.RdfFormat.TURTLE, ALICE)
        shown = contributions.show(made, holder=ALICE)
        labels = {t.object.value for t in shown.triples if t.object.value.startswith("version ")}
        assert shown.status == "pending" and len(labels) == 1, labels
        assert labels == ({f"version r{cut}"} if cut >= 3 else labels), (cut, labels)
    # a curator's removal of an accepted contribution, cut after each operation
    for cut in range(4):
        made = pending(contributions, key=f"virtuoso-{cut}")
        accept(contributions, made)
        store.cut_after(cut)
        with pytest.raises(StoreUnavailable):
            contributions.withdraw_as(made, CURATOR)
        shown = contributions._state(made)
        public, private = graph_triples(virtuoso, GRAPH_CONTRIBUTION + made), graph_triples(virtuoso,
                                                                                              GRAPH_PENDING + made)
        if cut <= 1:
            assert shown.status == "accepted" and public and private  # (its key remembered in the pending graph)
        else:
            assert shown is None and not public and not private and not graph_triples(virtuoso, GRAPH_REPORT + made)
    # a record an earlier version left accepted in its pending graph: published by the next read
    made = pending(contributions)
    left_accepted_by_an_earlier_version(virtuoso, made)
    assert contributions._state(made).status == "accepted" and not graph_triples(virtuoso, GRAPH_PENDING + made)
    assert ("https://example.org/p", "http://www.w3.org/2000/01/rdf-schema#label", "version 1") in \
        graph_triples(virtuoso, GRAPH_CONTRIBUTION + made)
    # withdrawing Cap Impact, cut after its record: the next listing publishes it
    store.cut_after(1)
    with pytest.raises(StoreUnavailable):
        contributions.withdraw_resource(CAP, CURATOR, "It ended.")
    assert cap_texts(virtuoso)
    contributions.listing()
    assert not cap_texts(virtuoso) and not virtuoso.query(f"ASK {{ <{CAP}> ?p ?o }}")
    assert not virtuoso.query_private(f'ASK {{ GRAPH ?g {{ ?c <{SIKG.status}> "accepting" }} }}')
