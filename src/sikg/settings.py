"""The service's settings, read once from the environment. Every limit a client can run into is here."""

import os
from dataclasses import dataclass


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"sikg: {name} must be a number, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    base: str              # SIKG_BASE: the IRI base the data is published under
    query_timeout: float   # SIKG_QUERY_TIMEOUT: seconds a query may run before it is stopped (503)
    max_result_bytes: int  # SIKG_MAX_RESULT_BYTES: the largest SPARQL answer the service will produce
    evaluators: int        # SIKG_EVALUATORS: processes that evaluate queries in parallel
    max_upload: int        # SIKG_MAX_UPLOAD: the largest request body accepted (413 above it)
    cache_bytes: int       # SIKG_CACHE_BYTES: memory for answers to repeated queries (each of its two layers)
    export_cache: str      # SIKG_EXPORT_CACHE: where dumps are kept per store state ("off"; unset: a temp dir)

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            base=os.environ.get("SIKG_BASE", "https://w3id.org/sikg/"),
            query_timeout=_number("SIKG_QUERY_TIMEOUT", 10.0),
            max_result_bytes=int(_number("SIKG_MAX_RESULT_BYTES", 64 * 1024 * 1024)),
            evaluators=max(1, int(_number("SIKG_EVALUATORS", max(2, os.cpu_count() or 2)))),
            max_upload=int(_number("SIKG_MAX_UPLOAD", 10 * 1024 * 1024)),
            cache_bytes=int(_number("SIKG_CACHE_BYTES", 64 * 1024 * 1024)),
            export_cache=os.environ.get("SIKG_EXPORT_CACHE", ""),
        )
