"""Dereferencing an IRI of the KG (GET /id/{kind}/{slug}): its description in the negotiated RDF syntax, or its page
in the reader's language, each variant with its own ETag so that a repeat is a 304."""

from urllib.parse import urlencode

from flask import Response, render_template

from ..errors import NotFound
from ..formats import HTML, JSON_AS_JSON_LD, RESOURCE_FORMATS, TABLE
from ..http.negotiation import negotiate, representation_etag
from ..http.response_cache import STATE_TOKEN_KEY
from ..http.responses import rdf_response
from ..i18n.languages import SUPPORTED_LANGUAGES, LanguageChoice, choose_languages
from ..i18n.ui_text import resource_words
from ..namespaces import ID, REVISABLE
from . import history, resources

ALTERNATES = [(f.name, f.media_type) for f in RESOURCE_FORMATS]


def correction_href(iri: str) -> str | None:
    """Where a practice's or organisation's page offers to propose a correction of it: the contribution form, filled
    in with it (contributions/correction.py)."""
    return "/contribute?" + urlencode({"revise": iri}) if iri.startswith(REVISABLE) else None


def gone_response(store, iri: str, gone: history.Version, http_request) -> Response:
    """410 Gone for a withdrawn resource, negotiated as its page would be: a page saying when, by whom and why, with
    a link to its history; in RDF (Turtle, JSON-LD, also for application/json…) the same as PROV (the resource
    prov:invalidatedAtTime, rdfs:comment the reason, rdfs:seeAlso its history) with its history's records; one line
    of plain text only when asked for (text/plain). Always a Link to its history (rel="version-history", RFC 5829)."""
    href = resources.local_href(iri) + "/history"
    headers = {"Link": f'<{href}>; rel="version-history"', "Vary": "Accept, Accept-Language"}
    choice = negotiate((*RESOURCE_FORMATS, TABLE), JSON_AS_JSON_LD)
    if choice.format is TABLE:
        message = (f"410 Gone: {iri} was withdrawn on {gone.when} by {gone.curator}: {gone.comment} "
                   f"(its history: {href})\n")
        return Response(message, 410, content_type="text/plain; charset=utf-8", headers=headers)
    if choice.format is not HTML:
        response = rdf_response(history.gone_graph(store, iri, gone), choice, headers)
        response.status_code = 410
        return response
    language = choose_languages(http_request.args.get("lang"), http_request.accept_languages)
    html = render_template("gone.html", iri=iri, gone=gone, history_href=href, language=language.page,
                           ui=resource_words(language.page))
    return Response(html, 410, content_type="text/html; charset=utf-8",
                    headers={**headers, "Content-Language": language.page})


def resource_response(store, kind: str, slug: str, http_request) -> Response:
    """Raises NotFound for an IRI the KG does not hold, and NegotiationFailed."""
    iri = resources.resource_iri(kind, slug)
    if iri is None or not resources.exists(store, iri):
        gone = history.withdrawn(store, iri) if iri else None
        if gone is not None:
            return gone_response(store, iri, gone, http_request)
        shown = "".join(c if c.isprintable() else "?" for c in f"{kind}/{slug}")[:300]
        raise NotFound(f"no resource {ID}{shown} in this knowledge graph")
    choice = negotiate(RESOURCE_FORMATS, JSON_AS_JSON_LD)
    link = ", ".join(f'<{http_request.base_url}?format={name}>; rel="alternate"; type="{media}"'
                     for name, media in ALTERNATES)
    headers = {"Link": link}
    language = choose_languages(http_request.args.get("lang"), http_request.accept_languages) \
        if choice.format is HTML else LanguageChoice("", "")
    etag = representation_etag(http_request.environ.get(STATE_TOKEN_KEY) or store.state_token, iri,
                               choice.format.name, choice.media_type, language, language.page)
    if http_request.if_none_match.contains_weak(etag):  # If-None-Match compares weakly (RFC 9110 §13.1.2)
        return Response(status=304, headers={**headers, "ETag": f'"{etag}"'})
    triples = resources.describe(store, iri)
    if choice.format is HTML:
        page = resources.build_page(store, iri, triples, language, resources.property_labels(store, language))
        html = render_template("resource.html", page=page, alternates=ALTERNATES, languages=SUPPORTED_LANGUAGES,
                               ui=resource_words(page.language), changed=history.last_changed(store, iri),
                               history_href=resources.local_href(iri) + "/history",
                               correct_href=correction_href(iri))
        response = Response(html, 200, content_type="text/html; charset=utf-8",
                            headers={**headers, "Content-Language": page.language})
    else:
        response = rdf_response(triples, choice, headers)
    response.set_etag(etag)
    return response


def _known(store, kind: str, slug: str) -> str:
    """The IRI of a resource that has a history (public, or revised once); NotFound otherwise."""
    iri = resources.resource_iri(kind, slug)
    if iri is None or not history.known(store, iri):
        shown = "".join(c if c.isprintable() else "?" for c in f"{kind}/{slug}")[:300]
        raise NotFound(f"no resource {ID}{shown} in this knowledge graph")
    return iri


def history_response(store, kind: str, slug: str, http_request) -> Response:
    """GET /id/{kind}/{slug}/history: every version with who and when, as a page or as PROV in RDF."""
    iri = _known(store, kind, slug)
    choice = negotiate(RESOURCE_FORMATS, JSON_AS_JSON_LD)
    if choice.format is not HTML:
        return rdf_response(history.history_graph(store, iri), choice, {"Vary": "Accept"})
    language = choose_languages(http_request.args.get("lang"), http_request.accept_languages)
    html = render_template("history.html", iri=iri, href=resources.local_href(iri),
                           versions=history.versions(store, iri), language=language.page,
                           ui=resource_words(language.page))
    return Response(html, 200, content_type="text/html; charset=utf-8",
                    headers={"Content-Language": language.page, "Vary": "Accept, Accept-Language"})


def version_response(store, kind: str, slug: str, number: int, http_request) -> Response:
    """GET /id/{kind}/{slug}/history/{n}: version n as it was (the current one: the resource itself)."""
    iri = _known(store, kind, slug)
    if number == history.current_version(store, iri):
        return resource_response(store, kind, slug, http_request)
    triples = history.version_triples(store, iri, number)
    if triples is None:
        raise NotFound(f"{iri} has no version {number}")
    choice = negotiate(RESOURCE_FORMATS, JSON_AS_JSON_LD)
    if choice.format is not HTML:
        return rdf_response(triples, choice, {"Vary": "Accept"})
    language = choose_languages(http_request.args.get("lang"), http_request.accept_languages)
    page = resources.build_page(store, iri, triples, language, resources.property_labels(store, language))
    html = render_template("resource.html", page=page, alternates=ALTERNATES, languages=SUPPORTED_LANGUAGES,
                           ui=resource_words(page.language), version=number,
                           history_href=resources.local_href(iri) + "/history")
    return Response(html, 200, content_type="text/html; charset=utf-8",
                    headers={"Content-Language": page.language, "Vary": "Accept, Accept-Language"})
