"""The curators' review pages (issue 31): the queue (GET /review), one line per pending contribution a page at a time,
read with one query whatever the number waiting (queue.py); and each contribution's own page (GET /review/{id}),
where it is shown whole, as its page will look once public, with the validation report kept with it (reports.py:
made when it arrived, made again only when what it relies on changed, or when the curator asks: POST
/review/{id}/revalidate), and decided on (POST /review/{id}, views.review_post). The routes in
web/routes/contribute.py call one function here each.
"""

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, redirect

from ..errors import NotFound
from ..i18n.languages import page_language, pick, shown
from ..i18n.ui_text import form_words
from ..namespaces import RDF, SIKG
from ..pages import resources
from .diff import revision_diffs
from .form import build_form
from .queue import Page
from .reports import KINDS
from .sign_in import posted, required
from .views import PendingItem, _batch, _FieldLabels, _labels_of_what_it_names, _render, _touches


@dataclass
class QueueLine:
    """One pending contribution as a line of the queue."""
    id: str
    name: object  # i18n.languages.Text, or None when its report (which names it) is not made yet
    kind: str
    contributor: str
    submitted: str
    practices: int | None
    warnings: int | None
    violations: int | None

    @property
    def href(self) -> str:
        return f"/review/{self.id}"


def _line(entry: dict, language: str) -> QueueLine:
    names = [ox.Literal(text, language=tag) if tag else ox.Literal(text) for tag, text in entry["names"].items()]
    name = pick(names, language)
    return QueueLine(entry["id"], None if name is None else shown(name, page_language(language)), entry["kind"],
                     entry["contributor"] or "", entry["generatedAtTime"] or "", entry["practices"],
                     entry["warnings"], entry["violations"])


def _href(page: Page, language_param: str | None, offset: int) -> str:
    query = page.query_string(offset=offset)
    if language_param:
        query = f"{query}&lang={language_param}" if query else f"lang={language_param}"
    return "/review" + (f"?{query}" if query else "")


def queue_page(services, http_request, language: str) -> Response:
    """GET /review: a page of the queue (Page.from_args: limit, offset, order, contributor, kind, warnings)."""
    who = required(http_request, services.contributions)
    words = form_words(language)
    if not who.is_curator:
        return _render("review.html", 403, who=who, words=words, refused=words["curators_only"])
    page = Page.from_args(http_request.args)
    listed = services.contributions.pending_page(who.holder, page)
    language_param = http_request.args.get("lang")
    return _render("review.html", who=who, words=words, refused=None, page=page, listed=listed, kinds=KINDS,
                   lines=[_line(entry, language) for entry in listed.entries], language_param=language_param,
                   next_href=_href(page, language_param, page.next_offset) if listed.has_next else None,
                   previous_href=None if page.previous_offset is None else _href(page, language_param,
                                                                                page.previous_offset))


def _pending(services, who, contribution_id: str):
    """The pending contribution with its data, for a curator; 404 for one that is not pending (any more)."""
    found = services.contributions.show(contribution_id, holder=who.holder)
    if found.status != "pending":
        raise NotFound(f"contribution {contribution_id!r} is not waiting for review ({found.status})")
    return found


def item_page(services, http_request, contribution_id: str, language: str) -> Response:
    """GET /review/{id}: the contribution whole, with its kept report (made again if what it relies on changed)."""
    who = required(http_request, services.contributions)
    words = form_words(language)
    if not who.is_curator:
        return _render("review_item.html", 403, who=who, pending=[], words=words, refused=words["curators_only"])
    contribution = _pending(services, who, contribution_id)
    report, made = services.contributions.report_of(contribution)
    item = pending_item(services, contribution, report, made, language)
    return _render("review_item.html", who=who, pending=[item], words=words, refused=None)


def revalidate_post(services, http_request, contribution_id: str) -> Response:
    """POST /review/{id}/revalidate: the curator asks for the report to be made again, now."""
    who = posted(http_request, services.contributions, curator=True)
    services.contributions.report_of(_pending(services, who, contribution_id), again=True)
    return redirect(f"/review/{contribution_id}", 303)


def pending_item(services, contribution, report, made: str, language: str) -> PendingItem:
    """A pending contribution as its review page shows it: as its resource page would look once public, with the
    report's warnings and problems, and the resources of the KG it touches; a batch (several practices in one
    contribution, such as a spreadsheet's rows) as a table of its practices, each with its problems and warnings
    and its page to unfold."""
    in_words = lambda severity: [{**r.as_json(), "message": r.message_in(language)}  # in the reader's language
                                 for r in report.results if r.severity == severity]
    item = PendingItem(contribution.id, contribution.contributor or "", contribution.submitted or "",
                       in_words("Warning"))
    item.violations, item.validated = in_words("Violation"), made
    labels = resources.property_labels(services.store, language)
    triples = contribution.triples
    described = triples + _labels_of_what_it_names(services.store, triples)
    practices = sorted({t.subject.value for t in triples if t.predicate.value == RDF.type
                        and t.object.value == SIKG.SupportPractice})
    if len(practices) > 1:
        item.lines, item.general = _batch(services.store, practices, described, report, language, labels,
                                          _FieldLabels(build_form(services.store, language)))
    else:
        item.pages = [resources.build_page(services.store, iri, described, language, labels) for iri in practices]
    item.touches = _touches(services.store, triples, language)
    if contribution.revises:
        item.revisions = revision_diffs(services.store, contribution.revises, triples, language, labels)
        item.reason = contribution.comment or ""
    return item
