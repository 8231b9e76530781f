"""A resource's history (GET /id/{kind}/{slug}/history, issue 26): every version of its description, from the one
first published (version 1: the curated files, or the contribution that added it) to the current one, each later
one with its PROV record (the sikg:Version an accepted revision made: who proposed it, who accepted it, when, why),
and each earlier version's description as it was, kept in a private graph (namespaces.version_graph)."""

from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import (
    DCAT,
    DCT,
    GRAPH_CONTRIBUTION,
    GRAPH_CURATED,
    GRAPH_REVISIONS,
    GRAPH_TRANSLATIONS,
    PROV,
    RDFS,
    SIKG,
    XSD,
    describe_pattern,
    version_graph,
    version_iri,
)

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


def own_description(store, iri: str) -> list[ox.Triple]:
    """The resource's public description outside the translations graph: what a revision replaces. The sikg team's
    translations of its texts (GRAPH_TRANSLATIONS) are not part of it: a revision that gives no text of its own in
    a language leaves that language's translation where it is (see service._review_update)."""
    return list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ {describe_pattern(iri)} }} "
                            f"FILTER(?g != <{GRAPH_TRANSLATIONS}>) }}"))


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
    records.setdefault(version_iri(iri, 1), first_published(store, iri, current))
    found = [Version(n, version_iri(iri, n), *records.get(version_iri(iri, n), (None,) * 4), current=n == current)
             for n in range(1, current + 1)]
    return found


def first_published(store, iri: str, current: int) -> tuple:
    """(when, by whom, accepted by whom, None) for version 1, where it is known: for the curated files, the dataset's
    dct:issued and its dct:creator (else its dct:publisher); for a contribution, when its review made it public (when
    it was sent, with review off), its contributor and curator. Where it was is the graph that held it: still holds
    it, or, once revised, the one the accepted revision recorded (prov:wasDerivedFrom, in GRAPH_REVISIONS)."""
    if current > 1:
        rows = store.query_private(f"SELECT ?g WHERE {{ GRAPH <{GRAPH_REVISIONS}> {{ <{version_iri(iri, 1)}> "
                                   f"<{PROV.wasDerivedFrom}> ?g }} }}")
    else:
        rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> a ?type }} }}")
    graphs = sorted(row["g"].value for row in rows)
    if GRAPH_CURATED in graphs:
        rows = list(store.query(f"""SELECT ?when ?creator ?publisher WHERE {{ GRAPH <{GRAPH_CURATED}> {{
            ?dataset a <{DCAT.Dataset}> ; <{DCT.issued}> ?when .
            OPTIONAL {{ ?dataset <{DCT.creator}>/<{RDFS.label}> ?creator }}
            OPTIONAL {{ ?dataset <{DCT.publisher}>/<{RDFS.label}> ?publisher }} }} }} LIMIT 1"""))
        named = lambda row: (row["creator"] or row["publisher"]).value if row["creator"] or row["publisher"] else None
        return (rows[0]["when"].value, named(rows[0]), None, None) if rows else (None,) * 4
    contribution = next((g for g in graphs if g.startswith(GRAPH_CONTRIBUTION)), None)
    if contribution is None:
        return (None,) * 4
    rows = list(store.query(f"""SELECT ?when ?who ?by ?at WHERE {{ GRAPH <{contribution}> {{
        <{contribution}> <{PROV.generatedAtTime}> ?when .
        OPTIONAL {{ <{contribution}> <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }}
        OPTIONAL {{ ?review <{PROV.used}> <{contribution}> ; <{PROV.endedAtTime}> ?at ;
                    <{PROV.wasAssociatedWith}>/<{RDFS.label}> ?by }} }} }} LIMIT 1"""))
    value = lambda name: rows[0][name].value if rows and rows[0][name] is not None else None
    return (value("at") or value("when"), value("who"), value("by"), None)


def withdrawn(store, iri: str) -> Version | None:
    """The version that withdrew the resource (its reason, who, when), None for one that is public or never was: a
    withdrawn resource has a later version than its first and no description left."""
    if current_version(store, iri) == 1 or store.query(f"ASK {{ <{iri}> ?p ?o }}"):
        return None
    return versions(store, iri)[-1]


def gone_graph(store, iri: str, gone: Version) -> list[ox.Triple]:
    """A withdrawn resource in RDF, for its 410: withdrawn when (prov:invalidatedAtTime), why (rdfs:comment), where
    its history is (rdfs:seeAlso), with the PROV records of its versions (who proposed and accepted each)."""
    resource = ox.NamedNode(iri)
    said = [ox.Triple(resource, RDFS.term("seeAlso"), ox.NamedNode(iri + "/history"))]
    if gone.when:
        said.append(ox.Triple(resource, PROV.term("invalidatedAtTime"),
                              ox.Literal(gone.when, datatype=XSD.term("dateTime"))))
    if gone.comment:
        said.append(ox.Triple(resource, RDFS.term("comment"), ox.Literal(gone.comment)))
    return said + history_graph(store, iri)


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
        found.append((iri, current_version(store, iri), own_description(store, iri)))  # translations stay in theirs
    return found
