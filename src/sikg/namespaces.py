"""Every namespace and well-known IRI sikg uses, in one place.

schema.org has one spelling here, https://schema.org/; tests fail on the other one and on the legacy Dublin Core
elements namespace, so that exports never mix them.
"""

import os

# The content in ontology/, data/, shapes/ and queries/ is written with the canonical base. A service that publishes
# at its own address sets SIKG_BASE: instance IRIs (…/id/…) and graph names (…/graph/…) then live under it, while
# the vocabulary (the sikg ontology namespace) keeps its one IRI, as vocabularies must.
CANONICAL_BASE = "https://w3id.org/sikg/"
BASE = os.environ.get("SIKG_BASE") or CANONICAL_BASE
ONTOLOGY_IRI = CANONICAL_BASE + "ontology"

PREFIXES = {
    "sikg": ONTOLOGY_IRI + "#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
    "schema": "https://schema.org/",
    "essglobal": "http://purl.org/essglobal/vocab/",
    "country": "http://publications.europa.eu/resource/authority/country/",
    "practice": BASE + "id/practice/",
    "organisation": BASE + "id/organisation/",
    "element": BASE + "id/element/",
    "method": BASE + "id/method/",
    "level": BASE + "id/level/",
    "actortype": BASE + "id/actor-type/",
    "characteristic": BASE + "id/characteristic/",
    "basis": BASE + "id/basis/",
    "scheme": BASE + "id/scheme/",
    "collection": BASE + "id/collection/",
}

SIKG = PREFIXES["sikg"]
SH = PREFIXES["sh"]
COUNTRY = PREFIXES["country"]

GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_CURATED = BASE + "graph/curated"
GRAPH_CONTRIBUTION = BASE + "graph/contribution/"
GRAPH_FILE = BASE + "graph/file/"

# What moves under SIKG_BASE: instances, graph names, and the service's own addresses that the content names (the
# SPARQL endpoint and the dumps, in data/dataset.ttl). The ontology, shapes and profile IRIs are vocabulary and stay.
REBASED = tuple(CANONICAL_BASE + space for space in ("id/", "graph/", "sparql", "export"))


def rebase(iri: str) -> str:
    """The IRI under this service's base, for an IRI written with the canonical base in the content files."""
    if BASE != CANONICAL_BASE and iri.startswith(REBASED):
        return BASE + iri[len(CANONICAL_BASE):]
    return iri


def rebase_text(text: str) -> str:
    """The same for IRIs inside a text (a SPARQL query, a JSON-LD context)."""
    if BASE == CANONICAL_BASE:
        return text
    for space in REBASED:
        text = text.replace(space, BASE + space[len(CANONICAL_BASE):])
    return text


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """PREFIX declarations (sikg's by default), for queries written without their own."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (PREFIXES if prefixes is None else prefixes).items())
