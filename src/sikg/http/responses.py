"""Building HTTP responses the same way on every route: media types with their charset, RDF graphs in the
negotiated syntax, pages in the reader's language, SHACL reports, SPARQL answers, and the one-line error bodies."""

import io
import json

from flask import Response, request

from ..errors import (
    BadRequest,
    Conflict,
    Gone,
    MethodNotAllowed,
    NotAcceptable,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    OverLimit,
    Refusal,
    Unprocessable,
    UnsupportedBody,
)
from ..formats import GRAPH_FORMATS, JSON, JSON_LD, TURTLE, Format
from ..i18n.languages import choose_ui_language
from ..rdf.results import write_result
from .negotiation import Choice, negotiate

# The SHACL report: JSON (the default), the sh:ValidationReport graph as Turtle or JSON-LD, or text.
TEXT = Format("text", "text/plain", "plain text", "txt")
REPORT_FORMATS = (JSON, TURTLE, JSON_LD, TEXT)


def with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml")) or \
        media_type in ("application/n-triples", "application/n-quads", "application/trig", "application/x-turtle")
    return f"{media_type}; charset=utf-8" if textual else media_type


def rdf_response(triples, choice: Choice | None = None, headers: dict | None = None) -> Response:
    """A graph in the negotiated RDF syntax (format= or Accept), written like every SPARQL graph result."""
    choice = choice or negotiate(GRAPH_FORMATS)
    buffer = io.BytesIO()
    write_result(list(triples), choice.format, buffer)
    return Response(buffer.getvalue(), 200, content_type=with_charset(choice.media_type), headers=headers)


def html_response(body: str, status: int = 200, headers: dict | None = None) -> Response:
    """A page in the interface's language, which Content-Language states (RFC 9110 §8.5): every page of the site
    is sent through here."""
    language = choose_ui_language(request.args.get("lang"), request.accept_languages)
    return Response(body, status, content_type="text/html; charset=utf-8",
                    headers={"Content-Language": language, **(headers or {})})


def json_response(value, status: int = 200, headers: dict | None = None, content_type: str = "application/json",
                  indent: int = 1) -> Response:
    return Response(json.dumps(value, indent=indent, ensure_ascii=False), status, content_type=content_type,
                    headers=headers)


def report_response(report, status: int) -> Response:
    """A SHACL validation report, negotiated by Accept only (a POST's URL names no format)."""
    choice = negotiate(REPORT_FORMATS, requested=None)
    body = {"json": report.to_json, "ttl": report.to_turtle, "jsonld": report.to_jsonld,
            "text": report.to_text}[choice.format.name]()
    # JSON bodies unlabelled with a charset, as JSON has none (RFC 8259 §11)
    return Response(body, status, content_type=choice.media_type if choice.media_type.endswith("json")
                    else with_charset(choice.media_type))


def answer_response(answer) -> Response:
    """What SparqlService.answer returned, as the response."""
    return Response(answer.body, answer.status, headers=answer.headers, content_type=with_charset(answer.media_type))


def error_response(status: int, message: str, headers: dict | None = None) -> Response:
    """The body of every refusal: one line of text that says what was wrong."""
    return Response(message.rstrip("\n") + "\n", status, headers=headers, mimetype="text/plain")


# Each kind of refusal's HTTP status (errors.py): the only place one is chosen.
REFUSAL_STATUS = {BadRequest: 400, NotAuthenticated: 401, NotPermitted: 403, NotFound: 404, MethodNotAllowed: 405,
                  NotAcceptable: 406, Conflict: 409, Gone: 410, UnsupportedBody: 415, Unprocessable: 422,
                  OverLimit: 503}


def status_of(refusal: Refusal) -> int:
    return next(REFUSAL_STATUS[kind] for kind in type(refusal).__mro__ if kind in REFUSAL_STATUS)


def refusal_response(refusal: Refusal) -> Response:
    return error_response(status_of(refusal), refusal.message, refusal.headers)
