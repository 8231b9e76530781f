"""store/staging.py: an update's big constant blocks staged (for Virtuoso's SPARQL compiler, which refuses them) and
copied in by the same operation inserts exactly what the update inserts; checked on Oxigraph, with the staging graphs
loaded as a Graph Store Protocol PUT would load them (each its own document: its blank nodes, its own)."""

import pyoxigraph as ox
import pytest

from sikg.store.staging import GRAPH_STAGING, stage_constant_blocks


def block(graph: str, n: int, blank: bool = True) -> str:
    value = (lambda i: f"_:b{i}") if blank else (lambda i: f"<urn:o{i}>")
    return (
        f"GRAPH <{graph}> {{ "
        + " ".join(f'<urn:s{i}> <urn:p> {value(i)} . {value(i)} <urn:q> "{i}."@en .' for i in range(n))
        + " }"
    )


KEY = 'GRAPH <urn:keys> { <urn:c> <urn:key> "k1" . }'
HELD = 'FILTER NOT EXISTS { GRAPH <urn:keys> { ?c <urn:key> "k1" } }'


def canonical(store: ox.Store) -> set:
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def applied(update: str, max_triples: int) -> ox.Store:
    """The update applied as RemoteStore.update applies it: staged graphs first, then the text, then their drop."""
    staged = stage_constant_blocks(update, max_triples)
    store = ox.Store()
    for name, triples in staged.graphs.items():
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples)
    store.update(staged.text)
    for name in staged.graphs:
        store.update(f"DROP GRAPH <{name}>")
    return store


@pytest.mark.parametrize(
    "update",
    [
        f"INSERT DATA {{ {block('urn:one', 40)} {block('urn:two', 30, blank=False)} }}",
        f"INSERT {{ {block('urn:one', 40)} {KEY} }} WHERE {{ {HELD} }}",
        "PREFIX ex: <urn:ex:> INSERT DATA { GRAPH <urn:one> { "
        + " ".join(f"ex:a{i} ex:b ex:c ." for i in range(30))
        + " } } ; DROP SILENT GRAPH <urn:none>",
    ],
)
def test_a_staged_update_inserts_what_the_update_inserts(update):
    staged = stage_constant_blocks(update, 20)
    assert staged.graphs and all(name.startswith(GRAPH_STAGING) for name in staged.graphs)
    assert "_:b1 " not in staged.text and "<urn:s1>" not in staged.text  # the data is no longer in the text
    direct = ox.Store()
    direct.update(update)
    assert canonical(applied(update, 20)) == canonical(direct) and len(direct) >= 30


def test_a_small_block_without_blank_nodes_stays_in_the_text_and_the_condition_holds_for_all():
    """An Idempotency-Key's memory is never staged (private reads over every graph would find it there); a key
    already held: the whole operation inserts nothing, staged blocks included."""
    update = f"INSERT {{ {block('urn:one', 40)} {KEY} }} WHERE {{ {HELD} }}"
    staged = stage_constant_blocks(update, 20)
    assert len(staged.graphs) == 1 and '"k1"' in staged.text
    held = applied('INSERT DATA { GRAPH <urn:keys> { <urn:c> <urn:key> "k1" } }', 20)
    for name, triples in staged.graphs.items():
        held.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples)
    held.update(staged.text)
    assert not list(held.quads_for_pattern(None, None, None, ox.NamedNode("urn:one")))


def test_an_update_within_the_limit_is_left_as_it_is():
    update = f"INSERT DATA {{ {block('urn:one', 5)} }} ; DELETE WHERE {{ GRAPH <urn:x> {{ ?s ?p ?o }} }}"
    assert stage_constant_blocks(update, 20).text == update
    assert not stage_constant_blocks(update, 20).graphs


@pytest.mark.parametrize("update", [
    "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }",
    "  prefix  x:  <http://x/>\n# why\nBASE <http://x/>\n\tINSERT { <a> x:b ?o } WHERE { VALUES ?o { 1 } }",
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
])
def test_an_updates_prologue_goes_before_the_state_token_s_operation(update):
    """RemoteStore.update sends the state token's operation, then the change, in one request: the change's PREFIX and
    BASE lines must come first, for Oxigraph refuses a prologue after ";" (test_corrections[external] failed)."""
    from sikg.store.remote import split_prologue

    prologue, operations = split_prologue(update)
    assert not operations.lstrip().upper().startswith(("PREFIX", "BASE")) and prologue + operations.strip() != ""
    state = "INSERT DATA { GRAPH <http://x/state> { <http://x/state> <http://x/id> \"1\" } }"
    store = ox.Store()
    store.update(prologue + " ;\n".join([state, operations]))  # Oxigraph's parser, as its server's
    assert len(store) >= 2
    if prologue:  # what was sent before: refused
        with pytest.raises(SyntaxError):
            ox.Store().update(" ;\n".join([state, update]))
