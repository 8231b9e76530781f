"""pyld as the tests' JSON-LD reference: its framing (what sikg.framing must match byte for byte) and its reading of
JSON-LD back into RDF, both with sikg's document loader, so neither ever goes to the network.

A plain module the tests import (`from jsonld_helpers import ...`); the service itself never calls these.
"""

from collections.abc import Iterable

import pyoxigraph as ox
from pyld import jsonld as pyld

from sikg import jsonld

PYLD_OPTIONS = {"documentLoader": jsonld.local_document_loader}


def pyld_frame(triples: Iterable[ox.Triple], frame_document: dict) -> dict:
    """pyld's framing: right for any frame, but slow past a few thousand nodes (exports use sikg.framing.frame)."""
    return pyld.frame(jsonld.triples_to_expanded(triples), frame_document, {**PYLD_OPTIONS, "omitGraph": False})


def to_quads(document) -> list[str]:
    """N-Quads lines of a JSON-LD document; a remote context raises RemoteContextRefused (pyld wraps what its
    document loader raises in its own errors, so the cause is looked for along the chain)."""
    try:
        nquads = pyld.to_rdf(document, {**PYLD_OPTIONS, "format": "application/n-quads"})
    except pyld.JsonLdError as error:
        cause = error
        while cause is not None:
            if isinstance(cause, jsonld.RemoteContextRefused):
                raise cause from None
            cause = getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
        raise
    return [line for line in nquads.split("\n") if line]  # not splitlines(): a form feed may sit in a literal
