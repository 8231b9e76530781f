"""Compact JSON-LD node objects straight from N-Quads text as Oxigraph writes it: the whole-KG export's reader of
the engine's dump (engine_pipe.lines_while_written), the same node objects jsonld.write_compacted makes of the quads
parsed from that text, read from the lines' own strings.

Why: parsing the dump back into pyoxigraph terms and compacting them from their attributes took 1.15 s of CPU for
the 20,000-practice KG; from the lines' strings it takes 0.5 s, for the same bytes (bench/README.md, "Export from the
dump's text"). A line as Oxigraph writes it is `S P O G .` or `S P O .`, one space between terms: its IRIs (<...>)
and blank nodes (_:...) hold no space, and a literal holds no backslash unless it has an escape. So a line without a
backslash splits on spaces, and its literal ends at the first quote after the opening one. Any other line (an
escape, an RDF 1.2 triple term or base direction) is parsed by Oxigraph and compacted by jsonld.Compactor from its
terms.
"""

from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox

from .jsonld import RDF_TYPE, XSD_STRING, Compactor, merge_values

_TYPE = f"<{RDF_TYPE}>"
_OBJECT_REFS = 100_000  # compacted object IRIs remembered: a dump's memory must not grow with the KG


def compacted_nodes(batches: Iterable[list[str]], compactor: Compactor,
                    keep_graph: Callable[[str], bool] = lambda graph: True) -> Iterator[tuple[str | None, dict]]:
    """(graph reference or None for the default graph, node object) pairs, one per subject and graph, from lists of
    N-Quads lines in which a graph's quads, and a subject's within it, come together (an on-disk store's dump). A
    graph for whose N-Quads form (<iri>, _:id, "" for the default graph) `keep_graph` is false is passed over."""
    iri, plans, refs, add = compactor.iri, {}, {}, _Values(compactor)
    subject = graph = graph_ref = subject_ref = None
    keep, types, entries = False, [], {}
    for batch in batches:
        for line in batch:
            s, p, rest = line.split(" ", 2)
            first = rest[0]
            if first == '"':
                end = rest.find('"', 1)
                value, parts = rest[1:end], rest[end + 1:].split(" ")  # [tag, graph, "."] or [tag, "."]
            else:
                parts = rest.split(" ")  # [object, graph, "."] or [object, "."]; a triple term splits into more
            if "\\" in line or len(parts) > 3:  # an escape, or an RDF 1.2 triple term: Oxigraph parses the line
                quad = next(ox.parse(line, format=ox.RdfFormat.N_QUADS))
                s, p, first = _n_quads(quad.subject), _n_quads(quad.predicate), None
                parts = ("", _n_quads(quad.graph_name), ".")
            g = parts[1] if len(parts) == 3 else ""
            if s != subject or g != graph:
                if keep and subject is not None:
                    yield graph_ref, compactor.node_object(subject_ref, types, entries)
                if g != graph:
                    graph, keep = g, keep_graph(g)
                    graph_ref = (iri(g[1:-1]) if g[0] == "<" else g) if g and keep else None
                subject, types, entries = s, [], {}
                subject_ref = (iri(s[1:-1]) if s[0] == "<" else s) if keep else None
            if not keep:
                continue
            plan = plans.get(p) or plans.setdefault(p, compactor.plan(p[1:-1]))
            if first == '"':
                tag, key = parts[0], plan.language_key
                if key is not None and tag[:1] == "@" and "--" not in tag:  # the commonest: a text in a language map
                    texts = entries.get(key)
                    if texts is None:
                        texts = entries[key] = {}
                    texts.setdefault(tag[1:], []).append(value)
                else:
                    add.literal(entries, plan, value, tag, line)
            elif first is None:
                merge_values(types, entries, *compactor.values([quad]))
            elif p == _TYPE:
                obj = parts[0]
                types.append(iri(obj[1:-1], vocab=True) if first == "<" else obj)
            else:
                obj = parts[0]
                ref = refs.get(obj) if first == "<" else obj
                if ref is None:
                    ref = iri(obj[1:-1])
                    if len(refs) < _OBJECT_REFS:
                        refs[obj] = ref
                entries.setdefault(plan.node_key, []).append(ref if plan.node_ref else {"id": ref})
    if keep and subject is not None:
        yield graph_ref, compactor.node_object(subject_ref, types, entries)


class _Values:
    """Where a literal read from a line goes in its node's entries: where Compactor.add_literal puts it."""

    def __init__(self, compactor: Compactor):
        self.compactor = compactor

    def literal(self, entries: dict, plan, value: str, tag: str, line: str) -> None:
        """`tag` is what follows the literal's closing quote: "" (xsd:string), "@lang" or "^^<datatype>"."""
        if not tag:
            key = plan.language_key
            if key is None:
                entries.setdefault(plan.literal_key, []).append(value)
            else:
                entries.setdefault(key, {}).setdefault("@none", []).append(value)
        elif tag[0] == "@":
            if "--" in tag:  # RDF 1.2 base direction (en--ltr): the compactor's own rule, from the parsed literal
                self.compactor.add_literal(entries, plan, next(ox.parse(line, format=ox.RdfFormat.N_QUADS)).object)
                return
            key = plan.language_key
            if key is None:
                entries.setdefault(plan.literal_key, []).append({"@language": tag[1:], "@value": value})
            else:
                entries.setdefault(key, {}).setdefault(tag[1:], []).append(value)
        elif tag[3:-1] == XSD_STRING:  # Oxigraph writes xsd:string without ^^, but a line may say it
            self.literal(entries, plan, value, "", line)
        else:
            entries.setdefault(plan.literal_key, []).append(
                {"type": self.compactor.iri(tag[3:-1], vocab=True), "@value": value})


def _n_quads(term) -> str:
    """A subject's, predicate's or graph name's N-Quads form, as the lines write it: the key that groups them
    (pyoxigraph's own form of a term, "" for the default graph)."""
    return "" if isinstance(term, ox.DefaultGraph) else str(term)
