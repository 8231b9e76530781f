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


# The SHACL report: JSON (the default), the sh:ValidationReport graph, or text.
REPORTS = ["application/json", "text/turtle", "application/ld+json", "text/plain"]
RDF_BODIES = ["text/turtle", "application/n-triples", "application/n-quads", "application/trig",
              "application/ld+json", "application/rdf+xml"]
BODY_ERRORS = {
    "400": _text("Empty or unreadable RDF (line and column where the parser gives them), DOCTYPE/ENTITY in RDF/XML, "
                 "a remote JSON-LD context"),
    "413": _text("Body over SIKG_MAX_UPLOAD"),
    "415": _text("Unsupported media type"),
}

ERRORS = {
    "400": _text("Malformed or refused query (syntax error, SPARQL Update, SERVICE, LOAD, unknown graph, result cap)"),
    "406": _text("None of the accepted media types fits the result"),
    "503": _text("The query ran over the time limit (SIKG_QUERY_TIMEOUT) and was stopped, or the service is busy"),
}

# What every negotiated resource answers besides 200: format= naming no format the service knows is the URL's error;
# a known format the resource cannot be, or an Accept that excludes every representation, is Not Acceptable.
NEGOTIATION_ERRORS = {
    "400": _text("Unknown format= name (the message lists the valid ones)"),
    "406": _text("The requested format, or every media type the client accepts, is not available for this resource"),
}
FORMAT_PARAM = {"name": "format", "in": "query", "schema": {"type": "string"},
                "description": "A format name or media type, instead of Accept"}
LANG_PARAM = {"name": "lang", "in": "query", "schema": {"type": "string"},
              "description": "Language of the data's texts (BCP 47), instead of Accept-Language"}
NOT_MODIFIED = {"description": "Not modified (If-None-Match)"}

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
            "/": {"get": {"summary": "The home page", "parameters": [FORMAT_PARAM, LANG_PARAM],
                          "responses": {"200": _any("HTML", ["text/html"]), **NEGOTIATION_ERRORS}}},
            "/queries": {"get": {"summary": "The curated query catalogue", "parameters": [FORMAT_PARAM, LANG_PARAM],
                                 "responses": {"200": _any("The catalogue", ["application/json", "text/html"]),
                                               **NEGOTIATION_ERRORS}}},
            "/queries/{name}": {"get": {
                "summary": "Runs a curated query; its parameters are bound as RDF terms",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "format", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": sparql_ok, "404": _text("No curated query of that name"), **ERRORS}}},
            "/.well-known/void": {"get": {"summary": "VoID and DCAT description of the dataset",
                                          "parameters": [FORMAT_PARAM],
                                          "responses": {"200": _any("The description", GRAPHS),
                                                        **NEGOTIATION_ERRORS}}},
            "/health": {"get": {"summary": "Liveness and size", "responses": {
                "200": {"description": "Healthy", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"status": {"type": "string"},
                                                     "triples": {"type": "integer"}}}}}},
                "503": _text("The store is unreachable")}}},
            "/openapi.json": {"get": {"summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3 document"}}}},
            "/context.jsonld": {"get": {"summary": "The JSON-LD 1.1 context every JSON-LD of the service uses",
                                        "responses": {"200": _any("The context", ["application/ld+json"])}}},
            "/export": {"get": {
                "summary": "The whole KG, streamed; views as profiles (W3C Content Negotiation by Profile)",
                "parameters": [
                    {"name": "format", "in": "query", "schema": {"type": "string",
                                                                 "enum": ["jsonld", "ttl", "nt", "nq", "trig", "rdfxml"]}},
                    {"name": "frame", "in": "query", "schema": {"type": "string", "enum": ["practices"]},
                     "description": "The practices view: a JSON-LD document (JSON-LD only) whose graph is the array "
                                    "of practices, each nested with its elements, methods, organisations, country, "
                                    "level and sources"},
                    {"name": "profile", "in": "query", "schema": {"type": "string", "enum": ["schema.org", "practices"]}},
                    {"name": "Accept-Profile", "in": "header", "schema": {"type": "string"}},
                    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                    {"name": "Range", "in": "header", "schema": {"type": "string"},
                     "description": "bytes=…, answered once the dump is kept (Accept-Ranges: bytes)"}],
                "responses": {"200": _any("The dump (Content-Disposition: attachment; Content-Profile for views; "
                                          "an ETag that changes with every write)", GRAPHS),
                              "206": {"description": "The requested byte range of a kept dump"},
                              "304": {"description": "Not modified (If-None-Match): the data has not changed"},
                              "416": {"description": "The range is outside the dump"},
                              "400": _text("Unknown format, frame or profile, or a conflicting combination "
                                           "(frame with a format other than jsonld, or with another profile)"),
                              "406": ERRORS["406"]}}},
            "/id/{kind}/{slug}": {"get": {
                "summary": "Dereferences an IRI of the KG: its description, by content negotiation",
                "parameters": [{"name": "kind", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "format", "in": "query", "schema": {"type": "string",
                                "enum": ["html", "ttl", "jsonld", "nt", "rdfxml"]}},
                               {"name": "lang", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": _any("The description", ["text/html", *GRAPHS[:4]]), "304": NOT_MODIFIED,
                              "404": _text("No such resource"), **NEGOTIATION_ERRORS}}},
            "/ontology": {"get": {"summary": "The ontology: HTML documentation or RDF",
                                  "parameters": [FORMAT_PARAM, LANG_PARAM],
                                  "responses": {"200": _any("The ontology", ["text/html", *GRAPHS]),
                                                **NEGOTIATION_ERRORS}}},
            "/shapes": {"get": {"summary": "The SHACL shapes", "parameters": [FORMAT_PARAM],
                                "responses": {"200": _any("The shapes", GRAPHS), **NEGOTIATION_ERRORS}}},
            "/practices": {"get": {
                "summary": "Browse practices with facets and full-text search (HTML or JSON-LD)",
                "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}}
                               for n in ("element", "method", "country", "actor-type", "level", "q", "lang")]
                              + [FORMAT_PARAM],
                "responses": {"200": _any("The practices", ["text/html", "application/ld+json"]),
                              **NEGOTIATION_ERRORS}}},
            "/validate": {
                "get": {"summary": "The validation page", "responses": {"200": _any("HTML", ["text/html"])}},
                "post": {"summary": "SHACL-validates RDF against the sikg shapes (the store as reference data)",
                         "requestBody": {"required": True, "content": {
                             **{m: {"schema": {"type": "string"}} for m in RDF_BODIES},
                             "multipart/form-data": {"schema": {"type": "object", "properties": {
                                 "file": {"type": "string", "format": "binary"}}}}}},
                         "responses": {"200": _any("The report: JSON by default, or the sh:ValidationReport graph",
                                                   REPORTS),
                                       **BODY_ERRORS, "406": NEGOTIATION_ERRORS["406"]}}},
            "/contributions": {
                "get": {"summary": "The accepted contributions",
                        "responses": {"200": _any("The list", ["application/json"])}},
                "post": {"summary": "Contributes conforming data as a new named graph with provenance",
                         "security": [{"bearer": []}],
                         "requestBody": {"required": True, "content": {
                             m: {"schema": {"type": "string"}} for m in RDF_BODIES}},
                         "responses": {"201": _any("Accepted; Location names the contribution", ["application/json"]),
                                       "422": _any("Not conforming: the report; nothing written", REPORTS),
                                       "401": _text("No token"), "403": _text("Wrong token, or contributions off"),
                                       **BODY_ERRORS, "406": NEGOTIATION_ERRORS["406"]}}},
            "/contributions/{id}": {
                "get": {"summary": "One contribution's graph",
                        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                                       FORMAT_PARAM],
                        "responses": {"200": _any("The graph", GRAPHS), "404": _text("No such contribution"),
                                      **NEGOTIATION_ERRORS}},
                "delete": {"summary": "Withdraws a contribution", "security": [{"bearer": []}],
                           "parameters": [{"name": "id", "in": "path", "required": True,
                                           "schema": {"type": "string"}}],
                           "responses": {"204": {"description": "Withdrawn"}, "401": _text("No token"),
                                         "403": _text("Wrong token"), "404": _text("No such contribution")}}},
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "SIKG_CONTRIB_TOKEN"}}},
    }
