"""Contributions: conforming RDF from a token holder becomes a named graph of its own, with its provenance.

A contribution is validated against the shapes with the store as reference; only conforming data is written, in one
transaction together with the PROV record of the graph (when, by whom, the payload's sha256, the outcome), so the
KG never holds half a contribution or a contribution without its provenance. Withdrawing one drops its graph.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pyoxigraph as ox

from .jsonld import confusable_iris
from .namespaces import GRAPH_CONTRIBUTION, PROV, RDF, RDFS, SIKG, XSD
from .rdf_input import RdfInputError, parse_upload
from .settings import Settings
from .tokens import ContributionsDisabled, NotAuthorised  # noqa: F401 (they lived here; old imports keep working)
from .tokens import Holder, TokenRegistry, authenticate, registry_for
from .validation import ValidationReport, store_reference, validate_quads

_ID = re.compile(r"^[0-9a-f]{16}$")


class NotConforming(Exception):
    def __init__(self, report: ValidationReport):
        super().__init__("the data does not conform to the sikg shapes")
        self.report = report


@dataclass
class Contribution:
    id: str
    graph: str
    report: ValidationReport


class Contributions:
    def __init__(self, store, tokens: TokenRegistry | None = None, env_tokens: dict | None = None):
        self.store = store
        self.tokens = registry_for(store) if tokens is None else tokens  # the people (sikg token add)
        # SIKG_CONTRIB_TOKEN's tokens: token -> holder's label, contributors
        self.env_tokens = Settings.from_environment().contrib_tokens if env_tokens is None else env_tokens

    def holder(self, authorization: str | None) -> Holder:
        """The token holder, or an exception that says why not (403 off, 401 missing, 403 wrong or revoked)."""
        return authenticate(authorization, self.tokens, self.env_tokens)

    def contribute(self, payload: bytes, rdf_format: ox.RdfFormat, holder: Holder) -> Contribution:
        """Raises RdfInputError for unreadable data, NotConforming (with the report) for data that fails the shapes."""
        quads = parse_upload(payload, rdf_format, "request body")
        confusable = confusable_iris(quads)
        if confusable:  # the KG must stay writable as JSON-LD (its exports, its /id pages)
            raise RdfInputError("request body", f"IRI <{confusable[0]}> looks like a compact IRI of the sikg context "
                                                f"(its scheme is one of the context's prefixes); use a full IRI")
        report = validate_quads(quads, store_reference(self.store))
        if not report.conforms:
            raise NotConforming(report)
        contribution_id = uuid.uuid4().hex[:16]
        graph = GRAPH_CONTRIBUTION + contribution_id
        record = self._provenance(graph, holder.name, hashlib.sha256(payload).hexdigest(), report)
        self.store.replace_graphs({graph: [*(q.triple for q in quads), *record]})
        return Contribution(contribution_id, graph, report)

    @staticmethod
    def _provenance(graph: str, holder: str, sha256: str, report: ValidationReport) -> list[ox.Triple]:
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
        ]

    def listing(self) -> list[dict]:
        rows = self.store.query(f"""
            SELECT ?g ?when ?who ?sha WHERE {{ GRAPH ?g {{ ?g a <{SIKG.Contribution}> ;
                <{PROV.generatedAtTime}> ?when ; <{SIKG.payloadSha256}> ?sha .
                OPTIONAL {{ ?g <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }} }} }} ORDER BY ?when ?g""")
        return [{"id": row["g"].value[len(GRAPH_CONTRIBUTION):], "graph": row["g"].value,
                 "generatedAtTime": row["when"].value, "contributor": row["who"].value if row["who"] else None,
                 "sha256": row["sha"].value} for row in rows]

    def graph_of(self, contribution_id: str) -> str | None:
        if not _ID.match(contribution_id or ""):
            return None
        graph = GRAPH_CONTRIBUTION + contribution_id
        return graph if graph in self.store.named_graphs() else None

    def triples(self, contribution_id: str) -> list[ox.Triple] | None:
        graph = self.graph_of(contribution_id)
        if graph is None:
            return None
        return list(self.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))

    def withdraw(self, contribution_id: str) -> bool:
        graph = self.graph_of(contribution_id)
        if graph is None:
            return False
        self.store.remove_graphs([graph])
        return True
