"""Descriptions of the service and the dataset, as RDF: the SPARQL 1.1 Service Description at /sparql and the
VoID + DCAT description at /.well-known/void. Both are computed from the store on each request; only the graph
sizes, whose counting scans the store, are kept per store state.
"""

import threading

import pyoxigraph as ox

from ..formats import DUMP_FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from ..namespaces import (
    DATASET_IRI,
    DCAT,
    DCT,
    ENTAILMENT,
    FILE_TYPE,
    FORMATS,
    MEDIA_TYPE,
    RDF,
    SD,
    SPARQL_ENDPOINT,
    SPARQL_PROTOCOL,
    VOID,
    XSD,
)

# The formats /sparql answers in, by their W3C format IRIs (the names in namespaces.FORMATS).
RESULT_FORMAT_IRIS = [f.w3c for f in (*RESULT_FORMATS, *GRAPH_FORMATS) if f.w3c]

_cache: dict = {}
_lock = threading.Lock()


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.term("integer"))


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
        ox.Triple(service, RDF.term("type"), SD.term("Service")),
        ox.Triple(service, SD.term("endpoint"), _n(endpoint)),
        ox.Triple(service, SD.term("supportedLanguage"), SD.term("SPARQL11Query")),
        ox.Triple(service, SD.term("feature"), SD.term("UnionDefaultGraph")),
        ox.Triple(service, SD.term("defaultEntailmentRegime"), ENTAILMENT.term("Simple")),
        ox.Triple(service, SD.term("defaultDataset"), dataset),
        ox.Triple(dataset, RDF.term("type"), SD.term("Dataset")),
        ox.Triple(dataset, DCT.term("title"), ox.Literal("Social Innovation Support Knowledge Graph", language="en")),
        ox.Triple(dataset, SD.term("defaultGraph"), default),
        ox.Triple(default, RDF.term("type"), SD.term("Graph")),
        ox.Triple(default, DCT.term("description"),
                  ox.Literal("The union of all named graphs", language="en")),
    ]
    triples += [ox.Triple(service, SD.term("resultFormat"), FORMATS.term(f)) for f in RESULT_FORMAT_IRIS]
    sizes = graph_sizes(store)
    triples.append(ox.Triple(default, VOID.term("triples"), _count(sum(sizes.values()))))
    for i, (graph, size) in enumerate(sorted(sizes.items())):
        named, description = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
        triples += [ox.Triple(dataset, SD.term("namedGraph"), named),
                    ox.Triple(named, RDF.term("type"), SD.term("NamedGraph")),
                    ox.Triple(named, SD.term("name"), _n(graph)),
                    ox.Triple(named, SD.term("graph"), description),
                    ox.Triple(description, RDF.term("type"), SD.term("Graph")),
                    ox.Triple(description, VOID.term("triples"), _count(size))]
    return triples


def void_description(store, service_root: str) -> list[ox.Triple]:
    """The curated DCAT/VoID description with the live endpoint, dumps, size and class partition filled in."""
    endpoint = service_root + "sparql"
    triples = []
    for triple in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o . FILTER(?s IN (<{DATASET_IRI}>, "
                              f"<{DATASET_IRI}-turtle>)) }}"):
        if triple.object == _n(SPARQL_ENDPOINT):
            triple = ox.Triple(triple.subject, triple.predicate, _n(endpoint))
        triples.append(triple)
    dataset = _n(DATASET_IRI)
    service = _n(service_root + "sparql#service")
    sizes = graph_sizes(store)
    triples += [
        ox.Triple(dataset, VOID.term("triples"), _count(sum(sizes.values()))),
        ox.Triple(dataset, DCAT.term("accessService"), service),
        ox.Triple(service, RDF.term("type"), DCAT.term("DataService")),
        ox.Triple(service, DCAT.term("endpointURL"), _n(endpoint)),
        ox.Triple(service, DCAT.term("servesDataset"), dataset),
        ox.Triple(service, DCT.term("conformsTo"), _n(SPARQL_PROTOCOL)),
    ]
    for fmt in DUMP_FORMATS:
        dump = _n(f"{service_root}export?format={fmt.name}")
        triples += [ox.Triple(dataset, VOID.term("dataDump"), dump),
                    ox.Triple(dump, DCAT.term("mediaType"), MEDIA_TYPE.term(fmt.media_type))]
        if fmt.file_type:  # a format the EU file-type authority has no code for is described by its media type only
            triples.append(ox.Triple(dump, DCT.term("format"), FILE_TYPE.term(fmt.file_type)))
    partitions = store.query("SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class "
                             "ORDER BY ?class")
    for i, row in enumerate(partitions):
        partition = ox.BlankNode(f"class{i}")
        triples += [ox.Triple(dataset, VOID.term("classPartition"), partition),
                    ox.Triple(partition, VOID.term("class"), row["class"]),
                    ox.Triple(partition, VOID.term("entities"), _count(int(row["n"].value)))]
    return triples
