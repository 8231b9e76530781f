"""What every request and response of the app goes through, whichever route answers: bodies bounded, CORS, Vary,
ETags made from the store's state, and one error handler per kind of refusal, so that no client's request is ever
answered with a 500."""

import io
import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..contributions.service import NotConforming
from ..contributions.spreadsheet import RowsNotConforming, UnreadableSpreadsheet
from ..errors import Refusal, StoreUnavailable
from ..http import negotiation
from ..http.response_cache import DETERMINISTIC_PATHS, STATE_TOKEN_KEY, PathFamilies, not_modified_headers, vary_fields
from ..http.responses import error_response, json_response, refusal_response, report_response
from ..rdf.reading import RdfInputError
from ..sparql.queries import ParameterError, UnknownQuery
from .services import current

log = logging.getLogger(__name__)

READ_METHODS = "GET, HEAD, POST, DELETE, OPTIONS"
CORS_HEADERS = {
    # Every route reads, and the writing ones check a token: any origin may call them.
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": READ_METHODS,
    "Access-Control-Allow-Headers": "Accept, Accept-Profile, Authorization, Content-Type, If-None-Match, Range, "
                                    "If-Range",
    # Location: a page's script reads where POST /contributions put the new graph; Sikg-Format-Ignored: a query
    # answer that did not follow its format parameter (sparql/protocol.py).
    "Access-Control-Expose-Headers": "ETag, Content-Type, Link, Vary, Content-Profile, Content-Disposition, "
                                     "Content-Range, Accept-Ranges, Location, Last-Modified, Sikg-Format-Ignored",
}


def install(app: Flask, max_upload: int) -> None:
    app.request_class = negotiation.NegotiatingRequest  # every route reads Accept without media-type parameters
    app.config["MAX_CONTENT_LENGTH"] = max_upload
    app.before_request(lambda: bound_chunked_body(max_upload))
    # After-request hooks run last registered first: the ETag is made once Vary and CORS are written.
    app.after_request(state_etag)
    app.after_request(cors)
    app.after_request(negotiation.declare_vary)
    for error, handler in ERROR_HANDLERS.items():
        app.register_error_handler(error, handler)


def bound_chunked_body(max_upload: int) -> None:
    """Flask answers 413 for a Content-Length over the limit, but a chunked body (no Content-Length) would be cut
    silently at the limit and the rest taken for the whole. Read such a body here, up to one byte past the limit,
    refuse it if it is over, and hand the rest of the app a body of known length."""
    if request.method not in ("POST", "PUT", "PATCH") or request.content_length is not None \
            or "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    body = request.environ["wsgi.input"].read(max_upload + 1)
    if len(body) > max_upload:
        raise RequestEntityTooLarge(f"the body is larger than SIKG_MAX_UPLOAD ({max_upload} bytes)")
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["CONTENT_LENGTH"] = str(len(body))
    request.environ.pop("HTTP_TRANSFER_ENCODING", None)
    request.environ["wsgi.input_terminated"] = False
    for cached in ("content_length", "stream"):
        request.__dict__.pop(cached, None)


def cors(response: Response) -> Response:
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


DETERMINISTIC = PathFamilies(DETERMINISTIC_PATHS)


def state_etag(response: Response) -> Response:
    """A strong ETag for a page (or any answer in memory) of the paths whose answers are the same for one store
    state (response_cache.DETERMINISTIC_PATHS) that the route gave none: made from the state token, the URL, the
    request headers the Vary names and what was chosen by them (media type, language). A request that holds it in
    If-None-Match (compared weakly, RFC 9110 §13.1.2) gets a 304."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or "ETag" in response.headers \
            or "Set-Cookie" in response.headers or response.direct_passthrough or not response.is_sequence \
            or request.environ.get("PATH_INFO", "") not in DETERMINISTIC:
        return response
    state = request.environ.get(STATE_TOKEN_KEY) or current().store.state_token
    selecting = [request.headers.get(f, "") for f in vary_fields(response.headers.get("Vary", ""))]
    etag = negotiation.representation_etag(state, request.environ.get("PATH_INFO", ""),
                                      request.query_string.decode("latin-1"), *selecting, response.content_type or "",
                                      response.headers.get("Content-Language", ""))
    response.set_etag(etag)
    if not request.if_none_match.contains_weak(etag):
        return response
    not_modified = Response(status=304, headers=not_modified_headers(response.headers.items()))
    not_modified.headers.pop("Content-Type", None)
    return not_modified


def unreadable_rdf(error: RdfInputError) -> Response:
    body = {"error": "unreadable RDF", "message": error.message, "line": error.line, "column": error.column}
    return Response(json.dumps(body) + "\n", 400, content_type="application/json")


def http_error(error: HTTPException) -> Response:
    response = error_response(error.code, f"{error.code} {error.name}: {error.description}")
    # What the exception says beside its status, such as a 416's Content-Range: bytes */length (RFC 9110 §15.5.17)
    for name, value in error.get_headers(request.environ):
        if name.lower() != "content-type":
            response.headers[name] = value
    if error.code == 405:
        response.headers["Allow"] = ", ".join(error.valid_methods or [])
    return response


def unexpected(error: Exception) -> Response:
    log.exception("unexpected error")
    return error_response(500, "500 Internal Server Error: the service failed; this is a bug, not your request")


ERROR_HANDLERS = {
    Refusal: refusal_response,
    UnknownQuery: lambda error: error_response(404, str(error)),
    ParameterError: lambda error: error_response(400, str(error)),
    RdfInputError: unreadable_rdf,
    NotConforming: lambda refusal: report_response(refusal.report, 422),
    # a spreadsheet: every problem at its row and column; one too large once unpacked is a 413 like a large body
    UnreadableSpreadsheet: lambda error: json_response(error.as_json(), 413 if error.too_large else 400),
    RowsNotConforming: lambda refusal: json_response(refusal.as_json(), 422),
    StoreUnavailable: lambda error: error_response(503, f"503 Service Unavailable: {error}; try again shortly",
                                                   {"Retry-After": "5"}),
    HTTPException: http_error,
    Exception: unexpected,
}
