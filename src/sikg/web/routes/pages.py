"""Pages for people: the home page, its charts, browsing practices, the validation form. What they show comes from
pages/ (home, chart, browse) and validation/report.py, in the languages i18n/languages.py chooses and the words of
i18n/ui_text.py."""

from flask import Response, render_template, request

from ...formats import HTML, JSON_AS_JSON_LD, JSON_LD
from ...http.negotiation import negotiate
from ...http.openapi import (
    BODY_ERRORS,
    FORMAT_PARAM,
    LANG_PARAM,
    NEGOTIATION_ERRORS,
    DescribedBlueprint,
    any_response,
    text_response,
)
from ...http.responses import html_response, json_response
from ...i18n.languages import choose_data_language, choose_ui_language
from ...i18n.ui_text import client_strings, text
from ...pages.browse import browse, practices_jsonld, query_string, read_filters, without
from ...pages.chart import CHARACTERISTICS, ELEMENTS, ChartKind, chart_data, chart_svg
from ...pages.home import DOWNLOADS, home_summary
from ...validation.report import PASTE_SYNTAXES, form_report
from ..services import current

routes = DescribedBlueprint("pages", __name__)


def _language() -> str:
    return choose_ui_language(request.args.get("lang"), request.accept_languages)


def _data_language() -> str:
    """The language asked for, for the data's own texts (labels exist in fr, es, lv too); the chrome is en or sv."""
    return choose_data_language(request.args.get("lang"), request.accept_languages)


@routes.get("/")
def home():
    negotiate((HTML,))  # the home page has no other representation: anything else is refused
    summary = home_summary(current().store, _data_language())
    return html_response(render_template("home.html", home=summary, downloads=DOWNLOADS))


def _chart_response(kind: ChartKind) -> Response:
    """The chart of `kind` as a standalone SVG file, in the reader's language."""
    language = _language()
    chart = chart_data(current().store, language, kind=kind)
    svg = chart_svg(chart, text(language), standalone=True, language=language)
    return Response(svg, 200, content_type="image/svg+xml; charset=utf-8",
                    headers={"Content-Language": language,
                             "Content-Disposition": f'inline; filename="{kind.filename}"'})


@routes.get("/chart.svg")
def chart():
    return _chart_response(ELEMENTS)


@routes.get("/chart-characteristics.svg")
def chart_characteristics():
    return _chart_response(CHARACTERISTICS)


@routes.get("/practices")
def practices():
    choice = negotiate((HTML, JSON_LD), JSON_AS_JSON_LD)
    selected, q = read_filters(request.args)
    found = browse(current().store, _data_language(), selected, q)
    if choice.format is HTML:
        return html_response(render_template("practices.html", browse=found, query_string=query_string,
                                             without=without, args=request.args))
    # The context inline, as in every JSON-LD the service writes: read with no network access, and the list can be
    # sent back to POST /validate as it is.
    document = practices_jsonld(current().store, [p.iri for p in found.practices])
    return json_response(document, content_type=choice.media_type)


@routes.get("/validate")
def validate_form():
    return html_response(render_template("validate.html", report=None, syntaxes=PASTE_SYNTAXES, pasted="",
                                         chosen_syntax="text/turtle", client=client_strings(_language())))


@routes.post("/validate/form")
def validate_form_post():
    """The same check as POST /validate, for the form sent without JavaScript: the report as a page."""
    upload = request.files.get("file")
    pasted, syntax = request.form.get("data", ""), request.form.get("syntax") or "text/turtle"
    report, error, status = form_report(current().store, pasted, syntax, upload, _language())
    return html_response(render_template("validate.html", report=report, error=error, syntaxes=PASTE_SYNTAXES,
                                         pasted=pasted, chosen_syntax=syntax, client=client_strings(_language())),
                         status)


routes.describe({
    "/": {"get": {"summary": "The home page", "parameters": [FORMAT_PARAM, LANG_PARAM],
                  "responses": {"200": any_response("HTML", ["text/html"]), **NEGOTIATION_ERRORS}}},
    **{f"/{kind.name}.svg": {"get": {
        "summary": f"The home page's chart of practices per {kind.dimension} and country, as a standalone SVG "
                   "(each bar's numbers in its data attributes)",
        "parameters": [LANG_PARAM],
        "responses": {"200": any_response("An SVG image", ["image/svg+xml"])}}}
        for kind in (ELEMENTS, CHARACTERISTICS)},
    "/practices": {"get": {
        "summary": "Browse practices with facets and full-text search (HTML or JSON-LD)",
        "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}}
                       for n in ("element", "method", "country", "actor-type", "level", "q", "lang")] + [FORMAT_PARAM],
        "responses": {"200": any_response("The practices", ["text/html", "application/ld+json"]),
                      **NEGOTIATION_ERRORS}}},
    "/validate/form": {"post": {
        "summary": "The validation page's form sent without JavaScript (RDF pasted with its syntax, or a file): the "
                   "same check as POST /validate, its report as the page",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {"data": {"type": "string"}, "syntax": {"type": "string"},
                                             "file": {"type": "string", "format": "binary"}}}}}},
        "parameters": [LANG_PARAM],
        "responses": {"200": any_response("The page with the report", ["text/html"]),
                      **BODY_ERRORS,
                      "400": text_response("Nothing to validate (a page saying so), or unreadable RDF")}}},
})
