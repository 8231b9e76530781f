"""Big constant blocks of a SPARQL update taken out of its text, for a store whose SPARQL compiler refuses them
(Virtuoso 7.2: an INSERT DATA or an INSERT template of more than about a thousand triples is "memory exhausted").

Each GRAPH <g> { … } block of triples with no variable in an INSERT DATA, or in the template of an INSERT { … }
WHERE { … }, is sent beforehand by the Graph Store Protocol to a staging graph of its own (a private name, under
graph/private/staging/), and the operation then copies it from there, in the same single operation:

    INSERT { GRAPH ?g { ?s ?p ?o } … } WHERE { { the operation's own WHERE }
                                               { { GRAPH <staging0> { ?s ?p ?o } BIND(<g0> AS ?g) } UNION { … } } }

which inserts what the operation would have inserted: the same triples, under the same condition, evaluated once
(SPARQL 1.1 Update, 3.1.3: the template is instantiated for each solution; a staged triple is one solution, and a
triple of the template left in it is the same constant for every one). A blank node of a staged block is made by the
store when it reads the staging graph, one per label as in the text, and copied as it is; so a small block is staged
too when it holds one (left in the template, it would be made anew for each solution). A small block without one
(an Idempotency-Key's memory) stays in the text: private reads over every graph must never find it in a staging
graph left by a request that failed.
"""

import uuid
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import GRAPH_PRIVATE
from ..sparql.safety import _scan

GRAPH_STAGING = GRAPH_PRIVATE + "staging/"


@dataclass
class Staged:
    """The update to send once `graphs` ({staging graph: its triples}) are in the store."""

    text: str
    graphs: dict[str, list[ox.Triple]] = field(default_factory=dict)


def stage_constant_blocks(update: str, max_triples: int) -> Staged:
    """`update` with the constant blocks of each INSERT operation that holds more than `max_triples` triples in them
    staged, as the module says; an operation that holds fewer, or that cannot be read so, is left as it is."""
    text, tokens = _scan(update)
    prologue = _prologue(text, tokens)
    edits, graphs = [], {}
    for first, last in _operations(tokens):
        while first < last and tokens[first][1].upper() in ("PREFIX", "BASE"):  # the prologue's declarations
            first = next(i for i in range(first, last + 1) if tokens[i][0] == "iri") + 1
        if tokens[first][1].upper() == "INSERT" and first < last:
            _stage_operation(text, tokens, first, last, max_triples, prologue, edits, graphs)
    if not graphs:
        return Staged(update)
    out, position = [], 0
    for start, end, replacement in sorted(edits):
        out += [text[position:start], replacement]
        position = end
    return Staged("".join(out) + text[position:], graphs)


def _prologue(text: str, tokens: list[tuple]) -> str:
    """The update's PREFIX and BASE declarations, which the staged blocks' text may use."""
    declared = []
    for index, (kind, value, start, _) in enumerate(tokens):
        if kind == "word" and value.upper() in ("PREFIX", "BASE"):
            end = next((t[3] for t in tokens[index + 1 :] if t[0] == "iri"), None)
            if end is not None:
                declared.append(text[start:end])
    return "\n".join(declared) + "\n"


def _operations(tokens: list[tuple]) -> list[tuple[int, int]]:
    """(first, last) token indexes of each operation: separated by ";" outside braces."""
    found, depth, first = [], 0, 0
    for index, (kind, value, _, _) in enumerate(tokens):
        if kind == "other" and value in "{}":
            depth += 1 if value == "{" else -1
        elif kind == "other" and value == ";" and depth == 0:
            found.append((first, index - 1))
            first = index + 1
    if first < len(tokens):
        found.append((first, len(tokens) - 1))
    return [(a, b) for a, b in found if a <= b]


def _closing(tokens: list[tuple], opening: int) -> int:
    """The index of the "}" closing the "{" at `opening`."""
    depth = 0
    for index in range(opening, len(tokens)):
        value = tokens[index][1] if tokens[index][0] == "other" else ""
        depth += 1 if value == "{" else -1 if value == "}" else 0
        if depth == 0:
            return index
    raise ValueError("unbalanced braces")


def _stage_operation(text, tokens, first, last, max_triples, prologue, edits, graphs) -> None:
    data = tokens[first + 1][1].upper() == "DATA"
    opening = first + 2 if data else first + 1
    if tokens[opening][1] != "{":
        return
    closing = _closing(tokens, opening)
    blocks = _constant_blocks(tokens, opening, closing)
    if sum(count for *_, count, _ in blocks) <= max_triples:
        return
    staged_here = []
    for graph_index, content_open, content_close, count, blank in blocks:
        if count <= max_triples // 10 and not blank:
            continue  # small and without a blank node: it stays in the template (see the module's note)
        content = text[tokens[content_open][3] : tokens[content_close][2]]
        try:
            triples = [q.triple for q in ox.parse(prologue + content, format=ox.RdfFormat.TURTLE)]
        except SyntaxError:
            return  # not plain triples: the operation is left as it is
        number = len(graphs) + len(staged_here)
        name = f"{GRAPH_STAGING}{uuid.uuid4().hex}"
        staged_here.append(
            (
                tokens[graph_index][2],
                tokens[content_close][3],
                name,
                triples,
                number,
                text[tokens[graph_index + 1][2] : tokens[graph_index + 1][3]],
            )
        )
    if not staged_here:
        return
    where = ""
    if not data:  # the operation's own WHERE group, kept as a group of the new one
        where_open = next((i for i in range(closing + 1, last + 1) if tokens[i][1] == "{"), None)
        if where_open is None or _closing(tokens, where_open) != last:
            return  # USING, or something after the WHERE group: left as it is
        where = text[tokens[where_open][2] : tokens[last][3]] + " "
    # One template triple for every staged block, its graph bound with the block's (Virtuoso 7.2.5 fails with
    # "SR002: string_output_string" on template triples of their own left unbound by a UNION's other branches)
    for start, end, name, triples, number, _ in staged_here:
        graphs[name] = triples
        edits.append((start, end, "GRAPH ?sikg_g { ?sikg_s ?sikg_p ?sikg_o }" if number == staged_here[0][4] else ""))
    union = " UNION ".join(
        f"{{ GRAPH <{name}> {{ ?sikg_s ?sikg_p ?sikg_o }} BIND({target} AS ?sikg_g) }}"
        for _, _, name, _, _, target in staged_here
    )
    if data:
        edits.append((tokens[first + 1][2], tokens[first + 1][3], ""))  # INSERT DATA: now INSERT … WHERE
        edits.append((tokens[last][3], tokens[last][3], f" WHERE {{ {union} }}"))
    else:
        edits.append(
            (
                tokens[closing + 1][2] if tokens[closing + 1][1].upper() == "WHERE" else tokens[closing][3],
                tokens[last][3],
                f"WHERE {{ {where}{{ {union} }} }}",
            )
        )


def _constant_blocks(tokens, opening, closing) -> list[tuple[int, int, int, int, bool]]:
    """The GRAPH <iri> { … } blocks directly in the braces from `opening` to `closing` that hold no variable:
    (the GRAPH token's index, their "{", their "}", about how many triples, whether a blank node is among them)."""
    blocks, index = [], opening + 1
    while index < closing:
        if tokens[index][1].upper() == "GRAPH" and tokens[index + 1][0] == "iri" and tokens[index + 2][1] == "{":
            end = _closing(tokens, index + 2)
            inside = tokens[index + 3 : end]
            if not any(kind == "var" for kind, *_ in inside):
                count = sum(1 for kind, value, *_ in inside if kind == "other" and value == ".")
                blank = any(
                    kind == "word" and value == "_" or kind == "other" and value == "[" for kind, value, *_ in inside
                )
                blocks.append((index, index + 2, end, count, blank))
            index = end + 1
        else:
            index += 1
    return blocks
