"""A resource's history (GET /id/{kind}/{slug}/history, issue 26): every version of its description, from the one
first published (version 1: the curated files, or the contribution that added it) to the current one, each later
one with its PROV record (the sikg:Version an accepted revision made: who proposed it, who accepted it, when, why),
and each earlier version's description as it was, kept in a private graph (namespaces.version_graph)."""

from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import GRAPH_REVISIONS, PROV, RDFS, SIKG, describe_pattern, version_graph, version_iri

_NUMBER = "/history/"


@dataclass
class Version:
    number: int
    iri: str
    when: str | None = None
    contributor: str | None = None
    curator: str | None = None
    comment: str | None = None
    current: bool = False


def current_version(store, iri: str) -> int:
    """The number of the resource's current version: 1 until a curator accepts a revision of it."""
    rows = list(store.query_private(f"SELECT ?v WHERE {{ GRAPH <{GRAPH_REVISIONS}> {{ <{iri}> "
                                    f"<{SIKG.currentVersion}> ?v }} }} LIMIT 1"))
    return int(rows[0]["v"].value.rsplit(_NUMBER, 1)[1]) if rows else 1


def known(store, iri: str) -> bool:
    """Whether the resource has a history to show: it is public, or was once (revised)."""
    return bool(store.query(f"ASK {{ <{iri}> ?p ?o }}")) or current_version(store, iri) > 1


def versions(store, iri: str) -> list[Version]:
    """Every version, oldest first, each later one with its record in the public graph of the contribution that
    made it."""
    current = current_version(store, iri)
    records = {}
    for row in store.query(f"""
        SELECT ?v ?when ?who ?by ?why WHERE {{ ?v a <{SIKG.Version}> ; <{PROV.specializationOf}> <{iri}> ;
            <{PROV.generatedAtTime}> ?when .
          OPTIONAL {{ ?v <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }}
          OPTIONAL {{ ?v <{PROV.wasGeneratedBy}>/<{PROV.wasAssociatedWith}>/<{RDFS.label}> ?by }}
          OPTIONAL {{ ?v <{RDFS.comment}> ?why }} }}"""):
        value = lambda name: row[name].value if row[name] is not None else None  # noqa: B023
        records[row["v"].value] = (value("when"), value("who"), value("by"), value("why"))
    found = [Version(n, version_iri(iri, n), *records.get(version_iri(iri, n), (None,) * 4), current=n == current)
             for n in range(1, current + 1)]
    return found


def withdrawn(store, iri: str) -> Version | None:
    """The version that withdrew the resource (its reason, who, when), None for one that is public or never was: a
    withdrawn resource has a later version than its first and no description left."""
    if current_version(store, iri) == 1 or store.query(f"ASK {{ <{iri}> ?p ?o }}"):
        return None
    return versions(store, iri)[-1]


def last_changed(store, iri: str) -> str | None:
    """When the current version was made (the day a curator accepted it), None for a resource never revised."""
    latest = versions(store, iri)[-1] if current_version(store, iri) > 1 else None
    return latest.when if latest else None


def history_graph(store, iri: str) -> list[ox.Triple]:
    """The PROV records of the resource's versions, as RDF."""
    return list(store.query(f"""CONSTRUCT {{ ?v ?p ?o . ?o <{RDFS.label}> ?label .
            ?o <{PROV.wasAssociatedWith}> ?curator . ?o <{PROV.endedAtTime}> ?at . ?curator <{RDFS.label}> ?by }}
        WHERE {{ ?v a <{SIKG.Version}> ; <{PROV.specializationOf}> <{iri}> ; ?p ?o .
          OPTIONAL {{ ?o <{RDFS.label}> ?label FILTER(isBlank(?o)) }}
          OPTIONAL {{ ?o <{PROV.wasAssociatedWith}> ?curator ; <{PROV.endedAtTime}> ?at .
                      ?curator <{RDFS.label}> ?by }} }}"""))


def version_triples(store, iri: str, number: int) -> list[ox.Triple] | None:
    """An earlier version's description as it was, None if there is no such earlier version (the current one is the
    resource's own page)."""
    if not 1 <= number < current_version(store, iri):
        return None
    return list(store.query_private(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{version_graph(iri, number)}> "
                                    f"{{ ?s ?p ?o }} }}"))


def revised_descriptions(store) -> list[tuple[str, int, list[ox.Triple]]]:
    """Each revised resource's current description (what `sikg revisions export` writes, to fold the accepted
    revisions back into data/*.ttl): (IRI, current version, triples), by IRI."""
    rows = store.query_private(f"SELECT ?r WHERE {{ GRAPH <{GRAPH_REVISIONS}> {{ ?r <{SIKG.currentVersion}> ?v }} }} "
                               "ORDER BY ?r")
    found = []
    for iri in [row["r"].value for row in rows]:
        triples = list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {describe_pattern(iri)} }}"))
        found.append((iri, current_version(store, iri), triples))
    return found
