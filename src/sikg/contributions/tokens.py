"""People and roles: a token per person, as a contributor or a curator, and who holds the token a request sends.

A token is 256 random bits (`secrets.token_urlsafe(32)`), shown once when it is made (`sikg token add`) and never
kept: a registry keeps its sha256 only, beside the person's name, role and dates, and compares hashes in constant
time. Where the registry lives follows the store, so that every process and every instance serving one store sees
the same people within about two seconds, with no restart:

- an on-disk store: a JSON file beside it (`<store dir>.tokens.json`), written by atomic rename under a file lock and
  re-read when it changes (the serving process holds the store's lock, and `sikg token add --store DIR` must work
  while it runs);
- an external store: its private graph GRAPH_TOKENS, written by SPARQL Update and read again every two seconds
  (private graphs are hidden from every public route by the store layer);
- an in-memory store: memory (for tests; `sikg token` cannot reach it).

SIKG_CONTRIB_TOKEN's tokens (Settings.contrib_tokens) stay valid as contributor tokens, named by their label.
"""

import fcntl
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from ..errors import NotAuthenticated, NotPermitted, Refusal
from ..files import written_atomically
from ..namespaces import DCT, GRAPH_TOKENS, RDF, RDFS, Namespace
from ..store import EmbeddedStore, SharedStore

log = logging.getLogger(__name__)

ROLES = ("contributor", "curator")
NAME = re.compile(r"[\w .@\-]{1,64}")  # letters of any script (Åsa Öberg), digits, space, . _ - @
TOKEN_VOCABULARY = Namespace(GRAPH_TOKENS + "#")  # private terms: they never leave the private graph
RELOAD_SECONDS = 1.0  # a token file is checked for changes at most this often
CACHE_SECONDS = 2.0  # a store's tokens are read again after this long


class ContributionsDisabled(NotPermitted):
    """No token is configured anywhere: contributions are off."""


class NotAuthorised(Refusal):
    """A request whose token does not let it in: none sent (NoToken), or one revoked or unknown (TokenRefused)."""


class NoToken(NotAuthorised, NotAuthenticated):
    def __init__(self, message: str):
        super().__init__(message, {"WWW-Authenticate": 'Bearer realm="sikg"'})


class TokenRefused(NotAuthorised, NotPermitted):
    pass


class TokenError(ValueError):
    """A name or role the registry refuses, or a name that already has an active token."""


@dataclass(frozen=True)
class Holder:
    name: str
    role: str  # "contributor" | "curator"

    @property
    def is_curator(self) -> bool:
        return self.role == "curator"


@dataclass(frozen=True)
class TokenEntry:
    """What anyone may see of a token: never the token, nor its hash."""
    name: str
    role: str
    created: str
    revoked: str | None


@dataclass(frozen=True)
class _Record:
    name: str
    role: str
    created: str
    revoked: str | None
    sha256: str

    @property
    def entry(self) -> TokenEntry:
        return TokenEntry(self.name, self.role, self.created, self.revoked)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_name(name: str, role: str = "contributor") -> None:
    """TokenError unless `name` is 1-64 letters, digits, spaces or . _ - @ (not starting or ending with a space), and
    `role` one of ROLES."""
    if not isinstance(name, str) or not NAME.fullmatch(name) or name != name.strip():
        raise TokenError(f"a name is 1 to 64 letters, digits, spaces or . _ - @, with no space at either end "
                         f"(got {name!r})")
    if role not in ROLES:
        raise TokenError(f"a role is one of {', '.join(ROLES)} (got {role!r})")


class TokenRegistry(ABC):
    """The people who may contribute or curate. A backend keeps records; what they mean is written once, here."""

    def add(self, name: str, role: str) -> str:
        """A new token for `name` in `role`, returned once (only its hash is kept). TokenError for a bad name or
        role, or a name that has an active token already (revoke it first)."""
        check_name(name, role)
        token = secrets.token_urlsafe(32)
        if not self._insert(_Record(name, role, _now(), None, _digest(token))):
            raise TokenError(f"{name!r} has an active token already; revoke it first")
        return token

    def revoke(self, name: str) -> bool:
        """Revokes the active token of `name`; False if it has none."""
        return self._revoke(name, _now())

    def entries(self) -> list[TokenEntry]:
        records = sorted(self._records(), key=lambda r: (r.created, r.name, r.revoked is None))
        return [record.entry for record in records]

    def lookup(self, token: str) -> Holder | None:
        """The holder of an active token, or None (unknown or revoked)."""
        record = self.find(token)
        return Holder(record.name, record.role) if record is not None and record.revoked is None else None

    def find(self, token: str) -> _Record | None:
        """The record of `token`, active or revoked; every hash is compared, in constant time."""
        digest, found = _digest(token).encode(), None
        for record in self._records():
            if hmac.compare_digest(record.sha256.encode(), digest):
                found = record
        return found

    def has_active(self) -> bool:
        return any(record.revoked is None for record in self._records())

    @abstractmethod
    def _records(self) -> list[_Record]:
        """Every record, as currently known (possibly up to the backend's cache time old)."""

    @abstractmethod
    def _insert(self, record: _Record) -> bool:
        """Adds `record` unless its name has an active one (False), atomically."""

    @abstractmethod
    def _revoke(self, name: str, when: str) -> bool:
        """Marks the active record of `name` revoked at `when`; False if there is none."""


def _revoked_in(records: list[_Record], name: str, when: str) -> list[_Record] | None:
    """`records` with the active one of `name` revoked, or None if it has none."""
    if not any(r.name == name and r.revoked is None for r in records):
        return None
    return [_Record(r.name, r.role, r.created, when, r.sha256) if r.name == name and r.revoked is None else r
            for r in records]


def _has_active(records: list[_Record], name: str) -> bool:
    return any(r.name == name and r.revoked is None for r in records)


class MemoryTokenRegistry(TokenRegistry):
    """For the in-memory store: gone with the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._all: list[_Record] = []

    def _records(self) -> list[_Record]:
        return list(self._all)

    def _insert(self, record: _Record) -> bool:
        with self._lock:
            if _has_active(self._all, record.name):
                return False
            self._all = [*self._all, record]
            return True

    def _revoke(self, name: str, when: str) -> bool:
        with self._lock:
            changed = _revoked_in(self._all, name, when)
            if changed is None:
                return False
            self._all = changed
            return True


class FileTokenRegistry(TokenRegistry):
    """A JSON file (mode 0600): written whole, to a temporary file renamed over it, under an exclusive lock on
    `<path>.lock`, so that writers never lose each other's changes and readers never see half a file; re-read when
    its modification time, size or inode changes, checked at most once a second."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cached: list[_Record] = []
        self._signature = None
        self._checked = float("-inf")

    def _records(self) -> list[_Record]:
        with self._lock:
            if time.monotonic() - self._checked >= RELOAD_SECONDS:
                self._checked = time.monotonic()
                self._reload()
            return self._cached

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._cached, self._signature = [], None
            return
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if signature == self._signature:
            return
        try:
            self._cached, self._signature = self._read(), signature
        except TokenError as error:  # keep the last good tokens; the operator is told
            log.error("%s", error)

    def _read(self) -> list[_Record]:
        """The file's records (none if it does not exist); TokenError if it cannot be read as a token file."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            return [_Record(**{key: item[key] for key in ("name", "role", "created", "revoked", "sha256")})
                    for item in document["tokens"]]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise TokenError(f"the token file {self.path} cannot be read ({type(error).__name__}: {error})") from None

    def _insert(self, record: _Record) -> bool:
        return self._change(lambda records: None if _has_active(records, record.name) else [*records, record])

    def _revoke(self, name: str, when: str) -> bool:
        return self._change(lambda records: _revoked_in(records, name, when))

    def _change(self, change) -> bool:
        """Applies `change` (records -> new records, or None for no change) to the file as it is now, under the
        lock; whether it changed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            changed = change(self._read())
            if changed is None:
                return False
            self._write(changed)
        with self._lock:
            self._checked = float("-inf")  # this process sees its own change at once
        return True

    def _write(self, records: list[_Record]) -> None:
        with written_atomically(self.path, mode=0o600) as output:
            output.write(json.dumps({"tokens": [asdict(r) for r in records]}, indent=1).encode("utf-8"))


class StoreTokenRegistry(TokenRegistry):
    """The external store's private graph GRAPH_TOKENS: one node per token with its name (rdfs:label), role,
    dct:created, revocation time and sha256. Each change is one SPARQL Update whose WHERE clause checks the
    condition, so concurrent instances cannot give one name two active tokens. Read again at most every 2 s."""

    def __init__(self, store):
        self.store = store
        self._query = store.query_private  # the store layer hides private graphs from `query`
        self._lock = threading.Lock()
        self._cached: list[_Record] = []
        self._read_at = float("-inf")

    def _records(self) -> list[_Record]:
        with self._lock:
            if time.monotonic() - self._read_at >= CACHE_SECONDS:
                self._cached, self._read_at = self._read(), time.monotonic()
            return self._cached

    def _read(self) -> list[_Record]:
        t = TOKEN_VOCABULARY
        rows = self._query(f"""SELECT ?name ?role ?created ?revoked ?sha WHERE {{ GRAPH <{GRAPH_TOKENS}> {{
            ?e a <{t.Token}> ; <{RDFS.label}> ?name ; <{t.role}> ?role ; <{DCT.created}> ?created ; <{t.sha256}> ?sha .
            OPTIONAL {{ ?e <{t.revoked}> ?revoked }} }} }}""")
        return [_Record(row["name"].value, row["role"].value, row["created"].value,
                        row["revoked"].value if row["revoked"] else None, row["sha"].value) for row in rows]

    def _active(self, name: str) -> str:
        t = TOKEN_VOCABULARY
        return (f"GRAPH <{GRAPH_TOKENS}> {{ ?active a <{t.Token}> ; <{RDFS.label}> {ox.Literal(name)} . "
                f"FILTER NOT EXISTS {{ ?active <{t.revoked}> ?r }} }}")

    def _insert(self, record: _Record) -> bool:
        t, node = TOKEN_VOCABULARY, ox.NamedNode(f"{GRAPH_TOKENS}/{uuid.uuid4().hex}")
        triples = (f"{node} <{RDF.type}> <{t.Token}> ; <{RDFS.label}> {ox.Literal(record.name)} ; "
                   f"<{t.role}> {ox.Literal(record.role)} ; <{DCT.created}> {ox.Literal(record.created)} ; "
                   f"<{t.sha256}> {ox.Literal(record.sha256)} .")
        self.store.update(f"INSERT {{ GRAPH <{GRAPH_TOKENS}> {{ {triples} }} }} "
                          f"WHERE {{ FILTER NOT EXISTS {{ {self._active(record.name)} }} }}")
        self._read_at = float("-inf")
        return any(r.sha256 == record.sha256 for r in self._records())

    def _revoke(self, name: str, when: str) -> bool:
        if not _has_active(self._read(), name):
            return False
        self.store.update(f"INSERT {{ GRAPH <{GRAPH_TOKENS}> {{ ?active <{TOKEN_VOCABULARY.revoked}> "
                          f"{ox.Literal(when)} }} }} WHERE {{ {self._active(name)} }}")
        self._read_at = float("-inf")
        return True


def token_file(store_directory: str | Path) -> Path:
    """Where the tokens of the on-disk store at `store_directory` are kept: beside it, never inside it."""
    return Path(str(store_directory).rstrip("/") + ".tokens.json")


def registry_for(store) -> TokenRegistry:
    """The registry that goes with `store`: a file beside an on-disk store (whichever process serves it), memory for
    an in-memory one, the private graph of an external one. An on-disk store opened read-only, with no writer, takes
    no contributions, so it gets an empty registry: contributions stay off there."""
    if isinstance(store, SharedStore):
        return FileTokenRegistry(token_file(store.store_path))
    if isinstance(store, EmbeddedStore) and store.read_only:
        return MemoryTokenRegistry()  # opened read-only (a command that only reads): nothing can be written
    if isinstance(store, EmbeddedStore):
        return MemoryTokenRegistry() if store.path is None else FileTokenRegistry(token_file(store.path))
    return StoreTokenRegistry(store)


def _bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate(authorization: str | None, registry: TokenRegistry | None,
                 env_tokens: dict[str, str] | None) -> Holder:
    """The holder of the token an Authorization header sends, or an exception that says why not: ContributionsDisabled
    (no token anywhere), NoToken (no bearer token), TokenRefused (a revoked or an unknown token)."""
    token = _bearer(authorization)
    if token is not None and registry is not None:
        record = registry.find(token)
        if record is not None and record.revoked is not None:
            raise TokenRefused("this token was revoked")
        if record is not None:
            return Holder(record.name, record.role)
    for known, label in (env_tokens or {}).items():
        if token is not None and hmac.compare_digest(known.encode(), token.encode()):
            return Holder(label, "contributor")
    if not env_tokens and (registry is None or not registry.has_active()):
        raise ContributionsDisabled("contributions are switched off on this service (no SIKG_CONTRIB_TOKEN set, "
                                    "and no token made with `sikg token add`)")
    if token is None:
        raise NoToken("send the contribution token as 'Authorization: Bearer <token>'")
    raise TokenRefused("this token is not allowed to contribute")
