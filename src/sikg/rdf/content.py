"""Where the hand-edited content lives: ontology/, data/, shapes/ and queries/.

In a source checkout they sit at the top of the repository; an installed wheel carries a copy under sikg/content/.
SIKG_HOME points elsewhere for a deployment that keeps its content outside the package.
"""

from pathlib import Path

import pyoxigraph as ox

from ..namespaces import BASE, CANONICAL_BASE, GRAPH_CURATED, GRAPH_ONTOLOGY, GRAPH_TRANSLATIONS, rebase
from ..settings import content_home
from .reading import parse_file


def home() -> Path:
    configured = content_home()
    if configured:
        return configured
    packaged = Path(__file__).parents[1] / "content"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3]


def ontology_files() -> list[Path]:
    root = home() / "ontology"
    return sorted(root.glob("*.ttl")) + sorted((root / "alignments").glob("*.ttl"))


def data_files() -> list[Path]:
    return sorted((home() / "data").glob("*.ttl"))


def translation_files() -> list[Path]:
    """The sikg team's translations (data/translations/*.ttl), with provenance.ttl saying who made them."""
    return sorted((home() / "data" / "translations").glob("*.ttl"))


# The SHACL-SPARQL constraints; every other file of shapes/ is SHACL Core only, which any SHACL engine loads.
SPARQL_SHAPES = "shapes-sparql.ttl"


def shape_files() -> list[Path]:
    """The full set of shapes, SHACL Core and SHACL-SPARQL: what sikg validates with."""
    return sorted((home() / "shapes").glob("*.ttl"))


def core_shape_files() -> list[Path]:
    """The shapes without the SHACL-SPARQL constraints: SHACL Core only (GET /shapes?profile=core)."""
    return [path for path in shape_files() if path.name != SPARQL_SHAPES]


SHAPE_PROFILES = {"full": shape_files, "core": core_shape_files}  # GET /shapes?profile=…


def queries_dir() -> Path:
    return home() / "queries"


def curated_graphs() -> dict[str, list[Path]]:
    """The named graphs `sikg load` (re)builds from the repository, and the files that make each one."""
    return {GRAPH_ONTOLOGY: ontology_files(), GRAPH_CURATED: data_files(), GRAPH_TRANSLATIONS: translation_files()}


def read(path: Path, progress=None) -> list[ox.Quad]:
    """A content file's quads, with instance IRIs moved under SIKG_BASE when the service publishes elsewhere;
    `progress(bytes read)` as it is parsed."""
    quads = parse_file(path, progress=progress)
    if BASE == CANONICAL_BASE:
        return quads
    def term(t):
        if isinstance(t, ox.NamedNode):
            return ox.NamedNode(rebase(t.value))
        if isinstance(t, ox.Literal) and not t.language and t.value.startswith(CANONICAL_BASE) and " " not in t.value:
            return ox.Literal(rebase(t.value), datatype=t.datatype)  # an IRI space written as text (void:uriSpace)
        return t
    return [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name) for q in quads]
