"""Writing a query's result in any of sikg's formats, for the command line, the HTTP endpoint and the evaluators.

Results are written by Oxigraph's own serializers; only the terminal table is drawn here.
"""

import io
from typing import BinaryIO

import pyoxigraph as ox

from ..formats import JSON_LD, TABLE, Format
from ..namespaces import PREFIXES
from .jsonld import write_compacted


def is_graph_result(result) -> bool:
    """CONSTRUCT and DESCRIBE results: Oxigraph's QueryTriples, or the triples an external store sent back."""
    return isinstance(result, (ox.QueryTriples, list))


class TableTooLarge(Exception):
    """A table longer than the bytes it may take: it is drawn whole (its columns as wide as their widest cell), so
    it is refused before it is held in memory, where the other formats are cut off as they are written."""


def write_result(result, fmt: Format, output: BinaryIO, max_bytes: int | None = None) -> None:
    """A query's result in `fmt` (one of formats.QUERY_OUTPUTS); JSON-LD compacted with the sikg context, one node
    object per subject. `max_bytes`: the table's limit (TableTooLarge)."""
    if fmt == TABLE:
        output.write(render_table(result, max_bytes).encode())
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


def render_table(result, max_bytes: int | None = None) -> str:
    """A plain-text table for people at a terminal (and Fuseki's `text` on /sparql); TableTooLarge once its cells
    pass `max_bytes`."""
    if isinstance(result, ox.QueryBoolean):
        return ("yes" if bool(result) else "no") + "\n"
    if is_graph_result(result):
        buffer = io.BytesIO()
        ox.serialize(result, buffer, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        return buffer.getvalue().decode()
    names = [v.value for v in result.variables]
    rows, size = [], 0
    for solution in result:
        rows.append([_cell(solution[name]) for name in names])
        size += sum(len(cell) + 3 for cell in rows[-1])
        if max_bytes is not None and size > max_bytes:
            raise TableTooLarge()
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    return "\n".join(out) + f"\n({len(rows)} rows)\n"
