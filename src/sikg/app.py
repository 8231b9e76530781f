"""The Flask application: routes only. Each route hands the request to the module that owns the concern."""

import logging

import pyoxigraph as ox
from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import queries
from .descriptions import service_description, void_description
from .evaluator import EvaluatorPool
from .openapi import openapi_document
from .protocol import (GRAPH_MEDIA_TYPES, ProtocolError, QueryRequest, SparqlService, choose_format,
                       read_query_request)
from .settings import Settings
from .sparql import PREFIXES

log = logging.getLogger(__name__)

READ_METHODS = "GET, HEAD, POST, OPTIONS"


def create_app(store, settings: Settings | None = None, pool: EvaluatorPool | None = None) -> Flask:
    settings = settings or Settings.from_environment()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload
    pool = pool or EvaluatorPool(settings.evaluators, settings.query_timeout, settings.max_result_bytes)
    sparql = SparqlService(store, pool, settings.cache_bytes)
    app.extensions["sikg"] = {"store": store, "pool": pool, "sparql": sparql, "settings": settings}

    def service_root() -> str:
        return request.url_root

    def rdf_response(triples):
        fmt = choose_format(request.accept_mimetypes, request.args.get("format"), returns_graph=True)
        plain = fmt.rdf in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
        body = ox.serialize(triples, format=fmt.rdf, prefixes=None if plain else PREFIXES | {
            "sd": "http://www.w3.org/ns/sparql-service-description#"})
        return Response(body, 200, content_type=_with_charset(fmt.media_type), headers={"Vary": "Accept"})

    def answer(query_request: QueryRequest):
        result = sparql.answer(query_request, request.accept_mimetypes, request.if_none_match)
        response = Response(result.body, result.status, headers=result.headers,
                            content_type=_with_charset(result.media_type))
        return response

    @app.get("/health")
    def health():
        return jsonify(status="ok", triples=len(store))

    @app.route("/sparql", methods=["GET", "POST", "OPTIONS"])
    def sparql_endpoint():
        if request.method == "OPTIONS":
            return Response(status=204, headers={"Allow": READ_METHODS})
        query_request = read_query_request(request)
        if query_request.query is None:
            if _wants_html():
                return render_template("sparql.html", queries=queries.catalogue().values())
            return rdf_response(service_description(store, request.base_url))
        return answer(query_request)

    @app.get("/.well-known/void")
    def void():
        return rdf_response(void_description(store, service_root()))

    @app.get("/openapi.json")
    def openapi():
        return jsonify(openapi_document(service_root()))

    @app.get("/queries")
    def query_catalogue():
        catalogue = queries.catalogue().values()
        if _wants_html():
            return render_template("queries.html", queries=catalogue)
        return jsonify([{"name": q.name, "title": q.title, "description": q.description,
                         "parameters": [{"name": p.name, "type": p.type, "default": p.default}
                                        for p in q.parameters],
                         "url": f"{service_root()}queries/{q.name}", "sparql": q.text} for q in catalogue])

    @app.get("/queries/<name>")
    def run_curated_query(name):
        values = {k: v for k, v in request.args.items() if k != "format"}
        try:
            text, bindings = queries.bind(name, values)
        except queries.UnknownQuery as error:
            raise ProtocolError(404, str(error)) from None
        except queries.ParameterError as error:
            raise ProtocolError(400, str(error)) from None
        return answer(QueryRequest(text, format=request.args.get("format"), bindings=bindings))

    @app.after_request
    def cors(response: Response):
        # Every route here only reads (contributions, later, check their token): any origin may read.
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Allow-Methods", READ_METHODS)
        response.headers.setdefault("Access-Control-Allow-Headers", "Accept, Content-Type, If-None-Match")
        response.headers.setdefault("Access-Control-Expose-Headers", "ETag, Content-Type, Link, Vary")
        return response

    @app.errorhandler(ProtocolError)
    def protocol_error(error: ProtocolError):
        return Response(error.message + "\n", error.status, headers=error.headers, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = Response(f"{error.code} {error.name}: {error.description}\n", error.code, mimetype="text/plain")
        if error.code == 405:
            response.headers["Allow"] = ", ".join(error.valid_methods or [])
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error")
        return Response("500 Internal Server Error: the service failed; this is a bug, not your request\n", 500,
                        mimetype="text/plain")

    return app


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/turtle", "text/html", *GRAPH_MEDIA_TYPES])
    return best == "text/html"


def _with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml")) or \
        media_type in ("application/n-triples", "application/n-quads", "application/trig")
    return f"{media_type}; charset=utf-8" if textual else media_type
