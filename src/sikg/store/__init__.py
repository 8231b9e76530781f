"""The knowledge graph's store, behind one interface (base.KnowledgeGraphStore) with two backends: the embedded
pyoxigraph store, in memory or on disk (embedded.py), and an external SPARQL 1.1 store (remote.py); an on-disk store
that several processes serve is a SharedStore in each (shared.py) and one writer process (writer.py). Its errors are
in errors.py. `open_store` opens the one a specification names; it reads no environment variable: the caller passes
the settings in.
"""

from ..errors import BaseMismatch, StoreUnavailable
from .base import KnowledgeGraphStore, QueryEvaluator
from .embedded import EmbeddedStore
from .shared import SharedStore
from .writer import WriterAddress

__all__ = ["BaseMismatch", "EmbeddedStore", "KnowledgeGraphStore", "QueryEvaluator", "RemoteStore", "SharedStore",
           "StoreUnavailable", "WriterAddress", "open_store", "store_kind"]


def __getattr__(name: str):
    """`RemoteStore` is imported when first asked for: it brings urllib3 (some 30 ms), which a command over an
    embedded store (`sikg export`, timed against `oxigraph dump`) never uses."""
    if name == "RemoteStore":
        from .remote import RemoteStore  # (urllib3: see above)
        return RemoteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def store_kind(spec: str | None) -> str:
    """What a store specification names: "external" (an http(s) query endpoint), "memory" or "disk" (a directory)."""
    if spec and spec.startswith(("http://", "https://")):
        return "external"
    return "memory" if spec in (None, "", "memory") else "disk"


def open_store(spec: str | None = None, *, update_url: str | None = None, store_url: str | None = None,
               auth_headers: dict[str, str] | None = None, timeout: float = 10.0, read_only: bool = False,
               boot: str | None = None, writer: WriterAddress | None = None) -> KnowledgeGraphStore:
    """`memory` (or nothing): a throwaway store with the curated KG; a directory: the on-disk store there (`read_only`,
    `boot`: see EmbeddedStore), or with `writer` the one that writer holds, as one of the processes serving it (see
    SharedStore); an http(s) URL: the SPARQL query endpoint of an external store (`update_url`,
    `store_url`, `auth_headers`, `timeout`: see RemoteStore)."""
    kind = store_kind(spec)
    if kind == "external":
        from .remote import RemoteStore  # (urllib3, only for an external store: see __getattr__)
        return RemoteStore(spec, update_url, store_url, timeout, auth_headers)
    if kind == "memory":
        store = EmbeddedStore(boot=boot)
        store.load_curated()
        return store
    if writer is not None:
        return SharedStore(spec, writer)
    return EmbeddedStore(spec, read_only=read_only, boot=boot)
