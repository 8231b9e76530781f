"""What the service refuses, and why: every refusal of a request is one of the kinds below, with a one-line message
for the client and the headers to send with it (Allow, Retry-After). No module says which HTTP status a kind is: the
HTTP edge does, in one table (http/responses.py, REFUSAL_STATUS), as it does for the other domain errors (an unknown
curated query, unreadable RDF, data that does not conform). So the same refusal reads the same from the command line.

The store's errors, which the client did not cause, are here too (StoreUnavailable, BaseMismatch), whichever backend
raised them.
"""


class Refusal(Exception):
    """A request the service will not carry out, for a reason the client can act on."""

    def __init__(self, message: str, headers: dict | None = None):
        super().__init__(message)
        self.message, self.headers = message, headers or {}


class BadRequest(Refusal):
    """The request is malformed, or asks for what the service never does (an update on /sparql)."""


class NotAuthenticated(Refusal):
    """The request needs credentials it did not send (headers: WWW-Authenticate)."""


class NotPermitted(Refusal):
    """The one asking may not do this."""


class NotFound(Refusal):
    """What the request names does not exist here."""


class MethodNotAllowed(Refusal):
    """The resource does not take this method (headers: Allow)."""


class NotAcceptable(Refusal):
    """No representation the request accepts exists for this resource."""


class Conflict(Refusal):
    """The request contradicts the resource's current state (a decision already taken since it was read)."""


class Gone(Refusal):
    """What the request names was here and was withdrawn on purpose (headers: Link to its history)."""


class UnsupportedBody(Refusal):
    """The request's body is of a type or encoding the service does not read."""


class Unprocessable(Refusal):
    """The body is readable but cannot be acted on as it stands."""


class OverLimit(Refusal):
    """A limit of the service was reached (the query time, every evaluator busy): the same request may succeed later
    (headers: Retry-After)."""


class StoreUnavailable(Exception):
    """The external store did not answer (down, unreachable, too slow, or failing)."""


class BaseMismatch(ValueError):
    """The store holds sikg content published under another base than this process's SIKG_BASE."""
