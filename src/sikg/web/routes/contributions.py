"""Validation and contributions: SHACL-validating what a client sends, and taking conforming data from a token
holder into the KG as a named graph of its own, with its provenance."""

from flask import jsonify, request

from ...contributions.queue import Page, page_links
from ...contributions.service import idempotency_key
from ...contributions.sign_in import credentials
from ...contributions.spreadsheet import read_upload
from ...formats import Format
from ...http.negotiation import wants_status
from ...http.openapi import (
    BODY_ERRORS,
    FORMAT_PARAM,
    GRAPHS,
    NEGOTIATION_ERRORS,
    PAGE_HEADERS,
    QUEUE_PARAMETERS,
    RDF_BODIES,
    REPORTS,
    SPREADSHEET_BODIES,
    SPREADSHEET_ERRORS,
    DescribedBlueprint,
    any_response,
    path_parameter,
    text_response,
)
from ...http.responses import json_response, rdf_response, report_response
from ...i18n.languages import choose_ui_language
from ...pages.resources import resource_iri
from ...rdf import reading
from ...validation import shacl
from ..services import current

routes = DescribedBlueprint("contributions", __name__)


@routes.post("/validate")
def validate():
    body, syntax = reading.read_request_body(request)
    if isinstance(syntax, Format):  # a spreadsheet: its problems by row and column
        return json_response(read_upload(body, syntax, current().store, _language()).as_json(), 200, indent=2)
    quads = reading.parse_upload(body, syntax, "request body")
    return report_response(shacl.validate_quads(quads, shacl.store_reference(current().store)), 200)


def _language() -> str:
    return choose_ui_language(request.args.get("lang"), request.accept_languages)


@routes.post("/contributions")
def contribute():
    contributions = current().contributions
    holder = contributions.holder(request.headers.get("Authorization"))
    key = idempotency_key(request.headers.getlist("Idempotency-Key"))  # None without one
    made = contributions.contribute(*reading.read_request_body(request), holder, key,
                                    request.args.get("comment"))  # NotConforming: 422
    location = f"{request.url_root}contributions/{made.id}"
    return json_response(made.as_json(location), made.http_status, {"Location": location}, indent=2)


@routes.get("/contributions")
def list_contributions():
    contributions, status = current().contributions, request.args.get("status")
    listed = contributions.listing(status, credentials(request), Page.from_args(request.args))
    headers = {**contributions.listing_headers(status), **page_links(request.base_url, status, listed)}
    return jsonify(listed.entries), 200, headers


@routes.get("/contributions/<contribution_id>")
def get_contribution(contribution_id):
    shown = current().contributions.show(contribution_id, credentials(request))
    if wants_status():
        return json_response(shown.as_json(), 200, shown.headers, indent=2)
    return rdf_response(shown.triples, headers=shown.headers)


@routes.put("/contributions/<contribution_id>")
def replace_contribution(contribution_id):
    contributions = current().contributions
    holder = contributions.holder(request.headers.get("Authorization"))
    made = contributions.replace(contribution_id, *reading.read_request_body(request), holder,
                                 request.args.get("comment"))
    location = f"{request.url_root}contributions/{made.id}"
    return json_response(made.as_json(location), 200, {"Location": location}, indent=2)


@routes.delete("/contributions/<contribution_id>")
def withdraw_contribution(contribution_id):
    contributions = current().contributions
    contributions.withdraw_as(contribution_id, contributions.holder(request.headers.get("Authorization")))
    return "", 204


@routes.post("/contributions/<contribution_id>/review")
def review_contribution(contribution_id):
    contributions = current().contributions
    holder = contributions.holder(request.headers.get("Authorization"))
    return json_response(contributions.review_as(contribution_id, holder, request.get_data()).as_json(), 200, indent=2)


@routes.post("/contributions/withdrawals/<kind>/<slug>")
def withdraw_resource(kind, slug):
    contributions = current().contributions
    holder = contributions.holder(request.headers.get("Authorization"))
    made = contributions.withdraw_resource(resource_iri(kind, slug), holder, request.args.get("comment"))
    return json_response(made.as_json(), 200, indent=2)


ID = path_parameter("id")
COMMENT = {"name": "comment", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 2000},
           "description": "Why: required when the data describes a practice or organisation already public (a "
                          "proposed revision of it, its whole new description); the status then lists it in "
                          "`revises`"}
# draft-ietf-httpapi-idempotency-key-header; the key's syntax is contributions.service.idempotency_key's
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"},
    "example": '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
    "description": "Makes the POST safe to retry (draft-ietf-httpapi-idempotency-key-header): a Structured Field "
                   "string, 1 to 255 visible ASCII characters in double quotes, new for each contribution (a UUID). "
                   "The same token holder sending the same key and the same body again gets the first answer again "
                   "(its status code, Location and id) and nothing new is kept, also when the two requests run at "
                   "once; the same key with another body is a 422; a malformed key a 400. The service remembers the "
                   "key as long as the contribution exists."}
routes.describe({
    "/validate": {
        "get": {"summary": "The validation page", "responses": {"200": any_response("HTML", ["text/html"])}},
        "post": {"summary": "SHACL-validates RDF against the sikg shapes (the store as reference data); a spreadsheet "
                            "(CSV, XLSX) is answered as JSON {conforms, rows, problems: [{row, column, message, "
                            "severity, fix}]}, rows as the spreadsheet shows them",
                 "requestBody": {"required": True, "content": {
                     **{m: {"schema": {"type": "string"}} for m in RDF_BODIES + SPREADSHEET_BODIES},
                     "multipart/form-data": {"schema": {"type": "object", "properties": {
                         "file": {"type": "string", "format": "binary"}}}}}},
                 "responses": {"200": any_response("The report: JSON by default, or the sh:ValidationReport graph",
                                                   REPORTS),
                               **BODY_ERRORS, **SPREADSHEET_ERRORS, "406": NEGOTIATION_ERRORS["406"]}}},
    "/contributions": {
        "get": {"summary": "The accepted contributions; with status=pending or rejected, those (curators only); a page "
                           "at a time, oldest first: X-Total-Count says how many match, Link names the next and "
                           "previous pages",
                "parameters": [{"name": "status", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": ["accepted", "pending", "rejected"]}},
                               *QUEUE_PARAMETERS],
                "responses": {"200": {**any_response("The list: a JSON array of this page's entries (a pending one "
                                                     "with its kind, counts of warnings and violations and names)",
                                                     ["application/json"]), "headers": PAGE_HEADERS},
                              "400": text_response("Another status, or a paging or filter parameter out of range"),
                              "401": text_response("No token"),
                              "403": text_response("Not a curator")}},
        "post": {"summary": "Contributes conforming data: pending a curator's review (202), or public at once with "
                            "review off (201)",
                 "security": [{"bearer": []}], "parameters": [IDEMPOTENCY_KEY, COMMENT],
                 "requestBody": {"required": True, "content": {m: {"schema": {"type": "string"}}
                                                               for m in RDF_BODIES + SPREADSHEET_BODIES}},
                 "responses": {"202": any_response("Kept, pending review; Location names it (sent again with its "
                                                   "Idempotency-Key: the same answer, nothing new kept)",
                                                   ["application/json"]),
                               "201": any_response("Published (review off); Location names it", ["application/json"]),
                               "422": any_response("Not conforming: the report (a spreadsheet: JSON {conforms, "
                                                   "rows, problems: [{row, column, message}]}); nothing written. Or "
                                                   "(text/plain) the Idempotency-Key was sent before with another "
                                                   "body", [*REPORTS, "text/plain"]),
                               "401": text_response("No token"),
                               "403": text_response("Wrong token, or contributions off"),
                               **BODY_ERRORS, "413": SPREADSHEET_ERRORS["413"], "400": text_response(
                                   BODY_ERRORS["400"]["description"] + "; a malformed Idempotency-Key"),
                               "406": NEGOTIATION_ERRORS["406"]}}},
    "/contributions/{id}": {
        "get": {"summary": "One contribution: its status as JSON, or its graph (a pending or rejected one only for "
                           "its contributor and curators)", "parameters": [ID, FORMAT_PARAM],
                "responses": {"200": any_response("The status or the graph", ["application/json", *GRAPHS]),
                              "404": text_response("No such contribution, or not yours to see"),
                              **NEGOTIATION_ERRORS}},
        "put": {"summary": "Replaces a pending contribution (its contributor)", "security": [{"bearer": []}],
                "parameters": [ID, COMMENT],
                "requestBody": {"required": True, "content": {m: {"schema": {"type": "string"}} for m in RDF_BODIES}},
                "responses": {"200": any_response("Replaced, still pending", ["application/json"]),
                              "403": text_response("Not its contributor"), "404": text_response("No such contribution"),
                              "409": text_response("Already reviewed"),
                              "422": any_response("Not conforming: the report; nothing written", REPORTS),
                              **BODY_ERRORS}},
        "delete": {"summary": "Withdraws a contribution (its contributor while pending, or a curator)",
                   "security": [{"bearer": []}], "parameters": [ID],
                   "responses": {"204": {"description": "Withdrawn"}, "401": text_response("No token"),
                                 "403": text_response("Wrong token, or not yours"),
                                 "404": text_response("No such contribution"),
                                 "409": text_response("Already reviewed")}}},
    "/contributions/withdrawals/{kind}/{slug}": {
        "post": {"summary": "A curator withdraws a published practice or organisation (a revision with no description: "
                            "it answers 410 Gone from then on, and leaves every listing, SPARQL and the exports); "
                            "reverted by accepting a revision that gives an earlier version back",
                 "security": [{"bearer": []}],
                 "parameters": [path_parameter("kind"), path_parameter("slug"),
                                {**COMMENT, "required": True, "description": "Why it is withdrawn"}],
                 "responses": {"200": any_response("The withdrawal, an accepted contribution", ["application/json"]),
                               "400": text_response("No reason"), "401": text_response("No token"),
                               "403": text_response("Not a curator"),
                               "404": text_response("No such published practice or organisation"),
                               "409": text_response("Another revision of it was accepted meanwhile, or public "
                                                     "resources still name the organisation (listed)")}}},
    "/contributions/{id}/review": {
        "post": {"summary": "A curator's decision: accept (published at once) or reject (never published)",
                 "security": [{"bearer": []}], "parameters": [ID],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["decision"], "properties": {
                         "decision": {"type": "string", "enum": ["accept", "reject"]},
                         "comment": {"type": "string"}}}}}},
                 "responses": {"200": any_response("The contribution with its review", ["application/json"]),
                               "400": text_response("Not a decision"), "401": text_response("No token"),
                               "403": text_response("Not a curator"), "404": text_response("No such contribution"),
                               "409": text_response("Already reviewed")}}},
})
