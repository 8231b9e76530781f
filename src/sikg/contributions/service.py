"""Contributions: conforming RDF from a token holder becomes a named graph of its own, with its provenance.

A contribution is validated against the shapes with the store as reference; only conforming data is written, in one
transaction together with the PROV record of the graph (when, by whom, the payload's sha256, the outcome), so the
KG never holds half a contribution or a contribution without its provenance. Withdrawing one drops its graph.

With review on (Settings.review, the default) conforming data is first kept in a private graph (GRAPH_PENDING + id,
which no public route shows: the store layer hides it), its record marked sikg:status "pending". A curator's review
adds a sikg:Review activity (who, when, the decision, a comment) to the record and, for "accept", makes the graph
public as GRAPH_CONTRIBUTION + id, in one write; a rejected contribution stays private for good. Its contributor may
replace or withdraw it while it is pending. With review off, conforming data is public at once, as before. The
record's subject is always the public graph's IRI, GRAPH_CONTRIBUTION + id, the name the data has once public, and
the review's is minted from it (review_iri: one review per contribution).

A POST that carries an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) is made once: the key, hashed with
its holder's name, and the request's fingerprint are remembered in the contribution's private record (the pending
graph, which a review or a replacement leaves them in), written by the same conditional update that creates the
contribution only if no contribution holds the key yet; the same request again answers the first contribution.

Each such write checks its condition inside itself, which is enough where the store applies updates one at a time
(the embedded store; the on-disk one several processes share, through its one writer). An external store may not:
Oxigraph server evaluates an update's WHERE on a snapshot and writes without checking for writes made since, so two
decisions sent at once both apply. Over such a store, a status change is also made alone (Claims): its writer first
claims the contribution in the store itself, and goes on only if it sees no other claim.

A write is one SPARQL Update request, which the embedded store and Oxigraph server apply whole; OpenLink Virtuoso
applies its operations one by one, so a request cut off between two (a timeout, a restart, a lost connection) leaves
those before applied. No such cut leaves a contribution half changed, for every write is one operation where the
service reads it: a replacement is swapped in, and a removal (a curator's DELETE) made, by one operation (what comes
before only fills a staging graph of the contribution's own, or drops its report, a cache; what comes after only drops
graphs emptied); a reject is one operation. An accept is two: the decision (the record says "accepting", with the
review), then its publication, one operation that moves the pending graph to the public one and replaces the
descriptions it revises, only while the record says "accepting" (_publish_update). A cut between the two leaves the
public graphs as they were, and whoever reads the contribution next (_state: every route to it, every review,
replacement or withdrawal of it), any listing, and any acceptance of another revision of what it revises, publishes it
first: rolled forward, never back, since the decision was taken. A withdrawal of a resource writes its record
accepting, on its conditions, by one operation, then publishes it the same way. Why two and not one: the review's
curator and a withdrawal's record hold blank nodes, which an INSERT template makes anew for each solution of its WHERE
(one per triple the publication moves), so one operation would need them as IRIs, a change of the records' model; and
why one publication rather than the several operations it was, each rolled forward: the public graphs then change at
once, so no reader of a resource's page ever sees its old description gone and the new one not yet there, whether or
not anything reads the contribution after.
"""

import contextlib
import hashlib
import json
import random
import re
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pyoxigraph as ox

from ..errors import BadRequest, Conflict, NotFound, NotPermitted, OverLimit, StoreUnavailable, Unprocessable
from ..formats import Format
from ..namespaces import (
    GRAPH_CONTRIBUTION,
    GRAPH_PENDING,
    GRAPH_PRIVATE,
    GRAPH_REVISIONS,
    GRAPH_TRANSLATIONS,
    ID,
    ORGANISATION,
    PROV,
    RDF,
    RDFS,
    REVISABLE,
    SIKG,
    XSD,
    describe_pattern,
    version_graph,
    version_iri,
)
from ..pages.history import own_description
from ..rdf.descriptions import description_in
from ..rdf.jsonld import confusable_iris
from ..rdf.reading import RdfInputError, parse_upload
from ..settings import Settings
from ..store import EmbeddedStore, SharedStore
from ..validation.shacl import ValidationReport, store_reference, validate_quads
from . import queue, reports
from .spreadsheet import rows_as_rdf
from .tokens import ContributionsDisabled, Holder, NotAuthorised, TokenRegistry, authenticate, registry_for  # noqa: F401 (they lived here; old imports keep working)

_ID = re.compile(r"^[0-9a-f]{16}$")
_VERSION = re.compile(r"/history/([0-9]+)$")
MAX_COMMENT = 2000  # characters of a contributor's reason
RESERVED = (GRAPH_CONTRIBUTION, GRAPH_PRIVATE)  # IRIs a contribution's data may not use as subject or object
DECISIONS = {"accept": "accepted", "reject": "rejected"}
ACCEPTING = "accepting"  # the record's status from a curator's acceptance to its publication (_publish_update)
# What the record remembers of a request made with an Idempotency-Key (private: never moved to the public graph)
KEY, REQUEST, ANSWER = SIKG.idempotencyKey, SIKG.idempotentRequest, SIKG.idempotentAnswer
# A Structured Field string (RFC 8941 sec. 3.3.3) of visible ASCII: its characters, or \" and \\ escaped
_SF_STRING = re.compile(r'"((?:[\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
MAX_KEY = 255


@dataclass(frozen=True)
class Revision:
    """A proposed revision of a resource: its new version `new` replaces `old`, the version public when it was
    proposed (version_iri(resource, 1): the one before any accepted revision)."""
    resource: str
    old: str
    new: str

    @property
    def old_number(self) -> int:
        return int(_VERSION.search(self.old).group(1))

    @classmethod
    def of(cls, resource: str, old: str) -> "Revision":
        number = int(_VERSION.search(old).group(1))
        return cls(resource, old, version_iri(resource, number + 1))


def _comment(comment: str | None) -> str | None:
    """A contributor's reason, stripped; None if empty; 400 if it is too long or holds control characters."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise BadRequest(f"the comment is longer than {MAX_COMMENT} characters")
    if any(not (c.isprintable() or c in "\n\t") for c in comment):
        raise BadRequest("the comment may not hold control characters")
    return comment or None


class NotConforming(Exception):
    def __init__(self, report: ValidationReport):
        super().__init__("the data does not conform to the sikg shapes")
        self.report = report


@dataclass
class Contribution:
    id: str
    graph: str  # the graph it is published as (once accepted, when under review)
    report: ValidationReport | dict  # a dict: the first answer's report, for a request made again with its key
    status: str = "accepted"  # "pending" while under review (for a request made again: as first answered)
    revises: list = field(default_factory=list)  # the public resources it proposes a new description of

    @property
    def http_status(self) -> int:
        return 202 if self.status == "pending" else 201

    def as_json(self, location: str) -> dict:
        report = self.report if isinstance(self.report, dict) else self.report.as_json()
        revises = {"revises": self.revises} if self.revises else {}
        return {"id": self.id, "status": self.status, "graph": self.graph, "location": location, **revises, **report}


@dataclass(frozen=True)
class Keyed:
    """A POST /contributions made with an Idempotency-Key, as its record remembers it: the key hashed with its
    holder's name (a key is the holder's own: another's same key is another request), and the request's
    fingerprint (the body and its media type)."""
    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str, holder: Holder, payload: bytes, rdf_format: ox.RdfFormat) -> "Keyed":
        digest = lambda *parts: hashlib.sha256(b"\n".join(parts)).hexdigest()
        return cls(digest(holder.name.encode(), key.encode()), digest(rdf_format.media_type.encode(), payload))

    def held(self, contribution: str = "?c", graph: str = "?g") -> str:
        """A pattern: the record in `graph` of the contribution `contribution` remembers this key."""
        return f'GRAPH {graph} {{ {contribution} <{KEY}> "{self.key}" }} {_record_graph(contribution, graph)}'


def idempotency_key(values: list[str]) -> str | None:
    """The key an Idempotency-Key header carries (one Structured Field string of 1 to 255 visible ASCII characters,
    draft-ietf-httpapi-idempotency-key-header), None without the header; BadRequest (400) for a malformed one."""
    if not values:
        return None
    match = _SF_STRING.fullmatch(values[0].strip(" \t")) if len(values) == 1 else None
    key = re.sub(r"\\(.)", r"\1", match.group(1)) if match else ""
    if not key or len(key) > MAX_KEY:
        raise BadRequest(f'Idempotency-Key must be one quoted string of 1 to {MAX_KEY} visible ASCII characters, '
                         f'such as "{uuid.uuid4()}"')
    return key


@dataclass
class Shown:
    """A contribution as GET /contributions/{id} shows it to someone allowed to see it."""
    id: str
    status: str  # pending, accepted, rejected
    contributor: str | None
    submitted: str
    graph: str
    report: str | None  # the validation outcome recorded
    review: dict | None
    triples: list = field(default_factory=list, repr=False)
    comment: str | None = None  # the contributor's reason
    revisions: list = field(default_factory=list)  # Revision: what it proposes to replace
    sha256: str | None = None  # the payload's, as its record says

    @property
    def revises(self) -> list[str]:
        return [r.resource for r in self.revisions]

    @property
    def public(self) -> bool:
        return self.status == "accepted"

    @property
    def headers(self) -> dict:
        """The answer varies on who asks; one that is not public is never stored by a cache."""
        return {"Vary": "Accept, Authorization", **({} if self.public else {"Cache-Control": "private, no-store"})}

    def as_json(self) -> dict:
        revises = {"revises": self.revises} if self.revisions else {}
        comment = {"comment": self.comment} if self.comment else {}
        return {"id": self.id, "status": self.status, "contributor": self.contributor, "submitted": self.submitted,
                "graph": self.graph, **revises, **comment, "report": self.report, "review": self.review}


def _decision(body: bytes) -> tuple[str, str | None]:
    """The review's decision and comment from its JSON body; 400 for anything else."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest('the review must be a JSON object: {"decision": "accept" | "reject", '
                                 '"comment": "..."}') from None
    if not isinstance(value, dict) or not isinstance(value.get("decision"), str) or value["decision"] not in DECISIONS:
        raise BadRequest('the decision must be "accept" or "reject"')
    comment = value.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest("the comment must be a string")
    return value["decision"], comment or None


def _graphs(contribution_id: str) -> tuple[str, str]:
    """A contribution's pending graph and the graph it is published as, written for SPARQL."""
    return f"<{GRAPH_PENDING + contribution_id}>", f"<{GRAPH_CONTRIBUTION + contribution_id}>"


def review_iri(contribution_id: str) -> str:
    """The IRI of a contribution's review, minted from the contribution's own (GRAPH_CONTRIBUTION + id, under
    SIKG_BASE): a contribution is reviewed once."""
    return f"{GRAPH_CONTRIBUTION}{contribution_id}#review"


def _review_record(contribution_id: str, holder: Holder, decision: str, comment: str | None, status: str,
                   revisions: list[Revision] = ()) -> str:
    """Triples of the record of a decision: the record's new `status`, and the review (who, when, what, why); for an
    accept, when each new version of a revision was made."""
    public = _graphs(contribution_id)[1]
    now = ox.Literal(datetime.now(timezone.utc).isoformat(timespec="seconds"), datatype=XSD.term("dateTime"))
    said = f" ; <{RDFS.comment}> {ox.Literal(comment)}" if comment else ""
    review = f"<{review_iri(contribution_id)}>"
    record = (f'{public} <{SIKG.status}> "{status}" . {review} a <{SIKG.Review}>, <{PROV.Activity}> ; '
              f'<{PROV.used}> {public} ; <{PROV.wasAssociatedWith}> _:curator ; <{PROV.endedAtTime}> {now} ; '
              f'<{SIKG.decision}> "{decision}"{said} . _:curator a <{PROV.Agent}> ; '
              f'<{RDFS.label}> {ox.Literal(holder.name)} .')
    if decision == "accept":
        record += "".join(f" <{r.new}> <{PROV.generatedAtTime}> {now} ." for r in revisions)
    return record


def _still_current(revisions: list[Revision]) -> str:
    """A condition: each revised resource is still at the version the revision was proposed on, and no other
    accepted revision of it is still to be published (its record says "accepting": _publish_update)."""
    condition = ""
    for r in revisions:
        current = f"GRAPH <{GRAPH_REVISIONS}> {{ <{r.resource}> <{SIKG.currentVersion}> ?current }}"
        condition += (f" FILTER NOT EXISTS {{ {current} }}" if r.old_number == 1 else
                      f" FILTER EXISTS {{ {current} FILTER(?current = <{r.old}>) }}")
        condition += (f' FILTER NOT EXISTS {{ GRAPH ?other {{ ?accepted <{SIKG.status}> "{ACCEPTING}" ; '
                      f"<{SIKG.revises}> <{r.resource}> }} {_record_graph('?accepted', '?other')} }}")
    return condition


def _record_graph(contribution: str, graph: str) -> str:
    """A filter: `graph` is the pending graph of the contribution `contribution` (its record, not data naming it)."""
    return (f'FILTER(STRSTARTS(STR({contribution}), "{GRAPH_CONTRIBUTION}") && STR({graph}) = '
            f'CONCAT("{GRAPH_PENDING}", SUBSTR(STR({contribution}), {len(GRAPH_CONTRIBUTION) + 1})))')


def _every_triple_while_pending(contribution_id: str) -> str:
    """A WHERE clause: every triple of the pending graph, the record's private memory of an Idempotency-Key with
    them, as long as its record there says pending when the update is applied (the condition a contributor's
    withdrawal checks inside its own write)."""
    pending, public = _graphs(contribution_id)
    return f'WHERE {{ GRAPH {pending} {{ {public} <{SIKG.status}> "pending" . ?s ?p ?o }} }}'


def _not_remembered(public: str) -> str:
    """A filter: ?s ?p ?o is not the record's private memory of an Idempotency-Key."""
    return f"FILTER(?s != {public} || ?p NOT IN (<{KEY}>, <{REQUEST}>, <{ANSWER}>))"


def _naming(iri: str) -> str:
    """A pattern: ?x, a public resource other than `iri` (and not a record of the service's own: a contribution, a
    version), names `iri`, directly or through one or two of its blank nodes (a qualified record, its evidence)."""
    r = f"<{iri}>"
    chains = [f"?x ?p {r}", f"?x ?p ?b1 . ?b1 ?q {r} FILTER(isBlank(?b1))",
              f"?x ?p ?b1 . ?b1 ?q ?b2 . ?b2 ?t {r} FILTER(isBlank(?b1) && isBlank(?b2))"]
    return (f"GRAPH ?g {{ {{ {' } UNION { '.join(chains)} }} }} FILTER(isIRI(?x) && !STRSTARTS(STR(?x), \"{iri}\") "
            f'&& !STRSTARTS(STR(?x), "{GRAPH_CONTRIBUTION}") && !STRSTARTS(STR(?g), "{GRAPH_PRIVATE}"))')


def _replacing(r: Revision, pending: str) -> list[str]:
    """The branches of a publication (_publish_update) that replace a revised resource's description, each binding
    the quad it deletes (?from ?s ?p ?o) and the one it inserts (?to ?s ?p ?n): its current description leaves every
    public graph for the private graph of its version (where it came from is recorded with the version), and its
    current version is the new one.

    The sikg team's translations (GRAPH_TRANSLATIONS) are not the resource's own words: a translation stays public
    unless the revision gives a text of its own for the same property in the same language (which supersedes it), or
    withdraws the resource (no description left); so correcting the English text leaves the French translation where
    it is, marked as a translation on the page, and its version history is the resource's own."""
    kept, resource = f"<{version_graph(r.resource, r.old_number)}>", f"<{r.resource}>"
    revisions = f"<{GRAPH_REVISIONS}>"
    translations, current = f"<{GRAPH_TRANSLATIONS}>", f"<{SIKG.currentVersion}>"
    public = f'FILTER(!STRSTARTS(STR(?from), "{GRAPH_PRIVATE}") && ?from != {translations})'
    superseded = (f"FILTER(NOT EXISTS {{ GRAPH {pending} {{ {resource} ?any ?thing }} }} || EXISTS {{ GRAPH {pending} "
                  f"{{ {resource} ?p ?own FILTER(isLiteral(?own) && LANG(?own) = LANG(?o)) }} }})")
    return [f"{{ GRAPH ?from {{ {describe_pattern(r.resource)} }} {public} BIND({kept} AS ?to) BIND(?o AS ?n) }}",
            # history.first_published: <old> prov:wasDerivedFrom each public graph it was in (inserted: the quad
            # deleted is the one inserted)
            f"{{ GRAPH ?from {{ {resource} ?p1 ?o1 }} {public} BIND(?from AS ?o) BIND(?from AS ?n) "
            f"BIND({revisions} AS ?to) BIND(<{r.old}> AS ?s) BIND(<{PROV.wasDerivedFrom}> AS ?p) }}",
            f"{{ GRAPH {translations} {{ {resource} ?p ?o }} {superseded} BIND({translations} AS ?from) "
            f"BIND({kept} AS ?to) BIND({resource} AS ?s) BIND(?o AS ?n) }}",
            # the current version: the one there is (if any) deleted, the new one inserted
            f"{{ OPTIONAL {{ GRAPH {revisions} {{ {resource} {current} ?v }} }} BIND({revisions} AS ?from) "
            f"BIND({revisions} AS ?to) BIND({resource} AS ?s) BIND({current} AS ?p) "
            f"BIND(COALESCE(?v, <{r.new}>) AS ?o) BIND(<{r.new}> AS ?n) }}"]


def _publish_update(contribution_id: str, revisions: list[Revision] = ()) -> str:
    """One SPARQL Update operation that makes an accepted contribution public, only while its record in the pending
    graph says "accepting" (or "accepted": an accept an earlier version of this module cut before its move), and so
    once, for it moves the record: the pending graph becomes the public one, the record saying "accepted", and each
    resource it revises gets its new description (_replacing). One operation, whatever the
    number of revisions, so that a store applying a request's operations one by one never shows the public graphs
    half changed; every quad it deletes and inserts is bound by one branch of a UNION, for Virtuoso 7.2.5 fails on
    template quads left unbound by a branch (staging.py), and a branch binds its constants by BIND, not by a FILTER
    on equality (Virtuoso 7.2.5: "SP031 … sparp_gp_deprecate(): equiv replaces filter" once in a UNION)."""
    pending, public = _graphs(contribution_id)
    status = f"<{SIKG.status}>"
    branches = [f"{{ GRAPH {pending} {{ {public} {status} ?o }} BIND({public} AS ?s) BIND({status} AS ?p) "
                f'BIND({pending} AS ?from) BIND({public} AS ?to) BIND("accepted" AS ?n) }}',
                f"{{ GRAPH {pending} {{ ?s ?p ?o }} FILTER(?s != {public} || ?p NOT IN (<{KEY}>, <{REQUEST}>, "
                f"<{ANSWER}>, {status})) BIND({pending} AS ?from) BIND({public} AS ?to) BIND(?o AS ?n) }}",
                *(branch for r in revisions for branch in _replacing(r, pending))]
    return (f"DELETE {{ GRAPH ?from {{ ?s ?p ?o }} }} INSERT {{ GRAPH ?to {{ ?s ?p ?n }} }} "
            f'WHERE {{ GRAPH {pending} {{ {public} {status} ?accepted }} FILTER(?accepted IN ("{ACCEPTING}", '
            f'"accepted"))\n  {" UNION ".join(branches)} }}')


class Claims:
    """Mutual exclusion over the store itself, for stores whose updates are not isolated from each other: a writer
    adds its claim on a name to the private graph of claims (an insertion, which no concurrent update undoes), then
    reads the claims on that name, and goes on only if its own is the only one; otherwise it takes it back and tries
    again a moment later. Two writers can never both be alone: the one that reads second sees the first's claim,
    written before the first read. A claim is taken back once its writer is done; one older than LEASE (longer than
    any update may take: the remote store allows one 120 s) is a writer that stopped (killed, cut off), ignored and
    removed, by the clock of the one reading it. One graph holds them all (no graph is left behind)."""

    LEASE = timedelta(seconds=300)
    PATIENCE = 10.0  # seconds a writer tries before answering 503: try again
    GRAPH = f"<{GRAPH_PRIVATE}claims>"
    FOR, AT = f"<{SIKG.claimFor}>", f"<{SIKG.claimedAt}>"

    def __init__(self, store):
        self.store = store

    @contextmanager
    def alone(self, name: str):
        """Runs the block while holding the only claim on `name`; OverLimit (503) if others hold it too long."""
        deadline = time.monotonic() + self.PATIENCE
        while not self._claimed(mine := self._claim(name)):
            self._release(mine)
            if time.monotonic() > deadline:
                raise OverLimit("another change to this contribution (or another request with this Idempotency-Key) "
                                "is under way; try again", {"Retry-After": "1"})
            time.sleep(random.uniform(0.005, 0.05))  # apart from the other claimant, whose claim is gone by then
        try:
            yield
        finally:
            self._release(mine)

    def _claim(self, name: str) -> tuple[str, ox.Literal, ox.Literal]:
        stamp = datetime.now(timezone.utc)
        return f"<{GRAPH_PRIVATE}claims#{uuid.uuid4().hex}>", ox.Literal(name), self._time(stamp)

    def _claimed(self, claim: tuple[str, ox.Literal, ox.Literal]) -> bool:
        """Adds the claim (removing any older than the lease), then whether it is the only one on its name."""
        mine, name, stamp = claim
        expired = self._time(datetime.fromisoformat(stamp.value) - self.LEASE)
        self.store.update(f"DELETE {{ GRAPH {self.GRAPH} {{ ?c ?p ?o }} }} WHERE {{ GRAPH {self.GRAPH} {{ "
                          f"?c {self.AT} ?at ; ?p ?o }} FILTER(?at < {expired}) }} ;\n"
                          f"INSERT DATA {{ GRAPH {self.GRAPH} {{ {mine} {self.FOR} {name} ; {self.AT} {stamp} }} }}")
        claims = {row["c"].value for row in self.store.query_private(
            f"SELECT ?c WHERE {{ GRAPH {self.GRAPH} {{ ?c {self.FOR} {name} ; {self.AT} ?at }} "
            f"FILTER(?at >= {expired}) }}")}
        return claims == {mine[1:-1]}

    def _release(self, claim: tuple[str, ox.Literal, ox.Literal]) -> None:
        mine, name, stamp = claim
        self.store.update(f"DELETE DATA {{ GRAPH {self.GRAPH} {{ {mine} {self.FOR} {name} ; {self.AT} {stamp} }} }}")

    @staticmethod
    def _time(moment: datetime) -> ox.Literal:
        return ox.Literal(moment.isoformat(timespec="microseconds"), datatype=XSD.term("dateTime"))


class Contributions:
    _lock = threading.RLock()  # this process's reviews, replacements and withdrawals, one at a time

    def __init__(self, store, tokens: TokenRegistry | None = None, env_tokens: dict | None = None,
                 reviewed_first: bool = True):
        self.store = store
        # An embedded store applies updates one at a time, and so does the on-disk one several processes share
        # (through its one writer): each conditional write is then enough on its own. Over any other store (an
        # external one), changes are also made alone.
        self.claims = None if isinstance(store, (EmbeddedStore, SharedStore)) else Claims(store)
        self.reviewed_first = reviewed_first  # Settings.review: off, a contribution is public at once (201)
        self.tokens = registry_for(store) if tokens is None else tokens  # the people (sikg token add)
        # SIKG_CONTRIB_TOKEN's tokens: token -> holder's label, contributors
        self.env_tokens = Settings.from_environment().contrib_tokens if env_tokens is None else env_tokens

    def _alone(self, name: str):
        """A block in which no other writer changes the contribution `name` (or the Idempotency-Key "key-…"), over a
        store whose updates are not isolated; nothing more over one whose are."""
        if self.claims is None or not re.fullmatch(r"(key-|res-)?[0-9a-f]+", name):
            return contextlib.nullcontext()
        return self.claims.alone(name)

    @contextmanager
    def _alone_on(self, resources: list[str]):
        """A block in which no other writer changes the current version of `resources` (over an external store;
        nothing more over one whose updates are isolated)."""
        with contextlib.ExitStack() as stack:
            for resource in sorted(set(resources)):
                stack.enter_context(self._alone("res-" + hashlib.sha256(resource.encode()).hexdigest()[:32]))
            yield

    def holder(self, authorization: str | None) -> Holder:
        """The token holder, or an exception that says why not (403 off, 401 missing, 403 wrong or revoked)."""
        return authenticate(authorization, self.tokens, self.env_tokens)

    def _holder_or_none(self, authorization: str | None) -> Holder | None:
        try:
            return self.holder(authorization) if authorization else None
        except (ContributionsDisabled, NotAuthorised):
            return None

    # -- contributing -----------------------------------------------------------------------------------------
    def _checked(self, payload: bytes, rdf_format: ox.RdfFormat) -> tuple[list, ValidationReport]:
        """Raises RdfInputError for unreadable data, NotConforming (with the report) for data that fails the shapes."""
        if isinstance(rdf_format, Format):  # a spreadsheet: its rows as the form reads them, a problem at its cell
            payload, rdf_format = rows_as_rdf(payload, rdf_format, self.store), ox.RdfFormat.TURTLE
        quads = parse_upload(payload, rdf_format, "request body")
        confusable = confusable_iris(quads)
        if confusable:  # the KG must stay writable as JSON-LD (its exports, its /id pages)
            raise RdfInputError("request body", f"IRI <{confusable[0]}> looks like a compact IRI of the sikg context "
                                                f"(its scheme is one of the context's prefixes); use a full IRI")
        reserved = next((t.value for q in quads for t in (q.subject, q.object)
                         if isinstance(t, ox.NamedNode) and t.value.startswith(RESERVED)), None)
        if reserved:  # a contribution's record and review are the service's to write
            raise BadRequest(f"the data may not describe or point at <{reserved}>: the names of "
                                     f"contributions' graphs are the service's own")
        version = next((t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)
                        and t.value.startswith(ID) and "/history" in t.value[len(ID):]), None)
        if version:  # a version and its history are the service's to write
            raise BadRequest(f"the data may not describe or point at <{version}>: the versions of resources are "
                             "the service's own")
        report = validate_quads(quads, store_reference(self.store))
        if not report.conforms:
            raise NotConforming(report)
        return quads, report

    def _revisions(self, quads: list) -> list[Revision]:
        """What the data proposes to revise: each practice or organisation it describes that is public already (or
        was withdrawn), with the version public now."""
        described = sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)
                            and q.subject.value.startswith(REVISABLE)})
        if not described:
            return []
        block = " ".join(f"<{iri}>" for iri in described)
        public = {row["s"].value for row in self.store.query(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {block} }} ?s ?p ?o }}")}
        current = self._revisions_of(described)
        revised = [iri for iri in described if iri in public or iri in current]
        return [Revision.of(iri, current.get(iri, version_iri(iri, 1))) for iri in revised
                if iri in current or not self._as_public(quads, iri)]

    def _as_public(self, quads: list, iri: str) -> bool:
        """Whether the data describes `iri` exactly as its public description does (then it changes nothing: no
        revision, as when a contribution names an organisation with the description it already has)."""
        mine = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in description_in(quads, iri))
        public = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in own_description(self.store, iri))
        for dataset in (mine, public):
            dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return set(mine) == set(public)

    def contribute(self, payload: bytes, rdf_format: ox.RdfFormat, holder: Holder,
                   key: str | None = None, comment: str | None = None) -> Contribution:
        """Public at once with review off; pending (private) with review on. Raises RdfInputError, NotConforming.
        With an Idempotency-Key (`key`), a request made before with it answers the contribution it made, and
        nothing is written; the key with another body is a 422. Data that describes a practice or organisation
        already public proposes a revision of it (its whole new description), which needs a `comment`: why (400
        without one)."""
        comment = _comment(comment)
        keyed = Keyed.of(key, holder, payload, rdf_format) if key else None
        made = self._made_with(keyed)
        if made:
            return made
        try:
            quads, report = self._checked(payload, rdf_format)
        except NotConforming:  # the same request, made meanwhile, may have published what this one describes
            made = self._made_with(keyed)
            if made:
                return made
            raise
        revisions = self._revisions(quads)
        if revisions and comment is None:
            raise BadRequest("this contribution describes " + ", ".join(f"<{r.resource}>" for r in revisions) +
                             ", already public: it proposes a revision, which needs a reason (the comment "
                             "parameter: what changed, and on what source)")
        contribution_id = uuid.uuid4().hex[:16]
        graph = GRAPH_CONTRIBUTION + contribution_id
        # A revision is reviewed even with review off: accepting it is what replaces the public description
        reviewed = self.reviewed_first or bool(revisions)
        status = "pending" if reviewed else None
        sha256 = hashlib.sha256(payload).hexdigest()
        record = self._provenance(graph, holder.name, sha256, report, status, comment, revisions)
        target = GRAPH_PENDING + contribution_id if reviewed else graph
        made = Contribution(contribution_id, graph, report, status or "accepted", [r.resource for r in revisions])
        data = [*(q.triple for q in quads), *record]
        # Pending, its validation report is kept with it, in the same write (validated once: reports.py)
        kept = self._report_graph(contribution_id, data, report, sha256, revisions) if reviewed else {}
        if keyed is None:
            self.store.replace_graphs({target: data, **kept})
            return self._published_at_once(made, holder)
        with self._alone(f"key-{keyed.key}"):
            if self._made_with(keyed) is None:  # (over a store that isolates updates, the write's condition is enough)
                self.store.update(self._create_update(made, target, data, keyed, kept))
            made = self._made_with(keyed)  # this one, or the one the same request made first, concurrently
        if made is None:
            raise Conflict("the contribution a request with this Idempotency-Key made was withdrawn meanwhile")
        if made.id == contribution_id:
            made.revises = [r.resource for r in revisions]
            return self._published_at_once(made, holder)
        return made

    def _published_at_once(self, made: Contribution, holder: Holder) -> Contribution:
        """With review off, a revision is accepted at once, on its contributor's word, as review off means."""
        if self.reviewed_first or not made.revises:
            return made
        with self._lock, self._alone(made.id):
            after = self._review(self.show(made.id, holder=holder), holder, "accept", None)
        return Contribution(made.id, made.graph, made.report, after.status, made.revises)

    def withdraw_resource(self, iri: str | None, holder: Holder, reason: str | None) -> Shown:
        """A curator withdraws a published practice or organisation (POST /contributions/withdrawals/{kind}/{slug}):
        a revision whose new description is empty, proposed and accepted by the curator in one write (the record
        written already accepted, only if the conditions of any accepted revision hold, and published as one: its
        description leaves every public graph for the private graph of its version, and the history records who, when
        and why; if the conditions fail, nothing is written). 403 for a contributor, 404 for what
        is not public, 400 without a reason, 409 if another revision was accepted meanwhile, or if other resources
        still name it (an organisation that practices name as operator or partner: they would point at nothing; the
        message names them, to be withdrawn or corrected first). Reverted as any revision: a curator proposes an
        earlier version (history/{n}) and accepts it."""
        self._check_curator(holder, "withdraw a practice or organisation")
        reason = _comment(reason)
        self._finish_interrupted()  # an earlier withdrawal of it, accepted but not yet published, first
        if iri is None or not iri.startswith(REVISABLE) or not self.store.query(f"ASK {{ <{iri}> a ?type }}"):
            raise NotFound(f"no published practice or organisation {iri or ''} to withdraw".replace("  ", " "))
        if reason is None:
            raise BadRequest("withdrawing needs a reason (the comment parameter): it is shown to everyone who asks "
                             "for the withdrawn resource, and kept in its history")
        with self._lock, self._alone_on([iri]):
            self._check_not_named(iri)
            revision = Revision.of(iri, self._revisions_of([iri]).get(iri, version_iri(iri, 1)))
            contribution_id = uuid.uuid4().hex[:16]
            record = self._provenance(GRAPH_CONTRIBUTION + contribution_id, holder.name,
                                      hashlib.sha256(b"").hexdigest(), ValidationReport(True), None, reason,
                                      [revision])
            self.store.update(self._withdrawal_update(contribution_id, holder, reason, revision, record))
            after = self._state(contribution_id)
        if after is None or after.status != "accepted":
            self._check_not_named(iri)
            raise Conflict(f"<{iri}> was revised or withdrawn meanwhile: nothing changed; see its history")
        return self.show(contribution_id, holder=holder)

    def _withdrawal_update(self, contribution_id: str, holder: Holder, reason: str, revision: Revision,
                           record: list[ox.Triple]) -> str:
        """One SPARQL Update request: the withdrawal's record written already accepted ("accepting"), only on the
        conditions of any revision and, for an organisation, on one of its own (nothing public names it), by one
        operation (one solution: its blank nodes made once), then published as any accepted revision is."""
        pending = _graphs(contribution_id)[0]
        data = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in record)
        organisation = revision.resource.startswith(ORGANISATION)
        unnamed = f" FILTER NOT EXISTS {{ {_naming(revision.resource)} }}" if organisation else ""
        review = _review_record(contribution_id, holder, "accept", reason, ACCEPTING, [revision])
        return (f"INSERT {{ GRAPH {pending} {{\n{data}\n{review}\n}} }} "
                f"WHERE {{ {_still_current([revision])}{unnamed} }} ;\n" + _publish_update(contribution_id, [revision]))

    def _check_not_named(self, iri: str) -> None:
        """For an organisation: Conflict (409) naming the public resources that name it (directly, or through their
        qualified records: a practice's operator, a partnership's partner), which its withdrawal would leave pointing
        at nothing. (A practice's withdrawal is not refused: what names it, its organisation's sikg:operates and the
        collection's members, are inverse links, which a page reads as a link to a resource that answers 410.)"""
        if not iri.startswith(ORGANISATION):
            return
        named_by = sorted({row["x"].value for row in self.store.query(
            f"SELECT DISTINCT ?x WHERE {{ {_naming(iri)} }} ORDER BY ?x LIMIT 21")})
        if named_by:
            listed = ", ".join(f"<{x}>" for x in named_by[:20]) + (" and more" if len(named_by) > 20 else "")
            raise Conflict(f"<{iri}> is still named by {listed}: withdraw or correct those first (a withdrawal "
                           "may not leave links to what is gone)")

    def _revisions_of(self, resources: list[str]) -> dict[str, str]:
        """The current version of each of `resources` that a curator has revised (or withdrawn)."""
        block = " ".join(f"<{iri}>" for iri in resources)
        return {row["s"].value: row["v"].value for row in self.store.query_private(
            f"SELECT ?s ?v WHERE {{ VALUES ?s {{ {block} }} "
            f"GRAPH <{GRAPH_REVISIONS}> {{ ?s <{SIKG.currentVersion}> ?v }} }}")}

    @staticmethod
    def _create_update(made: Contribution, target: str, triples: list[ox.Triple], keyed: Keyed,
                       kept: dict | None = None) -> str:
        """One SPARQL Update request: the contribution and its record, with the memory of its Idempotency-Key, only
        if no contribution holds that key when it is applied (two concurrent requests with one key make one); `kept`:
        its report's graph, written by the same request."""
        pending, public = _graphs(made.id)
        written = lambda triples: "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
        data = written(triples) + "".join(f"\n}} GRAPH <{name}> {{\n{written(more)}" for name, more in
                                          (kept or {}).items())
        first = json.dumps({"status": made.status, "report": made.report.as_json()}, ensure_ascii=False)
        remembered = (f'{public} <{KEY}> "{keyed.key}" ; <{REQUEST}> "{keyed.fingerprint}" ; '
                      f"<{ANSWER}> {ox.Literal(first)} .")
        return (f"INSERT {{ GRAPH <{target}> {{\n{data}\n}} GRAPH {pending} {{ {remembered} }} }} "
                f"WHERE {{ FILTER NOT EXISTS {{ {keyed.held()} }} }}")

    def _made_with(self, keyed: Keyed | None) -> Contribution | None:
        """The contribution a request with this Idempotency-Key made, as first answered; None if none did (or no
        key); Unprocessable (422) if that request was another one."""
        if keyed is None:
            return None
        rows = list(self.store.query_private(
            f"SELECT ?c ?request ?answer WHERE {{ {keyed.held()} GRAPH ?g {{ ?c <{REQUEST}> ?request ; "
            f"<{ANSWER}> ?answer }} }} LIMIT 1"))
        if not rows:
            return None
        if rows[0]["request"].value != keyed.fingerprint:
            raise Unprocessable("this Idempotency-Key was sent before with another body: a new contribution needs "
                                "a new key")
        graph, first = rows[0]["c"].value, json.loads(rows[0]["answer"].value)
        return Contribution(graph[len(GRAPH_CONTRIBUTION):], graph, first["report"], first["status"])

    def replace(self, contribution_id: str, payload: bytes, rdf_format: ox.RdfFormat, holder: Holder,
                comment: str | None = None) -> Contribution:
        """Its contributor replaces a pending contribution, validated like a new one: 404 if they cannot see it,
        403 if it is not theirs, 409 once reviewed. A revision keeps its reason unless `comment` gives another."""
        comment = _comment(comment)
        with self._lock:
            shown = self._visible(contribution_id, holder)
            self._check_own_pending(shown, holder, "replace")
            quads, report = self._checked(payload, rdf_format)
            revisions = self._revisions(quads)
            comment = comment or shown.comment
            if revisions and comment is None:
                after = self._state(contribution_id)  # (`shown` may be stale: reviewed since, it is that)
                if after is None or after.status != "pending":
                    raise Conflict(f"contribution {contribution_id!r} was already reviewed "
                                   f"({after.status if after else 'withdrawn'}): its contributor can no longer "
                                   "replace it")
                raise BadRequest("this contribution proposes a revision, which needs a reason (the comment parameter)")
            record = self._provenance(shown.graph, holder.name, hashlib.sha256(payload).hexdigest(), report, "pending",
                                      comment, revisions)
            with self._alone(contribution_id):
                self.store.update(self._replace_update(contribution_id, [*(q.triple for q in quads), *record]))
                after = self._state(contribution_id)
            if after is None or after.status != "pending":  # a curator decided since the read: nothing was replaced
                raise Conflict(f"contribution {contribution_id!r} was already reviewed "
                                         f"({after.status if after else 'withdrawn'}): its contributor can no longer "
                                         "replace it")
        self.store.replace_graphs(self._report_graph(contribution_id, [*(q.triple for q in quads), *record], report,
                                                     hashlib.sha256(payload).hexdigest(), revisions))
        return Contribution(contribution_id, shown.graph, report, "pending", [r.resource for r in revisions])

    @staticmethod
    def _replace_update(contribution_id: str, triples: list[ox.Triple]) -> str:
        """One SPARQL Update request that replaces the pending graph only while its record still says pending: the
        new graph is staged in a private graph of the contribution's own (emptied first: a request that stopped may
        have left one), then one operation swaps it in, if the record is still pending, and empties the staging
        graph. (A DELETE/INSERT straight from the payload would make its blank nodes anew for each triple the
        condition matched; copied from the staging graph, they are the same nodes.) Stopped before the swap, the
        request changed nothing the service reads; after it, it is done. The contribution's writers take turns
        (Claims, over an external store), so its staging graph is one writer's at a time."""
        pending, public = _graphs(contribution_id)
        staging = f"<{GRAPH_PRIVATE}staging/replacement-{contribution_id}>"
        data = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
        return (f"DROP SILENT GRAPH {staging} ;\n"
                f"INSERT DATA {{ GRAPH {staging} {{\n{data}\n}} }} ;\n"
                f"DELETE {{ GRAPH ?from {{ ?s ?p ?o }} }} INSERT {{ GRAPH {pending} {{ ?s ?p ?n }} }} "
                f'WHERE {{ GRAPH {pending} {{ {public} <{SIKG.status}> "pending" }}\n'
                f"  {{ GRAPH {pending} {{ ?s ?p ?o }} {_not_remembered(public)} BIND({pending} AS ?from) }}"
                f" UNION {{ GRAPH {staging} {{ ?s ?p ?o }} BIND({staging} AS ?from) BIND(?o AS ?n) }} }} ;\n"
                f"DROP SILENT GRAPH {staging}")

    def withdraw_as(self, contribution_id: str, holder: Holder) -> None:
        """DELETE: a curator removes any contribution; its contributor a pending one (with review off, any token
        holder any contribution, as before review existed)."""
        with self._lock, self._alone(contribution_id):
            shown = self._visible(contribution_id, holder)
            if holder.is_curator or not self.reviewed_first:
                self._check_holds_no_current_version(shown)
                self.store.update(self._removal_update(contribution_id))
                return
            self._check_own_pending(shown, holder, "withdraw")
            # Only while it is still pending when the write is applied: a curator may have decided since the read.
            pending, _ = _graphs(contribution_id)
            self.store.update(f"DELETE {{ GRAPH {pending} {{ ?s ?p ?o }} }} "
                              f"{_every_triple_while_pending(contribution_id)}")
            after = self._state(contribution_id)
            if after is None:  # withdrawn: its report goes too
                self.store.remove_graphs([reports.report_graph(contribution_id)])
            if after is not None:
                raise Conflict(f"contribution {contribution_id!r} was already reviewed ({after.status}): "
                                         "its contributor can no longer withdraw it")

    @staticmethod
    def _removal_update(contribution_id: str) -> str:
        """One SPARQL Update request that removes a contribution, public or pending, with the memory of its
        Idempotency-Key, by one operation (a store that applies the operations one by one never holds it public with
        its key forgotten); its report (a cache, made again when asked for) is dropped before, its graphs, empty by
        then, after."""
        pending, public = _graphs(contribution_id)
        return (f"DROP SILENT GRAPH <{reports.report_graph(contribution_id)}> ;\n"
                f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ "
                f"{{ GRAPH {pending} {{ ?s ?p ?o }} BIND({pending} AS ?g) }} "
                f"UNION {{ GRAPH {public} {{ ?s ?p ?o }} BIND({public} AS ?g) }} }} ;\n"
                f"DROP SILENT GRAPH {pending} ;\nDROP SILENT GRAPH {public}")

    def _check_holds_no_current_version(self, shown: Shown) -> None:
        """Conflict (409) for an accepted revision (or withdrawal) whose version is a resource's current one: deleting
        it would take the resource's description away while its history still says it stands (half gone)."""
        if not shown.public or not shown.revisions:
            return
        held = [row["r"].value for row in self.store.query_private(
            f"SELECT ?r WHERE {{ GRAPH <{GRAPH_REVISIONS}> {{ ?r <{SIKG.currentVersion}> ?v }} "
            f"VALUES ?v {{ {' '.join(f'<{r.new}>' for r in shown.revisions)} }} }}")]
        if held:
            raise Conflict(f"contribution {shown.id!r} holds the current version of " + ", ".join(
                f"<{r}>" for r in sorted(held)) + ": deleting it would leave the resource half gone; withdraw the "
                "resource instead (POST /contributions/withdrawals/{kind}/{slug} with a reason), or accept a revision "
                "of it first")

    def _visible(self, contribution_id: str, holder: Holder | None) -> Shown:
        """The contribution if `holder` may see it (public, theirs, or a curator); 404 otherwise."""
        shown = self._state(contribution_id)
        if shown is None or not (shown.public or (holder is not None and (
                holder.is_curator or shown.contributor == holder.name))):
            raise NotFound(f"no contribution {contribution_id!r}")
        return shown

    @staticmethod
    def _check_own_pending(shown: Shown, holder: Holder, what: str) -> None:
        if shown.contributor != holder.name:
            raise NotPermitted(f"only its contributor may {what} this contribution")
        if shown.status != "pending":
            raise Conflict(f"contribution {shown.id!r} was already reviewed ({shown.status}): its "
                                     f"contributor can no longer {what} it")

    @staticmethod
    def _provenance(graph: str, holder: str, sha256: str, report: ValidationReport, status: str | None = None,
                    comment: str | None = None, revisions: list[Revision] = ()) -> list[ox.Triple]:
        """The contribution's PROV record; for a revision, also the new version of each resource it revises
        (prov:wasRevisionOf the version public when it was proposed, made by the contribution's review)."""
        g, agent = ox.NamedNode(graph), ox.BlankNode()
        said = [ox.Triple(g, RDFS.term("comment"), ox.Literal(comment))] if comment else []
        review = ox.NamedNode(f"{graph}#review")
        for revision in revisions:
            new = ox.NamedNode(revision.new)
            said += [ox.Triple(g, SIKG.term("revises"), ox.NamedNode(revision.resource)),
                     ox.Triple(new, RDF.term("type"), PROV.term("Entity")),
                     ox.Triple(new, RDF.term("type"), SIKG.term("Version")),
                     ox.Triple(new, PROV.term("specializationOf"), ox.NamedNode(revision.resource)),
                     ox.Triple(new, PROV.term("wasRevisionOf"), ox.NamedNode(revision.old)),
                     ox.Triple(new, PROV.term("wasDerivedFrom"), g),
                     ox.Triple(new, PROV.term("wasGeneratedBy"), review),
                     ox.Triple(new, PROV.term("wasAttributedTo"), agent),
                     *([ox.Triple(new, RDFS.term("comment"), ox.Literal(comment))] if comment else [])]
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")  # the queue orders by it
        return [
            ox.Triple(g, RDF.term("type"), SIKG.term("Contribution")),
            ox.Triple(g, RDF.term("type"), PROV.term("Entity")),
            ox.Triple(g, PROV.term("generatedAtTime"), ox.Literal(now, datatype=XSD.term("dateTime"))),
            ox.Triple(g, PROV.term("wasAttributedTo"), agent),
            ox.Triple(agent, RDF.term("type"), PROV.term("Agent")),
            ox.Triple(agent, RDFS.term("label"), ox.Literal(holder)),
            ox.Triple(g, SIKG.term("payloadSha256"), ox.Literal(sha256)),
            ox.Triple(g, SIKG.term("validationOutcome"),
                      ox.Literal(f"conforms; {report.count('Warning')} warning(s)")),
            *([ox.Triple(g, SIKG.term("status"), ox.Literal(status))] if status else []),
            *said,
        ]

    # -- reviewing --------------------------------------------------------------------------------------------
    def review_as(self, contribution_id: str, holder: Holder, body: bytes) -> Shown:
        """A curator's decision sent as JSON (POST /contributions/{id}/review): 403 for a contributor, 404 unknown,
        400 for a body that is not {"decision": "accept" | "reject", "comment"}, 409 if it was reviewed already."""
        self._check_curator(holder, "review a contribution")
        with self._lock, self._alone(contribution_id):
            shown = self._visible(contribution_id, holder)
            decision, comment = _decision(body)
            return self._review(shown, holder, decision, comment)

    def review(self, contribution_id: str, holder: Holder, decision: str, comment: str | None) -> Shown:
        """The same decision from the review page's form: 400 for a decision other than accept or reject."""
        self._check_curator(holder, "review a contribution")
        with self._lock, self._alone(contribution_id):
            shown = self._visible(contribution_id, holder)
            if decision not in DECISIONS:
                raise BadRequest('the decision must be "accept" or "reject"')
            return self._review(shown, holder, decision, (comment or "").strip() or None)

    def _review(self, shown: Shown, holder: Holder, decision: str, comment: str | None) -> Shown:
        """Accept publishes the graph at once, reject keeps it private for good; the review and the move are one
        write, which does nothing unless the contribution is still pending when it is applied (`shown` may be
        stale: another process, or another instance over the same store, may have decided since it was read).
        The decision that was applied first stands, and any other is answered 409."""
        if shown.status != "pending":
            raise Conflict(f"contribution {shown.id!r} was already reviewed ({shown.status})")
        with self._alone_on(shown.revises if decision == "accept" else []):
            if decision == "accept" and shown.revisions:
                self._finish_interrupted()  # an accepted revision of the same resource, not yet published, first
            self.store.update(self._review_update(shown.id, holder, decision, comment, shown.revisions))
        after = self.show(shown.id, holder=holder)
        if after.review is None or (after.review["decision"], after.review["by"]) != (decision, holder.name):
            if after.status == "pending":  # the condition on the versions did not hold: nothing was written
                raise Conflict(f"contribution {shown.id!r} revises a version that is no longer the current one "
                               "(another revision was accepted since it was proposed): nothing changed; reject it, "
                               "and its contributor proposes the revision again on the current version")
            raise Conflict(f"contribution {shown.id!r} was already reviewed ({after.status})")
        return after

    @staticmethod
    def _check_curator(holder: Holder, what: str) -> None:
        if not holder.is_curator:
            raise NotPermitted(f"only a curator may {what}")

    @staticmethod
    def _review_update(contribution_id: str, holder: Holder, decision: str, comment: str | None,
                       revisions: list[Revision] = ()) -> str:
        """One SPARQL Update request: the decision recorded (the record's status and the review), only while the
        record still says pending (so that a decision applied since adds nothing); for accept, the record says
        "accepting", and the same request then publishes it (_publish_update). A reject is one operation; an accept
        is the decision, then its publication, which whoever next reads the contribution makes if this request did
        not get to it (the module's docstring).

        Accepting a revision also needs each resource it revises to be still at the version it was proposed on
        (and the pending record to propose just those revisions): then its publication replaces the resource's
        current description. Two revisions of one resource proposed on the same version: the first accepted stands,
        the other changes nothing (409)."""
        pending, public = _graphs(contribution_id)
        condition = ""
        if decision == "accept" and revisions:
            listed = ", ".join(f"<{r.new}>" for r in revisions)
            condition += (f" FILTER NOT EXISTS {{ GRAPH {pending} {{ ?new <{PROV.wasRevisionOf}> ?old }} "
                          f"FILTER(?new NOT IN ({listed})) }}")
            condition += "".join(f" GRAPH {pending} {{ <{r.new}> <{PROV.wasRevisionOf}> <{r.old}> }}"
                                 for r in revisions)
            condition += _still_current(revisions)
        status = ACCEPTING if decision == "accept" else DECISIONS[decision]
        record = _review_record(contribution_id, holder, decision, comment, status, revisions)
        update = (f'DELETE {{ GRAPH {pending} {{ {public} <{SIKG.status}> "pending" }} }} '
                  f"INSERT {{ GRAPH {pending} {{ {record} }} }} "
                  f'WHERE {{ GRAPH {pending} {{ {public} <{SIKG.status}> "pending" }}{condition} }}')
        if decision == "accept":
            update += " ;\n" + _publish_update(contribution_id, revisions)
        return update

    # -- reading ----------------------------------------------------------------------------------------------
    def show(self, contribution_id: str, authorization: str | None = None, holder: Holder | None = None) -> Shown:
        """The contribution with its data, for someone allowed to see it; 404 for anyone else."""
        shown = self._visible(contribution_id, holder or self._holder_or_none(authorization))
        graph = shown.graph if shown.public else GRAPH_PENDING + contribution_id
        private = _not_remembered(f"<{shown.graph}>")  # an Idempotency-Key's memory is the service's own
        shown.triples = list(self.store.query_private(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} {private} }}"))
        return shown

    def _state(self, contribution_id: str) -> Shown | None:
        """The record of a contribution, public or private, or None. One accepted but not yet published (its record
        says "accepting": the request that accepted it stopped between its operations) is published first."""
        shown = self._record(contribution_id)
        if shown is not None and shown.status == ACCEPTING:
            self.store.update(_publish_update(contribution_id, shown.revisions))
            shown = self._record(contribution_id)
            if shown is not None and shown.status == ACCEPTING:
                raise StoreUnavailable(f"the store did not publish the accepted contribution {contribution_id!r}")
        return shown

    def _finish_interrupted(self) -> None:
        """Publishes each contribution accepted but not yet published (_state), so that a listing, or a revision of
        what it revises, finds it done: one lookup, which over a store that applies a request at once finds none."""
        rows = self.store.query_private(f'SELECT ?c WHERE {{ GRAPH ?g {{ ?c <{SIKG.status}> "{ACCEPTING}" }} '
                                        f"{_record_graph('?c', '?g')} }}")
        for contribution in sorted({row["c"].value for row in rows}):
            self._state(contribution[len(GRAPH_CONTRIBUTION):])

    def _record(self, contribution_id: str) -> Shown | None:
        """The record of a contribution as the store holds it, or None."""
        if not _ID.match(contribution_id or ""):
            return None
        public, pending = GRAPH_CONTRIBUTION + contribution_id, GRAPH_PENDING + contribution_id
        rows = list(self.store.query_private(f"""
            SELECT ?g ?status ?when ?who ?outcome ?sha ?review ?decision ?comment ?by ?at WHERE {{
              VALUES ?g {{ <{public}> <{pending}> }}
              GRAPH ?g {{ <{public}> a <{SIKG.Contribution}> ; <{PROV.generatedAtTime}> ?when .
                OPTIONAL {{ <{public}> <{SIKG.status}> ?status }}
                OPTIONAL {{ <{public}> <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }}
                OPTIONAL {{ <{public}> <{SIKG.validationOutcome}> ?outcome }}
                OPTIONAL {{ <{public}> <{SIKG.payloadSha256}> ?sha }}
                OPTIONAL {{ ?review a <{SIKG.Review}> ; <{PROV.used}> <{public}> ; <{SIKG.decision}> ?decision ;
                  <{PROV.endedAtTime}> ?at . OPTIONAL {{ ?review <{RDFS.comment}> ?comment }}
                  OPTIONAL {{ ?review <{PROV.wasAssociatedWith}>/<{RDFS.label}> ?by }} }} }} }} LIMIT 1"""))
        if not rows:
            return None
        value = lambda name: rows[0][name].value if rows[0][name] is not None else None
        in_public = value("g") == public
        status = "accepted" if in_public else (value("status") or "pending")
        if status == "accepted" and not in_public:  # an accept cut before its move by a version before _publish_update
            status = ACCEPTING
        named = isinstance(rows[0]["review"], ox.NamedNode)  # (a review recorded before reviews had IRIs: none)
        review = None if value("decision") is None else {
            "id": value("review") if named else None, "decision": value("decision"), "comment": value("comment"),
            "by": value("by"), "at": value("at")}
        graph = value("g")
        said = list(self.store.query_private(f"SELECT ?reason WHERE {{ GRAPH <{graph}> {{ <{public}> "
                                             f"<{RDFS.comment}> ?reason }} }} LIMIT 1"))
        revisions = [Revision(row["r"].value, row["old"].value, row["new"].value)
                     for row in self.store.query_private(f"""
            SELECT ?r ?old ?new WHERE {{ GRAPH <{graph}> {{ <{public}> <{SIKG.revises}> ?r .
              ?new <{PROV.specializationOf}> ?r ; <{PROV.wasRevisionOf}> ?old ; <{PROV.wasDerivedFrom}> <{public}> }} }}
            ORDER BY ?r""")]
        return Shown(contribution_id, status, value("who"), value("when"), public, value("outcome"), review,
                     comment=said[0]["reason"].value if said else None, revisions=revisions, sha256=value("sha"))

    def pending_page(self, holder: Holder, page: queue.Page) -> queue.Listed:
        """One page of the pending contributions, for a curator's queue: one query (queue.py)."""
        self._check_curator(holder, "see pending contributions")
        self._finish_interrupted()
        return queue.read(self.store.query_private, GRAPH_PENDING, "pending", page)

    # -- the validation report kept with a pending contribution (reports.py) -------------------------------------
    def _report_graph(self, contribution_id: str, data: list, report: ValidationReport, sha256: str,
                      revisions: list[Revision]) -> dict[str, list]:
        """The graph of the report on `data` (the pending graph's triples), to be written with it."""
        revised = [r.resource for r in revisions]
        digest = reports.reference_digest(self.store, data)
        return {reports.report_graph(contribution_id): reports.as_triples(
            contribution_id, report, sha256, digest, reports.summary_of(data, revised))}

    def report_of(self, shown: Shown, again: bool = False) -> tuple[ValidationReport, str]:
        """The report on a pending contribution (`shown`, read with show()) and when it was made: the one kept with
        it, unless the data or what the validation read from the KG changed since (reports.reference_digest), or
        `again` (a curator asks); then it is made anew, and kept."""
        stored = reports.read(self.store, shown.id)
        digest = reports.reference_digest(self.store, shown.triples)
        if stored is not None and not again and stored.digest == digest and stored.sha256 == shown.sha256:
            return stored.report, stored.made
        report = validate_quads(shown.triples, store_reference(self.store))
        self.store.replace_graphs({reports.report_graph(shown.id): reports.as_triples(
            shown.id, report, shown.sha256 or "", digest, reports.summary_of(shown.triples, shown.revises))})
        return report, reports.read(self.store, shown.id).made

    @staticmethod
    def listing_headers(status: str | None) -> dict:
        """The public listing is everyone's; a pending or rejected one is a curator's, and whether it is given at all
        depends on who asks: never stored by a cache, nor given to another from one."""
        if status in (None, "", "accepted"):
            return {}
        return {"Vary": "Authorization, Cookie", "Cache-Control": "private, no-store"}

    def listing(self, status: str | None = None, authorization: str | None = None,
                page: queue.Page | None = None) -> queue.Listed:
        """A page (queue.Page) of the public (accepted) contributions; with status=pending or rejected, of those, for
        a curator only. One query (queue.py)."""
        page = page or queue.Page()
        self._finish_interrupted()
        if status in (None, "", "accepted"):
            if page.kind or page.warnings:
                raise BadRequest("kind and warnings filter pending contributions (status=pending)")
            return queue.read(self.store.query, GRAPH_CONTRIBUTION, None, page)
        if status not in ("pending", "rejected"):
            raise BadRequest("status must be pending, accepted or rejected")
        if not self.holder(authorization).is_curator:
            raise NotPermitted(f"only a curator may list {status} contributions")
        if status != "pending" and (page.kind or page.warnings):
            raise BadRequest("kind and warnings filter pending contributions (status=pending)")
        return queue.read(self.store.query_private, GRAPH_PENDING, status, page)

    @staticmethod
    def _list(query, prefix: str, status: str | None) -> list[dict]:
        """Each record in the graph its id names (a record the data of another contribution states is not one)."""
        marked = f'; <{SIKG.status}> "{status}"' if status else ""
        rows = query(f"""
            SELECT ?c ?when ?who ?sha WHERE {{ GRAPH ?g {{ ?c a <{SIKG.Contribution}> ;
                <{PROV.generatedAtTime}> ?when ; <{SIKG.payloadSha256}> ?sha {marked} .
                OPTIONAL {{ ?c <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }} }}
                FILTER(STRSTARTS(STR(?c), "{GRAPH_CONTRIBUTION}"))
                FILTER(STR(?g) = CONCAT("{prefix}", SUBSTR(STR(?c), {len(GRAPH_CONTRIBUTION) + 1}))) }}
            ORDER BY ?when ?c""")
        entries = [{"id": row["c"].value[len(GRAPH_CONTRIBUTION):], "graph": row["c"].value,
                    "generatedAtTime": row["when"].value, "contributor": row["who"].value if row["who"] else None,
                    "sha256": row["sha"].value} for row in rows]
        return [{**entry, "status": status} for entry in entries] if status else entries
