"""Content negotiation for every route: `negotiate(offers)` is the one entry point (format= or else Accept, over the
formats of formats.py), `declare_vary` the one place the Vary header is written from what the answer was chosen by.

A SPARQL query's answer (`choose(…, clients=True)`, sparql/protocol.py) also reads the format names other SPARQL
clients and servers send (Format.client_names: SPARQLWrapper's, Fuseki's), and a format parameter it cannot follow
yields to the Accept header (the answer then says which parameter it did not follow: protocol.IGNORED_FORMAT_HEADER):
- a name sikg knows that this result cannot be (`turtle` for a SELECT: SPARQLWrapper keeps one return format for
  every query form and then sends `Accept: */*`) yields to any Accept the result satisfies, a wildcard included;
- a name sikg does not know, perhaps mistyped, yields only to an Accept that names the answer's media type itself (as
  clients that send their own names beside a right Accept do): beside `*/*`, what curl, urllib and browsers send by
  default, it keeps its clear 400.
Sent without Accept, either keeps its refusal (400 unknown, 406 known), as on every other route.

Werkzeug's MIMEAccept.best_match only matches an offer that carries the same media-type parameters as the client
sent, so `text/turtle;charset=utf-8` (the very Content-Type sikg sends) would not match the offer `text/turtle`.
RFC 9110 §12.5.1 makes parameters part of the range, but none that sikg's representations could differ by: the
charset is always UTF-8, and a JSON-LD `profile` (#compacted, #expanded) asks for a form a server SHOULD give when it
can (JSON-LD 1.1 §C), not one it must refuse without: sikg answers compacted JSON-LD. So every route sees the Accept
header with parameters other than q dropped, through `NegotiatingRequest.accept_mimetypes`.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask import Request, Response, request
from werkzeug.datastructures import LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header

from ..errors import BadRequest, NotAcceptable, Refusal
from ..formats import (
    DUMP_FORMATS,
    GRAPH_FORMATS,
    HTML,
    JSON,
    JSON_AS_JSON_LD,
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    NAMEABLE_RESULT_FORMATS,
    RDF_XML,
    RESULT_FORMATS,
    TRIG,
    TURTLE,
    Format,
)
from ..rdf.exports import ExportRequest, offered_formats, read_view

CHOICES_KEPT = 1024
_FROM_URL = object()  # negotiate's `requested` when the caller does not give it: the URL's format=


def without_parameters(accept: MIMEAccept) -> MIMEAccept:
    """`accept` with each media range stripped of its parameters; a range named twice keeps its highest q."""
    if not accept.provided:
        return MIMEAccept(None)
    quality: dict[str, float] = {}
    for value, q in accept:
        bare = value.split(";")[0].strip().lower()
        quality[bare] = max(q, quality.get(bare, 0))
    return MIMEAccept(list(quality.items()))


# Pages are sent as text/html, never written as XML: application/xhtml+xml selects a page only when the client names
# it, not through a wildcard (`text/html;q=0, */*` has refused the type the page is labelled with).
XHTML = "application/xhtml+xml"
# Every format name and media type some route of the service answers with: format= naming one of these on a route
# that has no such representation is a 406 (the name is right, the resource cannot be that); any other name is a 400
# (the URL is wrong, whatever the client accepts).
_ANSWERED = (HTML, *RESULT_FORMATS, *GRAPH_FORMATS)
KNOWN_FORMAT_NAMES = {f.name for f in _ANSWERED}
KNOWN_MEDIA_TYPES = {XHTML, *(m for f in _ANSWERED for m in (f.media_type, *f.aliases))}
# What a query answer also knows: the client names and what format= may name beyond the offers (the table).
KNOWN_CLIENT_NAMES = {n for f in (*_ANSWERED, *NAMEABLE_RESULT_FORMATS) for n in (f.name, *f.client_names)}
KNOWN_CLIENT_MEDIA_TYPES = KNOWN_MEDIA_TYPES | {f.media_type for f in NAMEABLE_RESULT_FORMATS}


class NegotiationFailed(Refusal):
    """A request no representation of the resource answers."""


class UnknownFormat(NegotiationFailed, BadRequest):
    """A format= the service does not know: the URL is wrong, whatever the client accepts."""


class NoRepresentation(NegotiationFailed, NotAcceptable):
    """A format= the service knows but the resource does not have, or an Accept that excludes every
    representation."""


@dataclass(frozen=True)
class Choice:
    format: Format
    media_type: str  # what the answer is labelled with: the canonical type, or the alias the client asked for
    # (clients=True) the refusal the format parameter would have met, had Accept not named this answer: the
    # parameter was not followed
    ignored: NegotiationFailed | None = None


def negotiate(offers: Sequence[Format], aliases: dict[str, Format] | None = None, *, requested=_FROM_URL,
              nameable: Sequence[Format] | None = None) -> Choice:
    """The representation of the current request's resource among `offers` (preferred first): format= (a name or a
    media type; empty means none) or else Accept. Records the headers the choice depends on for Vary: Accept, and
    Accept-Language too where one of the offers is a page, whose words follow the reader's language.
    `requested`: the format parameter when it does not come from the URL (a form-encoded /sparql POST);
    `nameable`: formats format= may name beyond `offers`, whose combination the caller then checks."""
    if any(f is HTML for f in offers):
        request.vary_on("Accept", "Accept-Language")
    accept = request.accept_mimetypes  # records Vary: Accept
    return choose(accept, request.args.get("format") if requested is _FROM_URL else requested, offers, aliases,
                  nameable)


def choose(accept: MIMEAccept, requested: str | None, offers: Sequence[Format],
           aliases: dict[str, Format] | None = None, nameable: Sequence[Format] | None = None, *,
           clients: bool = False) -> Choice:
    """`negotiate` without the request: raises NegotiationFailed. A choice depends on these arguments alone and
    clients send a handful of Accept headers, so each is made once (the last CHOICES_KEPT kept): Werkzeug's matching
    was a visible part of a SPARQL lookup (bench/README.md, "Issue 18").
    `clients`: a query answer's reading of the format parameter (the module's docstring), for SPARQL clients."""
    return _choice(tuple(accept), requested, tuple(offers), tuple((aliases or {}).items()), tuple(nameable or ()),
                   clients)


@lru_cache(maxsize=CHOICES_KEPT)
def _choice(accepted: tuple, requested: str | None, offers: tuple[Format, ...],
            aliases: tuple[tuple[str, Format], ...], nameable: tuple[Format, ...], clients: bool = False) -> Choice:
    accept = MIMEAccept(list(accepted)) if accepted else MIMEAccept(None)
    alias_map = {**dict(aliases), **{a: f for f in offers for a in f.aliases}}
    if any(f is HTML for f in offers):
        alias_map.setdefault(XHTML, HTML)
    if not requested:
        return _accepted(accept, offers, alias_map)
    try:
        return _named(requested, [*offers, *nameable], alias_map, clients)
    except NegotiationFailed as refusal:
        if not clients or not accept:
            raise
        try:
            chosen = _accepted(accept, offers, alias_map)
        except NegotiationFailed:
            raise refusal from None
        if isinstance(refusal, UnknownFormat) and not _named_in(accept, chosen.media_type):
            raise refusal from None
        return Choice(chosen.format, chosen.media_type, ignored=refusal.with_traceback(None))


def _named_in(accept: MIMEAccept, media_type: str) -> bool:
    """Whether `accept` names `media_type` itself (not through a wildcard) and accepts it."""
    return any(value.lower() == media_type and q > 0 for value, q in accept)


def _named(requested: str, offers: Sequence[Format], aliases: dict[str, Format], clients: bool = False) -> Choice:
    media = requested.split(";")[0].strip().lower()
    chosen = next((f for f in offers if requested == f.name or media == f.media_type), None) or aliases.get(media)
    if chosen is None and clients:
        chosen = next((f for f in offers if media in f.client_names), None)
    if chosen is None or chosen not in offers:
        raise _unknown_format(requested, [f.name for f in offers], clients)
    return Choice(chosen, chosen.media_type)


def _accepted(accept: MIMEAccept, offers: Sequence[Format], aliases: dict[str, Format]) -> Choice:
    """Canonical types first; an alias (a name common clients use for the same bytes) only when none of them is
    acceptable, and the answer is then labelled as the client asked. Without an Accept header, the first offer."""
    if not accept:
        return Choice(offers[0], offers[0].media_type)
    canonical = {f.media_type: f for f in offers}
    if HTML in offers and any(value == XHTML and q > 0 for value, q in accept):
        canonical[XHTML] = HTML
    best = accept.best_match(list(canonical))
    if best is not None:
        chosen = canonical[best]
        return Choice(chosen, chosen.media_type if chosen is HTML else best)
    alias = accept.best_match([a for a in aliases if a != XHTML])
    if alias is not None:
        return Choice(aliases[alias], alias)
    raise NoRepresentation("none of the accepted media types is available; offered: "
                                 + ", ".join([*(f.media_type for f in offers), *(a for a in aliases if a != XHTML)]))


def _unknown_format(requested: str, names: list[str], clients: bool = False) -> NegotiationFailed:
    media = requested.split(";")[0].strip().lower()
    if requested in KNOWN_FORMAT_NAMES or media in KNOWN_MEDIA_TYPES or \
            (clients and (media in KNOWN_CLIENT_NAMES or media in KNOWN_CLIENT_MEDIA_TYPES)):
        return NoRepresentation(f"format={requested} cannot express this result; use one of {', '.join(names)}")
    return UnknownFormat(f"unknown format={requested}; use one of {', '.join(names)} "
                                  "(or one of their media types)")

def representation_etag(state_token: str, *variant: str) -> str:
    """A strong ETag for one representation: the store's state (a write changes every answer) and what was chosen
    (resource, format, label, language), so no two variants share one."""
    return hashlib.sha256("\x00".join([state_token, *variant]).encode()).hexdigest()[:32]


class NegotiatingRequest(Request):
    """Flask's request, with Accept read without media-type parameters, and a record of the request headers the
    answer was chosen by: each one read here goes into the response's Vary (see `declare_vary`)."""

    @property
    def accept_mimetypes(self) -> MIMEAccept:
        self.vary_on("Accept")
        if "_accept_without_parameters" not in self.__dict__:
            self.__dict__["_accept_without_parameters"] = without_parameters(
                parse_accept_header(self.headers.get("Accept"), MIMEAccept))
        return self.__dict__["_accept_without_parameters"]

    @property
    def accept_languages(self) -> LanguageAccept:
        self.vary_on("Accept-Language")
        return parse_accept_header(self.headers.get("Accept-Language"), LanguageAccept)

    def vary_on(self, *fields: str) -> None:
        """Declares that the answer depends on these request headers, also when this request did not need to read
        them: every variant of one resource names the same fields, or a cache could serve a stale sibling."""
        varied_on = self.__dict__.setdefault("_varied_on", [])
        varied_on.extend(f for f in fields if f not in varied_on)

    @property
    def varied_on(self) -> list[str]:
        return self.__dict__.get("_varied_on", [])


def declare_vary(response: Response) -> Response:
    """After every request: Vary names each request header the answer was chosen by (RFC 9110 §12.5.5), whichever
    route chose, and on a page also Accept-Language, since its words follow the reader's language."""
    fields = [*request.varied_on, *(("Accept", "Accept-Language") if response.mimetype == "text/html" else ())]
    present = {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}
    missing = list(dict.fromkeys(f for f in fields if f.lower() not in present))
    if missing and "*" not in present:
        response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), *missing]))
    return response


def export_request(args, accept_profile: str | None) -> tuple[ExportRequest, str]:
    """What GET /export asks for, and the media type to label it with: the view (frame=, profile= or
    Accept-Profile), then its format (format= or Accept). Raises UnknownView or NegotiationFailed."""
    view = read_view(args.get("frame"), args.get("profile"), accept_profile)
    choice = negotiate(offered_formats(view), JSON_AS_JSON_LD, nameable=DUMP_FORMATS)
    return ExportRequest(choice.format, view), choice.media_type


# GET /contributions/{id}: a contribution's status as JSON, or its graph's RDF; Turtle first, so that */* gets it.
STATUS_OR_GRAPH = (TURTLE, JSON, JSON_LD, N_TRIPLES, RDF_XML, N_QUADS, TRIG)


def wants_status() -> bool:
    """Whether GET /contributions/{id} answers the contribution's status as JSON rather than its graph: format=json,
    or (without format=) an Accept that prefers application/json to every RDF syntax. Any other format= names an RDF
    syntax, which the graph's answer negotiates."""
    requested = request.args.get("format")
    if requested:
        return requested == JSON.name
    best = request.accept_mimetypes.best_match([f.media_type for f in STATUS_OR_GRAPH], default=TURTLE.media_type)
    return best == JSON.media_type


def wants_json_preview() -> bool:
    """Whether a post of the contribution form asks for its preview as JSON (the page's script) rather than as the
    page again: an Accept that prefers application/json to text/html."""
    return request.accept_mimetypes.best_match([HTML.media_type, JSON.media_type]) == JSON.media_type
