"""The OpenAPI 3 description of the HTTP service (served at /openapi.json).

Each route family describes its own paths beside its routes (`DescribedBlueprint.describe`); this module holds the
fragments they share and puts the document together from the blueprints an app has registered.
"""

from flask import Blueprint

from .. import __version__
from ..formats import GRAPH_FORMATS, RESULT_FORMATS, SPREADSHEET_FORMATS, UPLOAD_FORMATS
from ..namespaces import LICENCE
from .responses import REPORT_FORMATS

RESULTS = [f.media_type for f in RESULT_FORMATS]
GRAPHS = [f.media_type for f in GRAPH_FORMATS]
REPORTS = [f.media_type for f in REPORT_FORMATS]
RDF_BODIES = [f.media_type for f in UPLOAD_FORMATS]
# A spreadsheet made from the template (GET /contribute/template.xlsx): one row per practice, the file one upload
SPREADSHEET_BODIES = [f.media_type for f in SPREADSHEET_FORMATS]


class DescribedBlueprint(Blueprint):
    """A blueprint that carries the OpenAPI description of its routes."""

    def __init__(self, name: str, import_name: str):
        super().__init__(name, import_name)
        self.openapi_paths: dict = {}

    def describe(self, paths: dict) -> None:
        self.openapi_paths.update(paths)


def text_response(description: str) -> dict:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


def any_response(description: str, media_types: list[str]) -> dict:
    return {"description": description, "content": {m: {"schema": {"type": "string"}} for m in media_types}}


def path_parameter(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


SPREADSHEET_ERRORS = {
    "400": any_response("An unreadable spreadsheet (corrupt, password-protected, not UTF-8, a DTD in it, a cell that "
                        "would be a formula): JSON {error, message, problems: [{row, column, message}]}",
                        ["application/json"]),
    "413": any_response("Body over SIKG_MAX_UPLOAD, or a workbook too large once unpacked", ["application/json"]),
}
BODY_ERRORS = {
    "400": text_response("Empty or unreadable RDF (line and column where the parser gives them), DOCTYPE/ENTITY in "
                         "RDF/XML, a remote JSON-LD context"),
    "413": text_response("Body over SIKG_MAX_UPLOAD"),
    "415": text_response("Unsupported media type"),
}
QUERY_ERRORS = {
    "400": text_response("Malformed or refused query (syntax error, SPARQL Update, SERVICE, LOAD, unknown graph, "
                         "result cap)"),
    "406": text_response("None of the accepted media types fits the result"),
    "503": text_response("The query ran over the time limit (SIKG_QUERY_TIMEOUT) and was stopped, or the service is "
                         "busy"),
}
# What every negotiated resource answers besides 200: format= naming no format the service knows is the URL's error;
# a known format the resource cannot be, or an Accept that excludes every representation, is Not Acceptable.
NEGOTIATION_ERRORS = {
    "400": text_response("Unknown format= name (the message lists the valid ones)"),
    "406": text_response("The requested format, or every media type the client accepts, is not available for this "
                         "resource"),
}
FORMAT_PARAM = {"name": "format", "in": "query", "schema": {"type": "string"},
                "description": "A format name or media type, instead of Accept"}
LANG_PARAM = {"name": "lang", "in": "query", "schema": {"type": "string"},
              "description": "Language of the data's texts (BCP 47), instead of Accept-Language"}
NOT_MODIFIED = {"description": "Not modified (If-None-Match)"}
# A practice or organisation a curator withdrew (POST /contributions/withdrawals/…): negotiated like the resource
GONE = {"description": "Withdrawn by a curator: the reason, who withdrew it and when, and a link to its history; a "
                       "page, the same in RDF (prov:invalidatedAtTime, rdfs:comment the reason, rdfs:seeAlso the "
                       "history, also for application/json), or one line for text/plain",
        "headers": {"Link": {"description": '<…/history>; rel="version-history"', "schema": {"type": "string"}}},
        "content": {m: {"schema": {"type": "string"}} for m in ["text/html", *GRAPHS[:4], "text/plain"]}}
# The headers of a page of a list (GET /contributions; the queue, GET /review, shows the same as links)
PAGE_HEADERS = {
    "X-Total-Count": {"description": "How many entries match the filters, on every page",
                      "schema": {"type": "integer"}},
    "Link": {"description": 'The next and previous pages (rel="next", rel="prev"), where there are such pages',
             "schema": {"type": "string"}},
}
# A page of contributions (contributions/queue.py): GET /contributions and the curators' queue, GET /review
QUEUE_PARAMETERS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
     "description": "How many entries a page holds"},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0},
     "description": "How many entries to skip (the next page: offset + limit; the Link header names it)"},
    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["oldest", "newest"], "default": "oldest"},
     "description": "By the time each was sent"},
    {"name": "contributor", "in": "query", "schema": {"type": "string"}, "description": "Only this contributor's"},
    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["practice", "revision", "batch"]},
     "description": "Pending only: a new practice, a proposed revision, or several practices at once (a "
                    "spreadsheet's rows)"},
    {"name": "warnings", "in": "query", "schema": {"type": "string", "enum": ["yes", "no"]},
     "description": "Pending only: with warnings or problems in its validation report, or with neither"},
]


def openapi_document(server: str, blueprints) -> dict:
    paths = {}
    for blueprint in blueprints:
        paths.update(getattr(blueprint, "openapi_paths", {}))
    return {
        "openapi": "3.0.3",
        "info": {"title": "sikg — Social Innovation Support Knowledge Graph", "version": __version__,
                 "description": "SPARQL 1.1 endpoint, curated queries and descriptions of the sikg dataset.",
                 "license": {"name": "CC BY 4.0 (data)", "url": LICENCE}},
        "servers": [{"url": server.rstrip("/")}],
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "SIKG_CONTRIB_TOKEN"}}},
    }
