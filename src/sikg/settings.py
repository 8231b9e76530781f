"""The service's settings: every SIKG_* environment variable, read in this one module and checked once.

`Settings.from_environment()` reads them all; the `sikg` command line then overrides what it has options for. A bad
value is a `SettingsError` whose message names the variable and the value, which `sikg` prints as one line. Every
limit a client can run into is here. Two settings are also read on their own, where no `Settings` is at hand, by the
same functions `from_environment` uses: the base IRI (namespaces.py builds its constants from it when sikg is
imported) and the content directory (content.home()).
"""

import base64
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# The base the content in ontology/, data/, shapes/ and queries/ is written with (namespaces.CANONICAL_BASE).
CANONICAL_BASE = "https://w3id.org/sikg/"

MEBIBYTE = 1024 * 1024


class SettingsError(ValueError):
    """A SIKG_* variable with a value sikg cannot use; the message names both."""


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def published_base(environ: Mapping[str, str] | None = None) -> str:
    """SIKG_BASE, the IRI base this service publishes its instances and graphs under (the canonical one if unset).
    namespaces.py reads it once, when sikg is imported: its constants are built from it."""
    return _environ(environ).get("SIKG_BASE") or CANONICAL_BASE


def content_home(environ: Mapping[str, str] | None = None) -> Path | None:
    """SIKG_HOME, a directory holding ontology/, data/, shapes/ and queries/ (None: the packaged content)."""
    raw = _environ(environ).get("SIKG_HOME")
    return Path(raw) if raw else None


def parse_tokens(raw: str | None) -> dict[str, str]:
    """SIKG_CONTRIB_TOKEN: one token, or `label=token` entries separated by commas (the label names the holder in
    the provenance; the token itself is never stored)."""
    tokens = {}
    for entry in (raw or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        label, sep, token = entry.partition("=")
        # A token may itself contain "=" (base64 padding): only a label of plain characters followed by a token
        # that is more than padding makes a `label=token` entry.
        if sep and re.fullmatch(r"[A-Za-z0-9_.\-]+", label) and token.strip("= "):
            tokens[token.strip()] = label
        else:
            tokens[entry] = "contributor"
    return tokens


def store_auth_headers(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The external store's credentials (SIKG_STORE_TOKEN, else SIKG_STORE_USER and SIKG_STORE_PASSWORD) as HTTP
    headers; they go in headers only and are never logged."""
    environ = _environ(environ)
    token = environ.get("SIKG_STORE_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user, password = environ.get("SIKG_STORE_USER"), environ.get("SIKG_STORE_PASSWORD")
    if user:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password or ''}".encode()).decode()}
    return {}


def _raw(environ: Mapping[str, str], name: str) -> str | None:
    """The variable's value, None when unset or empty (an empty number means its default)."""
    raw = environ.get(name)
    return None if raw is None or raw.strip() == "" else raw


def _whole(environ: Mapping[str, str], name: str, default: int, least: int, most: int | None = None) -> int:
    """A whole number from `least` to `most`; written as an integer or in exponent form (64e6)."""
    raw = _raw(environ, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not number.is_integer():
            raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
        value = int(number)
    if value < least or (most is not None and value > most):
        bounds = f"at least {least}" if most is None else f"from {least} to {most}"
        raise SettingsError(f"{name} must be {bounds}, got {raw!r}")
    return value


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = _raw(environ, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise SettingsError(f"{name} must be a number of seconds above 0, got {raw!r}")
    return value


def _switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """A switch: 1 on, 0 off (unset or empty: the default)."""
    raw = _raw(environ, name)
    if raw is None:
        return default
    if raw.strip() not in ("0", "1"):
        raise SettingsError(f"{name} must be 1 (on) or 0 (off), got {raw!r}")
    return raw.strip() == "1"


def _default_evaluators() -> int:
    return max(2, os.cpu_count() or 2)


@dataclass(frozen=True)
class Settings:
    """Every setting, with today's defaults; each comment names the variable it is read from."""

    # -- what the service publishes, and where its content is
    base: str = CANONICAL_BASE  # SIKG_BASE: the IRI base the data is published under. It is namespaces.BASE, fixed
    #                             when sikg is imported: replacing it here changes nothing else.
    home: Path | None = None  # SIKG_HOME: the directory of ontology/, data/, shapes/, queries/ (None: packaged)
    # -- limits a client can run into
    query_timeout: float = 10.0  # SIKG_QUERY_TIMEOUT: seconds a query may run before it is stopped (503)
    max_result_bytes: int = 64 * MEBIBYTE  # SIKG_MAX_RESULT_BYTES: the largest SPARQL answer the service produces
    max_upload: int = 10 * MEBIBYTE  # SIKG_MAX_UPLOAD: the largest request body accepted (413 above it)
    # -- resources of one service process
    evaluators: int = field(default_factory=_default_evaluators)  # SIKG_EVALUATORS: processes evaluating queries in
    #                                                               parallel, in the whole service (default: the
    #                                                               cores, at least 2), divided among its worker
    #                                                               processes, at least one each (server.serve)
    mirror_bytes: int = 256 * MEBIBYTE  # SIKG_EVALUATOR_MEMORY: the largest on-disk store (as N-Quads) each evaluator
    #                                     copies into memory, where aggregates run several times faster
    #                                     (bench/README.md, "Aggregates"); the copy takes about 2.2 times that in
    #                                     memory (docs/deployment.md, sizing), and is remade after each write (0: off)
    worker_mirror_bytes: int = 0  # SIKG_WORKER_MEMORY: the same bound for a copy in each worker process of
    #                               --processes over the on-disk store, for the lookups it answers itself (0, the
    #                               default: none; a copy a process was 136 MiB of 290k quads for lookups 10-25 %
    #                               faster, bench/README.md, "Memory")
    cache_bytes: int = 64 * MEBIBYTE  # SIKG_CACHE_BYTES: memory for answers to repeated queries, for each of its two
    #                                   layers (0: off)
    export_cache: str = ""  # SIKG_EXPORT_CACHE: where dumps are kept per store state ("off"; "": a temp dir)
    # -- the store; `--store`, `--update-url`, `--store-url` override the first three
    store: str | None = None  # SIKG_STORE: memory, a directory or an http(s) SPARQL query endpoint (None: the
    #                           command's default)
    store_update: str | None = None  # SIKG_STORE_UPDATE: an external store's SPARQL Update endpoint (None: beside it)
    store_gsp: str | None = None  # SIKG_STORE_GSP: its Graph Store Protocol endpoint (None: beside it)
    # SIKG_STORE_TOKEN, or SIKG_STORE_USER and SIKG_STORE_PASSWORD: its credentials, as HTTP headers (never shown)
    store_auth_headers: dict[str, str] = field(default_factory=dict, hash=False, repr=False)
    # -- contributions: SIKG_CONTRIB_TOKEN parsed, token -> holder's label (none: contributions are off)
    contrib_tokens: dict[str, str] = field(default_factory=dict, hash=False, repr=False)
    review: bool = True  # SIKG_REVIEW=0 (or `sikg serve --no-review`): a contribution is public at once (201), with
    #                      no curator's review; 1 (default): it waits, private, for a curator's decision (202)
    # -- `sikg serve`; `--host`, `--port`, `--workers`, `--processes`, `--access-log` override them
    host: str = "127.0.0.1"  # SIKG_HOST: the address to listen on
    port: int = 8000  # SIKG_PORT: the port to listen on
    workers: int = 4  # SIKG_WORKERS: threads answering requests in each worker process
    processes: int = 0  # SIKG_PROCESSES: worker processes of the WSGI server (granian); 0 (the default): one per
    #                     core over an on-disk or external store, one over the in-memory store (server.worker_processes)
    access_log: bool = False  # SIKG_ACCESS_LOG=1: log every request to standard output
    trusted_proxies: int = 0  # SIKG_TRUSTED_PROXIES: how many proxies in front of the service (a TLS terminator, a
    #                           load balancer) whose X-Forwarded-For/-Proto/-Host/-Port/-Prefix are believed (0: none)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """The settings of `environ` (default: this process's environment); SettingsError for a bad value."""
        environ = _environ(environ)
        return cls(
            base=published_base(environ),
            home=content_home(environ),
            query_timeout=_seconds(environ, "SIKG_QUERY_TIMEOUT", 10.0),
            max_result_bytes=_whole(environ, "SIKG_MAX_RESULT_BYTES", 64 * MEBIBYTE, least=0),
            max_upload=_whole(environ, "SIKG_MAX_UPLOAD", 10 * MEBIBYTE, least=0),
            evaluators=_whole(environ, "SIKG_EVALUATORS", _default_evaluators(), least=1),
            mirror_bytes=_whole(environ, "SIKG_EVALUATOR_MEMORY", 256 * MEBIBYTE, least=0),
            worker_mirror_bytes=_whole(environ, "SIKG_WORKER_MEMORY", 0, least=0),
            cache_bytes=_whole(environ, "SIKG_CACHE_BYTES", 64 * MEBIBYTE, least=0),
            export_cache=environ.get("SIKG_EXPORT_CACHE", ""),
            store=environ.get("SIKG_STORE"),
            store_update=environ.get("SIKG_STORE_UPDATE"),
            store_gsp=environ.get("SIKG_STORE_GSP"),
            store_auth_headers=store_auth_headers(environ),
            contrib_tokens=parse_tokens(environ.get("SIKG_CONTRIB_TOKEN")),
            review=_switch(environ, "SIKG_REVIEW", True),
            host=environ.get("SIKG_HOST", "127.0.0.1"),
            port=_whole(environ, "SIKG_PORT", 8000, least=1, most=65535),
            workers=_whole(environ, "SIKG_WORKERS", 4, least=1),
            processes=_whole(environ, "SIKG_PROCESSES", 0, least=0),
            access_log=environ.get("SIKG_ACCESS_LOG") == "1",
            trusted_proxies=_whole(environ, "SIKG_TRUSTED_PROXIES", 0, least=0),
        )
