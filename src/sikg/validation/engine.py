"""A fast SHACL engine for the shapes sikg uses, with pySHACL's results.

pySHACL (the reference) spends its time in rdflib: building a graph of the input, and running every constraint through
rdflib's term and SPARQL machinery for every focus node. This engine reads the same shapes graph, but evaluates it over
plain Python dictionaries of Oxigraph terms built once per validation, and the SHACL-SPARQL constraints as SPARQL on an
in-memory Oxigraph store, once for all focus nodes. It validates only the focus nodes the report speaks of (the input's
own subjects); nested shapes (sh:or, sh:not, sh:qualifiedValueShape) see every node of the graph, as in pySHACL.

It gives pySHACL's results, constraint by constraint: the same focus nodes, values, paths, components, severities and
messages, down to pySHACL's own choices where SHACL leaves room or pySHACL departs from it (the string of a literal is
rdflib's, a SPARQL constraint's messages lose their language tags, a shape of severity sh:Warning inside sh:or always
conforms, as it does with pySHACL's allow_warnings). tests/test_validation_engines.py checks it against pySHACL on every
fixture and on a synthetic upload.

It knows only part of SHACL: the constraint components, targets and SPARQL constraints listed below, on property
shapes whose path is one IRI. `compile_shapes` returns None for a shapes graph that uses anything else, and the caller
then validates with pySHACL: a new kind of constraint is always checked, only more slowly until this engine learns it.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox
import rdflib
from rdflib.plugins.sparql import prepareQuery

from .. import namespaces

SH = rdflib.Namespace(str(namespaces.SH))
RDF, RDFS, OWL, XSD = rdflib.RDF, rdflib.RDFS, rdflib.OWL, rdflib.XSD

TYPE = ox.NamedNode(str(RDF.type))
SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))
XSD_STRING = ox.NamedNode(str(XSD.string))

ALLOWED_SEVERITIES = (SH.Warning, SH.Info)  # those that never make a shape fail (pySHACL's allow_warnings)

# Every sh: predicate this engine understands, wherever it appears in the shapes graph. Any other (sh:node, sh:and,
# sh:closed, sh:hasValue, SPARQL-based targets or components, rules…) and the shapes are left to pySHACL.
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf}
_DESCRIPTIVE = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.message, SH.severity,
                SH.deactivated}
_COMPONENT_PARAMETERS = {SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.qualifiedMinCount,
                         SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.languageIn, SH.uniqueLang,
                         SH.pattern, SH.flags, SH.nodeKind, SH["class"], SH["in"], SH.datatype, SH.minLength,
                         SH.maxLength, SH["or"], SH["not"]}
_SPARQL = {SH.sparql, SH.select, SH.prefixes, SH.declare, SH.prefix, SH.namespace}
_UNDERSTOOD = _TARGETS | _DESCRIPTIVE | _COMPONENT_PARAMETERS | _SPARQL | {SH.path, SH.property}
_UNDERSTOOD_TYPES = {SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint, SH.PrefixDeclaration, SH.PropertyGroup}
_SHAPE_PARAMETERS = _TARGETS | _COMPONENT_PARAMETERS | {SH.path, SH.property, SH.sparql}

# SPARQL algebra that evaluating a constraint once for all focus nodes (?this free, the rows grouped by ?this) may not
# meet: with any of these, binding $this before evaluation (SHACL's pre-binding) can give other rows.
_UNSAFE_ALGEBRA = re.compile(r"^(Minus|MinusGraphPattern|SubSelect|ToMultiSet|values|InlineData\w*|ValuesClause|Group|"
                             r"AggregateJoin|Aggregate_\w+|ServiceGraphPattern|Slice|GraphGraphPattern|Graph)$")
_UNSUPPORTED_SPARQL_VARIABLES = re.compile(r"[?$](PATH|currentShape|shapesGraph)\b")


class Unsupported(Exception):
    """The shapes graph uses SHACL this engine does not know: pySHACL validates with it."""


# -- the data --------------------------------------------------------------------------------------------------------

class DataIndex:
    """The data graph (input, ontology, reference) as dictionaries: every triple once, in the order first seen."""

    __slots__ = ("out", "by_predicate", "parents", "_instances", "_superclasses", "_subclasses")

    def __init__(self):
        self.out: dict = {}  # subject -> {predicate -> {object: None}}
        self.by_predicate: dict = {}  # predicate -> {subject: None}
        self.parents: dict = {}  # blank node -> [(subject, predicate)] of the triples it is the object of
        self._instances = self._superclasses = self._subclasses = None

    def add(self, s, p, o) -> None:
        by_predicate = self.out.get(s)
        if by_predicate is None:
            by_predicate = self.out[s] = {}
        objects = by_predicate.get(p)
        if objects is None:
            objects = by_predicate[p] = {}
            subjects = self.by_predicate.get(p)
            if subjects is None:
                subjects = self.by_predicate[p] = {}
            subjects[s] = None
        elif o in objects:
            return
        objects[o] = None
        if type(o) is ox.BlankNode:
            self.parents.setdefault(o, []).append((s, p))

    def objects(self, s, p):
        return self.out.get(s, {}).get(p, ())

    def triples(self):
        for s, by_predicate in self.out.items():
            for p, objects in by_predicate.items():
                for o in objects:
                    yield s, p, o

    def superclasses(self, cls) -> set:
        """cls and every class it is rdfs:subClassOf, transitively (rdflib's transitive_objects)."""
        if self._superclasses is None:
            self._superclasses = {}
        found = self._superclasses.get(cls)
        if found is None:
            found = self._superclasses[cls] = _closure(cls, lambda c: self.objects(c, SUBCLASS_OF))
        return found

    def instances(self, cls) -> list:
        """The SHACL instances of cls: typed with it or with one of its subclasses (pySHACL's focus_nodes)."""
        if self._instances is None:
            self._instances, self._subclasses = {}, {}
            for s in self.by_predicate.get(TYPE, ()):
                for t in self.out[s][TYPE]:
                    self._instances.setdefault(t, []).append(s)
            for s in self.by_predicate.get(SUBCLASS_OF, ()):
                for t in self.out[s][SUBCLASS_OF]:
                    self._subclasses.setdefault(t, []).append(s)
        found = {}
        for c in _closure(cls, lambda c: self._subclasses.get(c, ())):
            found.update(dict.fromkeys(self._instances.get(c, ())))
        return list(found)


def _closure(start, step) -> set:
    seen, todo = {start}, [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


# -- terms -----------------------------------------------------------------------------------------------------------

def to_rdflib(term):
    """An Oxigraph term as rdflib makes it (rdflib normalises some literals: "01"^^xsd:integer is "1")."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def to_oxigraph(term):
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


def _string(v) -> str:
    """The string pySHACL's string-based constraints see (StringBasedConstraintBase.value_node_to_string)."""
    if isinstance(v, ox.Literal):
        if v.language or v.datatype == XSD_STRING:
            return v.value
        return str(to_rdflib(v))
    return v.value


# -- the compiled shapes ---------------------------------------------------------------------------------------------

@dataclass(eq=False)
class SparqlConstraint:
    node: object  # rdflib node of the sh:SPARQLConstraint
    text: str  # its query with its prefixes, as pySHACL runs it
    messages: tuple
    deactivated: bool
    once_for_all: bool  # safe to run once with ?this free (else once per focus node, $this substituted)


@dataclass(eq=False)
class Shape:
    node: object  # rdflib node
    path: object | None  # ox.NamedNode for a property shape
    path_rdflib: object | None
    severity: object
    messages: tuple
    deactivated: bool
    constraints: list = field(default_factory=list)  # (component, check) where check(engine, focus, values)
    properties: list = field(default_factory=list)
    sparql: list = field(default_factory=list)
    target_classes: list = field(default_factory=list)
    target_nodes: list = field(default_factory=list)
    target_subjects_of: list = field(default_factory=list)
    target_objects_of: list = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of)


@dataclass(eq=False)
class CompiledShapes:
    graph: rdflib.Graph
    targeted: list  # shapes with targets, the only ones validated from the top
    uses_sparql: bool


@dataclass
class RawResult:
    """One validation result, in the terms pySHACL's make_v_result gets."""
    shape: Shape
    component: object  # rdflib URIRef
    focus: object  # ox term
    value: object | None = None  # ox term
    path: object | None = None  # rdflib node
    source_constraint: object | None = None  # rdflib node
    messages: tuple = ()  # rdflib Literals


def compile_shapes(graph: rdflib.Graph) -> CompiledShapes | None:
    """The shapes graph made ready for this engine, or None when it uses SHACL the engine does not know."""
    try:
        return _Compiler(graph).compile()
    except Unsupported:
        return None


class _Compiler:
    def __init__(self, graph: rdflib.Graph):
        self.graph = graph
        self.shapes: dict = {}
        self.in_progress: set = set()

    def compile(self) -> CompiledShapes:
        g = self.graph
        for _, p, o in g:
            if p.startswith(str(SH)) and p not in _UNDERSTOOD:
                raise Unsupported(f"sh:{p[len(str(SH)):]}")
            if p == RDF.type and o.startswith(str(SH)) and o not in _UNDERSTOOD_TYPES:
                raise Unsupported(f"a sh:{o[len(str(SH)):]}")
        # The shapes pySHACL would find: typed as shapes, or with a target, a path or a constraint parameter.
        candidates = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        for p in _SHAPE_PARAMETERS:
            candidates |= set(g.subjects(p, None))
        for node in candidates:
            if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g:
                raise Unsupported("implicit class targets")
        targeted = [shape for node in sorted(candidates, key=str) if (shape := self.shape(node)).has_targets]
        for shape in targeted:
            self._check_reportable(shape)
        return CompiledShapes(g, targeted, any(self._has_sparql(s) for s in targeted))

    def _has_sparql(self, shape) -> bool:
        return bool(shape.sparql) or any(self._has_sparql(p) for p in shape.properties)

    def _check_reportable(self, shape: Shape) -> None:
        """A shape whose results reach the report needs its own messages: pySHACL's generic ones are not copied."""
        if (shape.constraints or shape.sparql) and not shape.deactivated:
            if shape.constraints and not shape.messages:
                raise Unsupported(f"{shape.node} has no sh:message")
            if any(not (c.messages or shape.messages) for c in shape.sparql):
                raise Unsupported(f"a SPARQL constraint of {shape.node} has no sh:message")
        for child in shape.properties:
            self._check_reportable(child)

    def one(self, node, predicate, default=None):
        values = list(self.graph.objects(node, predicate))
        if len(values) > 1:
            raise Unsupported(f"several {predicate} on {node}")
        return values[0] if values else default

    def items(self, node) -> list:
        if node == RDF.nil:
            return []
        if not isinstance(node, rdflib.BNode) or (node, RDF.first, None) not in self.graph:
            raise Unsupported(f"{node} is not an RDF list")
        return list(self.graph.items(node))

    def shape(self, node) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        if node in self.in_progress:
            raise Unsupported("recursive shapes")
        self.in_progress.add(node)
        g, one = self.graph, self.one
        path = one(node, SH.path)
        if path is not None and not isinstance(path, rdflib.URIRef):
            raise Unsupported("a path that is not a single IRI")
        severity = one(node, SH.severity, SH.Violation)
        if severity not in (SH.Violation, SH.Warning, SH.Info):
            raise Unsupported(f"severity {severity}")
        messages = tuple(g.objects(node, SH.message))
        if not all(isinstance(m, rdflib.Literal) for m in messages):
            raise Unsupported("a message that is not a literal")
        deactivated = any(isinstance(d, rdflib.Literal) and d.value is True for d in g.objects(node, SH.deactivated))
        shape = Shape(node, None if path is None else ox.NamedNode(str(path)), path, severity, messages, deactivated)
        for cls in g.objects(node, SH.targetClass):
            shape.target_classes.append(_iri(cls))
        for target in g.objects(node, SH.targetNode):
            shape.target_nodes.append(to_oxigraph(target))
        for p in g.objects(node, SH.targetSubjectsOf):
            shape.target_subjects_of.append(_iri(p))
        for p in g.objects(node, SH.targetObjectsOf):
            shape.target_objects_of.append(_iri(p))
        self._components(node, shape)
        for child in sorted(g.objects(node, SH.property), key=str):
            if (child, SH.path, None) not in g:
                raise Unsupported("sh:property without sh:path")
            shape.properties.append(self.shape(child))
        for constraint in sorted(g.objects(node, SH.sparql), key=str):
            if path is not None:
                raise Unsupported("SPARQL constraints on property shapes")
            shape.sparql.append(self._sparql(constraint))
        self.in_progress.discard(node)
        self.shapes[node] = shape
        return shape

    def _components(self, node, shape: Shape) -> None:
        """The shape's constraints, one compiler per constraint component (pySHACL's constraints/core)."""
        g, one, add = self.graph, self.one, shape.constraints.append
        for parameter, component, make in ((SH.minCount, SH.MinCountConstraintComponent, _min_count),
                                           (SH.maxCount, SH.MaxCountConstraintComponent, _max_count),
                                           (SH.minLength, SH.MinLengthConstraintComponent, _min_length),
                                           (SH.maxLength, SH.MaxLengthConstraintComponent, _max_length)):
            value = one(node, parameter)
            if value is not None:
                add((component, make(_natural(value))))
        self._qualified(node, shape)
        self._strings(node, shape)
        kind = one(node, SH.nodeKind)
        if kind is not None:
            if kind not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {kind}")
            add((SH.NodeKindConstraintComponent, _node_kind(_NODE_KINDS[kind])))
        for cls in sorted(g.objects(node, SH["class"]), key=str):
            add((SH.ClassConstraintComponent, _class(_iri(cls))))
        members = one(node, SH["in"])
        if members is not None:
            if not all(isinstance(m, rdflib.URIRef) for m in self.items(members)):
                raise Unsupported("sh:in with a value that is not an IRI")
            add((SH.InConstraintComponent, _in({ox.NamedNode(str(m)) for m in self.items(members)})))
        datatype = one(node, SH.datatype)
        if datatype is not None:
            add((SH.DatatypeConstraintComponent, _datatype(_iri_rdflib(datatype))))
        for alternatives in sorted(g.objects(node, SH["or"]), key=str):
            add((SH.OrConstraintComponent, _or([self.shape(s) for s in self.items(alternatives)])))
        for negated in sorted(g.objects(node, SH["not"]), key=str):
            add((SH.NotConstraintComponent, _not(self.shape(negated))))

    def _qualified(self, node, shape: Shape) -> None:
        g, one = self.graph, self.one
        value_shapes = sorted(g.objects(node, SH.qualifiedValueShape), key=str)
        if not value_shapes:
            return
        if shape.path is None:
            raise Unsupported("sh:qualifiedValueShape on a node shape")
        if any(not (isinstance(d, rdflib.Literal) and d.value is False)
               for d in g.objects(node, SH.qualifiedValueShapesDisjoint)):
            raise Unsupported("sh:qualifiedValueShapesDisjoint")
        low, high = one(node, SH.qualifiedMinCount), one(node, SH.qualifiedMaxCount)
        if low is None and high is None:
            raise Unsupported("sh:qualifiedValueShape without a count")
        for value_shape in value_shapes:  # pySHACL's order: the maximum's result, then the minimum's
            if high is not None:
                shape.constraints.append((SH.QualifiedMaxCountConstraintComponent,
                                          _qualified(self.shape(value_shape), above=_natural(high))))
            if low is not None:
                shape.constraints.append((SH.QualifiedMinCountConstraintComponent,
                                          _qualified(self.shape(value_shape), below=_natural(low))))

    def _strings(self, node, shape: Shape) -> None:
        """sh:languageIn, sh:uniqueLang and sh:pattern (with sh:flags: only i and m, as pySHACL reads them)."""
        g, one, add = self.graph, self.one, shape.constraints.append
        languages = one(node, SH.languageIn)
        if languages is not None:
            tags = self.items(languages)
            if not all(isinstance(tag, rdflib.Literal) and isinstance(tag.value, str) for tag in tags):
                raise Unsupported("sh:languageIn with a value that is not a string")
            add((SH.LanguageInConstraintComponent, _language_in({str(tag.value).lower() for tag in tags})))
        unique = one(node, SH.uniqueLang)
        if unique is not None:
            if shape.path is None or not isinstance(unique, rdflib.Literal) or not isinstance(unique.value, bool):
                raise Unsupported("sh:uniqueLang")
            if unique.value:
                add((SH.UniqueLangConstraintComponent, _unique_lang))
        flags, re_flags = one(node, SH.flags), 0
        if flags is not None:
            text = str(flags.value if isinstance(flags, rdflib.Literal) else flags).lower()
            re_flags = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
        for pattern in sorted(g.objects(node, SH.pattern), key=str):
            if not isinstance(pattern, rdflib.Literal):
                raise Unsupported("sh:pattern that is not a literal")
            add((SH.PatternConstraintComponent, _pattern(re.compile(str(pattern), re_flags))))

    def _sparql(self, node) -> SparqlConstraint:
        g, one = self.graph, self.one
        if (node, SH.ask, None) in g or (node, SH.construct, None) in g:
            raise Unsupported("not a SELECT constraint")
        select = one(node, SH.select)
        if not isinstance(select, rdflib.Literal):
            raise Unsupported("a SPARQL constraint without one sh:select")
        text = str(select)
        if _UNSUPPORTED_SPARQL_VARIABLES.search(text):
            raise Unsupported("$PATH, $currentShape or $shapesGraph")
        prefixes: dict = {}
        for declarations in g.objects(node, SH.prefixes):
            for declaration in g.objects(declarations, SH.declare):
                prefix, namespace = one(declaration, SH.prefix), one(declaration, SH.namespace)
                if prefix is None or namespace is None or prefixes.get(str(prefix), str(namespace)) != str(namespace):
                    raise Unsupported("a prefix declared twice")
                prefixes[str(prefix)] = str(namespace)
        # As pySHACL's apply_prefixes writes them.
        text = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items()) + "\n" + text
        messages = tuple(g.objects(node, SH.message))
        if not all(isinstance(m, rdflib.Literal) for m in messages):
            raise Unsupported("a message that is not a literal")
        deactivated = any(isinstance(d, rdflib.Literal) and d.value is True for d in g.objects(node, SH.deactivated))
        try:
            ox.Store().query(text)  # Oxigraph reads it
            algebra = prepareQuery(text).algebra  # and so does rdflib, whose algebra tells whether ?this is bound
        except Exception as error:  # noqa: BLE001 - any failure to read it: pySHACL's turn
            raise Unsupported(f"SPARQL {node}: {error}") from error
        if algebra.name != "SelectQuery":
            raise Unsupported("not a SELECT query")
        if "this" not in {str(v) for v in algebra.get("PV") or ()}:
            # Oxigraph substitutes only a projected variable; and rows must say their focus node to be grouped.
            raise Unsupported("a SPARQL constraint that does not select $this")
        once = not algebra.get("datasetClause") and _safe(algebra) and "this" in _certain(algebra["p"])
        return SparqlConstraint(node, text, messages, deactivated, once)


def _iri(term):
    return ox.NamedNode(str(_iri_rdflib(term)))


def _iri_rdflib(term):
    if not isinstance(term, rdflib.URIRef):
        raise Unsupported(f"{term} is not an IRI")
    return term


def _natural(literal) -> int:
    value = literal.value if isinstance(literal, rdflib.Literal) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Unsupported(f"{literal} is not a non-negative integer")
    return value


def _safe(node) -> bool:
    """No algebra in which ?this bound before evaluation and ?this joined after it can differ."""
    if isinstance(node, rdflib.plugins.sparql.parserutils.CompValue):
        if _UNSAFE_ALGEBRA.match(node.name):
            return False
        return all(_safe(v) for k, v in node.items() if k != "_vars")
    if isinstance(node, (list, tuple)):
        return all(_safe(v) for v in node)
    return True


def _certain(node) -> set:
    """The variables every solution of an algebra expression binds (conservatively: a subset of them)."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return {str(t) for triple in node["triples"] for t in triple if isinstance(t, rdflib.Variable)}
    if name in ("Project", "Distinct", "Reduced", "OrderBy", "Filter", "Extend", "SelectQuery"):
        return _certain(node["p"])
    if name == "LeftJoin":
        return _certain(node["p1"])
    if name == "Join":
        return _certain(node["p1"]) | _certain(node["p2"])
    if name == "Union":
        return _certain(node["p1"]) & _certain(node["p2"])
    return set()


# -- the constraint components (pySHACL's constraints/core, one function each) ---------------------------------------
# Each check(engine, focus, values) yields the value of each result (None for a result without sh:value).

def _min_count(n):
    def check(engine, focus, values):
        if len(values) < n:
            yield None
    return check


def _max_count(n):
    def check(engine, focus, values):
        if len(values) > n:
            yield None
    return check


def _qualified(value_shape, above=None, below=None):
    """sh:qualifiedMaxCount (a result above it) or sh:qualifiedMinCount (below it), counting the values that conform
    to the qualified value shape (sh:qualifiedValueShapesDisjoint is not supported: there are no sibling shapes)."""
    def check(engine, focus, values):
        conforming = sum(1 for v in values if engine.conforms(value_shape, v))
        if (above is not None and conforming > above) or (below is not None and conforming < below):
            yield None
    return check


def _language_in(wanted):
    wildcard = "*" in wanted

    def check(engine, focus, values):
        for v in values:
            language = v.language if isinstance(v, ox.Literal) else None
            if not (language and (wildcard or language.lower() in wanted
                                  or language.split("-")[0].lower() in wanted)):
                yield v
    return check


def _unique_lang(engine, focus, values):
    seen, duplicates = set(), set()
    for v in values:
        if isinstance(v, ox.Literal) and v.language:
            language = v.language.lower()
            (duplicates if language in seen else seen).add(language)
    for _ in duplicates:
        yield None


def _pattern(matcher):
    def check(engine, focus, values):
        for v in values:
            if isinstance(v, ox.BlankNode):
                yield v
                continue
            text = _string(v)
            if not (matcher.match(text) or matcher.search(text)):
                yield v
    return check


_NODE_KINDS = {SH.IRI: (ox.NamedNode,), SH.BlankNode: (ox.BlankNode,), SH.Literal: (ox.Literal,),
               SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode), SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
               SH.IRIOrLiteral: (ox.NamedNode, ox.Literal)}


def _node_kind(kinds):
    def check(engine, focus, values):
        for v in values:
            if not isinstance(v, kinds):
                yield v
    return check


def _class(cls):
    def check(engine, focus, values):
        data = engine.data
        for v in values:
            if isinstance(v, ox.Literal) or not any(t == cls or cls in data.superclasses(t)
                                                   for t in data.objects(v, TYPE)):
                yield v
    return check


def _in(allowed):
    def check(engine, focus, values):
        for v in values:
            if v not in allowed:
                yield v
    return check


def _datatype(rule):
    def matches(v) -> bool:
        if not isinstance(v, ox.Literal):
            return False
        if rule == RDF.langString:  # the common cases, without making an rdflib literal
            return bool(v.language)
        if rule == XSD.string and not v.language and v.datatype == XSD_STRING:
            return True
        literal = to_rdflib(v)
        datatype, language = literal.datatype, literal.language
        if datatype == rule:
            return getattr(literal, "ill_typed", None) is not True and _actual_datatype(literal, rule)
        if rule == RDFS.Literal:
            return True
        if rule == RDFS.Datatype and datatype:
            return True
        if datatype is None and language is None and rule == XSD.string:
            return _actual_datatype(literal, rule)
        return False

    def check(engine, focus, values):
        for v in values:
            if not matches(v):
                yield v
    return check


_PYTHON_TYPES = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
                 XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date, XSD.time: datetime.time,
                 XSD.dateTime: datetime.datetime}


def _actual_datatype(literal, rule) -> bool:
    """pySHACL's DatatypeConstraintComponent._assert_actual_datatype: rdflib's value of the literal has the Python
    type of the datatype (any value, for a datatype pySHACL does not know)."""
    expected = _PYTHON_TYPES.get(rule)
    return True if expected is None else isinstance(literal.value, expected)


def _min_length(n):
    def check(engine, focus, values):
        if n == 0:
            return
        for v in values:
            if isinstance(v, ox.BlankNode) or len(_string(v)) < n:
                yield v
    return check


def _max_length(n):
    def check(engine, focus, values):
        for v in values:
            if isinstance(v, ox.BlankNode) or len(_string(v)) > n:
                yield v
    return check


def _or(alternatives):
    def check(engine, focus, values):
        for v in values:
            if not any(engine.conforms(s, v) for s in alternatives):
                yield v
    return check


def _not(negated):
    def check(engine, focus, values):
        for v in values:
            if engine.conforms(negated, v):
                yield v
    return check


# -- validating ------------------------------------------------------------------------------------------------------

class Engine:
    """One validation: the data, what the SPARQL constraints found, and which nodes conform to which nested shapes.

    `quads`, if given, makes the store the SPARQL constraints run on: a callable giving the data graph as Oxigraph
    quads in the default graph (the parsed input as it is, rather than a copy of the dictionaries)."""

    def __init__(self, shapes: CompiledShapes, data: DataIndex, quads=None):
        self.shapes, self.data = shapes, data
        self._quads = quads or (lambda: (ox.Quad(s, p, o) for s, p, o in data.triples()))
        self._store = None
        self._rows: dict = {}
        self._conforming: dict = {}

    def validate(self, focus_nodes) -> list[RawResult]:
        """The results about `focus_nodes` (the others are not evaluated) of every shape with targets."""
        results: list[RawResult] = []
        for shape in self.shapes.targeted:
            if shape.deactivated:
                continue
            for focus in self._focus(shape, focus_nodes):
                self._validate(shape, focus, results)
        return results

    def _focus(self, shape: Shape, wanted) -> list:
        data, found = self.data, {}
        for node in shape.target_nodes:
            found[node] = None
        for cls in shape.target_classes:
            found.update(dict.fromkeys(data.instances(cls)))
        for p in shape.target_subjects_of:
            found.update(dict.fromkeys(data.by_predicate.get(p, ())))
        for p in shape.target_objects_of:
            for s in data.by_predicate.get(p, ()):
                found.update(dict.fromkeys(data.out[s][p]))
        return [node for node in found if node in wanted]

    def _validate(self, shape: Shape, focus, results: list) -> None:
        if shape.deactivated:
            return
        if shape.path is None:
            values = [focus]
        else:
            by_predicate = self.data.out.get(focus)
            values = list(by_predicate.get(shape.path, ())) if by_predicate else []
        for component, check in shape.constraints:
            for value in check(self, focus, values):
                results.append(RawResult(shape, component, focus, value, shape.path_rdflib, None, shape.messages))
        for child in shape.properties:
            for value in values:
                self._validate(child, value, results)
        for constraint in shape.sparql:
            if not constraint.deactivated:
                rows = self._solutions(constraint, focus)
                if rows:
                    results.extend(self._sparql_results(shape, constraint, focus, rows))

    def conforms(self, shape: Shape, node) -> bool:
        """Whether `node` conforms to a nested shape, as pySHACL decides it with allow_warnings: only results of
        severity sh:Violation count, and a shape of severity sh:Warning or sh:Info always conforms. Remembered for
        the validation: every practice's rdf:type asks the same question of the same class."""
        key = (shape, node)
        known = self._conforming.get(key)
        if known is None:
            if shape.deactivated or shape.severity in ALLOWED_SEVERITIES:
                known = True
            else:
                found: list = []
                self._validate(shape, node, found)
                known = not any(r.shape.severity not in ALLOWED_SEVERITIES for r in found)
            self._conforming[key] = known
        return known

    # SHACL-SPARQL: the query runs on an in-memory Oxigraph store of the data graph.

    def _store_of_data(self) -> ox.Store:
        if self._store is None:
            self._store = ox.Store()
            self._store.bulk_extend(self._quads())
        return self._store

    def _solutions(self, constraint: SparqlConstraint, focus) -> list[dict]:
        """The query's solutions for `focus`, each as {variable: rdflib term} of its bound variables."""
        if constraint.once_for_all:
            by_focus = self._rows.get(constraint.node)
            if by_focus is None:
                by_focus = self._rows[constraint.node] = {}
                for this, row in self._select(constraint.text, None):
                    by_focus.setdefault(this, []).append(row)
            return by_focus.get(focus)
        return [row for _, row in self._select(constraint.text, focus)]

    def _select(self, text: str, focus) -> list[tuple]:
        """(the Oxigraph term bound to ?this, the row as {variable: rdflib term}) for each solution."""
        substitutions = None if focus is None else {ox.Variable("this"): focus}
        solutions = self._store_of_data().query(text, substitutions=substitutions)
        variables = [(v, v.value) for v in solutions.variables]
        rows = []
        for solution in solutions:
            row, this = {}, focus
            for variable, name in variables:
                term = solution[variable]
                if term is not None:
                    row[name] = to_rdflib(term)
                    if name == "this":
                        this = term
            if focus is not None and "this" not in row:  # SEP-0007 keeps the substituted binding; if it did not
                row["this"] = to_rdflib(focus)
            rows.append((this, row))
        return rows

    def _sparql_results(self, shape: Shape, constraint: SparqlConstraint, focus, rows) -> list[RawResult]:
        """pySHACL's SPARQLConstraintComponent: its row deduplication, focus and value, and the messages with the
        row's variables written in (which makes them plain literals, without their language tags)."""
        focus_rdflib = to_rdflib(focus)
        violations, failed = [], False
        for row in rows:
            row = dict(row)
            if row.pop("failure", None) is not None:
                if not failed:
                    failed = True
                    violations.append((True, row))
                continue
            p, v, t = row.pop("path", None), row.pop("value", None), row.pop("this", None)
            if p is not None or v is not None or t is not None:
                if (t, p, v, row) not in violations:
                    violations.append((t, p, v, row))
        results = []
        messages = [m for m in constraint.messages if m not in shape.messages] + list(shape.messages)
        for violation in violations:
            if violation[0] is True:
                bound, value, path, result_focus = violation[1], focus_rdflib, None, focus_rdflib
            else:
                t, p, v, row = violation
                value = focus_rdflib if v is None else v
                bound, path, result_focus = (t, p, value, row), p, t or focus_rdflib
            written = tuple(rdflib.Literal(format_message(str(m.value), bound)) for m in messages)
            results.append(RawResult(shape, SH.SPARQLConstraintComponent, to_oxigraph(result_focus),
                                     to_oxigraph(value), path, constraint.node, written))
        return results


def format_message(message: str, bound) -> str:
    """pySHACL's _format_sparql_based_result_message: {?var} and {$var} replaced by the row's values (bound: a dict
    of them, or (this, path, value) or (this, path, value, {the other variables})). The value is written as it is:
    pySHACL's re.sub took it for a template, and stopped on a backslash (shacl.py makes pySHACL write it so too)."""
    values = {}
    if isinstance(bound, (tuple, list)):
        if len(bound) == 4:
            values.update(bound[3])
            bound = bound[:3]
        if len(bound) == 3:
            for name, term in zip(("this", "path", "value"), bound):
                if term is not None:
                    values[name] = term
    elif isinstance(bound, dict):
        values.update(bound)
    else:
        return message
    for name, term in values.items():
        text = str(term)
        message = re.sub("{{[?$]{}}}".format(name), lambda _, text=text: text, message)
    return message
