"""JSON-LD: the sikg context, a document loader that never goes to the network, compaction and framing with pyld,
and a streaming writer for whole-KG dumps.

pyld compacts small documents (a resource, a query result); its framing is the reference that framing.py, which
nests the practices frame in linear time, is tested against. A dump of the whole KG goes
through `write_compacted`, which writes compact JSON-LD straight from the store's quads, one node at a time, using
the same context: expanding its output (with pyld or any JSON-LD 1.1 processor) gives back exactly the store's
quads. It only uses the context's simple forms (prefixes, @type: @id, @container @language / @set), so what it
writes is what a compactor would accept.
"""

import json
from functools import lru_cache
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO, Iterable

import orjson
import pyoxigraph as ox
from pyld import jsonld

from .namespaces import BASE, rebase_text

CONTEXT_FILE = Path(__file__).parent / "context.jsonld"
CANONICAL_CONTEXT_URL = "https://w3id.org/sikg/context.jsonld"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class RemoteContextRefused(ValueError):
    """A JSON-LD document asked for a context or document that would have to be fetched from elsewhere."""


@lru_cache(maxsize=1)
def context_document() -> dict:
    return json.loads(rebase_text(CONTEXT_FILE.read_text(encoding="utf-8")))


def context() -> dict:
    return context_document()["@context"]


def context_urls() -> set[str]:
    """The URLs under which the sikg context is published; all of them resolve to the local file."""
    return {CANONICAL_CONTEXT_URL, BASE + "context.jsonld"}


def local_document_loader(url: str, options=None) -> dict:
    """pyld's document loader: the sikg context from the package, anything else refused without a connection."""
    if url in context_urls():
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": context_document()}
    raise RemoteContextRefused(f"remote JSON-LD context or document {url!r} is not fetched; only the sikg context "
                               f"({CANONICAL_CONTEXT_URL}) is available")


_OPTIONS = {"documentLoader": local_document_loader}


def triples_to_expanded(triples: Iterable[ox.Triple]) -> list:
    """Expanded JSON-LD for pyld to compact and frame. (pyld's own RDF conversion, from N-Triples that Oxigraph
    writes: Oxigraph's JSON-LD writer keeps rdf:type as a property rather than @type, which framing matches on.)"""
    nquads = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    return jsonld.from_rdf(nquads, {"format": "application/n-quads"})


def compact(triples: Iterable[ox.Triple], context_ref=None) -> dict:
    """Compacted JSON-LD of a small graph; `context_ref` (a URL) replaces the inline context in the result."""
    compacted = jsonld.compact(triples_to_expanded(triples), {"@context": context()}, _OPTIONS)
    if context_ref:
        compacted["@context"] = context_ref
    return compacted


def frame(triples: Iterable[ox.Triple], frame_document: dict) -> dict:
    """pyld's framing: right for any frame, but slow past a few thousand nodes (exports use framing.frame)."""
    return jsonld.frame(triples_to_expanded(triples), frame_document, {**_OPTIONS, "omitGraph": False})


def to_quads(document) -> list[str]:
    """N-Quads lines of a JSON-LD document; a remote context raises RemoteContextRefused (pyld wraps what its
    document loader raises in its own errors, so the cause is looked for along the chain)."""
    try:
        nquads = jsonld.to_rdf(document, {**_OPTIONS, "format": "application/n-quads"})
    except jsonld.JsonLdError as error:
        cause = error
        while cause is not None:
            if isinstance(cause, RemoteContextRefused):
                raise cause from None
            cause = getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
        raise
    return [line for line in nquads.split("\n") if line]  # not splitlines(): a form feed may sit in a literal


# -- streaming compact writer ------------------------------------------------------------------------------------

class _Compactor:
    """Term selection for one context, precomputed so that writing a node is dictionary look-ups."""

    def __init__(self, ctx: dict):
        expand = lambda value: self._expand_prefixed(value, ctx)
        self.vocab = ctx.get("@vocab")
        self.prefixes = sorted(((name, iri) for name, iri in ctx.items()
                                if isinstance(iri, str) and not name.startswith("@") and iri.endswith(("/", "#"))),
                               key=lambda p: -len(p[1]))
        self.class_terms, self.terms = {}, {}
        for name, definition in ctx.items():
            if name.startswith("@") or name in ("id", "type", "graph"):
                continue
            if isinstance(definition, str):
                if not definition.endswith(("/", "#")):
                    self.class_terms.setdefault(expand(definition), name)
                    self.terms.setdefault(expand(definition), (name, None, None))
                continue
            container = definition.get("@container")
            container = container if isinstance(container, str) else None
            if container == "@list":
                continue  # lists are written as their rdf:first/rdf:rest cells instead
            self.terms.setdefault(expand(definition["@id"]), (name, definition.get("@type"), container))
        # Compacting an IRI is the writer's commonest step. Every prefix that can match an IRI is a prefix of its
        # part up to the last "/" or "#", so the longest match is found once per such part and remembered; IRIs in
        # vocabulary position, which are few (properties, classes, datatypes), are remembered whole.
        self.namespace_match: dict[str, tuple | None] = {}
        self.vocab_terms: dict[str, str] = {}
        self.object_refs: dict[str, str] = {}
        self.plans: dict[str, tuple] = {}

    @staticmethod
    def _expand_prefixed(value: str, ctx: dict) -> str:
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
            return iri
        local = iri[len(match[1]):]
        return f"{match[0]}:{local}" if local and not local.startswith("//") else self._prefixed(iri)

    def _vocab_iri(self, iri: str) -> str:
        if iri in self.class_terms:
            return self.class_terms[iri]
        if self.vocab and iri.startswith(self.vocab) and ":" not in iri[len(self.vocab):]:
            return iri[len(self.vocab):]
        return self.iri(iri)

    def _prefixed(self, iri: str) -> str:
        for name, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{name}:{iri[len(namespace):]}"
        return iri

    def ref(self, term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

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

    def _literal_object(self, literal) -> dict | str:
        """A literal as compact JSON-LD writes it: a plain string for xsd:string (the context sets no default
        language, so it reads back as one), else a value object."""
        if literal.language:
            return {"@value": literal.value, "@language": literal.language}
        datatype = literal.datatype.value
        if datatype == XSD_STRING:
            return literal.value
        return {"@value": literal.value, "@type": self.iri(datatype, vocab=True)}

    def _plan(self, predicate: str) -> tuple:
        """How values of one predicate are written: (term, its @type coercion, its container, the key for values the
        term cannot take). Worked out once per predicate, since the writer meets each one many times."""
        name, coercion, container = self.terms.get(predicate, (None, None, None))
        key = self.iri(predicate, vocab=True)
        if name == key or key in ("id", "type", "graph"):
            key = predicate  # never let a compact IRI read as a term with another meaning
        plain = name is not None and coercion is None and container in (None, "@set")
        return name, coercion == "@id" and name is not None, container == "@language" and name is not None, \
            name if plain else None, key

    def node(self, subject, quads: Iterable) -> dict:
        """The node object of `subject` from its quads (or triples): anything with .predicate and .object."""
        types, entries, plans = [], {}, self.plans
        named, literal = ox.NamedNode, ox.Literal
        for quad in quads:
            predicate, obj = quad.predicate.value, quad.object
            plan = plans.get(predicate)
            if plan is None:
                plan = plans[predicate] = self._plan(predicate)
            name, as_id, as_language_map, plain_name, other_key = plan
            if type(obj) is literal:
                language = obj.language
                if as_language_map and language:
                    entries.setdefault(name, {}).setdefault(language, []).append(obj.value)
                else:
                    entries.setdefault(plain_name or other_key, []).append(self._literal_object(obj))
                continue
            if predicate == RDF_TYPE and type(obj) is named:
                types.append(self.iri(obj.value, vocab=True))
            elif as_id:
                entries.setdefault(name, []).append(self.object_ref(obj))
            else:
                entries.setdefault(plain_name or other_key, []).append({"@id": self.object_ref(obj)})
        node = {"id": self.ref(subject)}
        if types:
            node["type"] = types if len(types) > 1 else types[0]
        for key, value in entries.items():
            if isinstance(value, dict):
                value = {lang: texts[0] if len(texts) == 1 else texts for lang, texts in value.items()}
            node[key] = value
        return node


def write_compacted(quads: Iterable[ox.Quad], output: BinaryIO, context_value=None, ctx: dict | None = None) -> None:
    """Writes compact JSON-LD of `quads`, grouped as they come by graph, then subject (Oxigraph's index order; a
    graph or subject met again later just becomes a second entry, which JSON-LD merges). Named graphs become
    {"id": graph, "graph": [...]} entries."""
    compactor = _Compactor(ctx or context())
    pending: list[bytes] = []  # written a few hundred nodes at a time: one write per batch, not per node

    def emit(data: bytes) -> None:
        pending.append(data)
        if len(pending) >= 512:
            output.write(b"".join(pending))
            pending.clear()

    emit(b'{"@context":' + orjson.dumps(context_value if context_value is not None else (ctx or context()))
         + b',\n"@graph":[\n')
    separator = b""
    for graph, graph_quads in groupby(quads, key=_graph_name):
        named = not isinstance(graph, ox.DefaultGraph)
        if named:
            emit(separator + b'{"id":' + orjson.dumps(compactor.ref(graph)) + b',"graph":[\n')
            outer, separator = b",\n", b""
        for subject, subject_quads in groupby(graph_quads, key=_subject):
            emit(separator + orjson.dumps(compactor.node(subject, subject_quads)))
            separator = b",\n"
        if named:
            emit(b"]}")
            separator = outer
    emit(b"]}\n")
    output.write(b"".join(pending))


_graph_name = attrgetter("graph_name")
_subject = attrgetter("subject")
