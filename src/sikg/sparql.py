"""Running SPARQL against the KG and writing the results, shared by the command line and the HTTP endpoint.

Results are written by Oxigraph's own serializers; only the terminal table is drawn here.
"""

import io
from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph as ox

from .namespaces import PREFIXES
from .safety import QueryRefused, check_query


class QueryError(Exception):
    """A query the client sent that cannot be run (syntax error, unsupported form); carries the parser's message."""


@dataclass(frozen=True)
class OutputFormat:
    name: str
    media_type: str
    results: ox.QueryResultsFormat | None = None  # for SELECT/ASK
    rdf: ox.RdfFormat | None = None  # for CONSTRUCT/DESCRIBE


OUTPUT_FORMATS = {f.name: f for f in [
    OutputFormat("json", "application/sparql-results+json", results=ox.QueryResultsFormat.JSON),
    OutputFormat("xml", "application/sparql-results+xml", results=ox.QueryResultsFormat.XML),
    OutputFormat("csv", "text/csv", results=ox.QueryResultsFormat.CSV),
    OutputFormat("tsv", "text/tab-separated-values", results=ox.QueryResultsFormat.TSV),
    OutputFormat("ttl", "text/turtle", rdf=ox.RdfFormat.TURTLE),
    OutputFormat("nt", "application/n-triples", rdf=ox.RdfFormat.N_TRIPLES),
    OutputFormat("jsonld", "application/ld+json", rdf=ox.RdfFormat.JSON_LD),
    OutputFormat("rdfxml", "application/rdf+xml", rdf=ox.RdfFormat.RDF_XML),
    OutputFormat("trig", "application/trig", rdf=ox.RdfFormat.TRIG),
    OutputFormat("nq", "application/n-quads", rdf=ox.RdfFormat.N_QUADS),
    OutputFormat("table", "text/plain"),
]}


def run_query(store, sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
              prefixes: dict[str, str] | None = None):
    """Evaluates `sparql` over the union of all named graphs, or over the dataset its FROM / FROM NAMED define;
    parameters are bound as RDF terms, never pasted in. The query gets the same checks as on /sparql (safety.py):
    no update, no SERVICE (no connection is ever opened because of a query), no unknown graph.

    `prefixes` are declared for the query's convenience (the command line passes sikg's); the protocol endpoint passes
    none, so that a query means the same there as on any other SPARQL 1.1 service.
    """
    try:
        shape = check_query(sparql, store, prefixes=prefixes)
    except QueryRefused as refusal:
        raise QueryError(str(refusal)) from None
    bindings = {ox.Variable(name): term for name, term in (substitutions or {}).items()}
    try:
        return store.query(sparql, prefixes=prefixes, substitutions=bindings or None,
                           use_default_graph_as_union=not shape.names_its_dataset)
    except SyntaxError as error:
        raise QueryError(str(error)) from None


RESULT_FORMAT_NAMES = ("json", "xml", "csv", "tsv")
GRAPH_FORMAT_NAMES = ("ttl", "nt", "jsonld", "rdfxml", "trig", "nq")

# Media types a client may ask for, in the order the service prefers them; aliases that common clients send
# (SPARQLWrapper's application/json, Jena's text/plain for N-Triples, RDF/XML's application/xml) map onto them.
RESULT_MEDIA_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_MEDIA_TYPES = {
    "text/turtle": "ttl", "application/x-turtle": "ttl", "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "jsonld", "application/rdf+xml": "rdfxml", "application/xml": "rdfxml",
    "application/trig": "trig", "application/n-quads": "nq",
}


def is_graph_result(result) -> bool:
    """CONSTRUCT and DESCRIBE results: Oxigraph's QueryTriples, or the triples an external store sent back."""
    return isinstance(result, (ox.QueryTriples, list))


def write_result(result, fmt: OutputFormat, output: BinaryIO) -> None:
    if fmt.name == "table":
        output.write(render_table(result).encode())
    elif is_graph_result(result) and fmt.name == "jsonld":
        from .jsonld import write_compacted  # compact JSON-LD with the sikg context, one node object per subject
        write_compacted((ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result), output)
    elif is_graph_result(result):
        rdf_format = fmt.rdf or ox.RdfFormat.TURTLE
        plain = rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
        ox.serialize(result, output, rdf_format, prefixes=None if plain else PREFIXES)
    else:
        result.serialize(output, fmt.results or ox.QueryResultsFormat.JSON)


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return getattr(term, "value", str(term))


def render_table(result) -> str:
    """A plain-text table for people at a terminal."""
    if isinstance(result, ox.QueryBoolean):
        return ("yes" if bool(result) else "no") + "\n"
    if is_graph_result(result):
        buffer = io.BytesIO()
        ox.serialize(result, buffer, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        return buffer.getvalue().decode()
    names = [v.value for v in result.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    return "\n".join(out) + f"\n({len(rows)} rows)\n"
