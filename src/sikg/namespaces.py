"""Every namespace and well-known IRI sikg uses, in one place.

schema.org has one spelling here, https://schema.org/; tests fail on the other one and on the legacy Dublin Core
elements namespace, so that exports never mix them.
"""

BASE = "https://w3id.org/sikg/"
ONTOLOGY_IRI = BASE + "ontology"

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


def sparql_prologue() -> str:
    """PREFIX declarations for every namespace above, for queries written without their own."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
