"""Evidence as its own node (issue 27, item 2): each quotation of a qualified record paired with the page it is on,
`sikg:evidence [ a sikg:Evidence ; dct:source <page> ; sikg:quotation "…"@xx ]`, one node per quotation.

The earlier form, a dct:source and sikg:quotation on the record itself, is read for one more release. Data arriving
in it is paired here where the pairing is certain: a record citing one page gets one evidence node per quotation on
that page (or one without a quotation), a record citing several pages and quoting none one node per page. A record
citing several pages with quotations is left as it is, since nothing says which quotation is on which page: the
shapes warn (Quotation_one_page), and the readers (pages, curated queries) still read quotations on the record.
The contribution form and the spreadsheet write evidence nodes; a file made from the earlier spreadsheet template is
read into them too (contributions/spreadsheet.py), so this is for data sent as RDF in the earlier form.
"""

import pyoxigraph as ox

from ..namespaces import DCT, RDF, SIKG

QUALIFIERS = frozenset(
    str(SIKG[name])
    for name in (
        "qualifiedElementSupport",
        "qualifiedMethodUse",
        "qualifiedLevelTarget",
        "qualifiedPartnership",
        "qualifiedCharacteristic",
    )
)
_SOURCE, _QUOTATION = ox.NamedNode(DCT.source), ox.NamedNode(SIKG.quotation)
_EVIDENCE, _EVIDENCE_CLASS = ox.NamedNode(SIKG.evidence), ox.NamedNode(SIKG.Evidence)
_TYPE = ox.NamedNode(RDF.type)


def _pairs(sources: list, quotations: list) -> list[tuple]:
    """The (page, quotation or None) pairs a flat record's terms make for certain; [] where they make none."""
    if len(sources) == 1:
        return [(sources[0], q) for q in quotations] or [(sources[0], None)]
    return [(s, None) for s in sources] if not quotations else []


def paired(quads: list[ox.Quad]) -> list[ox.Quad]:
    """`quads` with each qualified record in the earlier form whose pairing is certain given evidence nodes instead;
    everything else as it was, in its order."""
    records = {q.object for q in quads if q.predicate.value in QUALIFIERS and not isinstance(q.object, ox.Literal)}
    flat: dict = {}
    for q in quads:
        if q.subject in records and q.predicate in (_SOURCE, _QUOTATION):
            flat.setdefault((q.subject, q.graph_name), []).append(q)
    moved, added = set(), []
    for (record, graph), found in flat.items():
        sources = [q.object for q in found if q.predicate == _SOURCE]
        quotations = [q.object for q in found if q.predicate == _QUOTATION]
        pairs = _pairs(sources, quotations)
        if not pairs:
            continue
        moved.update(found)
        for page, quotation in pairs:
            node = ox.BlankNode()
            added += [
                ox.Quad(record, _EVIDENCE, node, graph),
                ox.Quad(node, _TYPE, _EVIDENCE_CLASS, graph),
                ox.Quad(node, _SOURCE, page, graph),
            ]
            added += [ox.Quad(node, _QUOTATION, quotation, graph)] if quotation is not None else []
    return [q for q in quads if q not in moved] + added if moved else quads


def paired_triples(triples: list[ox.Triple]) -> list[ox.Triple]:
    return [q.triple for q in paired([ox.Quad(t.subject, t.predicate, t.object) for t in triples])]
