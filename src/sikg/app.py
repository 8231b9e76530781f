"""The Flask application: routes only. Each route hands the request to the module that owns the concern."""

import io
import json
import logging
from dataclasses import replace

import pyoxigraph as ox
from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wsgi import wrap_file

from pathlib import Path

from . import conneg, content, exports, jsonld, queries, rdf_input, resources, validation
from .contributions import Contributions, ContributionsDisabled, NotAuthorised, NotConforming
from .rdf_input import FORMAT_BY_MEDIA_TYPE, RdfInputError, UnsupportedMediaType, format_for_media_type
from .namespaces import BASE, GRAPH_ONTOLOGY
from .descriptions import service_description, void_description
from .evaluator import EvaluatorPool
from .response_cache import STATE_TOKEN_KEY, RepeatedGetCache
from .openapi import openapi_document
from .protocol import ProtocolError, QueryRequest, SparqlService, choose_format, read_query_request
from .settings import Settings
from .store.errors import StoreUnavailable
from .sparql import GRAPH_MEDIA_TYPES, OUTPUT_FORMATS, write_result

log = logging.getLogger(__name__)
EXPORT_MEDIA_TYPES = [media for media, _, _ in exports.FORMATS.values()]

READ_METHODS = "GET, HEAD, POST, DELETE, OPTIONS"
RESOURCE_FORMATS = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
                    "nt": "application/n-triples", "rdfxml": "application/rdf+xml"}
# Other names clients use for the same bytes, in Accept or format=: the aliases /sparql takes for these syntaxes, and
# application/json, since JSON-LD is JSON. An alias is answered only when no canonical type is acceptable.
RESOURCE_ALIASES = {"application/json": "application/ld+json",
                    **{alias: RESOURCE_FORMATS[name] for alias, name in GRAPH_MEDIA_TYPES.items()
                       if name in RESOURCE_FORMATS and alias not in RESOURCE_FORMATS.values()}}
CATALOGUE_FORMATS = {"json": "application/json", "html": "text/html"}

UI_TEXT = {
    "en": {"formats": "Formats", "language": "Language", "why": "Why these links", "source": "source",
           "sources": "Sources"},
    "sv": {"formats": "Format", "language": "Språk", "why": "Varför dessa kopplingar", "source": "källa",
           "sources": "Källor"},
}


def ui_text(language: str) -> dict:
    return UI_TEXT.get(language, UI_TEXT["en"])


def create_app(store, settings: Settings | None = None, pool: EvaluatorPool | None = None) -> Flask:
    settings = settings or Settings.from_environment()
    app = Flask(__name__)
    app.request_class = conneg.NegotiatingRequest  # every route reads Accept without media-type parameters
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload
    # Links to the outside are made only for web addresses: a contributed <javascript:…> source stays text.
    app.jinja_env.tests["web_url"] = lambda url: isinstance(url, str) and url.lower().startswith(("http://", "https://"))
    evaluator = store.query_evaluator(settings, pool)  # over an external store, the store evaluates
    pool, evaluate = evaluator.pool, evaluator.run
    sparql = SparqlService(store, evaluate, settings.query_timeout, settings.max_result_bytes, settings.cache_bytes)
    contributions = Contributions(store)
    dump_files = exports.DumpFiles.from_setting(settings.export_cache)
    app.extensions["sikg"] = {"store": store, "pool": pool, "sparql": sparql, "settings": settings}
    app.wsgi_app = RepeatedGetCache(app.wsgi_app, lambda: store.state_token, settings.cache_bytes,
                                    paths=("/sparql", "/queries/"))

    def service_root() -> str:
        return request.url_root

    def rdf_response(triples, fmt=None, headers=None):
        """A graph in the negotiated RDF syntax (format= or Accept), written like every SPARQL graph result."""
        fmt = fmt or choose_format(request.accept_mimetypes, request.args.get("format"), returns_graph=True)
        buffer = io.BytesIO()
        write_result(list(triples), fmt, buffer)
        return Response(buffer.getvalue(), 200, content_type=_with_charset(fmt.media_type),
                        headers={"Vary": "Accept", **(headers or {})})

    def answer(query_request: QueryRequest):
        conditional = request.if_none_match if request.method in ("GET", "HEAD") else None
        result = sparql.answer(query_request, request.accept_mimetypes, conditional,
                               request.environ.get(STATE_TOKEN_KEY))
        response = Response(result.body, result.status, headers=result.headers,
                            content_type=_with_charset(result.media_type))
        return response

    # The pages people read (home, browse, validation form) live in web.py, as a blueprint over the same store.
    from .web import html_response, pages
    app.register_blueprint(pages)

    @app.before_request
    def bound_chunked_bodies():
        """Flask answers 413 for a Content-Length over the limit, but a chunked body (no Content-Length) would be cut
        silently at the limit and the rest taken for the whole. Read such a body here, up to one byte past the
        limit, refuse it if it is over, and hand the rest of the app a body of known length."""
        if request.method in ("POST", "PUT", "PATCH") and request.content_length is None \
                and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            body = request.environ["wsgi.input"].read(settings.max_upload + 1)
            if len(body) > settings.max_upload:
                raise RequestEntityTooLarge(f"the body is larger than SIKG_MAX_UPLOAD ({settings.max_upload} bytes)")
            request.environ["wsgi.input"] = io.BytesIO(body)
            request.environ["CONTENT_LENGTH"] = str(len(body))
            request.environ.pop("HTTP_TRANSFER_ENCODING", None)
            request.environ["wsgi.input_terminated"] = False
            for cached in ("content_length", "stream"):
                request.__dict__.pop(cached, None)

    @app.get("/health")
    def health():
        try:
            return jsonify(status="ok", triples=len(store))
        except StoreUnavailable as error:
            return Response(json.dumps({"status": "unavailable", "message": str(error)}), 503,
                            content_type="application/json", headers={"Retry-After": "5"})

    @app.route("/sparql", methods=["GET", "POST", "OPTIONS"])
    def sparql_endpoint():
        if request.method == "OPTIONS":
            return Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"}, mimetype="text/plain")
        query_request = read_query_request(request)
        if query_request.query is None:
            if _wants_html(query_request.format):
                return html_response(render_template("sparql.html", queries=queries.catalogue().values()))
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
        request.vary_on("Accept", "Accept-Language")  # the HTML catalogue's words follow the reader's language
        fmt, _ = conneg.choose_representation(request.accept_mimetypes, request.args.get("format"), CATALOGUE_FORMATS)
        if fmt == "html":
            return html_response(render_template("queries.html", queries=catalogue))
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

    @app.get("/context.jsonld")
    def context_document():
        response = Response(json.dumps(jsonld.context_document(), indent=2, ensure_ascii=False), 200,
                            content_type="application/ld+json",
                            headers={"Cache-Control": "public, max-age=3600"})
        response.add_etag()  # the body's hash: the context changes with SIKG_BASE and releases, not with the store
        return response.make_conditional(request)

    @app.get("/export")
    def export_kg():
        as_json = conneg.only_json_acceptable(request.accept_mimetypes, EXPORT_MEDIA_TYPES)
        try:
            request_ = exports.read_export_request(conneg.without_empty(request.args, "format"),
                                                   request.headers.get("Accept-Profile"),
                                                   conneg.JSON_LD_ONLY if as_json else request.accept_mimetypes)
        except exports.UnknownView as error:
            raise ProtocolError(error.status, str(error)) from None
        media_type = conneg.JSON if as_json and request_.media_type == "application/ld+json" else request_.media_type
        status, body, headers = dump_files.answer(store, request_, request.if_none_match,
                                                  lambda file: wrap_file(request.environ, file), media_type)
        response = Response(body, status, content_type=_with_charset(media_type), headers=headers,
                            direct_passthrough=True)
        if status == 200 and "Content-Length" in headers:  # a kept file: byte ranges, to resume a download
            length = int(headers["Content-Length"])
            response.make_conditional(exports.honoured_range(request.environ, length), accept_ranges=True,
                                      complete_length=length)
        return response

    @app.get("/id/<kind>/<path:slug>")
    def resource(kind, slug):
        iri = resources.resource_iri(kind, slug)
        if iri is None or not resources.exists(store, iri):
            shown = "".join(c if c.isprintable() else "?" for c in f"{kind}/{slug}")[:300]
            raise ProtocolError(404, f"no resource {BASE}id/{shown} in this knowledge graph")
        fmt, media_type = conneg.choose_representation(request.accept_mimetypes, request.args.get("format"),
                                                       RESOURCE_FORMATS, RESOURCE_ALIASES)
        alternates = {name: media for name, media in RESOURCE_FORMATS.items()}
        link = ", ".join(f'<{request.base_url}?format={name}>; rel="alternate"; type="{media}"'
                         for name, media in alternates.items())
        headers = {"Vary": "Accept, Accept-Language", "Link": link}
        language = resources.choose_languages(request.args.get("lang"), request.accept_languages) \
            if fmt == "html" else resources.LanguageChoice("", "")
        etag = conneg.representation_etag(request.environ.get(STATE_TOKEN_KEY) or store.state_token, iri, fmt,
                                          media_type, language, language.page)
        if request.if_none_match.contains_weak(etag):  # If-None-Match compares weakly (RFC 9110 §13.1.2)
            return Response(status=304, headers={**headers, "ETag": f'"{etag}"'})
        triples = resources.describe(store, iri)
        if fmt != "html":
            response = rdf_response(triples, replace(OUTPUT_FORMATS[fmt], media_type=media_type), headers)
        else:
            page = resources.build_page(store, iri, triples, language, resources.property_labels(store, language))
            html = render_template("resource.html", page=page, alternates=list(alternates.items()),
                                   languages=resources.SUPPORTED_LANGUAGES, ui=ui_text(page.language))
            response = Response(html, 200, content_type="text/html; charset=utf-8",
                                headers={**headers, "Content-Language": page.language})
        response.set_etag(etag)
        return response

    @app.get("/ontology")
    def ontology():
        if _wants_html(request.args.get("format")):
            language = resources.choose_languages(request.args.get("lang"), request.accept_languages)
            terms = resources.ontology_terms(store, language)
            return html_response(render_template("ontology.html", terms=terms, language=language.page,
                                                 ui=ui_text(language.page)))
        return rdf_response(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}"))

    @app.get("/shapes")
    def shapes():
        return rdf_response(q.triple for f in content.shape_files() for q in content.read(f))

    @app.post("/validate")
    def validate():
        quads = parse_request_rdf()
        report = validation.validate_quads(quads, validation.store_reference(store))
        return report_response(report, 200)

    @app.post("/contributions")
    def contribute():
        holder = contributions.holder(request.headers.get("Authorization"))
        payload, rdf_format = read_rdf_body()
        try:
            accepted = contributions.contribute(payload, rdf_format, holder)
        except NotConforming as refusal:
            return report_response(refusal.report, 422)
        location = f"{service_root()}contributions/{accepted.id}"
        body = {"id": accepted.id, "graph": accepted.graph, "location": location, **accepted.report.as_json()}
        return Response(json.dumps(body, indent=2), 201, content_type="application/json",
                        headers={"Location": location})

    @app.get("/contributions")
    def list_contributions():
        return jsonify(contributions.listing())

    @app.get("/contributions/<contribution_id>")
    def get_contribution(contribution_id):
        triples = contributions.triples(contribution_id)
        if triples is None:
            raise ProtocolError(404, f"no contribution {contribution_id!r}")
        return rdf_response(triples)

    @app.delete("/contributions/<contribution_id>")
    def withdraw_contribution(contribution_id):
        contributions.holder(request.headers.get("Authorization"))
        if not contributions.withdraw(contribution_id):
            raise ProtocolError(404, f"no contribution {contribution_id!r}")
        return Response(status=204)

    def read_rdf_body() -> tuple[bytes, ox.RdfFormat]:
        """The RDF payload and its syntax: a body with an RDF media type, or a multipart upload's file."""
        if request.mimetype == "multipart/form-data":
            upload = next(iter(request.files.values()), None)
            if upload is None:
                raise ProtocolError(400, "the multipart body has no file part")
            media_type = upload.mimetype if upload.mimetype in FORMAT_BY_MEDIA_TYPE else None
            try:
                rdf_format = format_for_media_type(media_type) if media_type else \
                    rdf_input.format_for_path(Path(upload.filename or "upload"))
            except (UnsupportedMediaType, RdfInputError) as error:
                raise ProtocolError(415, str(error)) from None
            return upload.read(), rdf_format
        try:
            rdf_format = format_for_media_type(request.mimetype)
        except UnsupportedMediaType as error:
            raise ProtocolError(415, str(error)) from None
        return request.get_data(cache=False), rdf_format

    def parse_request_rdf() -> list:
        payload, rdf_format = read_rdf_body()
        return rdf_input.parse_upload(payload, rdf_format, "request body")

    def report_response(report, status: int):
        offers = ["application/json", "text/turtle", "application/ld+json", "text/plain"]
        best = request.accept_mimetypes.best_match(offers) if request.accept_mimetypes else "application/json"
        if best is None:
            raise ProtocolError(406, "the report is available as " + ", ".join(offers))
        if best == "text/turtle":
            return Response(report.to_turtle(), status, content_type="text/turtle; charset=utf-8")
        if best == "application/ld+json":
            return Response(report.to_jsonld(), status, content_type="application/ld+json")
        if best == "text/plain":
            return Response(report.to_text(), status, content_type="text/plain; charset=utf-8")
        return Response(report.to_json(), status, content_type="application/json")

    @app.errorhandler(RdfInputError)
    def unreadable_rdf(error: RdfInputError):
        body = {"error": "unreadable RDF", "message": error.message, "line": error.line, "column": error.column}
        return Response(json.dumps(body) + "\n", 400, content_type="application/json")

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error: StoreUnavailable):
        return Response(f"503 Service Unavailable: {error}; try again shortly\n", 503, mimetype="text/plain",
                        headers={"Retry-After": "5"})

    @app.errorhandler(ContributionsDisabled)
    def contributions_off(error):
        return Response(f"{error}\n", 403, mimetype="text/plain")

    @app.errorhandler(NotAuthorised)
    def not_authorised(error: NotAuthorised):
        headers = {"WWW-Authenticate": 'Bearer realm="sikg"'} if error.status == 401 else {}
        return Response(f"{error}\n", error.status, mimetype="text/plain", headers=headers)

    @app.after_request
    def cors(response: Response):
        # Every route here only reads (contributions, later, check their token): any origin may read.
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Allow-Methods", READ_METHODS)
        response.headers.setdefault("Access-Control-Allow-Headers",
                                    "Accept, Accept-Profile, Authorization, Content-Type, If-None-Match, "
                                    "Range, If-Range")
        # Location: a page's script reads where POST /contributions put the new graph.
        response.headers.setdefault("Access-Control-Expose-Headers", "ETag, Content-Type, Link, Vary, Content-Profile, "
                                    "Content-Disposition, Content-Range, Accept-Ranges, Location, Last-Modified")
        return response

    @app.after_request
    def declare_vary(response: Response):
        """Vary names every request header the answer was chosen by (RFC 9110 §12.5.5), whichever route chose."""
        return conneg.add_vary(response, request.varied_on)

    @app.errorhandler(ProtocolError)
    @app.errorhandler(conneg.NegotiationFailed)
    def protocol_error(error: ProtocolError | conneg.NegotiationFailed):
        return Response(error.message + "\n", error.status, headers=error.headers, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = Response(f"{error.code} {error.name}: {error.description}\n", error.code, mimetype="text/plain")
        # What the exception says beside its status, such as a 416's Content-Range: bytes */length (RFC 9110 §15.5.17)
        for name, value in error.get_headers(request.environ):
            if name.lower() != "content-type":
                response.headers[name] = value
        if error.code == 405:
            response.headers["Allow"] = ", ".join(error.valid_methods or [])
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error")
        return Response("500 Internal Server Error: the service failed; this is a bug, not your request\n", 500,
                        mimetype="text/plain")

    return app


def _wants_html(requested_format: str | None) -> bool:
    # Every variant of a resource that has a page varies on both headers: the page's words follow Accept-Language.
    request.vary_on("Accept", "Accept-Language")
    return conneg.html_chosen(request.accept_mimetypes, requested_format, GRAPH_MEDIA_TYPES)


def _with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml")) or \
        media_type in ("application/n-triples", "application/n-quads", "application/trig")
    return f"{media_type}; charset=utf-8" if textual else media_type
