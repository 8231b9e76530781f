"""Running SPARQL against the KG and writing the results, shared by the command line and the HTTP endpoint.

Results are written by Oxigraph's own serializers; only the terminal table is drawn here.
"""

import io
from typing import BinaryIO

import pyoxigraph as ox

from .formats import JSON_LD, TABLE, Format
from .jsonld import write_compacted
from .namespaces import PREFIXES
from .safety import QueryRefused, check_query


class QueryError(Exception):
    """A query the client sent that cannot be run (syntax error, unsupported form); carries the parser's message."""


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


def is_graph_result(result) -> bool:
    """CONSTRUCT and DESCRIBE results: Oxigraph's QueryTriples, or the triples an external store sent back."""
    return isinstance(result, (ox.QueryTriples, list))


def write_result(result, fmt: Format, output: BinaryIO) -> None:
    """A query's result in `fmt` (one of formats.QUERY_OUTPUTS); JSON-LD compacted with the sikg context, one node
    object per subject."""
    if fmt == TABLE:
        output.write(render_table(result).encode())
    elif is_graph_result(result) and fmt == JSON_LD:
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
