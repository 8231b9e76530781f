"""The OpenAPI 3 description of the HTTP service (served at /openapi.json)."""

from . import __version__

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"]
GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "application/trig",
          "application/n-quads"]


def _text(description: str) -> dict:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


def _any(description: str, media_types: list[str]) -> dict:
    return {"description": description, "content": {m: {"schema": {"type": "string"}} for m in media_types}}


ERRORS = {
    "400": _text("Malformed or refused query (syntax error, SPARQL Update, SERVICE, LOAD, unknown graph, result cap)"),
    "406": _text("None of the accepted media types fits the result"),
    "503": _text("The query ran over the time limit (SIKG_QUERY_TIMEOUT) and was stopped, or the service is busy"),
}

_graph_params = [
    {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "description": "Graphs making up the default graph (only graphs the store holds)"},
    {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "description": "Graphs available to GRAPH (only graphs the store holds)"},
    {"name": "format", "in": "query", "schema": {"type": "string"},
     "description": "Result format for links: json, xml, csv, tsv; ttl, nt, jsonld, rdfxml, trig, nq"},
]


def openapi_document(server: str) -> dict:
    query_param = {"name": "query", "in": "query", "schema": {"type": "string"},
                   "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE)"}
    sparql_ok = _any("Query results, by content negotiation", RESULTS + GRAPHS)
    return {
        "openapi": "3.0.3",
        "info": {"title": "sikg — Social Innovation Support Knowledge Graph", "version": __version__,
                 "description": "SPARQL 1.1 endpoint, curated queries and descriptions of the sikg dataset.",
                 "license": {"name": "CC BY 4.0 (data)", "url": "https://creativecommons.org/licenses/by/4.0/"}},
        "servers": [{"url": server.rstrip("/")}],
        "paths": {
            "/sparql": {
                "get": {"summary": "SPARQL 1.1 Protocol query operation; without a query, the Service Description",
                        "parameters": [query_param, *_graph_params],
                        "responses": {"200": sparql_ok, "304": {"description": "Not modified (If-None-Match)"},
                                      **ERRORS}},
                "post": {"summary": "SPARQL 1.1 Protocol query operation by POST",
                         "parameters": _graph_params,
                         "requestBody": {"required": True, "content": {
                             "application/x-www-form-urlencoded": {"schema": {
                                 "type": "object", "properties": {"query": {"type": "string"}},
                                 "required": ["query"]}},
                             "application/sparql-query": {"schema": {"type": "string"}}}},
                         "responses": {"200": sparql_ok, **ERRORS,
                                       "415": _text("Unsupported body media type or a body that is not UTF-8")}},
            },
            "/queries": {"get": {"summary": "The curated query catalogue",
                                 "responses": {"200": _any("The catalogue", ["application/json", "text/html"])}}},
            "/queries/{name}": {"get": {
                "summary": "Runs a curated query; its parameters are bound as RDF terms",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "format", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": sparql_ok, "404": _text("No curated query of that name"), **ERRORS}}},
            "/.well-known/void": {"get": {"summary": "VoID and DCAT description of the dataset",
                                          "responses": {"200": _any("The description", GRAPHS)}}},
            "/health": {"get": {"summary": "Liveness and size", "responses": {
                "200": {"description": "Healthy", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"status": {"type": "string"},
                                                     "triples": {"type": "integer"}}}}}},
                "503": _text("The store is unreachable")}}},
            "/openapi.json": {"get": {"summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3 document"}}}},
        },
    }
