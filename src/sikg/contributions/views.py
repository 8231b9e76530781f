"""What the contribution, sign-in and review pages show and do: the routes in web/routes/contribute.py call one function
here each. The form comes from form.py, what it makes and its report from form_data.py, who is signed in from
sign_in.py; contributions go through the same service as POST /contributions.
"""

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Response, redirect, render_template

from ..errors import NotPermitted
from ..http.negotiation import wants_json_preview
from ..http.responses import html_response, json_response, status_of
from ..i18n.languages import pick_text
from ..i18n.ui_text import form_words, sheet_words
from ..namespaces import ID, RDF, RDFS, SIKG, values
from ..pages import resources
from ..rdf.reading import spreadsheet_for_name
from ..validation import shacl
from .form import build_form, element_id, field_name
from .form_data import SLUG, labels_by_name, place, plain, preview
from .service import NotConforming
from .sign_in import (
    CSRF_FIELD,
    Person,
    check_csrf,
    clear_cookie,
    local_target,
    posted,
    required,
    same_origin,
    served_securely,
    set_cookie,
)
from .spreadsheet import UnreadableSpreadsheet, read_upload
from .tokens import ContributionsDisabled, NotAuthorised


def _render(template: str, status: int = 200, **context) -> Response:
    return html_response(render_template(template, csrf_field=CSRF_FIELD, field_name=field_name,
                                         element_id=element_id, slug_name=SLUG, **context), status)


def _form_page(services, language: str, who: Person, values, result=None, status: int = 200, done=None,
               form=None, sheet=None):
    """The form page; `form` when the caller has built it already (it is made from the shapes and the KG); `sheet`
    what an uploaded spreadsheet's check found."""
    form = form or build_form(services.store, language)
    shown = result.draft.entries if result else {}
    return _render("contribute.html", status, form=form, values=values, who=who, result=result, done=done,
                   entries=lambda g: shown.get(g.name, [0]), words=form_words(language), sheet=sheet,
                   sheet_words=sheet_words(language))


def form_page(services, http_request, language: str) -> Response:
    return _form_page(services, language, required(http_request, services.contributions), _Empty())


def form_post(services, http_request, language: str) -> Response:
    """A preview (the page again, or JSON for the page's script) or a submission through the contributions
    service."""
    who = posted(http_request, services.contributions)
    values = http_request.form
    form = build_form(services.store, language)
    result = preview(form, values, services.store, language)
    wants_json = wants_json_preview()  # read for every post: the answer varies on Accept whichever it is
    action = http_request.args.get("action") or values.get("action") or "preview"
    if action == "preview" and wants_json:
        return json_response(result.as_json())
    if action != "submit" or not result.conforms:
        return _form_page(services, language, who, values, result, 200 if action == "preview" else 422, form=form)
    try:
        accepted = services.contributions.contribute(result.turtle.encode("utf-8"), ox.RdfFormat.TURTLE,
                                                     who.holder)
    except NotConforming as refusal:  # the store changed between the check and the submission
        labels = labels_by_name(form)
        for r in refusal.report.results:
            name = place(r, result.draft)
            result.draft.problems.setdefault(name, []).append(plain(r, labels.get(name), language))
        return _form_page(services, language, who, values, result, 422, form=form)
    return _render("contribute.html", 202 if accepted.status == "pending" else 201, form=None, who=who, result=None,
                   done={"id": accepted.id, "status": accepted.status}, words=form_words(language), values=_Empty(),
                   entries=lambda g: [0])


def upload_post(services, http_request, language: str) -> Response:
    """A spreadsheet sent from the contribution page: checked (action=check) or submitted as one contribution
    through the same service as POST /contributions; what is wrong is shown by row and column, in the reader's
    language, and nothing is kept."""
    who = posted(http_request, services.contributions)
    upload = http_request.files.get("sheet")
    kind = spreadsheet_for_name(upload.filename) if upload is not None else None
    if kind is None:
        return _form_page(services, language, who, _Empty(), status=400,
                          sheet={"error": sheet_words(language)["no_file"]})
    data = upload.read()
    try:
        checked = read_upload(data, kind, services.store, language)
    except UnreadableSpreadsheet as refusal:
        return _form_page(services, language, who, _Empty(), status=413 if refusal.too_large else 400,
                          sheet={"error": refusal.message, "problems": refusal.problems})
    submit = http_request.form.get("action") == "submit"
    if not submit or not checked.conforms:
        return _form_page(services, language, who, _Empty(), status=422 if submit else 200,
                          sheet={"upload": checked, "problems": checked.problems + checked.warnings})
    accepted = services.contributions.contribute(data, kind, who.holder)  # RowsNotConforming if the KG changed
    return _render("contribute.html", accepted.http_status, form=None, who=who, result=None, words=form_words(language),
                   done={"id": accepted.id, "status": accepted.status}, values=_Empty(), entries=lambda g: [0])


class _Empty(dict):
    def getlist(self, key):
        return []


# -- signing in and out ------------------------------------------------------------------------------------------

def sign_in_page(http_request, language: str, error: str | None = None, status: int = 200) -> Response:
    return _render("sign_in.html", status, words=form_words(language), error=error,
                   next=local_target(http_request.values.get("next")))


def sign_in_post(services, http_request, language: str) -> Response:
    if not same_origin(http_request):
        raise NotPermitted("403 Forbidden: a sign-in form sent from another site")
    token = (http_request.form.get("token") or "").strip()
    try:
        services.contributions.holder("Bearer " + token)
    except (ContributionsDisabled, NotAuthorised) as refusal:
        message = form_words(language)["bad_token"].format(message=refusal)
        return sign_in_page(http_request, language, message, status_of(refusal))
    return set_cookie(redirect(local_target(http_request.form.get("next")), 303), token,
                      served_securely(http_request, services.settings))


def sign_out(services, http_request) -> Response:
    check_csrf(http_request)
    return clear_cookie(redirect("/", 303), served_securely(http_request, services.settings))


# -- review ------------------------------------------------------------------------------------------------------

@dataclass
class PendingItem:
    id: str
    contributor: str
    submitted: str
    warnings: list
    pages: list = field(default_factory=list)  # resources.ResourcePage of each practice it describes
    touches: list = field(default_factory=list)  # (href, label) of what it names that the KG already has


def _labels_of_what_it_names(store, triples) -> list[ox.Triple]:
    """The KG's labels of the resources the contribution links to (its country, organisation, elements…), so that
    its page reads as it will once public, where /id describes them with their labels."""
    iris = sorted({t.object.value for t in triples if isinstance(t.object, ox.NamedNode)})
    if not iris:
        return []
    labels = ", ".join(f"<{p}>" for p in resources.LABELS)
    return list(store.query(f"CONSTRUCT {{ ?s ?p ?l }} WHERE {{ {values('s', iris)} ?s ?p ?l . "
                            f"FILTER(?p IN ({labels})) }}"))


def _touches(store, triples, language: str) -> list[tuple[str, str]]:
    iris = sorted({t.value for triple in triples for t in (triple.subject, triple.object)
                   if isinstance(t, ox.NamedNode) and t.value.startswith(ID)})
    if not iris:
        return []
    rows = store.query(f"""SELECT ?s ?l WHERE {{ {values('s', iris)}
        ?s a ?t FILTER(?t IN (<{SIKG.SupportPractice}>, <{SIKG.Organisation}>))
        OPTIONAL {{ ?s <{RDFS.label}> ?l }} }}""")
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row["s"].value, []).extend([row["l"]] if row["l"] is not None else [])
    return [(resources.local_href(iri), str(pick_text(labels, language) or iri)) for iri, labels in found.items()]


def pending_items(services, who: Person, language: str) -> list[PendingItem]:
    """The pending contributions as the review page shows them: each as its resource page would look once public,
    its warnings (validated again against the KG as it is now), and the resources of the KG it touches."""
    labels = resources.property_labels(services.store, language)
    items = []
    for shown in services.contributions.pending(who.holder):
        report = shacl.validate_quads(shown.triples, shacl.store_reference(services.store))
        item = PendingItem(shown.id, shown.contributor or "", shown.submitted or "",
                           [{**r.as_json(), "message": r.message_in(language)}  # in the reader's language
                            for r in report.results if r.severity == "Warning"])
        described = shown.triples + _labels_of_what_it_names(services.store, shown.triples)
        for iri in {t.subject.value for t in shown.triples if t.predicate.value == RDF.type
                    and t.object.value == SIKG.SupportPractice}:
            item.pages.append(resources.build_page(services.store, iri, described, language, labels))
        item.touches = _touches(services.store, shown.triples, language)
        items.append(item)
    return items


def review_page(services, http_request, language: str) -> Response:
    who = required(http_request, services.contributions)
    words = form_words(language)
    if not who.is_curator:
        return _render("review.html", 403, who=who, pending=[], words=words, refused=words["curators_only"])
    return _render("review.html", who=who, pending=pending_items(services, who, language), words=words,
                   refused=None)


def review_post(services, http_request, contribution_id: str) -> Response:
    who = posted(http_request, services.contributions, curator=True)
    # The review service refuses a decision other than accept or reject (400), as for the JSON API
    services.contributions.review(contribution_id, who.holder, http_request.form.get("decision"),
                                  http_request.form.get("comment", ""))
    return redirect("/review", 303)
