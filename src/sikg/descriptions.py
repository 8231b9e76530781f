"""Descriptions of the service and the dataset, as RDF: the SPARQL 1.1 Service Description at /sparql and the
VoID + DCAT description at /.well-known/void. Both are computed from the store and cached per store state.
"""

import threading

import pyoxigraph as ox

from .formats import DUMP_FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from .namespaces import BASE, PREFIXES

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = PREFIXES["void"]
DCAT = PREFIXES["dcat"]
DCT = PREFIXES["dct"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
FORMATS = "http://www.w3.org/ns/formats/"
DATASET = BASE + "id/dataset/sikg"
PLACEHOLDER_ENDPOINT = BASE + "sparql"

# The formats /sparql answers in, by their W3C format IRIs (http://www.w3.org/ns/formats/).
RESULT_FORMAT_IRIS = [f.w3c for f in (*RESULT_FORMATS, *GRAPH_FORMATS)]

_cache: dict = {}
_lock = threading.Lock()


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(PREFIXES["xsd"] + "integer"))


def graph_sizes(store) -> dict[str, int]:
    """Triples per named graph, cached per store state (counting is a scan)."""
    key = ("sizes", store.state_token)
    with _lock:
        if key not in _cache:
            rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            _cache.clear()
            _cache[key] = {r["g"].value: int(r["n"].value) for r in rows}
        return _cache[key]


def service_description(store, endpoint: str) -> list[ox.Triple]:
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), _n(endpoint)),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "defaultEntailmentRegime"), _n("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(DCT + "title"), ox.Literal("Social Innovation Support Knowledge Graph", language="en")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(default, _n(DCT + "description"),
                  ox.Literal("The union of all named graphs", language="en")),
    ]
    triples += [ox.Triple(service, _n(SD + "resultFormat"), _n(FORMATS + f)) for f in RESULT_FORMAT_IRIS]
    sizes = graph_sizes(store)
    triples.append(ox.Triple(default, _n(VOID + "triples"), _count(sum(sizes.values()))))
    for i, (graph, size) in enumerate(sorted(sizes.items())):
        named, description = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
        triples += [ox.Triple(dataset, _n(SD + "namedGraph"), named),
                    ox.Triple(named, RDF_TYPE, _n(SD + "NamedGraph")),
                    ox.Triple(named, _n(SD + "name"), _n(graph)),
                    ox.Triple(named, _n(SD + "graph"), description),
                    ox.Triple(description, RDF_TYPE, _n(SD + "Graph")),
                    ox.Triple(description, _n(VOID + "triples"), _count(size))]
    return triples


def void_description(store, service_root: str) -> list[ox.Triple]:
    """The curated DCAT/VoID description with the live endpoint, dumps, size and class partition filled in."""
    endpoint = service_root + "sparql"
    triples = []
    for triple in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o . FILTER(?s IN (<{DATASET}>, "
                              f"<{DATASET}-turtle>)) }}"):
        if triple.object == _n(PLACEHOLDER_ENDPOINT):
            triple = ox.Triple(triple.subject, triple.predicate, _n(endpoint))
        triples.append(triple)
    dataset = _n(DATASET)
    service = _n(service_root + "sparql#service")
    sizes = graph_sizes(store)
    triples += [
        ox.Triple(dataset, _n(VOID + "triples"), _count(sum(sizes.values()))),
        ox.Triple(dataset, _n(DCAT + "accessService"), service),
        ox.Triple(service, RDF_TYPE, _n(DCAT + "DataService")),
        ox.Triple(service, _n(DCAT + "endpointURL"), _n(endpoint)),
        ox.Triple(service, _n(DCAT + "servesDataset"), dataset),
        ox.Triple(service, _n(DCT + "conformsTo"), _n("https://www.w3.org/TR/sparql11-protocol/")),
    ]
    for fmt in DUMP_FORMATS:
        media_type, file_type = fmt.media_type, fmt.file_type
        dump = _n(f"{service_root}export?format={fmt.name}")
        triples += [ox.Triple(dataset, _n(VOID + "dataDump"), dump),
                    ox.Triple(dump, _n(DCAT + "mediaType"),
                              _n("http://www.iana.org/assignments/media-types/" + media_type)),
                    ox.Triple(dump, _n(DCT + "format"),
                              _n("http://publications.europa.eu/resource/authority/file-type/" + file_type))]
    partitions = store.query("SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class "
                             "ORDER BY ?class")
    for i, row in enumerate(partitions):
        partition = ox.BlankNode(f"class{i}")
        triples += [ox.Triple(dataset, _n(VOID + "classPartition"), partition),
                    ox.Triple(partition, _n(VOID + "class"), row["class"]),
                    ox.Triple(partition, _n(VOID + "entities"), _count(int(row["n"].value)))]
    return triples
