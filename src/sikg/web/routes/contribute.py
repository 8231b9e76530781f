"""Contributing as a person: signing in with a token (a cookie), the form generated from the shapes with its preview
and submission, and the curators' review pages (the queue, each contribution's page). What they show and do is
contributions/views.py's and contributions/review_pages.py's."""

from urllib.parse import quote

from flask import Response, redirect, request

from ...contributions import review_pages, spreadsheet
from ...contributions import views as view
from ...contributions.sign_in import SignInRequired
from ...formats import CSVW_METADATA, XLSX
from ...http.openapi import (
    LANG_PARAM,
    QUEUE_PARAMETERS,
    DescribedBlueprint,
    any_response,
    path_parameter,
    text_response,
)
from ...i18n.languages import choose_ui_language
from ..services import current

routes = DescribedBlueprint("contribute", __name__)


def _language() -> str:
    return choose_ui_language(request.args.get("lang"), request.accept_languages)


def _to_sign_in(error: SignInRequired):
    language = f"&lang={quote(request.args['lang'])}" if request.args.get("lang") else ""  # the interface chosen
    return redirect(f"/sign-in?next={quote(str(error), safe='/')}{language}", 303)


routes.register_error_handler(SignInRequired, _to_sign_in)


@routes.get("/sign-in")
def sign_in_form():
    return view.sign_in_page(request, _language())


@routes.post("/sign-in")
def sign_in():
    return view.sign_in_post(current(), request, _language())


@routes.post("/sign-out")
def sign_out():
    return view.sign_out(current(), request)


@routes.get("/contribute")
def contribute_form():
    return view.form_page(current(), request, _language())


@routes.post("/contribute")
def contribute_post():
    return view.form_post(current(), request, _language())


@routes.post("/contribute/upload")
def contribute_upload():
    return view.upload_post(current(), request, _language())


@routes.get("/review")
def review():
    return review_pages.queue_page(current(), request, _language())


@routes.get("/review/<contribution_id>")
def review_item(contribution_id):
    return review_pages.item_page(current(), request, contribution_id, _language())


@routes.post("/review/<contribution_id>/revalidate")
def revalidate(contribution_id):
    return review_pages.revalidate_post(current(), request, contribution_id)


@routes.post("/review/<contribution_id>")
def review_post(contribution_id):
    return view.review_post(current(), request, contribution_id)


@routes.get("/contribute/template.xlsx")
def template_xlsx():
    return _template("xlsx")


@routes.get("/contribute/template.csv")
def template_csv():
    return _template("csv")


@routes.get("/contribute/template.csv-metadata.json")
def template_csvw():
    return _template("csvw")


def _template(kind: str) -> Response:
    """The spreadsheet template in the reader's language (?lang=), with the example practice (?example=1)."""
    language, query = _language(), request.query_string.decode("latin-1")
    body, media_type, name = spreadsheet.template_file(current().store, language, kind,
                                                       request.args.get("example") == "1",
                                                       "template.csv" + (f"?{query}" if query else ""))
    return Response(body, 200, content_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Content-Language": language,
        "Vary": "Accept-Language"})


PAGE = any_response("HTML", ["text/html"])
FORBIDDEN = text_response("No or wrong CSRF field, a token not accepted, or not a curator")
routes.describe({
    "/sign-in": {"get": {"summary": "The sign-in page", "responses": {"200": PAGE}},
                 "post": {"summary": "Signs in with a token: the cookie sikg_token (HttpOnly, SameSite=Strict)",
                          "responses": {"303": {"description": "Signed in"}, "401": PAGE, "403": PAGE}}},
    "/sign-out": {"post": {"summary": "Signs out (the form's CSRF field required)",
                           "responses": {"303": {"description": "Signed out"}, "403": FORBIDDEN}}},
    "/contribute": {
        "get": {"summary": "The contribution form, generated from the shapes",
                "responses": {"200": PAGE, "303": {"description": "Not signed in: to /sign-in"}}},
        "post": {"summary": "Previews (action=preview; JSON with Accept: application/json) or submits "
                            "(action=submit) the form",
                 "responses": {"200": any_response("The preview", ["text/html", "application/json"]),
                               "201": PAGE, "202": PAGE, "403": FORBIDDEN,
                               "422": any_response("Not conforming: the form with each problem at its field",
                                                   ["text/html"])}}},
    **{f"/contribute/template.{kind}": {"get": {
        "summary": f"The spreadsheet template made from the shapes ({what}), in the reader's language; with "
                   "example=1 filled with the example practice of data/templates/practice.ttl, which uploads "
                   "unchanged (POST /contributions, POST /validate) to exactly that practice",
        "parameters": [LANG_PARAM, {"name": "example", "in": "query", "schema": {"type": "string", "enum": ["1"]},
                                    "description": "1: row 2 holds the example practice"}],
        "responses": {"200": any_response("The file (Content-Disposition: attachment)", [media_type])}}}
        for kind, what, media_type in (
            ("xlsx", "an XLSX workbook with a list on every choice, each heading's help as its note and a sheet "
                     "on how to fill it in", XLSX.media_type),
            ("csv", "CSV, UTF-8 with a BOM", "text/csv"),
            ("csv-metadata.json", "the CSV's W3C CSVW metadata: each column's property", CSVW_METADATA.media_type))},
    "/contribute/upload": {"post": {
        "summary": "Checks (action=check) or submits (action=submit) a spreadsheet made from the template "
                   "(multipart: the file part sheet, .xlsx or .csv) as one contribution; its problems by row and "
                   "column",
        "responses": {"200": PAGE, "201": PAGE, "202": PAGE, "400": PAGE, "403": FORBIDDEN, "413": PAGE,
                      "422": any_response("Not conforming: each problem by row and column; nothing kept",
                                          ["text/html"])}}},
    "/review": {"get": {"summary": "The curators' queue: the pending contributions a page at a time (oldest first by "
                                   "default), each line opening its review page",
                        "parameters": [LANG_PARAM, *QUEUE_PARAMETERS],
                        "responses": {"200": PAGE, "303": {"description": "Not signed in: to /sign-in"},
                                      "400": text_response("A parameter out of range"), "403": PAGE}}},
    "/review/{id}": {"get": {"summary": "A pending contribution as its page will look once public, with its validation "
                                        "report (kept from when it arrived; made again when what it relies on "
                                        "changed), to accept or reject (curators)",
                             "parameters": [path_parameter("id"), LANG_PARAM],
                             "responses": {"200": PAGE, "303": {"description": "Not signed in: to /sign-in"},
                                           "403": PAGE, "404": text_response("Not a pending contribution")}},
                     "post": {"summary": "Accepts or rejects a pending contribution, with a comment (curators)",
                              "parameters": [path_parameter("id")],
                              "responses": {"303": {"description": "Reviewed: back to /review"},
                                            "400": text_response("No such decision"), "403": FORBIDDEN}}},
    "/review/{id}/revalidate": {"post": {"summary": "Validates a pending contribution again now, and keeps the new "
                                                    "report (curators)",
                                         "parameters": [path_parameter("id")],
                                         "responses": {"303": {"description": "To its review page"},
                                                       "403": FORBIDDEN,
                                                       "404": text_response("Not a pending contribution")}}},
})
