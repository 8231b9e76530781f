"""SPARQL: the SPARQL 1.1 Protocol query endpoint with its Service Description, and the curated queries."""

from flask import Response, jsonify, render_template, request

from ...formats import GRAPH_FORMATS, HTML, JSON
from ...http.negotiation import negotiate
from ...http.openapi import (
    FORMAT_PARAM,
    GRAPHS,
    LANG_PARAM,
    NEGOTIATION_ERRORS,
    QUERY_ERRORS,
    RESULTS,
    DescribedBlueprint,
    any_response,
    path_parameter,
    text_response,
)
from ...http.responses import answer_response, html_response, rdf_response
from ...sparql import queries
from ...sparql.descriptions import service_description
from ...sparql.protocol import QueryRequest, read_query_request
from ..services import current

routes = DescribedBlueprint("sparql", __name__)
# Without a query, /sparql is its Service Description, or for a browser the query page; Turtle for `*/*`.
DESCRIPTION_FORMATS = (GRAPH_FORMATS[0], HTML, *GRAPH_FORMATS[1:])


# OPTIONS has a route of its own (204, the methods the protocol allows), not Flask's automatic answer.
@routes.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def sparql_endpoint():
    query_request = read_query_request(request)
    if query_request.query is None:
        return description_or_page(query_request.format)
    return answer_response(current().sparql.answer_request(query_request, request))


@routes.route("/sparql", methods=["OPTIONS"])
def sparql_options():
    return Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"}, mimetype="text/plain")


def description_or_page(requested_format: str | None):
    """/sparql without a query: its Service Description, or for a browser the query page."""
    choice = negotiate(DESCRIPTION_FORMATS, requested=requested_format)
    if choice.format is HTML:
        return html_response(render_template("sparql.html", queries=queries.catalogue().values()))
    return rdf_response(service_description(current().store, request.base_url), choice)


@routes.get("/queries")
def query_catalogue():
    if negotiate((JSON, HTML)).format is HTML:
        return html_response(render_template("queries.html", queries=queries.catalogue().values()))
    return jsonify(queries.catalogue_json(request.url_root))


@routes.get("/queries/<name>")
def run_curated_query(name):
    text, bindings = queries.bind(name, {k: v for k, v in request.args.items() if k != "format"})
    query_request = QueryRequest(text, format=request.args.get("format"), bindings=bindings)
    return answer_response(current().sparql.answer_request(query_request, request))


GRAPH_PARAMETERS = [
    {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "description": "Graphs making up the default graph (only graphs the store holds)"},
    {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "description": "Graphs available to GRAPH (only graphs the store holds)"},
    {"name": "format", "in": "query", "schema": {"type": "string"},
     "description": "Result format for links: json, xml, csv, tsv; ttl, nt, jsonld, rdfxml, trig, nq; a media type; "
                    "or the names other clients send, read by the query form (xml: SPARQL XML for SELECT/ASK, RDF/XML "
                    "for CONSTRUCT/DESCRIBE; json, text, turtle, n3, rdf, rdf+xml, json-ld…). One that cannot be "
                    "followed yields to an Accept that can, and the Sikg-Format-Ignored header says so"},
    {"name": "output", "in": "query", "schema": {"type": "string"},
     "description": "Fuseki's name for format (read when format is not given)"},
]
QUERY_PARAMETER = {"name": "query", "in": "query", "schema": {"type": "string"},
                   "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE)"}
ANSWERED = any_response("Query results, by content negotiation", RESULTS + GRAPHS)

routes.describe({
    "/sparql": {
        "get": {"summary": "SPARQL 1.1 Protocol query operation; without a query, the Service Description",
                "parameters": [QUERY_PARAMETER, *GRAPH_PARAMETERS],
                "responses": {"200": ANSWERED, "304": {"description": "Not modified (If-None-Match)"},
                              **QUERY_ERRORS}},
        "post": {"summary": "SPARQL 1.1 Protocol query operation by POST",
                 "parameters": GRAPH_PARAMETERS,
                 "requestBody": {"required": True, "content": {
                     "application/x-www-form-urlencoded": {"schema": {
                         "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}},
                     "application/sparql-query": {"schema": {"type": "string"}}}},
                 "responses": {"200": ANSWERED, **QUERY_ERRORS,
                               "415": text_response("Unsupported body media type or a body that is not UTF-8")}},
    },
    "/queries": {"get": {"summary": "The curated query catalogue", "parameters": [FORMAT_PARAM, LANG_PARAM],
                         "responses": {"200": any_response("The catalogue", ["application/json", "text/html"]),
                                       **NEGOTIATION_ERRORS}}},
    "/queries/{name}": {"get": {
        "summary": "Runs a curated query; its parameters are bound as RDF terms",
        "parameters": [path_parameter("name"), {"name": "format", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": ANSWERED, "404": text_response("No curated query of that name"), **QUERY_ERRORS}}},
})
