"""The whole KG as a download, in every RDF syntax, and its two views (the practices frame, schema.org)."""

from flask import request

from ...formats import DUMP_FORMATS
from ...http import negotiation
from ...http.openapi import GRAPHS, QUERY_ERRORS, DescribedBlueprint, any_response, text_response
from ..services import current

routes = DescribedBlueprint("export", __name__)


@routes.get("/export")
def export_kg():
    wanted, media_type = negotiation.export_request(request.args, request.headers.get("Accept-Profile"))
    return current().dumps.response(current().store, wanted, media_type, request)


routes.describe({"/export": {"get": {
    "summary": "The whole KG, streamed; views as profiles (W3C Content Negotiation by Profile)",
    "parameters": [
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": [f.name for f in DUMP_FORMATS]}},
        {"name": "frame", "in": "query", "schema": {"type": "string", "enum": ["practices"]},
         "description": "The practices view: a JSON-LD document (JSON-LD only) whose graph is the array of practices, "
                        "each nested with its elements, methods, organisations, country, level and sources"},
        {"name": "profile", "in": "query", "schema": {"type": "string", "enum": ["schema.org", "practices"]}},
        {"name": "Accept-Profile", "in": "header", "schema": {"type": "string"}},
        {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
        {"name": "Range", "in": "header", "schema": {"type": "string"},
         "description": "bytes=…, answered once the dump is kept (Accept-Ranges: bytes)"}],
    "responses": {"200": any_response("The dump (Content-Disposition: attachment; Content-Profile for views; an ETag "
                                      "that changes with every write)", GRAPHS),
                  "206": {"description": "The requested byte range of a kept dump"},
                  "304": {"description": "Not modified (If-None-Match): the data has not changed"},
                  "416": {"description": "The range is outside the dump"},
                  "400": text_response("Unknown format, frame or profile, or a conflicting combination (frame with a "
                                       "format other than jsonld, or with another profile)"),
                  "406": QUERY_ERRORS["406"]}}}})
