"""Errors a client's request causes, each answered with its HTTP status and a one-line message (never a 500).

Every module that refuses a request raises one of these (or a subclass); the app answers them all in one handler.
The store's errors, which the client did not cause, are here too (StoreUnavailable, BaseMismatch), whichever backend
raised them.
"""


class ProtocolError(Exception):
    """A request the service refuses: `status` (4xx, or 503 for a limit such as the query time), `message` for the
    client, `headers` to send with it (Allow, Retry-After)."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class StoreUnavailable(Exception):
    """The external store did not answer (down, unreachable, too slow, or failing)."""


class BaseMismatch(ValueError):
    """The store holds sikg content published under another base than this process's SIKG_BASE."""
