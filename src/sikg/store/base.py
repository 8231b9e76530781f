"""The store interface: what every backend of the knowledge graph implements, and what they share.

The default graph of every query is the union of all named graphs (the contract), so callers never name graphs to
see the whole KG. Private graphs (namespaces.GRAPH_PRIVATE: pending contributions, token hashes) are left out: when
the store holds any, a query that does not name its own dataset is evaluated over the public graphs only (default
graph: their union; named graphs: them), and named_graphs(), all_quads() and len() count only the public ones, so a
FROM or default-graph-uri naming a private graph is an unknown graph. Internal code that must read them uses
query_private(). A backend implements the abstract methods; loading the repository's content, the base check and
writing the whole KG are written once, here, on top of them.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ..errors import BaseMismatch
from ..namespaces import (
    BASE,
    GRAPH_CURATED,
    GRAPH_FILE,
    GRAPH_ONTOLOGY,
    GRAPH_PRIVATE,
    GRAPH_REVISIONS,
    GRAPH_TRANSLATIONS,
    SIKG,
)
from ..rdf import content
from ..rdf.descriptions import without_descriptions
from ..rdf.reading import parse_file
from ..settings import Settings
from ..sparql.evaluator import EvalRequest, EvaluatorPool

# The dataset of a query when the store holds only private graphs: a graph nobody writes, so the default graph is empty.
EMPTY_GRAPH = GRAPH_PRIVATE + "none"


def is_private(graph: str) -> bool:
    return graph.startswith(GRAPH_PRIVATE)


def public_request(request: EvalRequest, public: list[str] | None) -> EvalRequest:
    """The query endpoint's request over the public graphs only (`public`: None when the store holds no private
    graph, and the request is left as it is). A query whose FROM / FROM NAMED define its dataset is left too: the
    graphs it names were checked to be public (safety.check_dataset); otherwise the dataset the protocol parameters
    leave open is the public graphs."""
    if public is None or not request.union_default_graph:
        return request
    graphs = tuple(public) or (EMPTY_GRAPH,)
    return replace(request, default_graphs=request.default_graphs or graphs,
                   named_graphs=request.named_graphs or graphs)


@dataclass(frozen=True)
class QueryEvaluator:
    """How the SPARQL endpoint has a checked query evaluated over a store: `run(request, deadline)` yields
    ("chunk", bytes)… ("done", media_type); `pool` is the evaluator processes doing it, if sikg runs them."""
    run: Callable[[EvalRequest, float], Iterator[tuple]]
    pool: EvaluatorPool | None = None


class KnowledgeGraphStore(ABC):
    """A store of the KG, one named graph per content source; `generation` counts the writes made through it (over
    a store that one writer process writes for several, the writer's count: see shared.py)."""

    def __init__(self) -> None:
        self.generation = 0

    def _changed(self) -> None:
        self.generation += 1

    # -- reading ---------------------------------------------------------------------------------------------
    @abstractmethod
    def query(self, sparql: str, **options):
        """Results as pyoxigraph objects: QuerySolutions, QueryBoolean, or triples. Options as pyoxigraph's
        Store.query takes them: `prefixes`, `substitutions`, `use_default_graph_as_union` (False for a query whose
        FROM / FROM NAMED define its dataset)."""

    @abstractmethod
    def query_private(self, sparql: str, **options):
        """As query(), over the union of ALL graphs, private ones included: for internal code only (contributions
        under review, tokens), never for a query a client sent."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The public named graphs holding the KG, sorted."""

    @abstractmethod
    def __len__(self) -> int:
        """The number of quads in the public named graphs."""

    @property
    @abstractmethod
    def state_token(self) -> str:
        """Names the store's content for HTTP caching: it changes with every write."""

    @property
    @abstractmethod
    def quads_grouped(self) -> bool:
        """Whether all_quads() comes grouped by graph, then subject (the whole-KG JSON-LD writer streams if so)."""

    @abstractmethod
    def all_quads(self) -> Iterable[ox.Quad]:
        """Every quad of the public named graphs."""

    @abstractmethod
    def query_evaluator(self, settings: Settings, pool: EvaluatorPool | None = None) -> QueryEvaluator:
        """How the SPARQL endpoint evaluates queries over this store, within `settings`' limits."""

    # -- writing ---------------------------------------------------------------------------------------------
    @abstractmethod
    def update(self, sparql_update: str) -> None:
        """Runs a SPARQL 1.1 Update as one transaction. Internal writes only: the query endpoint never calls it."""

    @abstractmethod
    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad | ox.Triple]], progress=None) -> None:
        """Replaces each named graph with the given triples; `progress(label, done, total)` hears of big uploads."""

    @abstractmethod
    def remove_graphs(self, graphs: Iterable[str]) -> None:
        """Removes the named graphs."""

    # -- shared behaviour ------------------------------------------------------------------------------------
    def dump(self, output: BinaryIO, rdf_format: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        """Writes the whole KG: every quad for dataset formats, the union graph for triple formats."""
        if rdf_format.supports_datasets:
            ox.serialize(self.all_quads(), output, rdf_format, prefixes=prefixes)
        else:
            triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            ox.serialize(triples, output, rdf_format, prefixes=prefixes)

    def load_curated(self) -> None:
        """(Re)loads the ontology and curated data from the repository, replacing those named graphs. The files are
        the starting point: a resource a curator accepted a revision of (or withdrew) keeps its current version,
        which lives in the accepted contribution's graph, so its description in the files is left out."""
        self.check_base()
        revised = self.revised_resources()
        graphs = {graph: [q for f in files for q in content.read(f)]
                  for graph, files in content.curated_graphs().items()}
        self.replace_graphs({graph: self.kept_translations(quads, revised) if graph == GRAPH_TRANSLATIONS
                             else without_descriptions(quads, revised) for graph, quads in graphs.items()})

    def kept_translations(self, quads: list, revised: set[str]) -> list:
        """The translations as an accepted revision's write leaves them (contributions.service._replacing): those of
        a revised resource stay unless its current description gives its own text for that property in that
        language, or it was withdrawn (it has no description left)."""
        if not revised:
            return quads
        own, described = set(), set()
        rows = self.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {' '.join(f'<{r}>' for r in sorted(revised))} }} "
                          f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN (<{GRAPH_CURATED}>, <{GRAPH_TRANSLATIONS}>, "
                          f"<{GRAPH_ONTOLOGY}>)) }}")
        for row in rows:
            described.add(row["s"].value)
            if isinstance(row["o"], ox.Literal):
                own.add((row["s"].value, row["p"].value, row["o"].language))
        return [q for q in quads if q.subject.value not in revised or (q.subject.value in described and (
            q.subject.value, q.predicate.value, getattr(q.object, "language", None)) not in own)]

    def revised_resources(self) -> set[str]:
        """The resources with an accepted revision (GRAPH_REVISIONS), whose description the curated files no longer
        give."""
        rows = self.query_private(f"SELECT ?r WHERE {{ GRAPH <{GRAPH_REVISIONS}> "
                                  f"{{ ?r <{SIKG.currentVersion}> ?v }} }}")
        return {row["r"].value for row in rows}

    def check_base(self) -> None:
        """Raises BaseMismatch if the store holds the content as published under another base (SIKG_BASE): loading
        it again under this one would not replace those graphs but add to them, and every practice would be there
        twice."""
        foreign = sorted(graph for graph in self.named_graphs() if not graph.startswith(BASE)
                         and graph.endswith(tuple(name[len(BASE) - 1:] for name in content.curated_graphs())))
        if foreign:
            base = foreign[0][:foreign[0].rindex("/graph/") + 1]
            raise BaseMismatch(f"the store was built for the base {base} and SIKG_BASE is now {BASE}: load the "
                               f"content into a new store (sikg load --store NEW_DIR), or serve this one with "
                               f"SIKG_BASE={base}")

    location = "DIR"  # what `sikg load --store` takes to fill this store (a backend says where it is)

    def unusable(self) -> str | None:
        """Why sikg cannot serve from this store, in one line, or None when it can: the store must hold the content
        under this SIKG_BASE (the ontology graph), and a query over the dataset sikg names must see the curated
        practices (a store that ignores the protocol's dataset would answer every query with nothing). Raises
        StoreUnavailable when the store does not answer."""
        try:
            self.check_base()
        except BaseMismatch as error:
            return str(error)
        if GRAPH_ONTOLOGY not in self.named_graphs():
            return f"the store holds no sikg content: run sikg load --store {self.location}"
        # Two ASKs, not one SELECT of two EXISTS: Virtuoso answers EXISTS in a projection with 1 or 0, not a boolean
        practice = f"?p a <{SIKG.SupportPractice}>"
        if not bool(self.query(f"ASK {{ GRAPH <{GRAPH_CURATED}> {{ {practice} }} }}")):
            return f"the store holds no curated practices: run sikg load --store {self.location}"
        if not bool(self.query(f"ASK {{ {practice} }}")):
            return ("queries over the store's default graph do not see the curated practices: the store ignores the "
                    "dataset sikg sends (default-graph-uri); make its default graph the union of its named graphs "
                    "(Oxigraph: serve --union-default-graph; Fuseki: tdb2:unionDefaultGraph true)")
        return None

    def load_files(self, paths: Iterable[Path], progress=None) -> dict[str, int]:
        """Loads each file into a named graph of its own (…/graph/file/{name}), replacing an earlier load of it."""
        graphs = {GRAPH_FILE + Path(p).name: parse_file(Path(p)) for p in paths}
        self.replace_graphs(graphs, progress=progress)
        return {g: len(quads) for g, quads in graphs.items()}
