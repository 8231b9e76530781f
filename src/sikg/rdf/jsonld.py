"""JSON-LD: the sikg context, a document loader that never goes to the network, compaction with pyld, and a
streaming writer for whole-KG dumps, graph query results and resources.

pyld compacts small documents (a page's list of practices, a validation report); pyld's framing is the reference
that framing.py, which nests the practices frame in linear time, is tested against (tests/helpers.py). Larger
graphs go through `write_compacted`, which writes compact JSON-LD straight from quads, one node at a time,
using the same context. Its node objects are the ones pyld's compaction makes of the same quads
(tests/robustness/test_fuzz_jsonld_writer.py holds it to that on generated datasets): the same terms, language maps,
"@none", value objects, and single values unwrapped unless the term is a @set. It assumes the context's own forms
(prefixes, @type @id, @container @language / @set); RDF lists are written as their rdf:first/rdf:rest cells rather
than as @list.
"""

import gc
import json
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, NamedTuple

import orjson
import pyoxigraph as ox

from ..namespaces import CANONICAL_CONTEXT_URL, CONTEXT_URL, RDF, XSD, rebase_text

CONTEXT_FILE = Path(__file__).parent / "context.jsonld"


# Read once: a namespace's attribute is a call (namespaces.Namespace.__getattr__) that builds a new string, and the
# writer compared each quad's predicate and each literal's datatype with one: 0.8-1.0 s of a 20,000-practice export,
# the regression of issue 28, item 5 (bench/README.md, "Export").
RDF_TYPE = RDF.type
XSD_STRING = XSD.string


def __getattr__(name: str):
    """pyld, imported when first used (`jsonld.jsonld` too): it brings asyncio and aiohttp's loader, 10 MB of each
    query evaluator's memory, and the evaluators never compact with it."""
    if name == "jsonld":
        from pyld import jsonld  # when first used: see above

        return jsonld
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ConfusableIri(ValueError):
    """An IRI that JSON-LD with the sikg context cannot hold: its scheme is one of the context's prefixes, so any
    processor would read it as a compact IRI (<practice:x> as practice's namespace + "x")."""


class RemoteContextRefused(ValueError):
    """A JSON-LD document asked for a context or document that would have to be fetched from elsewhere."""


@lru_cache(maxsize=1)
def context_document() -> dict:
    return json.loads(rebase_text(CONTEXT_FILE.read_text(encoding="utf-8")))


def context() -> dict:
    return context_document()["@context"]


def context_url() -> str:
    """The URL of this service's own /context.jsonld, whose IRIs are rebased with the data's. (Under SIKG_BASE the
    canonical URL's context would expand the data's compact IRIs to the canonical instance space, where the KG has
    nothing.) The JSON-LD documents the service serves or writes carry the context inline instead (context()), so that
    they are read with no network access; only the contribution form's preview, which is meant to be sent back to
    this service, names it by this URL."""
    return CONTEXT_URL


def context_urls() -> set[str]:
    """The URLs under which the sikg context is published; all of them resolve to the local file."""
    return {CANONICAL_CONTEXT_URL, context_url()}


def refusal(url) -> str:
    """Why a remote context or document was not loaded, naming it and the policy."""
    return (f"remote JSON-LD context or document {url!r} is not fetched: only the sikg context ({context_url()}) is "
            f"resolved; put any other context inline")


def local_document_loader(url: str, options=None) -> dict:
    """pyld's document loader: the sikg context from the package, anything else refused without a connection."""
    if url in context_urls():
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": context_document()}
    raise RemoteContextRefused(refusal(url))


def local_context(value):
    """A context value (a URL, an object or an array of them) with the sikg context put inline wherever it is named,
    also by @import and in the scoped contexts of term definitions; any other URL raises RemoteContextRefused naming
    it. Parsers given no document loader (Oxigraph's) refuse those nested ones too, but with a message that names
    neither the URL nor the policy ("No LoadDocumentCallback has been set")."""
    if isinstance(value, str):
        if value in context_urls():
            return context()
        raise RemoteContextRefused(refusal(value))
    if isinstance(value, list):
        return [local_context(item) for item in value]
    if not isinstance(value, dict):
        return value
    resolved = {key: {**item, "@context": local_context(item["@context"])}
                if isinstance(item, dict) and "@context" in item else item
                for key, item in value.items() if key != "@import"}
    imported = value.get("@import")
    if imported is None:
        return resolved
    if not isinstance(imported, str):
        return {**resolved, "@import": imported}  # invalid JSON-LD: left for the parser to report
    return {**local_context(imported), **resolved}  # as @import does: the importing context's own terms win


_OPTIONS = {"documentLoader": local_document_loader}


def confusable_iris(quads: Iterable[ox.Quad]) -> list[str]:
    """The IRIs among `quads` that JSON-LD with the sikg context cannot hold (see ConfusableIri)."""
    compactor = Compactor(context())
    return sorted({term.value for quad in quads for term in (quad.subject, quad.predicate, quad.object,
                                                            quad.graph_name)
                   if isinstance(term, ox.NamedNode) and compactor.confusable(term.value)})


def triples_to_expanded(triples: Iterable[ox.Triple]) -> list:
    """Expanded JSON-LD for pyld to compact (and, in the tests, to frame). (pyld's own RDF conversion, from
    N-Triples that Oxigraph writes: Oxigraph's JSON-LD writer keeps rdf:type as a property rather than @type, which
    framing matches on.)"""
    nquads = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    from pyld import jsonld  # when first used: the evaluators never do (module __getattr__)

    return jsonld.from_rdf(nquads, {"format": "application/n-quads"})


def compact(triples: Iterable[ox.Triple], context_ref=None) -> dict:
    """Compacted JSON-LD of a small graph; `context_ref` (a URL) replaces the inline context in the result."""
    from pyld import jsonld  # when first used: the evaluators never do (module __getattr__)

    compacted = jsonld.compact(triples_to_expanded(triples), {"@context": context()}, _OPTIONS)
    if context_ref:
        compacted["@context"] = context_ref
    return compacted


# -- streaming compact writer ------------------------------------------------------------------------------------

class Compactor:
    """Term selection for one context, precomputed so that writing a node is dictionary look-ups."""

    def __init__(self, ctx: dict):
        expand = lambda value: self.expand_prefixed(value, ctx)
        self.vocab = ctx.get("@vocab")
        self.prefixes = sorted(((name, iri) for name, iri in ctx.items()
                                if isinstance(iri, str) and not name.startswith("@") and iri.endswith(("/", "#"))),
                               key=lambda p: -len(p[1]))
        self.prefix_names = {name for name, _ in self.prefixes}
        self.terms = {}
        for name, definition in ctx.items():
            if name.startswith("@") or name in ("id", "type", "graph"):
                continue
            if isinstance(definition, str):  # prefixes too: pyld writes "dct" for the property <dct:> itself
                self.terms.setdefault(expand(definition), (name, None, frozenset()))
                continue
            containers = definition.get("@container", ())
            containers = frozenset([containers] if isinstance(containers, str) else containers)
            if "@list" in containers:
                continue  # lists are written as their rdf:first/rdf:rest cells instead
            self.terms.setdefault(expand(definition["@id"]), (name, definition.get("@type"), containers))
        self.set_terms = {name for name, _, containers in self.terms.values() if "@set" in containers}
        # Compacting an IRI is the writer's commonest step. Every prefix that can match an IRI is a prefix of its
        # part up to the last "/" or "#", so the longest match is found once per such part and remembered; IRIs in
        # vocabulary position, which are few (properties, classes, datatypes), are remembered whole.
        self.namespace_match: dict[str, tuple | None] = {}
        self.vocab_terms: dict[str, str] = {}
        self.object_refs: dict[str, str] = {}
        self.plans: dict[str, Plan] = {}

    @staticmethod
    def expand_prefixed(value: str, ctx: dict) -> str:
        """`value` as a full IRI when it is a compact IRI of one of `ctx`'s prefixes, else as it is."""
        prefix, _, local = value.partition(":")
        target = ctx.get(prefix)
        return target + local if isinstance(target, str) and local and not local.startswith("//") else value

    def iri(self, iri: str, vocab: bool = False) -> str:
        if vocab:
            compacted = self.vocab_terms.get(iri)
            if compacted is None:
                compacted = self.vocab_terms[iri] = self._vocab_iri(iri)
            return compacted
        head = iri[:max(iri.rfind("/"), iri.rfind("#")) + 1]
        match = self.namespace_match.get(head, False)
        if match is False:
            match = self.namespace_match[head] = next(
                ((name, namespace) for name, namespace in self.prefixes if head.startswith(namespace)), None)
        if match is None:
            return self._whole(iri)
        local = iri[len(match[1]):]
        return f"{match[0]}:{local}" if local and not local.startswith("//") else self._prefixed(iri)

    def _vocab_iri(self, iri: str) -> str:
        term = self.terms.get(iri)
        if term is not None and "@language" not in term[2]:  # as pyld: any term but a language map's, whatever
            return term[0]                                     # its @type, names a class or datatype
        if self.vocab and iri.startswith(self.vocab) and ":" not in iri[len(self.vocab):]:
            return iri[len(self.vocab):]
        return self.iri(iri)

    def _prefixed(self, iri: str) -> str:
        for name, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{name}:{iri[len(namespace):]}"
        return self._whole(iri)

    def confusable(self, iri: str) -> bool:
        scheme, _, rest = iri.partition(":")
        return scheme in self.prefix_names and not rest.startswith("//")

    def _whole(self, iri: str) -> str:
        """An IRI no prefix shortens, written whole: unless a JSON-LD reader would take it for a compact IRI."""
        if self.confusable(iri):
            raise ConfusableIri(f"the IRI <{iri}> cannot be written as JSON-LD with the sikg context: it would read "
                                f"as the compact IRI of the context's prefix {iri.partition(':')[0]!r}")
        return iri

    def ref(self, term) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.Triple):
            raise ValueError("JSON-LD 1.1 has no form for an RDF 1.2 triple term; export N-Quads or Turtle instead")
        return self.iri(term.value)

    def object_ref(self, term) -> str:
        """ref() for objects, remembered: a KG links to the same few hundred things (elements, methods, countries,
        sources) over and over. Subjects are not remembered; each comes once."""
        if type(term) is not ox.NamedNode:
            return self.ref(term)
        value = term.value
        compacted = self.object_refs.get(value)
        if compacted is None:
            compacted = self.iri(value)
            if len(self.object_refs) < 100_000:  # bounded: a dump's memory must not grow with the KG
                self.object_refs[value] = compacted
        return compacted

    def plan(self, predicate: str) -> "Plan":
        """How values of `predicate` are compacted (pyld's term selection for the context's forms), worked out once
        per predicate, since a writer meets each one many times."""
        plan = self.plans.get(predicate)
        if plan is None:
            name, coercion, containers = self.terms.get(predicate, (None, None, frozenset()))
            compact = self.iri(predicate)
            language_map = name is not None and "@language" in containers
            literal_term = name is not None and coercion is None and not language_map
            node_term = name is not None and coercion in (None, "@id") and not language_map
            plan = self.plans[predicate] = Plan(name if literal_term else compact, name if language_map else None,
                                                name if node_term else compact, node_term and coercion == "@id")
        return plan

    def literal(self, literal) -> dict | str:
        """A literal outside a language map: a plain string for xsd:string (the context sets no default language),
        else a value object."""
        language = literal.language
        if language:
            direction = literal.direction
            if direction is not None:  # RDF 1.2 base direction
                return {"@direction": str(direction.value), "@language": language, "@value": literal.value}
            return {"@language": language, "@value": literal.value}
        datatype = literal.datatype.value
        if datatype == XSD_STRING:
            return literal.value
        return {"type": self.iri(datatype, vocab=True), "@value": literal.value}

    def add_literal(self, entries: dict, plan: "Plan", literal) -> None:
        """Puts `literal` where pyld's compaction puts it: under a language-map term by its language (a plain string
        as "@none"), else under the plan's literal key."""
        key = plan.language_key
        if key is not None:
            language = literal.language
            if language and literal.direction is None or not language and literal.datatype.value == XSD_STRING:
                entries.setdefault(key, {}).setdefault(language or "@none", []).append(literal.value)
                return
        entries.setdefault(plan.literal_key, []).append(self.literal(literal))

    def node(self, subject, quads: Iterable) -> dict:
        """The compacted node object of `subject` from its quads (or triples): anything with .predicate and .object."""
        return self.node_object(self.ref(subject), *self.values(quads))

    def node_object(self, ref: str, types: list, entries: dict) -> dict:
        node = {"id": ref}
        if types:
            node["type"] = types if len(types) > 1 else types[0]
        return self.unwrapped(node, entries)

    def values(self, quads: Iterable) -> tuple[list, dict]:
        """A subject's types, and its other values by key (key -> values, or for a language map key -> language ->
        texts; plain strings under a language-map term are keyed "@none"), from its quads."""
        types, entries = [], {}
        named, literal, plan_of, plans, refs = ox.NamedNode, ox.Literal, self.plan, self.plans, self.object_refs
        for quad in quads:  # (the plans and references looked up here first: a call per quad was a third of it)
            predicate, obj = quad.predicate.value, quad.object
            plan = plans.get(predicate) or plan_of(predicate)
            kind = type(obj)
            if kind is literal:
                self.add_literal(entries, plan, obj)
            elif predicate == RDF_TYPE:
                types.append(self.iri(obj.value, vocab=True) if kind is named else self.ref(obj))
            else:
                ref = (refs.get(obj.value) if kind is named else None) or self.object_ref(obj)
                entries.setdefault(plan.node_key, []).append(ref if plan.node_ref else {"id": ref})
        return types, entries

    def unwrapped(self, node: dict, entries: dict) -> dict:
        """Adds `entries` (key -> values, or language -> texts) to `node`, single values unwrapped unless the key is
        a @set term (None, for a property framing found empty, stays)."""
        sets = self.set_terms
        for key, value in entries.items():
            if key in sets or value is None:
                node[key] = value
            elif type(value) is dict:
                node[key] = {lang: texts[0] if len(texts) == 1 else texts for lang, texts in value.items()}
            else:
                node[key] = value[0] if len(value) == 1 else value
        return node


class Plan(NamedTuple):
    """Where one predicate's values go in a compacted node object."""
    literal_key: str  # for literals outside a language map: the term if it takes them, else a compact IRI
    language_key: str | None  # the language-map term that takes tagged (and, as "@none", plain) strings
    node_key: str  # for IRIs and blank nodes
    node_ref: bool  # the node key's term has @type @id: references are bare strings, not {"id": ...}


def write_compacted(quads: Iterable[ox.Quad], output: BinaryIO, context_value=None, ctx: dict | None = None,
                    grouped: bool = False) -> None:
    """Writes compact JSON-LD of `quads`: one node object per subject and graph, named graphs as
    {"id": graph, "graph": [...]} entries. With `grouped` the quads come grouped by graph, then subject (an on-disk
    Oxigraph store's index order), and each node is written as soon as its quads are read; otherwise (an in-memory
    store, a query result: pyoxigraph gives no order there) the nodes are gathered before they are written."""
    compactor = Compactor(ctx or context())
    with nullcontext() if grouped else _no_cyclic_gc():
        write_nodes((_streamed if grouped else _gathered)(compactor, quads), output,
                    context_value if context_value is not None else (ctx or context()))


def write_nodes(nodes: Iterable[tuple[str | None, dict]], output: BinaryIO, context_value) -> None:
    """Writes the document of `nodes`, (graph reference or None for the default graph, node object) pairs in which
    a graph's nodes come together: the default graph's at the top, each named graph's in a {"id", "graph"} entry."""
    pending: list[bytes] = [b'{"@context":' + orjson.dumps(context_value) + b',\n"@graph":[\n']
    separator, current, dumps = b"", None, orjson.dumps
    for graph, node in nodes:
        if graph != current:
            if current is not None:
                pending.append(b"]}")
                separator = b",\n"
            if graph is not None:
                pending.append(separator + b'{"id":' + dumps(graph) + b',"graph":[\n')
                separator = b""
            current = graph
        pending.append(separator + dumps(node))
        separator = b",\n"
        if len(pending) >= 512:  # written a few hundred nodes at a time: one write per batch, not per node
            output.write(b"".join(pending))
            pending.clear()
    pending.append(b"]}]}\n" if current is not None else b"]}\n")
    output.write(b"".join(pending))


def _streamed(compactor: Compactor, quads: Iterable[ox.Quad]) -> Iterator[tuple[str | None, dict]]:
    """(graph reference, node object) pairs from quads grouped by graph and subject, a node at a time."""
    for graph, graph_quads in groupby(quads, key=_graph_name):
        ref = None if isinstance(graph, ox.DefaultGraph) else compactor.ref(graph)
        for subject, subject_quads in groupby(graph_quads, key=_subject):
            yield ref, compactor.node(subject, subject_quads)


def _gathered(compactor: Compactor, quads: Iterable[ox.Quad]) -> Iterator[tuple[str | None, dict]]:
    """(graph reference, node object) pairs from quads in any order: each run of one subject's quads is read as it
    comes and merged into what earlier runs gave for the same subject and graph."""
    graphs: dict = {}
    for graph, graph_quads in groupby(quads, key=_graph_name):
        nodes = graphs.setdefault(graph, {})
        for subject, run in groupby(graph_quads, key=_subject):
            _merge(nodes, compactor.ref(subject), *compactor.values(run))
    for graph, nodes in graphs.items():
        ref = None if isinstance(graph, ox.DefaultGraph) else compactor.ref(graph)
        for subject, (types, entries) in nodes.items():
            yield ref, compactor.node_object(subject, types, entries)


def _merge(nodes: dict, ref: str, types: list, entries: dict) -> None:
    """Adds one run of a subject's values to what earlier runs gave for it."""
    if ref not in nodes:
        nodes[ref] = types, entries
        return
    merge_values(*nodes[ref], types, entries)


def merge_values(known_types: list, known: dict, types: list, entries: dict) -> None:
    """Adds a subject's `types` and `entries` (as Compactor.values gives them) to those already known of it."""
    known_types.extend(types)
    for key, value in entries.items():
        if key not in known:
            known[key] = value
        elif type(value) is dict:
            for language, texts in value.items():
                known[key].setdefault(language, []).extend(texts)
        else:
            known[key].extend(value)


@contextmanager
def _no_cyclic_gc():
    """Python's cycle collector off while a KG's nodes are gathered and written: they hold no cycles, and it would
    otherwise walk the growing heap again and again (a quarter of the in-memory dump's time). Reference counting
    still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_graph_name = attrgetter("graph_name")
_subject = attrgetter("subject")
