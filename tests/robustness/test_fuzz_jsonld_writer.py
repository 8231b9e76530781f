"""The streaming compact JSON-LD writer (jsonld.write_compacted, what the whole-KG export uses) on generated
datasets: whatever the IRIs, literals, blank nodes and graphs, expanding its output with pyld gives back exactly
the quads it was given. The IRIs are chosen to stress compaction: the context's namespaces with empty, nested,
"//"-led or fragment local parts, terms' own IRIs, IRIs that are a namespace, and IRIs no prefix covers."""

import io
import json

import pyoxigraph as ox
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import PYLD_OPTIONS, to_quads
from sikg.namespaces import RDF
from sikg.rdf import jsonld

CONTEXT = jsonld.context()
NAMESPACES = sorted({v for k, v in CONTEXT.items() if isinstance(v, str) and v.endswith(("/", "#"))})
TERM_IRIS = sorted({jsonld.Compactor.expand_prefixed(d["@id"] if isinstance(d, dict) else d, CONTEXT)
                    for k, d in CONTEXT.items() if not k.startswith("@") and (isinstance(d, dict) or
                                                                           not d.endswith(("/", "#")))}
                   - {"@id", "@type", "@graph"})  # the aliases id, type and graph
LOCALS = ["x", "a/b", "a#b", "//evil", "", "with%20space", "ünïcode", "1", "id", "type", "graph", "x:y"]
XSD = "http://www.w3.org/2001/XMLSchema#"
DATATYPES = [XSD + "string", XSD + "integer", XSD + "date", XSD + "anyURI", "urn:x:type",
             "https://w3id.org/sikg/ontology#customType"]

def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


iris = st.one_of(
    st.builds(lambda ns, local: ns + local, st.sampled_from(NAMESPACES), st.sampled_from(LOCALS)),
    st.sampled_from(TERM_IRIS),
    st.sampled_from(["urn:x:1", "http://example.org/", "http://example.org/a/b/c", "https://w3id.org/sikg/",
                     "https://w3id.org/sikg/id/element/realisation", "tag:x@y,2020:z"]),
).filter(lambda iri: _is_iri(iri)).map(ox.NamedNode)
blanks = st.sampled_from(["b1", "b2", "b3"]).map(ox.BlankNode)
literals = st.one_of(
    st.builds(lambda text, lang: ox.Literal(text, language=lang), st.text(max_size=12),
              st.sampled_from(["en", "sv", "fr", "es", "lv", "en-GB"])),
    st.builds(lambda text, dt: ox.Literal(text, datatype=ox.NamedNode(dt)), st.text(max_size=12),
              st.sampled_from(DATATYPES)),
)
RDF_TYPE = ox.NamedNode(RDF.type)
predicates = st.one_of(st.sampled_from(TERM_IRIS).map(ox.NamedNode), iris, st.just(RDF_TYPE))
graphs = st.one_of(st.just(ox.DefaultGraph()), st.sampled_from(["urn:g:1", "https://w3id.org/sikg/graph/x"])
                   .map(ox.NamedNode))
quads = st.builds(ox.Quad, st.one_of(iris, blanks), predicates, st.one_of(iris, blanks, literals), graphs)


def _canonical(quad_list) -> set[str]:
    """N-Quads lines with blank nodes relabelled by first appearance (the input's and pyld's labels differ)."""
    store = ox.Store()
    store.extend(quad_list)
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return set(out.getvalue().decode().splitlines())


@settings(max_examples=150, deadline=None)
@given(st.lists(quads, min_size=1, max_size=25))
def test_expanding_the_written_json_ld_gives_back_the_quads(generated):
    store = ox.Store()
    store.extend(generated)
    output = io.BytesIO()
    jsonld.write_compacted(store.quads_for_pattern(None, None, None, None), output)
    document = json.loads(output.getvalue())
    back = [q for q in ox.parse("\n".join(to_quads(document)), format=ox.RdfFormat.N_QUADS)]
    assert len(_canonical(back)) == len(_canonical(store.quads_for_pattern(None, None, None, None)))
    blank_free = lambda lines: {line for line in lines if "_:" not in line}
    assert blank_free(_canonical(back)) == blank_free(_canonical(store.quads_for_pattern(None, None, None, None)))


def _nodes_by_graph(document: dict) -> dict:
    """{(graph id or None, node id): node without its "graph" entry}, arrays sorted: the node objects of a compacted
    document, wherever they sit, so that two compactions of one dataset compare whatever their order and nesting."""
    def norm(value):
        if isinstance(value, list):
            return sorted((norm(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        return value

    def merged(a, b):
        """Two values of one key (a subject may come in more than one node object, as the store orders quads)."""
        if a is None:
            return b
        if isinstance(a, dict) and isinstance(b, dict) and "@value" not in a and "id" not in a:  # language maps
            return {lang: merged(a.get(lang), b.get(lang)) if lang in a else b[lang] for lang in a.keys() | b.keys()}
        return (a if isinstance(a, list) else [a]) + (b if isinstance(b, list) else [b])

    nodes = {}

    def visit(node: dict, graph) -> None:
        inner = node.get("graph")
        body = {k: v for k, v in node.items() if k != "graph"}
        if len(body) > 1 or inner is None:
            entry = nodes.setdefault((graph, node["id"]), {})
            for key, value in body.items():
                entry[key] = value if key == "id" else merged(entry.get(key), value)
        for child in inner if isinstance(inner, list) else [inner] if inner else []:
            visit(child, node["id"])

    body = {k: v for k, v in document.items() if k != "@context"}
    top = [body] if "id" in body else body.get("graph", body.get("@graph"))  # pyld unwraps a lone node
    for node in top if isinstance(top, list) else [top]:
        visit(node, None)
    return {key: norm(node) for key, node in nodes.items()}


def _pyld_dataset(store: ox.Store) -> dict:
    """The store's quads as pyld's RDF dataset (its N-Quads parser is not used: it splits lines at NEL, LS and the
    like, and leaves \\b and \\f escaped)."""
    def term(t) -> dict:
        if isinstance(t, ox.Literal):
            literal = {"type": "literal", "value": t.value, "datatype": t.datatype.value}
            return literal | ({"language": t.language} if t.language else {})
        return {"type": "blank node", "value": f"_:{t.value}"} if isinstance(t, ox.BlankNode) else \
            {"type": "IRI", "value": t.value}

    dataset: dict = {"@default": []}
    for quad in store.quads_for_pattern(None, None, None, None):
        graph = "@default" if isinstance(quad.graph_name, ox.DefaultGraph) else term(quad.graph_name)["value"]
        dataset.setdefault(graph, []).append({"subject": term(quad.subject), "predicate": term(quad.predicate),
                                              "object": term(quad.object)})
    return dataset


@settings(max_examples=150, deadline=None)
@given(st.lists(quads, min_size=1, max_size=25))
def test_the_writer_compacts_each_node_as_pyld_does(generated):
    """Not only the same quads: the same node objects as pyld's compaction with the sikg context (terms chosen by
    coercion and container, single values unwrapped unless @set, language maps, "@none", value objects)."""
    store = ox.Store()
    store.extend(generated)
    output = io.BytesIO()
    jsonld.write_compacted(store.quads_for_pattern(None, None, None, None), output)
    # pyld compacts <ns//x> as "prefix://x", which reads back as another IRI (the writer keeps such IRIs whole)
    assume(not any("//evil" in str(quad) for quad in generated))
    expected = jsonld.jsonld.compact(jsonld.jsonld.from_rdf(_pyld_dataset(store), {}), {"@context": CONTEXT},
                                     PYLD_OPTIONS)
    assert _nodes_by_graph(json.loads(output.getvalue())) == _nodes_by_graph(expected)


def _node_objects(document: dict) -> list[tuple]:
    """(graph, id) of every node object with a value besides its id (graph containers that hold only their graph
    are left out)."""
    found = []
    for top in document["@graph"]:
        if "graph" in top:
            found += [(top["id"], node["id"]) for node in top["graph"]]
        if set(top) - {"id", "graph"}:
            found.append((None, top["id"]))
    return found


@pytest.mark.parametrize("where", ["memory", "disk"])
def test_one_node_object_per_subject_and_graph_whatever_the_store_order(tmp_path, where):
    """pyoxigraph's in-memory store gives quads in no useful order (a subject's quads come in several runs): the
    writer still writes one node object per subject and graph; over an on-disk store it streams in index order."""
    from sikg.store import open_store

    store = open_store("memory" if where == "memory" else str(tmp_path / "store"))
    store.load_curated()
    output = io.BytesIO()
    jsonld.write_compacted(store.all_quads(), output, grouped=store.quads_grouped)
    found = _node_objects(json.loads(output.getvalue()))
    assert len(found) == len(set(found)) > 500
    assert store.quads_grouped == (where == "disk")


@pytest.mark.parametrize("iri", ["practice:foo", "rdf:type", "sikg:Bar", "schema:"])
@pytest.mark.parametrize("position", ["subject", "predicate", "object", "graph"])
def test_the_writer_refuses_an_iri_a_reader_would_take_for_a_compact_iri(iri, position):
    term, other = ox.NamedNode(iri), ox.NamedNode("http://example.org/x")
    quad = ox.Quad(term if position == "subject" else other, term if position == "predicate" else other,
                   term if position == "object" else other, term if position == "graph" else ox.DefaultGraph())
    with pytest.raises(jsonld.ConfusableIri, match="compact IRI"):
        jsonld.write_compacted([quad], io.BytesIO())
    assert jsonld.confusable_iris([quad]) == [iri]
    # IRIs with "//" after the scheme are never compact IRIs, whatever the scheme
    assert not jsonld.confusable_iris([ox.Quad(ox.NamedNode("schema://x"), other, other)])
