"""SHACL validation of RDF against sikg's shapes, with the ontology and the known resources the data refers to (the
curated data's, or in the service the store's) as context.

One module serves `sikg validate`, POST /validate, the validation page and POST /contributions. Parsing is Oxigraph's
(fast, with line and column on errors). The checking is done by the engine of engine.py (plain dictionaries of Oxigraph
terms, and the SHACL-SPARQL constraints as SPARQL on Oxigraph), which gives pySHACL's results; pySHACL stays the
reference (`validate_quads(..., engine="pyshacl")`, which tests/test_validation_engines.py compares with), and it
validates whenever the shapes use SHACL the engine does not know. The report is the same either way: its results, and
the sh:ValidationReport graph that pySHACL makes (built only when a client asks for the report as RDF).
"""

import gc
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import orjson
import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.rdfutil import clone_blank_node
from rdflib.plugins.sparql import processor

from .. import namespaces
from ..rdf import content, jsonld
from . import engine as fast

SH = rdflib.Namespace(str(namespaces.SH))  # the same namespace, as rdflib's kind


def _prepare_sparql_once() -> None:
    """pySHACL runs each SPARQL constraint once per focus node with the same text and new initBindings, and rdflib
    parses that text every time. Caching the translated query is rdflib's own prepared-query
    pattern (a Query object evaluated with different initBindings); it makes SPARQL constraints cost their evaluation
    only. The queries so prepared are those of sikg's shapes: client data never reaches a query text."""
    if getattr(processor.SPARQLProcessor.query, "_sikg_prepared", False):
        return
    original = processor.SPARQLProcessor.query

    @lru_cache(maxsize=512)
    def prepare(text, base, namespaces):
        return processor.translateQuery(processor.parseQuery(text), base, dict(namespaces))

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            strOrQuery = prepare(strOrQuery, base, tuple(sorted((initNs or {}).items())))
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    query._sikg_prepared = True
    processor.SPARQLProcessor.query = query


_prepare_sparql_once()


def _write_sparql_messages_literally() -> None:
    """pySHACL writes a SPARQL constraint's row into its message with re.sub and the value as the replacement
    template, so a value holding a backslash ("a\\d" as an element, say) stopped the validation with re.error: a 500
    for POST /validate. Here the value is written as it is (as the fast engine writes it): the same message for every
    value without a backslash, and a message instead of a crash for one with it."""
    method = ConstraintComponent._format_sparql_based_result_message
    if getattr(method, "_sikg_literal", False):
        return

    def format_message(self, msg, bound_vars):
        if bound_vars is None:
            return msg
        return fast.format_message(msg, bound_vars)

    format_message._sikg_literal = True
    ConstraintComponent._format_sparql_based_result_message = format_message


_write_sparql_messages_literally()

# pySHACL and rdflib's SPARQL parser (pyparsing) are not thread-safe: the first validations of a process, run at once
# in several threads, corrupt the parser for good. The service's threads therefore validate one at a time.
_VALIDATION_LOCK = threading.Lock()


def to_rdflib(quads) -> rdflib.Graph:
    """Copies Oxigraph triples into an rdflib graph (the graph names are dropped: validation sees one graph)."""
    graph = rdflib.Graph()
    for quad in quads:
        graph.add(tuple(fast.to_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    return to_rdflib(q for f in content.shape_files() for q in content.read(f))


@lru_cache(maxsize=1)
def ontology_graph() -> rdflib.Graph:
    return to_rdflib(q for f in content.ontology_files() for q in content.read(f))


@lru_cache(maxsize=1)
def _curated_types() -> dict[str, list[str]]:
    types: dict = {}
    for f in content.data_files():
        for quad in content.read(f):
            if quad.predicate.value == str(rdflib.RDF.type) and isinstance(quad.subject, ox.NamedNode):
                types.setdefault(quad.subject.value, []).append(quad.object.value)
    return types


def curated_reference(iris: set[str], subjects: set[str] = frozenset()) -> list:
    """The reference when no store is at hand: the curated data's types of `iris`. (Re-describing a curated resource
    is checked against its existing description only by the service, which has the store.) Oxigraph triples, as
    (subject, predicate, object), like every reference."""
    types = _curated_types()
    return [(ox.NamedNode(iri), fast.TYPE, ox.NamedNode(t)) for iri in iris for t in types.get(iri, ())]


def store_reference(store):
    """The reference for a service, looked up for exactly the input's IRIs, so the cost follows the input and not
    the size of the store: the types of every IRI it names (so sh:class accepts an existing organisation), and the
    whole existing description of every resource it describes (so adding to a resource is checked together with
    what it already says: a second English label is a violation, not a silent duplicate), except a practice or an
    organisation (namespaces.REVISABLE), whose description the input replaces whole (a proposed revision)."""
    def lookup(iris: set[str], subjects: set[str] = frozenset()) -> list:
        subjects = {s for s in subjects if not s.startswith(namespaces.REVISABLE)}
        triples, ordered = [], sorted(iris)
        for start in range(0, len(ordered), 500):
            block = namespaces.values("s", ordered[start:start + 500])
            for row in store.query(f"SELECT ?s ?t WHERE {{ {block} ?s a ?t }}"):
                triples.append((row["s"], fast.TYPE, row["t"]))
        described = sorted(subjects)
        for start in range(0, len(described), 200):
            block = namespaces.values("s", described[start:start + 200])
            for triple in store.query(f"""CONSTRUCT {{ ?s ?p ?o . ?o ?bp ?bo }} WHERE {{ {block}
                                          ?s ?p ?o . OPTIONAL {{ ?o ?bp ?bo . FILTER(isBlank(?o)) }} }}"""):
                triples.append((triple.subject, triple.predicate, triple.object))
        return triples
    return lookup


def context_for(data: rdflib.Graph, reference=curated_reference) -> rdflib.Graph:
    """What validating `data` needs besides itself and the ontology: what `reference` gives for the IRIs it names and
    the resources it describes (the types of the known resources it points at, so that sh:class accepts an existing
    organisation; from the store, also what the resources it describes already say). Its size follows the input's
    references."""
    context = rdflib.Graph()
    iris = {str(n) for n in set(data.objects()) | set(data.subjects()) if isinstance(n, rdflib.URIRef)}
    subjects = {str(n) for n in data.subjects() if isinstance(n, rdflib.URIRef)}
    for triple in reference(iris, subjects):
        context.add(tuple(fast.to_rdflib(t) if isinstance(t, _OX_TERMS) else t for t in triple))
    return context


_OX_TERMS = (ox.NamedNode, ox.BlankNode, ox.Literal)


@dataclass
class ValidationResult:
    focus_node: str
    path: str | None
    severity: str
    message: str
    source_shape: str
    source_constraint: str | None
    constraint_component: str
    value: str | None
    # The message in every language the shapes give it in (sh:message "…"@sv in shapes/messages-sv.ttl): by
    # language tag, "" for an untagged one. `message` is the English one (else untagged, else any).
    messages: dict[str, str] = field(default_factory=dict)

    def message_in(self, language: str) -> str:
        """The message in the reader's language, English where the shapes have none in it."""
        return self.messages.get((language or "").lower()) or self.message

    def as_json(self) -> dict:
        return {"focusNode": self.focus_node, "path": self.path, "severity": self.severity, "message": self.message,
                "messages": self.messages, "sourceShape": self.source_shape,
                "sourceConstraint": self.source_constraint, "sourceConstraintComponent": self.constraint_component,
                "value": self.value}


class ValidationReport:
    """The verdict and the results; `graph` is the sh:ValidationReport graph, which the fast engine makes only when
    it is first asked for (for a report as Turtle or JSON-LD)."""

    def __init__(self, conforms: bool, results: list[ValidationResult] | None = None,
                 graph: rdflib.Graph | None = None, make_graph=None):
        self.conforms, self.results = conforms, results if results is not None else []
        self._graph, self._make_graph = graph, make_graph

    @property
    def graph(self) -> rdflib.Graph | None:
        if self._graph is None and self._make_graph is not None:
            self._graph, self._make_graph = self._make_graph(), None
        return self._graph

    def __repr__(self) -> str:
        return f"ValidationReport(conforms={self.conforms}, results={len(self.results)})"

    def as_json(self) -> dict:
        return {"conforms": self.conforms, "results": [r.as_json() for r in self.results]}

    def to_text(self) -> str:
        if not self.results:
            return "Conforms: no violations, no warnings.\n"
        lines = [f"{'Conforms' if self.conforms else 'Does not conform'}: "
                 f"{self.count('Violation')} violation(s), {self.count('Warning')} warning(s)."]
        for r in self.results:
            where = r.focus_node + (f" {r.path}" if r.path else "")
            value = f" (value: {r.value})" if r.value is not None else ""
            lines.append(f"{r.severity.upper()}: {where}\n  {r.message}{value}\n  shape: {r.source_shape}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """json.dumps(indent=2, ensure_ascii=False), written by orjson: the same text, several times faster (a report
        on a 2,000-practice upload holds some 6,000 results)."""
        document = self.as_json()
        try:
            return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
        except (TypeError, orjson.JSONEncodeError):  # a lone surrogate, which orjson refuses and json writes escaped
            return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")

    def to_jsonld(self) -> str:
        """The report graph compacted with the sikg context (the one /context.jsonld serves, which has the sh:
        prefix) rather than rdflib's default prefixes: the same triples as to_turtle. The context is inline, not
        named by its URL: a report is read by validators and plain RDF parsers that would have to fetch it."""
        triples = ox.parse(self.graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
        return json.dumps(jsonld.compact(triples), indent=2, ensure_ascii=False) + "\n"

    def count(self, severity: str) -> int:
        return sum(r.severity == severity for r in self.results)


def _text(graph: rdflib.Graph, node, depth: int = 0) -> str | None:
    """A node as people read it: a blank node by the node pointing at it (a few steps up at most: blank nodes may
    form cycles or long chains)."""
    if node is None:
        return None
    if isinstance(node, rdflib.BNode):
        if depth >= 3:
            return "[blank node]"
        for subject, predicate in graph.subject_predicates(node):
            return f"[{predicate.n3(graph.namespace_manager)} of {_text(graph, subject, depth + 1)}]"
        return "[blank node]"
    return str(node)


def _value(node) -> str | None:
    """A result's value as text; none for a blank node, whose label is made up anew on every read: it would tell a
    reader nothing and make two runs' reports differ (the report graph, to_turtle, still holds the node itself)."""
    return None if node is None or isinstance(node, rdflib.BNode) else str(node)


def _messages(report_graph: rdflib.Graph, result) -> dict[str, str]:
    """A result's messages by language (pySHACL gives a shape's every sh:message as a sh:resultMessage)."""
    found = sorted(report_graph.objects(result, SH.resultMessage), key=str)
    return {(m.language or "").lower() if isinstance(m, rdflib.Literal) else "": str(m) for m in found}


def _english(messages: dict[str, str]) -> str:
    return messages.get("en") or messages.get("") or next(iter(messages.values()), "")


ENGINES = ("auto", "fast", "pyshacl")


def validate_quads(quads, reference=curated_reference, engine: str = "auto") -> ValidationReport:
    """Validates the nodes described in `quads` (Oxigraph quads or triples), with the ontology and what `reference`
    gives (see context_for) as context.

    The report speaks only of the input's own subjects, never of the context. Warnings never make data
    non-conforming. `engine`: "auto" is the fast engine when it knows every construct of the shapes, else pySHACL;
    "fast" insists on it (ValueError if it cannot); "pyshacl" is the reference.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    compiled = None if engine == "pyshacl" else fast_shapes()
    if compiled is None:
        if engine == "fast":
            raise ValueError("the shapes use SHACL the fast engine does not know")
        return _validate_with_pyshacl(to_rdflib(quads), reference)
    return _validate_fast(compiled, quads, reference)


def validate_graph(data: rdflib.Graph, reference=curated_reference, engine: str = "auto") -> ValidationReport:
    """validate_quads for an rdflib graph."""
    if engine == "pyshacl":
        return _validate_with_pyshacl(data, reference)
    return validate_quads([ox.Triple(*map(fast.to_oxigraph, triple)) for triple in data], reference, engine)


_COMPILED: tuple | None = None  # (the shapes graph, the engine's compiled shapes or None)


def fast_shapes() -> fast.CompiledShapes | None:
    """The shapes compiled for the fast engine (None: they use SHACL it does not know), made again whenever
    shapes_graph() is (tests swap the shapes by clearing its cache)."""
    global _COMPILED
    graph = shapes_graph()
    cached = _COMPILED
    if cached is None or cached[0] is not graph:
        with _VALIDATION_LOCK:  # compiling reads the SPARQL constraints with rdflib's parser
            cached = _COMPILED = (graph, fast.compile_shapes(graph))
    return cached[1]


@lru_cache(maxsize=1)
def _ontology_quads() -> tuple:
    return tuple(ox.Quad(*q.triple) for f in content.ontology_files() for q in content.read(f))


@lru_cache(maxsize=1)
def _ontology_triples() -> tuple:
    return tuple((q.subject, q.predicate, q.object) for q in _ontology_quads())


_PAUSES = {"count": 0, "was_enabled": False}
_PAUSES_LOCK = threading.Lock()


@contextmanager
def _cycle_collection_paused():
    """Python's cyclic garbage collector paused while one or more validations run (the last one to end resumes it,
    if it was on). Indexing an upload makes tens of thousands of dictionaries, and the collections this sets off go
    through the whole heap (the store's, the caches'): a third of the time of a 2,000-practice validation. What the
    engine makes holds no reference cycle, and is freed as usual as soon as it is no longer used."""
    with _PAUSES_LOCK:
        if _PAUSES["count"] == 0:
            _PAUSES["was_enabled"] = gc.isenabled()
            gc.disable()
        _PAUSES["count"] += 1
    try:
        yield
    finally:
        with _PAUSES_LOCK:
            _PAUSES["count"] -= 1
            if _PAUSES["count"] == 0 and _PAUSES["was_enabled"]:
                gc.enable()


# The fast engine validates one input at a time in a process, as pySHACL did: its work holds the interpreter lock,
# so validations side by side would take as long together, and hold their memory (some 100 MiB for a 2,000-practice
# upload) all at once. What it reads from the store (the reference) is read before the lock is taken: a read waits
# on the store (a checkpoint opened, pages read), and other validations run meanwhile (issue 31).
_FAST_LOCK = threading.Lock()


def _validate_fast(compiled: fast.CompiledShapes, quads, reference) -> ValidationReport:
    default = ox.DefaultGraph()  # validation sees one graph: the input's quads, in the default graph
    quads = [q if isinstance(q, ox.Quad) and q.graph_name == default else ox.Quad(q.subject, q.predicate, q.object)
             for q in quads]
    iris = {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    context = [tuple(fast.to_oxigraph(t) if isinstance(t, rdflib.term.Node) else t for t in triple)
               for triple in reference(iris, subjects)]
    with _FAST_LOCK, _cycle_collection_paused():
        return _validate_fast_now(compiled, quads, context)


def _validate_fast_now(compiled: fast.CompiledShapes, quads: list, context: list) -> ValidationReport:
    """`quads`: the input's, in the default graph; `context`: the reference's triples for them."""
    data = fast.DataIndex()
    own = {}  # the input's subjects, the only focus nodes reported on
    for q in quads:
        data.add(q.subject, q.predicate, q.object)
        own[q.subject] = None
    for s, p, o in _ontology_triples():
        data.add(s, p, o)
    for s, p, o in context:
        data.add(s, p, o)
    # The SPARQL constraints' store is made of the same quads (the input's, the ontology's, the reference's).
    store_quads = lambda: [*quads, *_ontology_quads(), *(ox.Quad(s, p, o) for s, p, o in context)]
    raw = fast.Engine(compiled, data, store_quads).validate(own)
    results = _results(raw, data)
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms, results, make_graph=lambda: _report_graph(compiled.graph, raw, data, conforms))


def _results(raw: list, data: fast.DataIndex) -> list[ValidationResult]:
    """The engine's results as the report lists them, sorted. A shape's messages are the same in each of its results
    (but a SPARQL constraint's, which have the row's values written in): read once."""
    names, by_language = _Names(data), {}
    results = []
    for r in raw:
        messages = by_language.get(id(r.messages))
        if messages is None:
            messages = {(m.language or "").lower(): str(m) for m in sorted(set(r.messages), key=str)}
            if r.messages is r.shape.messages:
                by_language[id(r.messages)] = messages
        results.append(ValidationResult(
            focus_node=names.text(r.focus),
            path=None if r.path is None else (str(r.path) if isinstance(r.path, rdflib.URIRef) else "[complex path]"),
            severity=str(r.shape.severity).rsplit("#", 1)[-1],
            message=_english(messages),
            source_shape=str(r.shape.node),
            source_constraint=None if r.source_constraint is None else str(r.source_constraint),
            constraint_component=str(r.component),
            value=_value(None if r.value is None else fast.to_rdflib(r.value)),
            messages=dict(messages),
        ))
    results.sort(key=_order)
    return results


def _order(r: ValidationResult):
    """Violations first, then by focus node, path and shape; the rest only makes the order of ties fixed."""
    return (r.severity != "Violation", r.focus_node or "", r.path or "", r.source_shape, r.source_constraint or "",
            r.constraint_component, r.value or "", r.message)


class _Names:
    """Blank nodes named by the node pointing at them, as _text does over an rdflib graph of the same triples."""

    def __init__(self, data: fast.DataIndex):
        self.data, self._namespaces, self._predicates = data, None, {}

    def text(self, node, depth: int = 0) -> str:
        if not isinstance(node, ox.BlankNode):
            return node.value
        if depth >= 3:
            return "[blank node]"
        for subject, predicate in self.data.parents.get(node, ()):
            return f"[{self._predicate(predicate)} of {self.text(subject, depth + 1)}]"
        return "[blank node]"

    def _predicate(self, predicate) -> str:
        """As rdflib writes it with its default prefixes and sikg's (those of the merged graph _text reads)."""
        written = self._predicates.get(predicate)
        if written is None:
            if self._namespaces is None:
                self._namespaces = rdflib.Graph().namespace_manager
                self._namespaces.bind("sikg", str(namespaces.SIKG))
            written = self._predicates[predicate] = rdflib.URIRef(predicate.value).n3(self._namespaces)
        return written


def _report_graph(shapes: rdflib.Graph, raw: list, data: fast.DataIndex, conforms: bool) -> rdflib.Graph:
    """The sh:ValidationReport graph pySHACL makes of these results (Validator.create_validation_report and
    ConstraintComponent.make_v_result): the same prefixes, the same triples, and the blank nodes it names (a focus
    node, a value, a shape) copied in with what they say, as pySHACL's clone_blank_node copies them."""
    graph = rdflib.Graph(bind_namespaces="core")
    for prefix, namespace in shapes.namespace_manager.namespaces():
        graph.namespace_manager.bind(prefix, namespace)
    report = rdflib.BNode()
    graph.add((report, rdflib.RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, rdflib.Literal(conforms)))
    cloned: dict = {}
    blank_data = []  # the data's blank nodes the report names, copied from a graph of what they say

    def from_data(term):
        if isinstance(term, ox.BlankNode):
            blank_data.append(term)
            return ("data", rdflib.BNode(term.value))
        return fast.to_rdflib(term)

    described = {}
    for r in raw:
        node = rdflib.BNode()
        graph.add((report, SH.result, node))
        triples = [(rdflib.RDF.type, SH.ValidationResult), (SH.sourceConstraintComponent, ("shapes", r.component)),
                   (SH.sourceShape, ("shapes", r.shape.node)),
                   (SH.resultSeverity, r.shape.severity), (SH.focusNode, from_data(r.focus))]
        if r.value is not None:
            triples.append((SH.value, from_data(r.value)))
        if r.path is not None:
            triples.append((SH.resultPath, ("shapes", r.path)))
        if r.source_constraint is not None:
            triples.append((SH.sourceConstraint, ("shapes", r.source_constraint)))
        triples += [(SH.resultMessage, m) for m in r.messages]
        described[node] = triples
    sources = {"shapes": shapes, "data": _blank_node_graph(data, blank_data)}
    for node, triples in described.items():
        for predicate, obj in triples:
            if isinstance(obj, tuple):
                source, term = obj
                key = (source, str(term))
                if key not in cloned:
                    cloned[key] = (clone_blank_node(sources[source], term, graph, keepid=True)
                                   if isinstance(term, rdflib.BNode) else term)
                obj = cloned[key]
            graph.add((node, predicate, obj))
    return graph


def _blank_node_graph(data: fast.DataIndex, blank_nodes: list) -> rdflib.Graph:
    """What the data says about these blank nodes and the blank nodes they lead to, as an rdflib graph."""
    graph, seen, todo = rdflib.Graph(), set(blank_nodes), list(blank_nodes)
    while todo:
        node = todo.pop()
        for p, objects in data.out.get(node, {}).items():
            for o in objects:
                graph.add((fast.to_rdflib(node), fast.to_rdflib(p), fast.to_rdflib(o)))
                if isinstance(o, ox.BlankNode) and o not in seen:
                    seen.add(o)
                    todo.append(o)
    return graph


def _validate_with_pyshacl(data: rdflib.Graph, reference=curated_reference) -> ValidationReport:
    """pySHACL's validation of `data`, the reference the fast engine is held to. (pySHACL's focus_nodes option would
    narrow the work to the input's subjects, but it also narrows the value nodes of nested shapes such as
    sh:qualifiedValueShape, which then pass unchecked; the fixtures caught it.)"""
    merged = data + ontology_graph() + context_for(data, reference)
    merged.namespace_manager.bind("sikg", str(namespaces.SIKG))
    with _VALIDATION_LOCK:
        _, report_graph, _ = shacl_validate(merged, shacl_graph=shapes_graph(), allow_warnings=True,
                                            inference="none")
    _keep_only_results_about(report_graph, set(data.subjects()))
    results = []
    for result in report_graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        get = lambda p, result=result: report_graph.value(result, p)
        path = get(SH.resultPath)
        messages = _messages(report_graph, result)
        results.append(ValidationResult(
            focus_node=_text(merged, get(SH.focusNode)),
            path=str(path) if isinstance(path, rdflib.URIRef) else (None if path is None else "[complex path]"),
            severity=str(get(SH.resultSeverity)).rsplit("#", 1)[-1],
            message=_english(messages),
            source_shape=str(get(SH.sourceShape)),
            source_constraint=None if get(SH.sourceConstraint) is None else str(get(SH.sourceConstraint)),
            constraint_component=str(get(SH.sourceConstraintComponent)),
            value=_value(get(SH.value)),
            messages=messages,
        ))
    conforms = not any(r.severity == "Violation" for r in results)
    report = report_graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    report_graph.set((report, SH.conforms, rdflib.Literal(conforms)))
    results.sort(key=_order)
    return ValidationReport(bool(conforms), results, graph=report_graph)


def _keep_only_results_about(report_graph: rdflib.Graph, focus_nodes: set) -> None:
    """Drops results about context nodes (and their details) from the sh:ValidationReport graph."""
    for result in list(report_graph.subjects(rdflib.RDF.type, SH.ValidationResult)):
        if report_graph.value(result, SH.focusNode) not in focus_nodes:
            for report in list(report_graph.subjects(SH.result, result)):
                report_graph.remove((report, SH.result, result))
            _remove_tree(report_graph, result)


def _remove_tree(graph: rdflib.Graph, node) -> None:
    for _, _, obj in list(graph.triples((node, None, None))):
        graph.remove((node, None, obj))
        if isinstance(obj, rdflib.BNode) and not any(graph.subject_predicates(obj)):
            _remove_tree(graph, obj)


def validate_files(paths, engine: str = "auto", progress=None) -> ValidationReport:
    """Raises RdfInputError for a file that cannot be read or parsed, before anything is validated. `progress`: a
    progress.Progress told how far the reading is (bytes of all the files), then that validation runs."""
    sizes = [p.stat().st_size if p.is_file() else 0 for p in paths]
    quads = []
    for i, path in enumerate(paths):
        before = sum(sizes[:i])
        tell = None if progress is None else (lambda done, before=before: progress.advance(
            "reading", min(before + done, sum(sizes)), sum(sizes)))
        # Read like content: canonical sikg IRIs in the input name the same resources as this service's (SIKG_BASE).
        quads += content.read(path, progress=tell)
    if progress is not None:
        progress.working(f"validating {len(quads):,} triples")
    return validate_quads(quads, engine=engine)
