"""Framing without a JSON-LD processor: the triples of a CONSTRUCT nested as a frame says, in one pass, giving the
JSON that pyld's jsonld.frame (omitGraph false) gives for the same triples and frame (tests/test_framing.py holds it
to that, byte for byte).

pyld parses its input as N-Quads, checking each triple against every one read before, then walks generic node maps:
20,000 practices did not finish in minutes. The practices frame needs little of JSON-LD framing, so this interprets
that part, with pyld's defaults for the rest (@explicit, @requireAll and @omitDefault false), and refuses any other
frame keyword rather than guess what it would do:

- a frame matches nodes by @type (any of its types), else by having a value for any property it names, else all;
- top-level nodes are the matching ones, in order of IRI; inside a node, properties come in order of IRI and values
  in the order their triples first came;
- a value of a property the frame names is embedded if its node matches that property's frame, and left out if not;
  values of other properties follow the @embed of the node they are in (pyld's "implicit frame");
- @embed @always embeds every time, @once (the default) the first time within one top-level node, @never never; a
  node already on the path above the parent is a reference, never embedded again (pyld's circular-reference test);
- a property the frame names that is left with no value is null, or [] under a @set term.

Keys, values and unwrapping are jsonld.Compactor's, the rules the whole-KG writer follows too (pyld's compaction:
single values unwrapped unless the term is a @set, plain strings under a language map keyed "@none", value objects
with the "type" alias). The context's own forms are assumed: terms without @type or with @type @id, containers @set
and @language. Blank nodes keep their labels (pyld renames them _:b0, _:b1, … and drops those used
once): the practices and all they link to are named by IRIs in the KG.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import RDF
from . import jsonld
from .jsonld import Compactor

_EMBED_FLAGS = {"@always": "@always", "@once": "@once", "@never": "@never", True: "@once", False: "@never"}
_REFERENCE = object()  # a node value written as its IRI, not embedded


class UnsupportedFrame(ValueError):
    """A frame using a part of JSON-LD framing this module does not interpret."""


@dataclass(frozen=True)
class NodeFrame:
    """One level of a frame: the types a matching node has one of (none: no type test), how a matching node is
    embedded, and the frames of the properties it names (by expanded IRI)."""
    types: frozenset[str] = frozenset()
    embed: str = "@once"  # pyld's default
    properties: dict[str, "NodeFrame"] = field(default_factory=dict)

    def implicit(self) -> "NodeFrame":
        """The frame for values of properties this one does not name: any node, embedded as this frame's nodes are."""
        return NodeFrame(embed=self.embed)

    def matches(self, node: "_Node") -> bool:
        if self.types:
            return not self.types.isdisjoint(node.types)
        return not self.properties or any(p in node.properties for p in self.properties)


def read_frame(document: dict) -> tuple[NodeFrame, dict]:
    """The frame of a frame document and the context it is written in (inline, or the sikg context by URL)."""
    ctx = document.get("@context")
    if isinstance(ctx, str) and ctx in jsonld.context_urls():
        ctx = jsonld.context()
    if not isinstance(ctx, dict):
        raise UnsupportedFrame("the frame's @context must be the sikg context, inline or by its URL")
    return _node_frame({k: v for k, v in document.items() if k != "@context"}, ctx), ctx


def _node_frame(entries: dict, ctx: dict) -> NodeFrame:
    types, embed, properties = frozenset(), "@once", {}
    for key, value in entries.items():
        keyword = ctx.get(key) if ctx.get(key) in ("@type", "@id", "@graph") else key
        if keyword == "@type":
            named = value if isinstance(value, list) else [value]
            if not named or not all(isinstance(t, str) for t in named):
                raise UnsupportedFrame(f"only named types are matched, not {value!r}")
            types = frozenset(_expand(t, ctx) for t in named)
        elif keyword == "@embed":
            if not isinstance(value, (str, bool)) or value not in _EMBED_FLAGS:
                raise UnsupportedFrame(f"@embed {value!r} is not interpreted; use one of @always, @once, @never")
            embed = _EMBED_FLAGS[value]
        elif keyword.startswith("@"):
            raise UnsupportedFrame(f"frame keyword {keyword} is not interpreted")
        elif isinstance(value, dict):
            container = ctx[key].get("@container", "@set") if isinstance(ctx.get(key), dict) else "@set"
            if container != "@set":  # its frame would be expanded as a language map, list, …
                raise UnsupportedFrame(f"{key!r} has @container {container}; only properties without one or with "
                                       "@set can be framed")
            properties[_expand(key, ctx)] = _node_frame(value, ctx)
        else:
            raise UnsupportedFrame(f"the frame of {key!r} must be a node frame (an object), not {value!r}")
    return NodeFrame(types, embed, properties)


def _expand(name, ctx: dict) -> str:
    definition = ctx.get(name, name)
    iri = Compactor.expand_prefixed(definition["@id"] if isinstance(definition, dict) else definition, ctx)
    if ":" not in iri:
        raise UnsupportedFrame(f"{name!r} is not a term or compact IRI of the context")
    return iri


class _Node:
    """A subject (or an object only referred to) of the triples: its types and its other values, each kept once,
    in the order they first came."""
    __slots__ = ("term", "types", "properties")

    def __init__(self, term):
        self.term, self.types, self.properties = term, {}, {}


def _node_map(triples: Iterable[ox.Triple]) -> dict:
    nodes: dict = {}
    for triple in triples:
        subject, obj = triple.subject, triple.object
        node = nodes.get(subject) or nodes.setdefault(subject, _Node(subject))
        predicate = triple.predicate.value
        if predicate == RDF.type and isinstance(obj, ox.NamedNode):
            node.types[obj.value] = None
            continue
        if not isinstance(obj, ox.Literal) and obj not in nodes:
            nodes[obj] = _Node(obj)
        node.properties.setdefault(predicate, {})[obj] = None
    return nodes


def _expanded_id(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


class _Output:
    """One node's compacted output as pyld writes it: keys chosen per value (jsonld.Compactor.plan), single values
    unwrapped at the end."""

    def __init__(self, compactor: Compactor, node: _Node):
        self.compactor = compactor
        self.node: dict = {"id": compactor.ref(node.term)}
        if node.types:
            types = [compactor.iri(t, vocab=True) for t in node.types]
            self.node["type"] = types[0] if len(types) == 1 else types
        self.entries: dict = {}

    def add_node(self, predicate: str, term, framed) -> None:
        plan = self.compactor.plan(predicate)
        if framed is _REFERENCE or len(framed) == 1:  # a node with nothing but its id is a reference
            ref = self.compactor.ref(term)
            framed = ref if plan.node_ref else {"id": ref}
        self.entries.setdefault(plan.node_key, []).append(framed)

    def add_literal(self, predicate: str, literal: ox.Literal) -> None:
        self.compactor.add_literal(self.entries, self.compactor.plan(predicate), literal)

    def add_missing(self, predicate: str) -> None:
        """A property the frame names with no value left: null, or an empty array under a @set term."""
        key = self.compactor.plan(predicate).node_key
        self.entries[key] = [] if key in self.compactor.set_terms else None

    def compacted(self) -> dict:
        return self.compactor.unwrapped(self.node, self.entries)


class _Framer:
    def __init__(self, nodes: dict, ctx: dict):
        self.nodes, self.compactor = nodes, Compactor(ctx)
        self.embedded: set = set()  # nodes embedded so far under the current top-level node, for @once
        self.path: list = []  # the nodes being embedded, outermost first

    def top_level(self, frame: NodeFrame) -> Iterator[dict]:
        for term in sorted(self.nodes, key=_expanded_id):
            node = self.nodes[term]
            if frame.matches(node):
                self.embedded = set()  # pyld frames each top-level node on its own
                yield self._embed(node, frame)

    def _value(self, term, frame: NodeFrame):
        """A node value under `frame`: embedded, a reference, or None when the node does not match (left out)."""
        node = self.nodes[term]
        if not frame.matches(node):
            return None
        if (frame.embed == "@never" or term in self.path[:-1]
                or (frame.embed == "@once" and term in self.embedded)):
            return _REFERENCE
        return self._embed(node, frame)

    def _embed(self, node: _Node, frame: NodeFrame) -> dict:
        self.embedded.add(node.term)
        self.path.append(node.term)
        output = _Output(self.compactor, node)
        for predicate in sorted(node.properties.keys() | frame.properties.keys()):
            subframe = frame.properties[predicate] if predicate in frame.properties else frame.implicit()
            added = False
            for value in node.properties.get(predicate, ()):
                if isinstance(value, ox.Literal):
                    if subframe.types:  # pyld's value match: a frame with @type matches no literal
                        continue
                    output.add_literal(predicate, value)
                else:
                    framed = self._value(value, subframe)
                    if framed is None:
                        continue
                    output.add_node(predicate, value, framed)
                added = True
            if not added and predicate in frame.properties:
                output.add_missing(predicate)
        self.path.pop()
        return output.compacted()


def frame(triples: Iterable[ox.Triple], frame_document: dict) -> dict:
    """What pyld's framing (omitGraph false) returns for `triples` and `frame_document`, for a frame that read_frame
    accepts."""
    # "graph" is the sikg context's alias of @graph, which pyld's compaction writes (as write_compacted does)
    return {"@context": frame_document["@context"], "graph": list(framed_nodes(triples, frame_document))}


def framed_nodes(triples: Iterable[ox.Triple], frame_document: dict) -> Iterator[dict]:
    """The top-level nodes of frame(), one at a time: a large frame is written as it is made, not held whole."""
    node_frame, ctx = read_frame(frame_document)
    return _Framer(_node_map(triples), ctx).top_level(node_frame)
