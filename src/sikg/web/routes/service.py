"""The service about itself: liveness and the OpenAPI description."""

from flask import current_app, jsonify, request

from ...http.openapi import DescribedBlueprint, openapi_document, text_response
from .. import services
from ..services import current

routes = DescribedBlueprint("service", __name__)


@routes.get("/health")
def health():
    body, status = services.health(current().store, current().pool)
    return jsonify(body), status, {"Retry-After": "5"} if status == 503 else {}


@routes.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.url_root, current_app.blueprints.values()))


routes.describe({
    "/health": {"get": {"summary": "Liveness and size", "responses": {
        "200": {"description": "Healthy", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"status": {"type": "string"}, "triples": {"type": "integer"}}}}}},
        "503": text_response("The store is unreachable, or the service is starting")}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document"}}}},
})
