"""A SPARQL query sent by GET, answered by the protocol's service directly, in front of Flask.

Called in process for distinct lookups, most of a request's time went to Flask's and Werkzeug's request and response
objects and the app's hooks, not to SparqlService.answer (check, evaluation, ETag): bench/README.md, "Issue 18". For
the protocol's commonest request, `GET /sparql?query=…` answered with a 200 or a 304, this WSGI layer reads the
request as the route does (protocol.read_query_request, Accept without media-type parameters as
negotiation.NegotiatingRequest reads it, If-None-Match), asks the same service, and sends its answer with the
headers the app adds to it (the media type with its charset, CORS). Everything else goes to the app: other paths and
methods, /sparql without a query, and a request whose parameters cannot be read, which the app answers with its own
error; a refusal of the service itself (a query over the time limit, an answer too large, an unknown graph, an
external store that does not answer) is answered here as the app's handler answers it, so that no query is evaluated
twice. tests/test_direct_queries.py holds both paths to the same status, headers and body."""

from collections.abc import Callable
from typing import NamedTuple

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_etags

from ..errors import Refusal, StoreUnavailable
from ..http.negotiation import without_parameters
from ..http.response_cache import STATE_TOKEN_KEY
from ..http.responses import with_charset
from ..sparql.protocol import SparqlService, read_query_request
from .hooks import CORS_HEADERS, ERROR_HANDLERS, cors

ENDPOINT = "/sparql"
ACCEPTS_KEPT = 256


def refused(refusal: Refusal | StoreUnavailable):
    """The app's answer to a refusal of the service, or to a store that does not answer (hooks.ERROR_HANDLERS),
    with what its hooks add: CORS, and Vary, since the service chose by Accept."""
    response = cors(next(handler for kind, handler in ERROR_HANDLERS.items() if isinstance(refusal, kind))(refusal))
    response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), "Accept"]))
    return response


class GetRequest(NamedTuple):
    """What read_query_request reads of a GET: its method and raw query string."""
    method: str
    query_string: bytes


class DirectQueries:
    """WSGI middleware: `app` is the Flask app (or the next layer), `sparql` the service its /sparql route uses."""

    def __init__(self, app: Callable, sparql: SparqlService):
        self.app, self.sparql = app, sparql
        self._accepts: dict[str | None, MIMEAccept] = {}  # Accept headers read: clients send a handful of them

    def accepted(self, header: str | None) -> MIMEAccept:
        """The Accept header read as the app reads it, once per distinct header (at most ACCEPTS_KEPT kept)."""
        accept = self._accepts.get(header)
        if accept is None:
            accept = without_parameters(parse_accept_header(header, MIMEAccept))
            if len(self._accepts) >= ACCEPTS_KEPT:
                self._accepts.clear()
            self._accepts[header] = accept
        return accept

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != ENDPOINT:
            return self.app(environ, start_response)
        try:
            query_request = read_query_request(GetRequest("GET", environ.get("QUERY_STRING", "").encode("latin-1")))
        except Exception:  # a malformed request: the app answers it, with its error handlers
            return self.app(environ, start_response)
        if query_request.query is None:  # the Service Description, or the query page
            return self.app(environ, start_response)
        accept = self.accepted(environ.get("HTTP_ACCEPT"))
        try:
            answer = self.sparql.answer(query_request, accept, parse_etags(environ.get("HTTP_IF_NONE_MATCH")),
                                        environ.get(STATE_TOKEN_KEY))
        except (Refusal, StoreUnavailable) as refusal:  # here: the app would evaluate the query again
            return refused(refusal)(environ, start_response)
        except Exception:  # a bug: the app meets it again and answers with its 500, logged
            return self.app(environ, start_response)
        headers = [*answer.headers.items(), *CORS_HEADERS.items()]
        if answer.status == 304:
            start_response("304 NOT MODIFIED", headers)
            return []
        headers.append(("Content-Type", with_charset(answer.media_type)))
        if isinstance(answer.body, bytes):
            headers.append(("Content-Length", str(len(answer.body))))
            start_response("200 OK", headers)
            return [answer.body]
        start_response("200 OK", headers)
        return answer.body
