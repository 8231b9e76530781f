"""Validation and contributions: SHACL-validating what a client sends, and taking conforming data from a token
holder into the KG as a named graph of its own, with its provenance."""

from flask import jsonify, request

from .. import rdf_input, validation
from ..errors import ProtocolError
from ..openapi import (BODY_ERRORS, FORMAT_PARAM, GRAPHS, NEGOTIATION_ERRORS, RDF_BODIES, REPORTS, DescribedBlueprint,
                       any_response, path_parameter, text_response)
from ..responses import json_response, rdf_response, report_response
from ..services import current

routes = DescribedBlueprint("contributions", __name__)


@routes.post("/validate")
def validate():
    quads = rdf_input.parse_upload(*rdf_input.read_request_body(request), "request body")
    return report_response(validation.validate_quads(quads, validation.store_reference(current().store)), 200)


@routes.post("/contributions")
def contribute():
    contributions = current().contributions
    holder = contributions.holder(request.headers.get("Authorization"))
    accepted = contributions.contribute(*rdf_input.read_request_body(request), holder)  # NotConforming: 422
    location = f"{request.url_root}contributions/{accepted.id}"
    return json_response({"id": accepted.id, "graph": accepted.graph, "location": location,
                          **accepted.report.as_json()}, 201, {"Location": location}, indent=2)


@routes.get("/contributions")
def list_contributions():
    return jsonify(current().contributions.listing())


@routes.get("/contributions/<contribution_id>")
def get_contribution(contribution_id):
    triples = current().contributions.triples(contribution_id)
    if triples is None:
        raise ProtocolError(404, f"no contribution {contribution_id!r}")
    return rdf_response(triples)


@routes.delete("/contributions/<contribution_id>")
def withdraw_contribution(contribution_id):
    contributions = current().contributions
    contributions.holder(request.headers.get("Authorization"))
    if not contributions.withdraw(contribution_id):
        raise ProtocolError(404, f"no contribution {contribution_id!r}")
    return "", 204


ID = path_parameter("id")
routes.describe({
    "/validate": {
        "get": {"summary": "The validation page", "responses": {"200": any_response("HTML", ["text/html"])}},
        "post": {"summary": "SHACL-validates RDF against the sikg shapes (the store as reference data)",
                 "requestBody": {"required": True, "content": {
                     **{m: {"schema": {"type": "string"}} for m in RDF_BODIES},
                     "multipart/form-data": {"schema": {"type": "object", "properties": {
                         "file": {"type": "string", "format": "binary"}}}}}},
                 "responses": {"200": any_response("The report: JSON by default, or the sh:ValidationReport graph",
                                                   REPORTS),
                               **BODY_ERRORS, "406": NEGOTIATION_ERRORS["406"]}}},
    "/contributions": {
        "get": {"summary": "The accepted contributions",
                "responses": {"200": any_response("The list", ["application/json"])}},
        "post": {"summary": "Contributes conforming data as a new named graph with provenance",
                 "security": [{"bearer": []}],
                 "requestBody": {"required": True, "content": {m: {"schema": {"type": "string"}} for m in RDF_BODIES}},
                 "responses": {"201": any_response("Accepted; Location names the contribution", ["application/json"]),
                               "422": any_response("Not conforming: the report; nothing written", REPORTS),
                               "401": text_response("No token"),
                               "403": text_response("Wrong token, or contributions off"),
                               **BODY_ERRORS, "406": NEGOTIATION_ERRORS["406"]}}},
    "/contributions/{id}": {
        "get": {"summary": "One contribution's graph", "parameters": [ID, FORMAT_PARAM],
                "responses": {"200": any_response("The graph", GRAPHS), "404": text_response("No such contribution"),
                              **NEGOTIATION_ERRORS}},
        "delete": {"summary": "Withdraws a contribution", "security": [{"bearer": []}], "parameters": [ID],
                   "responses": {"204": {"description": "Withdrawn"}, "401": text_response("No token"),
                                 "403": text_response("Wrong token"), "404": text_response("No such contribution")}}},
})
