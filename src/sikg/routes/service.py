"""The service about itself: liveness and the OpenAPI description."""

from flask import current_app, jsonify, request

from ..openapi import DescribedBlueprint, openapi_document, text_response
from ..services import current
from ..store.errors import StoreUnavailable

routes = DescribedBlueprint("service", __name__)


@routes.get("/health")
def health():
    try:
        return jsonify(status="ok", triples=len(current().store))
    except StoreUnavailable as error:  # /health says what is wrong, as JSON, where other routes answer text
        return jsonify(status="unavailable", message=str(error)), 503, {"Retry-After": "5"}


@routes.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.url_root, current_app.blueprints.values()))


routes.describe({
    "/health": {"get": {"summary": "Liveness and size", "responses": {
        "200": {"description": "Healthy", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"status": {"type": "string"}, "triples": {"type": "integer"}}}}}},
        "503": text_response("The store is unreachable")}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document"}}}},
})
