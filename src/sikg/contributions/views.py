"""What the contribution, sign-in and review pages show and do: the routes in web/routes/contribute.py call one function
here each. The form comes from form.py, what it makes and its report from form_data.py, who is signed in from
sign_in.py; contributions go through the same service as POST /contributions.
"""

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Response, redirect, render_template

from ..errors import NotPermitted
from ..http.negotiation import wants_json_preview
from ..http.responses import html_response, json_response, status_of
from ..i18n.languages import page_language, pick, pick_text, shown
from ..i18n.translations import translated_texts
from ..i18n.ui_text import form_words, sheet_words
from ..namespaces import ID, RDFS, SIKG, values
from ..pages import resources
from ..rdf.reading import spreadsheet_for_name
from ..validation.report import compact_iri
from .correction import REASON, REVISES, carried, correction_form, form_values
from .form import build_form, element_id, field_name
from .form_data import SLUG, Problem, labels_by_name, place, plain, preview
from .form_data import entries as entries_shown
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
                   carried=carried(form, values),
                   entries=lambda g: shown.get(g.name) or entries_shown(g, values)[1], words=form_words(language),
                   sheet=sheet,
                   sheet_words=sheet_words(language))


def form_page(services, http_request, language: str) -> Response:
    """The empty form; with ?revise=IRI, filled in with that published practice's (or organisation's) description,
    to correct it."""
    who = required(http_request, services.contributions)
    if "revise" not in http_request.args:
        return _form_page(services, language, who, _Empty())
    form = correction_form(services.store, language, http_request.args.get("revise"))
    return _form_page(services, language, who, form_values(form, services.store, http_request.args.get("revise")),
                      form=form)


def form_post(services, http_request, language: str) -> Response:
    """A preview (the page again, or JSON for the page's script) or a submission through the contributions
    service."""
    who = posted(http_request, services.contributions)
    values = http_request.form
    form = correction_form(services.store, language, values.get(REVISES))  # the practice form unless it corrects
    result = preview(form, values, services.store, language)
    wants_json = wants_json_preview()  # read for every post: the answer varies on Accept whichever it is
    action = http_request.args.get("action") or values.get("action") or "preview"
    if action == "preview" and wants_json:
        return json_response(result.as_json())
    if action != "submit" or not result.conforms:
        return _form_page(services, language, who, values, result, 200 if action == "preview" else 422, form=form)
    try:
        accepted = services.contributions.contribute(result.turtle.encode("utf-8"), ox.RdfFormat.TURTLE,
                                                     who.holder, comment=values.get(REASON))
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
class BatchLine:
    """One practice of a batch (a contribution of several, such as a spreadsheet's rows) as a line of the review
    page's table: its name, country and organisations, the results about its nodes in plain words, and its page."""
    page: resources.ResourcePage
    countries: list
    organisations: list
    problems: list  # form_data.Problem: violations first, then warnings

    @property
    def violations(self) -> int:
        return sum(p.severity == "Violation" for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.violations


@dataclass
class PendingItem:
    """A pending contribution as its review page shows it (review_pages.pending_item makes it)."""
    id: str
    contributor: str
    submitted: str
    warnings: list
    pages: list = field(default_factory=list)  # resources.ResourcePage of each practice it describes
    touches: list = field(default_factory=list)  # (href, label) of what it names that the KG already has
    lines: list = field(default_factory=list)  # a batch's BatchLine, one per practice (none for one practice)
    general: list = field(default_factory=list)  # a batch's results about none of its practices (Problem)
    revisions: list = field(default_factory=list)  # diff.RevisionDiff of each public resource it proposes to revise
    reason: str = ""  # the contributor's reason for a revision
    violations: list = field(default_factory=list)  # its report's problems (the KG changed since it was sent)
    validated: str = ""  # when its report was made

    @property
    def batch(self) -> bool:
        return bool(self.lines)


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


_BLANK_FOCUS = re.compile(r"^\[(\S+) of (.*)\]$")  # a blank node as a report names it: [sikg:qualified… of <its owner>]


def _owner(focus: str | None) -> tuple[str, str | None]:
    """The IRI a result's focus node is, or the IRI whose record (a blank node) it is, with the link that leads from
    that IRI to the record."""
    link = None
    while focus and (match := _BLANK_FOCUS.match(focus)):
        link, focus = match.group(1), match.group(2)
    return focus or "", link


def _local(iri_or_name: str) -> str:
    return re.split(r"[#/:]", iri_or_name.strip("<>"))[-1]


class _FieldLabels:
    """The form's label of the field a result is about, by the kind of node it is about: the practice, one of its
    records (by the link leading to it), or a new organisation."""

    def __init__(self, form):
        root = form.root
        self.practice = {f.path: f.label for f in root.fields}
        for g in root.groups:
            self.practice.setdefault(g.direct, g.label)
            self.practice.setdefault(g.qualifier, g.label)
        self.records = {_local(g.qualifier): {f.path: f.label for f in g.fields} for g in root.groups}
        self.other = {f.path: f.label for s in form.sections()[1:] for f in s.fields}

    def of(self, result, kind: str, link: str | None) -> str | None:
        if link is not None:
            return self.records.get(_local(link), {}).get(result.path)
        return (self.practice if kind == "practice" else self.other).get(result.path)


class _PlainWords:
    """form_data.plain, once for each kind of result: a batch has the same warning on many of its practices. A fix
    that names no focus node is the same for every result with the same message about the same field."""

    def __init__(self, language: str):
        self.language, self.found = language, {}

    def __call__(self, result, label: str | None) -> Problem:
        key = (result.severity, result.constraint_component, result.path, label, result.message_in(self.language))
        if key in self.found:
            return self.found[key]
        problem = plain(result, label, self.language)
        if result.focus_node and compact_iri(result.focus_node) not in problem.fix:
            self.found[key] = problem
        return problem


def _batch(store, practices: list[str], described: list[ox.Triple], report, language: str,
           property_labels: dict, field_labels: _FieldLabels) -> tuple[list[BatchLine], list]:
    """Each practice of a batch as a line of the review table, and the results about none of them; every triple
    read once, and the store asked once for all the practices (their translated texts), never per practice."""
    page_lang = page_language(language)
    about: dict = {}  # subject -> its triples
    labels: dict[str, list[ox.Literal]] = {}
    pointing: dict[str, set[str]] = {}  # an IRI -> the practices linking to it
    chosen = set(practices)
    for t in described:
        about.setdefault(t.subject, []).append(t)
        if t.predicate.value in resources.LABELS and isinstance(t.object, ox.Literal):
            labels.setdefault(t.subject.value, []).append(t.object)
        if t.subject.value in chosen and isinstance(t.object, ox.NamedNode):
            pointing.setdefault(t.object.value, set()).add(t.subject.value)
    found: dict[str, list] = {iri: [] for iri in practices}
    general, in_words = [], _PlainWords(language)
    for result in report.results:
        owner, link = _owner(result.focus_node)
        kind = "practice" if owner in found else "other"
        owners = [owner] if owner in found else sorted(pointing.get(owner, ()))
        problem = in_words(result, field_labels.of(result, kind, link))
        for iri in owners:
            found[iri].append(problem)
        if not owners:
            general.append(problem)
    translated = translated_texts(store, practices)
    name = lambda term: shown(pick(labels.get(term.value, []), language), page_lang, term.value)
    lines = []
    for iri in practices:
        own = about.get(ox.NamedNode(iri), [])
        records = [t.object for t in own if isinstance(t.object, ox.BlankNode)]
        linked = {t.object.value for t in own if isinstance(t.object, ox.NamedNode)}
        triples = own + [t for r in records for t in about.get(r, [])] + [
            t for o in linked for t in about.get(ox.NamedNode(o), []) if t.predicate.value in resources.LABELS]
        page = resources.build_page(store, iri, triples, language, property_labels, translated)
        countries = [name(t.object) for t in own if t.predicate.value == SIKG.country]
        organisations = [name(t.object) for t in own if t.predicate.value == SIKG.operatedBy]
        problems = sorted(found[iri], key=lambda p: p.severity != "Violation")
        lines.append(BatchLine(page, countries, organisations, problems))
    lines.sort(key=lambda line: (-line.violations, str(line.page.title).casefold(), line.page.iri))
    return lines, general


def review_post(services, http_request, contribution_id: str) -> Response:
    who = posted(http_request, services.contributions, curator=True)
    # The review service refuses a decision other than accept or reject (400), as for the JSON API
    services.contributions.review(contribution_id, who.holder, http_request.form.get("decision"),
                                  http_request.form.get("comment", ""))
    return redirect("/review", 303)
