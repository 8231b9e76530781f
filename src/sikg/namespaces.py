"""Every namespace and well-known IRI sikg uses, in one place.

Each namespace is a `Namespace` object, as in Brick (bricksrc/namespaces.py): `SIKG.Practice` and `SIKG["Practice"]`
are the IRI as a string, `SIKG.term("Practice")` the `pyoxigraph.NamedNode`, and the namespace itself is its IRI
string, so `SIKG + "Practice"` keeps working. `PREFIXES` maps the prefixes sikg declares to the same IRIs.

schema.org has one spelling here, https://schema.org/; tests fail on the other one and on the legacy Dublin Core
elements namespace, so that exports never mix them.
"""

import pyoxigraph as ox

from .settings import CANONICAL_BASE, published_base


class Namespace(str):
    """A namespace IRI; an attribute or item of it is the IRI of a name in it (a plain str). Names that are also
    str methods (DCT.title, DCT.format…) are read as items: DCT["title"]."""

    __slots__ = ()

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):  # Python's own protocols (copy, pickle…) ask for such names: not terms
            raise AttributeError(name)
        return str(self) + name

    def __getitem__(self, key):
        if isinstance(key, str):
            return str(self) + key
        return str.__getitem__(self, key)  # an index or a slice, as for any string

    def term(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(str(self) + name)

    def __repr__(self) -> str:
        return f"Namespace({str(self)!r})"


# The content in ontology/, data/, shapes/ and queries/ is written with the canonical base. A service that publishes
# at its own address sets SIKG_BASE: instance IRIs (…/id/…) and graph names (…/graph/…) then live under it, while
# the vocabulary (the sikg ontology namespace) keeps its one IRI, as vocabularies must. BASE is read once, here.
BASE = published_base()
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

# The vocabularies (each the same IRI as its prefix above)
SIKG = Namespace(PREFIXES["sikg"])
RDF = Namespace(PREFIXES["rdf"])
RDFS = Namespace(PREFIXES["rdfs"])
OWL = Namespace(PREFIXES["owl"])
XSD = Namespace(PREFIXES["xsd"])
SKOS = Namespace(PREFIXES["skos"])
DCT = Namespace(PREFIXES["dct"])
FOAF = Namespace(PREFIXES["foaf"])
ORG = Namespace(PREFIXES["org"])
PROV = Namespace(PREFIXES["prov"])
DCAT = Namespace(PREFIXES["dcat"])
VOID = Namespace(PREFIXES["void"])
VANN = Namespace(PREFIXES["vann"])
SH = Namespace(PREFIXES["sh"])
SCHEMA = Namespace(PREFIXES["schema"])
ESSGLOBAL = Namespace(PREFIXES["essglobal"])
COUNTRY = Namespace(PREFIXES["country"])
# Those the service describes itself with, which the content does not use (so not among PREFIXES): the SPARQL
# service description, W3C's format IRIs and entailment regimes, and the authorities the dumps' media types
# (IANA) and file types (the EU's file-type table) are named by
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
MEDIA_TYPE = Namespace("http://www.iana.org/assignments/media-types/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
# The specification the SPARQL endpoint conforms to (dct:conformsTo in the VoID description)
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
# The data's licence (dct:license in data/dataset.ttl and ontology/sikg.ttl; the OpenAPI description names it too)
LICENCE = "https://creativecommons.org/licenses/by/4.0/"

# sikg's own IRIs that are vocabulary like the ontology, so under the canonical base: the views' profiles and the
# JSON-LD context as published
PROFILE = Namespace(CANONICAL_BASE + "profile/")
CANONICAL_CONTEXT_URL = CANONICAL_BASE + "context.jsonld"

# The instances, under BASE
PRACTICE = Namespace(PREFIXES["practice"])
ORGANISATION = Namespace(PREFIXES["organisation"])
ELEMENT = Namespace(PREFIXES["element"])
METHOD = Namespace(PREFIXES["method"])
LEVEL = Namespace(PREFIXES["level"])
ACTOR_TYPE = Namespace(PREFIXES["actortype"])
CHARACTERISTIC = Namespace(PREFIXES["characteristic"])
BASIS = Namespace(PREFIXES["basis"])
SCHEME = Namespace(PREFIXES["scheme"])
COLLECTION = Namespace(PREFIXES["collection"])

# Every instance, under BASE (ID + "practice/x"), and the service's own addresses there
ID = Namespace(BASE + "id/")
DATASET_IRI = ID + "dataset/sikg"  # the dataset data/dataset.ttl describes
SPARQL_ENDPOINT = BASE + "sparql"  # the endpoint as data/dataset.ttl names it (the live one is the request's)
CONTEXT_URL = BASE + "context.jsonld"  # this service's own context, rebased with the data

GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_CURATED = BASE + "graph/curated"
# The sikg team's translations of the curated texts and the ontology's terms (data/translations/), a graph of its own
# so that a page can say which texts the organisations did not write
GRAPH_TRANSLATIONS = BASE + "graph/translations"
GRAPH_CONTRIBUTION = BASE + "graph/contribution/"
GRAPH_FILE = BASE + "graph/file/"
GRAPH_STATE = BASE + "graph/state"  # where a remote store keeps its state token
# Graphs no public route shows, SPARQL included (pending contributions, a remote store's token hashes): the store
# layer leaves them out of every dataset a query sees.
GRAPH_PRIVATE = BASE + "graph/private/"
GRAPH_PENDING = GRAPH_PRIVATE + "pending/"
GRAPH_TOKENS = GRAPH_PRIVATE + "tokens"
# Revisions (issue 26): the current version of each resource a curator accepted a revision of (GRAPH_REVISIONS:
# <resource> sikg:currentVersion <resource/history/n>), and each earlier version's description, as it was, in a graph
# of its own (GRAPH_VERSION + "practice/cap-impact/1"); both private: the old text is only in the history.
GRAPH_REVISIONS = GRAPH_PRIVATE + "revisions"
GRAPH_VERSION = GRAPH_PRIVATE + "version/"
# The kinds of resource a contribution may revise: one that describes such an IRI already public proposes its whole
# new description
REVISABLE = (BASE + "id/practice/", BASE + "id/organisation/")

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


def version_iri(resource: str, number: int) -> str:
    """The IRI of a resource's version `number` (1: the one before any accepted revision), under the resource's own."""
    return f"{resource}/history/{number}"


def version_graph(resource: str, number: int) -> str:
    """The private graph that keeps a resource's version `number` once a revision replaced it."""
    return GRAPH_VERSION + resource[len(BASE + "id/"):] + f"/{number}"


def describe_pattern(resource: str, depth: int = 3) -> str:
    """A SPARQL group binding ?s ?p ?o to the resource's description in the active graph: its own triples and those
    of the blank nodes it reaches through blank nodes, `depth` deep (a practice's qualified records and their
    evidence: the Concise Bounded Description of sikg's data)."""
    r = f"<{resource}>"
    groups = [f"{{ {r} ?p ?o BIND({r} AS ?s) }}"]
    for level in range(1, depth + 1):
        chain, last = [], r
        for step in range(1, level + 1):
            node = "?s" if step == level else f"?b{step}"
            chain.append(f"{last} ?q{step} {node} FILTER(isBlank({node}))")
            last = node
        groups.append("{ " + " ".join(chain) + " ?s ?p ?o }")
    return " UNION ".join(groups)


def values(variable: str, terms) -> str:
    """A SPARQL VALUES block binding ?variable to each of `terms` (IRIs as strings or NamedNodes, and Literals), every
    one written by pyoxigraph: an IRI that is not one is refused (ValueError), so no text can leave the block."""
    written = (t if isinstance(t, (ox.NamedNode, ox.Literal)) else ox.NamedNode(str(t)) for t in terms)
    return f"VALUES ?{variable} {{ {' '.join(map(str, written))} }}"


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """PREFIX declarations (sikg's by default), for queries written without their own."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (PREFIXES if prefixes is None else prefixes).items())
