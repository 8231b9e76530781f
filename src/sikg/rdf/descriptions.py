"""Resources' descriptions among statements held in memory (a contribution's, a data file's): each resource's own
triples and those of the blank nodes it reaches through blank nodes, all the way down; what namespaces.describe_pattern
finds in a store (there, three blank nodes deep: as deep as sikg's data goes)."""

from collections.abc import Iterable, Iterator

import pyoxigraph as ox


def by_subject(statements: Iterable) -> dict:
    """{subject: its statements (triples or quads)}, in their order."""
    about: dict = {}
    for statement in statements:
        about.setdefault(statement.subject, []).append(statement)
    return about


def description_in(statements: list, iri: str) -> list:
    """The description of `iri` among `statements`, in the order it is reached."""
    return list(_reached(by_subject(statements), [iri]))


def without_descriptions(statements: list, resources: set[str]) -> list:
    """`statements` without the descriptions of `resources`, in their order."""
    if not resources:
        return statements
    dropped = {id(statement) for statement in _reached(by_subject(statements), resources)}
    return [statement for statement in statements if id(statement) not in dropped]


def _reached(about: dict, resources: Iterable[str]) -> Iterator:
    todo, seen = [ox.NamedNode(r) for r in resources], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for statement in about.get(subject, []):
            yield statement
            if isinstance(statement.object, ox.BlankNode):
                todo.append(statement.object)
