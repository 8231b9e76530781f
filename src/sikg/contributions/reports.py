"""A contribution's validation report, kept with it (issue 31): made once when the contribution arrives, in the same
write, and shown as it is; made again only when what it depends on changed, or when a curator asks.

The report is a private graph of its own beside the pending graph (report_graph(id); the store layer hides it like
every graph under GRAPH_PRIVATE), in the SHACL report vocabulary: a sh:ValidationReport with sh:conforms and a
sh:result per result (sh:focusNode, sh:resultPath, sh:resultSeverity, sh:sourceShape, sh:sourceConstraint,
sh:sourceConstraintComponent, sh:value, sh:resultMessage in each of its languages). A focus node that is a blank node
is kept as the words the report gives it ("[sikg:… of <iri>]", a literal), and a value as its text: what the review
page shows, exactly as validation gave it. Beside them, what the curator's queue lists without reading the results
(the counts of violations and warnings, the kind of contribution, the name of what it describes), and what the report
depends on:

- `sikg:payloadSha256`, the record's: the data the report is about (a contribution replaced since has another one);
- `sikg:referenceDigest`: a SHA-256 of the shapes, the ontology, and the reference the validation read from the KG
  (the types of every IRI the data names, the existing description of what it describes; shacl.store_reference).
  The same lookup made again gives another digest exactly when the KG changed in a way that can change the report:
  an organisation it names removed, a concept it uses gone, a resource it adds to described anew.

The record (the pending graph) is moved to the public graph when accepted; the report never is.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

import pyoxigraph as ox

from ..namespaces import GRAPH_CONTRIBUTION, GRAPH_PRIVATE, PROV, RDF, RDFS, SH, SIKG, XSD
from ..rdf import content
from ..validation.shacl import ValidationReport, ValidationResult, store_reference

GRAPH_REPORT = GRAPH_PRIVATE + "report/"
KINDS = ("practice", "revision", "batch")  # a new practice, a proposed revision, several practices at once
_T = {name: ns.term(name.split(":")[1]) for ns, names in (
    (SH, ("sh:ValidationReport", "sh:ValidationResult", "sh:conforms", "sh:result", "sh:focusNode", "sh:resultPath",
          "sh:resultSeverity", "sh:sourceShape", "sh:sourceConstraint", "sh:sourceConstraintComponent", "sh:value",
          "sh:resultMessage")),
    (SIKG, ("sikg:reportOf", "sikg:payloadSha256", "sikg:referenceDigest", "sikg:violationCount", "sikg:warningCount",
            "sikg:contributionKind", "sikg:practiceCount", "sikg:resultIndex", "sikg:SupportPractice",
            "sikg:queueEntry")),
    (RDF, ("rdf:type",)), (RDFS, ("rdfs:label",)), (PROV, ("prov:generatedAtTime",))) for name in names}
_SEVERITY = {name: SH.term(name) for name in ("Violation", "Warning", "Info")}


def report_graph(contribution_id: str) -> str:
    return GRAPH_REPORT + contribution_id


def report_iri(contribution_id: str) -> str:
    return f"{GRAPH_CONTRIBUTION}{contribution_id}#report"


@lru_cache(maxsize=1)
def _rules_digest() -> bytes:
    """The shapes and the ontology the reports of this process are made with (a new release may change them)."""
    digest = hashlib.sha256()
    for path in sorted([*content.shape_files(), *content.ontology_files()]):
        digest.update(path.read_bytes())
    return digest.digest()


def _written(term) -> str:
    """A term as text, a blank node as "_:" (its label differs from one lookup to the next; what it says does not)."""
    return "_:" if isinstance(term, ox.BlankNode) else str(term)


def reference_digest(store, triples) -> str:
    """The digest of what validating `triples` reads from `store` (see the module's docstring): two lookups."""
    iris = {t.value for q in triples for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    subjects = {q.subject.value for q in triples if isinstance(q.subject, ox.NamedNode)}
    looked_up = sorted(" ".join(_written(t) for t in triple) for triple in store_reference(store)(iris, subjects))
    digest = hashlib.sha256(_rules_digest())
    digest.update("\n".join(looked_up).encode("utf-8"))
    return digest.hexdigest()


def _practices(triples) -> list[str]:
    practice = _T["sikg:SupportPractice"]
    return sorted({t.subject.value for t in triples if t.predicate == _T["rdf:type"] and t.object == practice})


def kind_of(triples, revises: list) -> str:
    if revises:
        return "revision"
    return "batch" if len(_practices(triples)) > 1 else "practice"


def _names(triples, revises: list) -> list[ox.Literal]:
    """The labels of what the contribution is about: its (first) practice's, or the first resource it revises."""
    about = sorted(revises)[0] if revises else next(iter(_practices(triples)), None)
    return [t.object for t in triples if t.subject.value == about and t.predicate == _T["rdfs:label"]
            and isinstance(t.object, ox.Literal)]


@dataclass
class Summary:
    """What the queue lists of a contribution, beside its record."""
    kind: str
    practices: int
    names: list  # ox.Literal


def summary_of(triples, revises: list) -> Summary:
    return Summary(kind_of(triples, revises), len(_practices(triples)), _names(triples, revises))


def as_triples(contribution_id: str, report: ValidationReport, sha256: str, digest: str,
               summary: Summary) -> list[ox.Triple]:
    """The report graph's triples."""
    node = ox.NamedNode(report_iri(contribution_id))
    now = ox.Literal(datetime.now(timezone.utc).isoformat(timespec="seconds"), datatype=XSD.term("dateTime"))
    triples = [ox.Triple(node, _T["rdf:type"], _T["sh:ValidationReport"]),
               ox.Triple(node, _T["sh:conforms"], ox.Literal(report.conforms)),
               ox.Triple(node, _T["sikg:reportOf"], ox.NamedNode(GRAPH_CONTRIBUTION + contribution_id)),
               ox.Triple(node, _T["prov:generatedAtTime"], now),
               ox.Triple(node, _T["sikg:payloadSha256"], ox.Literal(sha256)),
               ox.Triple(node, _T["sikg:referenceDigest"], ox.Literal(digest)),
               ox.Triple(node, _T["sikg:violationCount"], ox.Literal(report.count("Violation"))),
               ox.Triple(node, _T["sikg:warningCount"], ox.Literal(report.count("Warning"))),
               ox.Triple(node, _T["sikg:contributionKind"], ox.Literal(summary.kind)),
               ox.Triple(node, _T["sikg:practiceCount"], ox.Literal(summary.practices)),
               *(ox.Triple(node, _T["rdfs:label"], name) for name in summary.names),
               ox.Triple(node, _T["sikg:queueEntry"], ox.Literal(queue_entry(report, sha256, summary)))]
    for index, result in enumerate(report.results):
        triples += _result_triples(node, ox.BlankNode(), index, result)
    return triples


def queue_entry(report: ValidationReport, sha256: str, summary: Summary) -> str:
    """What the queue shows of the report, as one JSON literal: one triple to read per line of a page, where
    reading the same from the triples above costs a lookup each (bench/README.md, "Reviewing at scale")."""
    return json.dumps({"sha256": sha256, "kind": summary.kind, "practices": summary.practices,
                       "warnings": report.count("Warning"), "violations": report.count("Violation"),
                       "names": {name.language or "": name.value for name in summary.names}},
                      ensure_ascii=False, sort_keys=True)


def _node(text: str | None):
    """An IRI as an IRI; anything else (a blank node's words, "[complex path]") as the literal text it is."""
    if text is None:
        return None
    if ":" in text and not text.startswith("[") and " " not in text:
        try:
            return ox.NamedNode(text)
        except ValueError:
            pass
    return ox.Literal(text)


def _result_triples(report: ox.NamedNode, node: ox.BlankNode, index: int, r: ValidationResult) -> list[ox.Triple]:
    said = [(_T["rdf:type"], _T["sh:ValidationResult"]), (_T["sikg:resultIndex"], ox.Literal(index)),
            (_T["sh:focusNode"], _node(r.focus_node)), (_T["sh:resultPath"], _node(r.path)),
            (_T["sh:resultSeverity"], _SEVERITY.get(r.severity, SH.term(r.severity))),
            (_T["sh:sourceShape"], _node(r.source_shape)), (_T["sh:sourceConstraint"], _node(r.source_constraint)),
            (_T["sh:sourceConstraintComponent"], _node(r.constraint_component)),
            (_T["sh:value"], None if r.value is None else ox.Literal(r.value))]
    messages = r.messages or {"": r.message}
    said += [(_T["sh:resultMessage"], ox.Literal(text, language=language) if language else ox.Literal(text))
             for language, text in messages.items()]
    return [ox.Triple(report, _T["sh:result"], node)] + [ox.Triple(node, p, o) for p, o in said if o is not None]


@dataclass
class Stored:
    """A report read back: the report itself, and what it was made from."""
    report: ValidationReport
    sha256: str
    digest: str
    made: str


def read(store, contribution_id: str) -> Stored | None:
    """The stored report of a contribution (one query), None if there is none."""
    graph, node = report_graph(contribution_id), report_iri(contribution_id)
    rows = list(store.query_private(f"""
        SELECT ?sha ?digest ?made ?result ?p ?o WHERE {{ GRAPH <{graph}> {{
          <{node}> <{SIKG.payloadSha256}> ?sha ; <{SIKG.referenceDigest}> ?digest ; <{PROV.generatedAtTime}> ?made .
          OPTIONAL {{ <{node}> <{SH.result}> ?result . ?result ?p ?o }} }} }}"""))
    if not rows:
        return None
    by_result: dict = {}
    for row in rows:
        if row["result"] is not None:
            by_result.setdefault(row["result"], []).append((row["p"], row["o"]))
    results = sorted((_result(said) for said in by_result.values()), key=lambda pair: pair[0])
    listed = [result for _, result in results]
    report = ValidationReport(not any(r.severity == "Violation" for r in listed), listed)
    first = rows[0]
    return Stored(report, first["sha"].value, first["digest"].value, first["made"].value)


def _result(said: list) -> tuple[int, ValidationResult]:
    one: dict = {}
    messages: dict[str, str] = {}
    for predicate, obj in said:
        if predicate == _T["sh:resultMessage"]:
            messages[obj.language or ""] = obj.value
        else:
            one[predicate] = obj.value
    value = lambda p: one.get(p)
    english = messages.get("en") or messages.get("") or next(iter(messages.values()), "")
    return int(value(_T["sikg:resultIndex"]) or 0), ValidationResult(
        focus_node=value(_T["sh:focusNode"]), path=value(_T["sh:resultPath"]),
        severity=(value(_T["sh:resultSeverity"]) or "").rsplit("#", 1)[-1], message=english,
        source_shape=value(_T["sh:sourceShape"]), source_constraint=value(_T["sh:sourceConstraint"]),
        constraint_component=value(_T["sh:sourceConstraintComponent"]), value=value(_T["sh:value"]),
        messages=dict(sorted(messages.items())))
