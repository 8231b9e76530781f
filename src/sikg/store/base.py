"""The store interface: what every backend of the knowledge graph implements, and what they share.

The default graph of every query is the union of all named graphs (the contract), so callers never name graphs to
see the whole KG. A backend implements the abstract methods; loading the repository's content, the base check and
writing the whole KG are written once, here, on top of them.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .. import content
from ..evaluator import EvalRequest, EvaluatorPool
from ..namespaces import BASE, GRAPH_FILE
from ..rdf_input import parse_file
from ..settings import Settings
from .errors import BaseMismatch


@dataclass(frozen=True)
class QueryEvaluator:
    """How the SPARQL endpoint has a checked query evaluated over a store: `run(request, deadline)` yields
    ("chunk", bytes)… ("done", media_type); `pool` is the evaluator processes doing it, if sikg runs them."""
    run: Callable[[EvalRequest, float], Iterator[tuple]]
    pool: EvaluatorPool | None = None


class KnowledgeGraphStore(ABC):
    """A store of the KG, one named graph per content source; `generation` counts the writes made through it."""

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
    def named_graphs(self) -> list[str]:
        """The named graphs holding the KG, sorted."""

    @abstractmethod
    def __len__(self) -> int:
        """The number of quads in the named graphs."""

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
        """Every quad of the named graphs."""

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
        """(Re)loads the ontology and curated data from the repository, replacing those named graphs."""
        self.check_base()
        self.replace_graphs({graph: [q for f in files for q in content.read(f)]
                             for graph, files in content.curated_graphs().items()})

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

    def load_files(self, paths: Iterable[Path], progress=None) -> dict[str, int]:
        """Loads each file into a named graph of its own (…/graph/file/{name}), replacing an earlier load of it."""
        graphs = {GRAPH_FILE + Path(p).name: parse_file(Path(p)) for p in paths}
        self.replace_graphs(graphs, progress=progress)
        return {g: len(quads) for g, quads in graphs.items()}
