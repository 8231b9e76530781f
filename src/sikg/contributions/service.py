"""Contributions: conforming RDF from a token holder becomes a named graph of its own, with its provenance.

A contribution is validated against the shapes with the store as reference; only conforming data is written, in one
transaction together with the PROV record of the graph (when, by whom, the payload's sha256, the outcome), so the
KG never holds half a contribution or a contribution without its provenance. Withdrawing one drops its graph.

With review on (Settings.review, the default) conforming data is first kept in a private graph (GRAPH_PENDING + id,
which no public route shows: the store layer hides it), its record marked sikg:status "pending". A curator's review
adds a sikg:Review activity (who, when, the decision, a comment) to the record and, for "accept", makes the graph
public as GRAPH_CONTRIBUTION + id, in one write; a rejected contribution stays private for good. Its contributor may
replace or withdraw it while it is pending. With review off, conforming data is public at once, as before. The
record's subject is always the public graph's IRI, GRAPH_CONTRIBUTION + id, the name the data has once public.
"""

import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyoxigraph as ox

from ..errors import ProtocolError
from ..namespaces import GRAPH_CONTRIBUTION, GRAPH_PENDING, GRAPH_PRIVATE, PROV, RDF, RDFS, SIKG, XSD
from ..rdf.jsonld import confusable_iris
from ..rdf.reading import RdfInputError, parse_upload
from ..settings import Settings
from ..validation.shacl import ValidationReport, store_reference, validate_quads
from .tokens import ContributionsDisabled, Holder, NotAuthorised, TokenRegistry, authenticate, registry_for  # noqa: F401 (they lived here; old imports keep working)

_ID = re.compile(r"^[0-9a-f]{16}$")
RESERVED = (GRAPH_CONTRIBUTION, GRAPH_PRIVATE)  # IRIs a contribution's data may not use as subject or object
DECISIONS = {"accept": "accepted", "reject": "rejected"}
# What GET /contributions/{id} answers: the status as JSON, or the graph's RDF (the first wins for */*, as before).
SHOWN_MEDIA_TYPES = ("text/turtle", "application/json", "application/ld+json", "application/n-triples",
                     "application/rdf+xml", "application/n-quads", "application/trig")


class NotConforming(Exception):
    def __init__(self, report: ValidationReport):
        super().__init__("the data does not conform to the sikg shapes")
        self.report = report


@dataclass
class Contribution:
    id: str
    graph: str  # the graph it is published as (once accepted, when under review)
    report: ValidationReport
    status: str = "accepted"  # "pending" while under review

    @property
    def http_status(self) -> int:
        return 202 if self.status == "pending" else 201

    def as_json(self, location: str) -> dict:
        return {"id": self.id, "status": self.status, "graph": self.graph, "location": location,
                **self.report.as_json()}


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

    @property
    def public(self) -> bool:
        return self.status == "accepted"

    @property
    def headers(self) -> dict:
        """The answer varies on who asks; one that is not public is never stored by a cache."""
        return {"Vary": "Accept, Authorization", **({} if self.public else {"Cache-Control": "private, no-store"})}

    def as_json(self) -> dict:
        return {"id": self.id, "status": self.status, "contributor": self.contributor, "submitted": self.submitted,
                "graph": self.graph, "report": self.report, "review": self.review}


def wants_status(accept, format_name: str | None) -> bool:
    """Whether GET /contributions/{id} should answer the status as JSON (format=json, or Accept prefers it)."""
    if format_name:
        return format_name == "json"
    return accept.best_match(SHOWN_MEDIA_TYPES, default="text/turtle") == "application/json"


def _decision(body: bytes) -> tuple[str, str | None]:
    """The review's decision and comment from its JSON body; 400 for anything else."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(400, 'the review must be a JSON object: {"decision": "accept" | "reject", '
                                 '"comment": "..."}') from None
    if not isinstance(value, dict) or not isinstance(value.get("decision"), str) or value["decision"] not in DECISIONS:
        raise ProtocolError(400, 'the decision must be "accept" or "reject"')
    comment = value.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ProtocolError(400, "the comment must be a string")
    return value["decision"], comment or None


def _graphs(contribution_id: str) -> tuple[str, str]:
    """A contribution's pending graph and the graph it is published as, written for SPARQL."""
    return f"<{GRAPH_PENDING + contribution_id}>", f"<{GRAPH_CONTRIBUTION + contribution_id}>"


def _every_triple_while(contribution_id: str, status: str) -> str:
    """A WHERE clause: every triple of the pending graph, as long as its record there says `status` when the update
    is applied (the condition each status change checks inside its own write)."""
    pending, public = _graphs(contribution_id)
    return f'WHERE {{ GRAPH {pending} {{ {public} <{SIKG.status}> "{status}" . ?s ?p ?o }} }}'


class Contributions:
    _lock = threading.RLock()  # this process's reviews, replacements and withdrawals, one at a time

    def __init__(self, store, tokens: TokenRegistry | None = None, env_tokens: dict | None = None,
                 reviewed_first: bool = True):
        self.store = store
        self.reviewed_first = reviewed_first  # Settings.review: off, a contribution is public at once (201)
        self.tokens = registry_for(store) if tokens is None else tokens  # the people (sikg token add)
        # SIKG_CONTRIB_TOKEN's tokens: token -> holder's label, contributors
        self.env_tokens = Settings.from_environment().contrib_tokens if env_tokens is None else env_tokens

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
        quads = parse_upload(payload, rdf_format, "request body")
        confusable = confusable_iris(quads)
        if confusable:  # the KG must stay writable as JSON-LD (its exports, its /id pages)
            raise RdfInputError("request body", f"IRI <{confusable[0]}> looks like a compact IRI of the sikg context "
                                                f"(its scheme is one of the context's prefixes); use a full IRI")
        reserved = next((t.value for q in quads for t in (q.subject, q.object)
                         if isinstance(t, ox.NamedNode) and t.value.startswith(RESERVED)), None)
        if reserved:  # a contribution's record and review are the service's to write
            raise ProtocolError(400, f"the data may not describe or point at <{reserved}>: the names of "
                                     f"contributions' graphs are the service's own")
        report = validate_quads(quads, store_reference(self.store))
        if not report.conforms:
            raise NotConforming(report)
        return quads, report

    def contribute(self, payload: bytes, rdf_format: ox.RdfFormat, holder: Holder) -> Contribution:
        """Public at once with review off; pending (private) with review on. Raises RdfInputError, NotConforming."""
        quads, report = self._checked(payload, rdf_format)
        contribution_id = uuid.uuid4().hex[:16]
        graph = GRAPH_CONTRIBUTION + contribution_id
        status = "pending" if self.reviewed_first else None
        record = self._provenance(graph, holder.name, hashlib.sha256(payload).hexdigest(), report, status)
        target = GRAPH_PENDING + contribution_id if self.reviewed_first else graph
        self.store.replace_graphs({target: [*(q.triple for q in quads), *record]})
        return Contribution(contribution_id, graph, report, status or "accepted")

    def replace(self, contribution_id: str, payload: bytes, rdf_format: ox.RdfFormat, holder: Holder) -> Contribution:
        """Its contributor replaces a pending contribution, validated like a new one: 404 if they cannot see it,
        403 if it is not theirs, 409 once reviewed."""
        with self._lock:
            shown = self._visible(contribution_id, holder)
            self._check_own_pending(shown, holder, "replace")
            quads, report = self._checked(payload, rdf_format)
            record = self._provenance(shown.graph, holder.name, hashlib.sha256(payload).hexdigest(), report, "pending")
            self.store.update(self._replace_update(contribution_id, [*(q.triple for q in quads), *record]))
            after = self._state(contribution_id)
            if after is None or after.status != "pending":  # a curator decided since the read: nothing was replaced
                raise ProtocolError(409, f"contribution {contribution_id!r} was already reviewed "
                                         f"({after.status if after else 'withdrawn'}): its contributor can no longer "
                                         "replace it")
        return Contribution(contribution_id, shown.graph, report, "pending")

    @staticmethod
    def _replace_update(contribution_id: str, triples: list[ox.Triple]) -> str:
        """One SPARQL Update request that replaces the pending graph only while its record still says pending: the
        new graph is staged in a private graph of its own, marked there only if the old one was pending (and so
        removed), and moved in only if marked. (A DELETE/INSERT straight from the payload would make its blank nodes
        anew for each triple the condition matched.)"""
        pending, public = _graphs(contribution_id)
        staging = f"<{GRAPH_PRIVATE}staging/{uuid.uuid4().hex}>"
        marked = f'{staging} <{SIKG.status}> "replacing"'
        data = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
        return (f"INSERT DATA {{ GRAPH {staging} {{\n{data}\n}} }} ;\n"
                f"DELETE {{ GRAPH {pending} {{ ?s ?p ?o }} }} INSERT {{ GRAPH {staging} {{ {marked} }} }} "
                f"{_every_triple_while(contribution_id, 'pending')} ;\n"
                f"INSERT {{ GRAPH {pending} {{ ?s ?p ?o }} }} "
                f"WHERE {{ GRAPH {staging} {{ {marked} . ?s ?p ?o }} FILTER(?s != {staging}) }} ;\n"
                f"DROP SILENT GRAPH {staging}")

    def withdraw_as(self, contribution_id: str, holder: Holder) -> None:
        """DELETE: a curator removes any contribution; its contributor a pending one (with review off, any token
        holder any contribution, as before review existed)."""
        with self._lock:
            shown = self._visible(contribution_id, holder)
            if holder.is_curator or not self.reviewed_first:
                self.store.remove_graphs([GRAPH_PENDING + contribution_id, GRAPH_CONTRIBUTION + contribution_id])
                return
            self._check_own_pending(shown, holder, "withdraw")
            # Only while it is still pending when the write is applied: a curator may have decided since the read.
            pending, _ = _graphs(contribution_id)
            self.store.update(f"DELETE {{ GRAPH {pending} {{ ?s ?p ?o }} }} "
                              f"{_every_triple_while(contribution_id, 'pending')}")
            after = self._state(contribution_id)
            if after is not None:
                raise ProtocolError(409, f"contribution {contribution_id!r} was already reviewed ({after.status}): "
                                         "its contributor can no longer withdraw it")

    def _visible(self, contribution_id: str, holder: Holder | None) -> Shown:
        """The contribution if `holder` may see it (public, theirs, or a curator); 404 otherwise."""
        shown = self._state(contribution_id)
        if shown is None or not (shown.public or (holder is not None and (
                holder.is_curator or shown.contributor == holder.name))):
            raise ProtocolError(404, f"no contribution {contribution_id!r}")
        return shown

    @staticmethod
    def _check_own_pending(shown: Shown, holder: Holder, what: str) -> None:
        if shown.contributor != holder.name:
            raise ProtocolError(403, f"only its contributor may {what} this contribution")
        if shown.status != "pending":
            raise ProtocolError(409, f"contribution {shown.id!r} was already reviewed ({shown.status}): its "
                                     f"contributor can no longer {what} it")

    @staticmethod
    def _provenance(graph: str, holder: str, sha256: str, report: ValidationReport,
                    status: str | None = None) -> list[ox.Triple]:
        g, agent = ox.NamedNode(graph), ox.BlankNode()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
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
        ]

    # -- reviewing --------------------------------------------------------------------------------------------
    def review_as(self, contribution_id: str, holder: Holder, body: bytes) -> Shown:
        """A curator's decision sent as JSON (POST /contributions/{id}/review): 403 for a contributor, 404 unknown,
        400 for a body that is not {"decision": "accept" | "reject", "comment"}, 409 if it was reviewed already."""
        self._check_curator(holder, "review a contribution")
        with self._lock:
            shown = self._visible(contribution_id, holder)
            decision, comment = _decision(body)
            return self._review(shown, holder, decision, comment)

    def review(self, contribution_id: str, holder: Holder, decision: str, comment: str | None) -> Shown:
        """The same decision from the review page's form: 400 for a decision other than accept or reject."""
        self._check_curator(holder, "review a contribution")
        with self._lock:
            shown = self._visible(contribution_id, holder)
            if decision not in DECISIONS:
                raise ProtocolError(400, 'the decision must be "accept" or "reject"')
            return self._review(shown, holder, decision, (comment or "").strip() or None)

    def _review(self, shown: Shown, holder: Holder, decision: str, comment: str | None) -> Shown:
        """Accept publishes the graph at once, reject keeps it private for good; the review and the move are one
        write, which does nothing unless the contribution is still pending when it is applied (`shown` may be
        stale: another process, or another instance over the same store, may have decided since it was read).
        The decision that was applied first stands, and any other is answered 409."""
        if shown.status != "pending":
            raise ProtocolError(409, f"contribution {shown.id!r} was already reviewed ({shown.status})")
        self.store.update(self._review_update(shown.id, holder, decision, comment))
        after = self.show(shown.id, holder=holder)
        if after.review is None or (after.review["decision"], after.review["by"]) != (decision, holder.name):
            raise ProtocolError(409, f"contribution {shown.id!r} was already reviewed ({after.status})")
        return after

    def pending(self, holder: Holder) -> list[Shown]:
        """The pending contributions with their data, oldest first, for a curator's review page."""
        self._check_curator(holder, "see pending contributions")
        return [self.show(entry["id"], holder=holder)
                for entry in self._list(self.store.query_private, GRAPH_PENDING, "pending")]

    @staticmethod
    def _check_curator(holder: Holder, what: str) -> None:
        if not holder.is_curator:
            raise ProtocolError(403, f"only a curator may {what}")

    @staticmethod
    def _review_update(contribution_id: str, holder: Holder, decision: str, comment: str | None) -> str:
        """One SPARQL Update request: the review recorded, only while the record still says pending (so that a
        decision applied since adds nothing), and, for accept, the pending graph moved to the public one only if
        its record now says accepted (a rejected contribution is never moved, whatever was read before)."""
        pending, public = _graphs(contribution_id)
        now = ox.Literal(datetime.now(timezone.utc).isoformat(timespec="seconds"), datatype=XSD.term("dateTime"))
        said = f" ; <{RDFS.comment}> {ox.Literal(comment)}" if comment else ""
        record = (f'{public} <{SIKG.status}> "{DECISIONS[decision]}" . _:review a <{SIKG.Review}>, <{PROV.Activity}> ; '
                  f'<{PROV.used}> {public} ; <{PROV.wasAssociatedWith}> _:curator ; <{PROV.endedAtTime}> {now} ; '
                  f'<{SIKG.decision}> "{decision}"{said} . _:curator a <{PROV.Agent}> ; '
                  f'<{RDFS.label}> {ox.Literal(holder.name)} .')
        update = (f'DELETE {{ GRAPH {pending} {{ {public} <{SIKG.status}> "pending" }} }} '
                  f'INSERT {{ GRAPH {pending} {{ {record} }} }} '
                  f'WHERE {{ GRAPH {pending} {{ {public} <{SIKG.status}> "pending" }} }}')
        if decision == "accept":
            update += (f' ;\nDELETE {{ GRAPH {pending} {{ ?s ?p ?o }} }} INSERT {{ GRAPH {public} {{ ?s ?p ?o }} }} '
                       f"{_every_triple_while(contribution_id, 'accepted')}")
        return update

    # -- reading ----------------------------------------------------------------------------------------------
    def show(self, contribution_id: str, authorization: str | None = None, holder: Holder | None = None) -> Shown:
        """The contribution with its data, for someone allowed to see it; 404 for anyone else."""
        shown = self._visible(contribution_id, holder or self._holder_or_none(authorization))
        graph = shown.graph if shown.public else GRAPH_PENDING + contribution_id
        shown.triples = list(self.store.query_private(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
        return shown

    def _state(self, contribution_id: str) -> Shown | None:
        """The record of a contribution, public or private, or None."""
        if not _ID.match(contribution_id or ""):
            return None
        public, pending = GRAPH_CONTRIBUTION + contribution_id, GRAPH_PENDING + contribution_id
        rows = list(self.store.query_private(f"""
            SELECT ?g ?status ?when ?who ?outcome ?decision ?comment ?by ?at WHERE {{
              VALUES ?g {{ <{public}> <{pending}> }}
              GRAPH ?g {{ <{public}> a <{SIKG.Contribution}> ; <{PROV.generatedAtTime}> ?when .
                OPTIONAL {{ <{public}> <{SIKG.status}> ?status }}
                OPTIONAL {{ <{public}> <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }}
                OPTIONAL {{ <{public}> <{SIKG.validationOutcome}> ?outcome }}
                OPTIONAL {{ ?review a <{SIKG.Review}> ; <{PROV.used}> <{public}> ; <{SIKG.decision}> ?decision ;
                  <{PROV.endedAtTime}> ?at . OPTIONAL {{ ?review <{RDFS.comment}> ?comment }}
                  OPTIONAL {{ ?review <{PROV.wasAssociatedWith}>/<{RDFS.label}> ?by }} }} }} }} LIMIT 1"""))
        if not rows:
            return None
        value = lambda name: rows[0][name].value if rows[0][name] is not None else None
        in_public = value("g") == public
        status = "accepted" if in_public else (value("status") or "pending")
        review = None if value("decision") is None else {
            "decision": value("decision"), "comment": value("comment"), "by": value("by"), "at": value("at")}
        return Shown(contribution_id, status, value("who"), value("when"), public, value("outcome"), review)

    @staticmethod
    def listing_headers(status: str | None) -> dict:
        """The public listing is everyone's; a pending or rejected one is a curator's, and whether it is given at all
        depends on who asks: never stored by a cache, nor given to another from one."""
        if status in (None, "", "accepted"):
            return {}
        return {"Vary": "Authorization, Cookie", "Cache-Control": "private, no-store"}

    def listing(self, status: str | None = None, authorization: str | None = None) -> list[dict]:
        """The public (accepted) contributions; with status=pending or rejected, those, for a curator only."""
        if status in (None, "", "accepted"):
            return self._list(self.store.query, GRAPH_CONTRIBUTION, None)
        if status not in ("pending", "rejected"):
            raise ProtocolError(400, "status must be pending, accepted or rejected")
        if not self.holder(authorization).is_curator:
            raise ProtocolError(403, f"only a curator may list {status} contributions")
        return self._list(self.store.query_private, GRAPH_PENDING, status)

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
