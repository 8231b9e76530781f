"""Pages for people: the home page, browsing practices, the validation form. Routes only; what they show comes
from home.py, chart.py, browse.py and report_view.py, in the languages languages.py chooses and the words of
ui_text.py."""

import json

from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup

from . import conneg, jsonld
from .browse import browse, practices_jsonld, query_string, read_filters, without
from .chart import chart_data, chart_svg
from .home import DOWNLOADS, home_summary
from .languages import SUPPORTED_LANGUAGES, choose_data_language, choose_ui_language, match_language
from .namespaces import PREFIXES
from .report_view import PASTE_SYNTAXES, NothingToValidate, validate_submission
from .ui_text import client_strings, text

pages = Blueprint("pages", __name__)

PRACTICE_LIST_FORMATS = {"html": "text/html", "jsonld": "application/ld+json"}
# JSON-LD is JSON: a client that asks for application/json gets the JSON-LD labelled so.
PRACTICE_LIST_ALIASES = {"application/json": "application/ld+json"}
HOME_FORMATS = {"html": "text/html"}  # the home page has no other representation


def _store():
    return current_app.extensions["sikg"]["store"]


def _language() -> str:
    return choose_ui_language(request.args.get("lang"), request.accept_languages)


def _data_language() -> str:
    """The language asked for, for the data's own texts (labels exist in fr, es, lv too); the chrome is en or sv."""
    return choose_data_language(request.args.get("lang"), request.accept_languages)


def html_response(body: str, status: int = 200) -> Response:
    """A page in the interface's language, which Content-Language states (RFC 9110 §8.5): every page of the site
    is sent through here, whichever module's route rendered it."""
    return Response(body, status, content_type="text/html; charset=utf-8",
                    headers={"Vary": "Accept, Accept-Language", "Content-Language": _language()})


@pages.app_context_processor
def site_chrome():
    """What base.html needs on every page, whichever route rendered it: the interface language and its words,
    and links that keep the language the reader chose."""
    if not request:
        return {}
    language = _language()
    # Links keep any language the data has texts in (lang=fr too), not only the interface's two.
    chosen = match_language(request.args.get("lang"), SUPPORTED_LANGUAGES)

    def link(path: str) -> str:
        if not chosen:
            return path
        return f"{path}{'&' if '?' in path else '?'}lang={chosen}"

    def switch(code: str) -> str:
        return request.path + query_string(request.args, lang=code)

    return {"site": {"lang": language, "t": text(language), "link": link, "switch": switch,
                     "languages": [("en", "English"), ("sv", "Svenska")], "path": request.path,
                     "chosen": chosen}}


@pages.app_template_filter("curated_catalogue")
def curated_catalogue(queries) -> list[dict]:
    """The curated queries as the SPARQL page's script reads them."""
    return [{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
             "parameters": [p.name for p in q.parameters]} for q in queries]


@pages.app_template_global("sparql_prefixes")
def sparql_prefixes() -> dict:
    return dict(PREFIXES)


@pages.after_app_request
def vary_on_language(response: Response):
    if response.mimetype == "text/html":
        present = {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}
        if "accept-language" not in present:
            response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), "Accept-Language"]))
    return response


@pages.get("/")
def home():
    conneg.choose_representation(request.accept_mimetypes, request.args.get("format"), HOME_FORMATS)
    summary = home_summary(_store(), _data_language())
    return html_response(render_template("home.html", home=summary, chart_svg=Markup(summary.chart.svg),
                                 downloads=DOWNLOADS))


@pages.get("/chart.svg")
def chart():
    language = _language()
    words = text(language)
    svg = chart_svg(chart_data(_store(), language), words, standalone=True)
    return Response(svg, 200, content_type="image/svg+xml; charset=utf-8",
                    headers={"Vary": "Accept-Language", "Content-Language": language,
                             "Content-Disposition": 'inline; filename="sikg-practices-per-element-and-country.svg"'})


@pages.get("/practices")
def practices():
    fmt, media_type = conneg.choose_representation(request.accept_mimetypes, request.args.get("format"),
                                                   PRACTICE_LIST_FORMATS, PRACTICE_LIST_ALIASES)
    selected, q = read_filters(request.args)
    found = browse(_store(), _data_language(), selected, q)
    if fmt == "jsonld":
        # The context by its published IRI (as /export names it), which every sikg reader resolves locally: the
        # list can be sent back to POST /validate as it is.
        document = practices_jsonld(_store(), [p.iri for p in found.practices], jsonld.context_url())
        return Response(json.dumps(document, ensure_ascii=False, indent=1), 200,
                        content_type=media_type, headers={"Vary": "Accept, Accept-Language"})
    return html_response(render_template("practices.html", browse=found, query_string=query_string,
                                 without=without, args=request.args))


@pages.get("/validate")
def validate_form():
    language = _language()
    return html_response(render_template("validate.html", report=None, syntaxes=PASTE_SYNTAXES, pasted="",
                                 chosen_syntax="text/turtle", client=client_strings(language)))


@pages.post("/validate/form")
def validate_form_post():
    """The same check as POST /validate, for the form sent without JavaScript: the report as a page."""
    language = _language()
    upload = request.files.get("file")
    content = upload.read() if upload and upload.filename else None
    pasted = request.form.get("data", "")
    syntax = request.form.get("syntax") or "text/turtle"
    report, error, status = None, None, 200
    try:
        report = validate_submission(_store(), pasted, syntax, content, upload.filename if upload else None,
                                     language)
    except NothingToValidate as refusal:
        error, status = str(refusal), 400
    return html_response(render_template("validate.html", report=report, error=error, syntaxes=PASTE_SYNTAXES,
                                 pasted=pasted, chosen_syntax=syntax, client=client_strings(language)), status)
