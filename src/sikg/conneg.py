"""Content negotiation shared by every route: the Accept header as the routes read it, and the Vary header that
follows from what they read.

Werkzeug's MIMEAccept.best_match only matches an offer that carries the same media-type parameters as the client
sent, so `text/turtle;charset=utf-8` (the very Content-Type sikg sends) would not match the offer `text/turtle`.
RFC 9110 §12.5.1 makes parameters part of the range, but none that sikg's representations could differ by: the
charset is always UTF-8, and a JSON-LD `profile` (#compacted, #expanded) asks for a form a server SHOULD give when it
can (JSON-LD 1.1 §C), not one it must refuse without: sikg answers compacted JSON-LD. So every route sees the Accept
header with parameters other than q dropped, through `NegotiatingRequest.accept_mimetypes`.
"""

import hashlib

from flask import Request, Response
from werkzeug.datastructures import LanguageAccept, MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header

from .sparql import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES

JSON = "application/json"
JSON_LD_ONLY = MIMEAccept([("application/ld+json", 1)])


def without_parameters(accept: MIMEAccept) -> MIMEAccept:
    """`accept` with each media range stripped of its parameters; a range named twice keeps its highest q."""
    if not accept.provided:
        return MIMEAccept(None)
    quality: dict[str, float] = {}
    for value, q in accept:
        bare = value.split(";")[0].strip().lower()
        quality[bare] = max(q, quality.get(bare, 0))
    return MIMEAccept(list(quality.items()))


def choose_media_type(accept: MIMEAccept, canonical: list[str], aliases: dict[str, str]) -> tuple[str, str] | None:
    """(media type of the representation, media type to label it with), or None when nothing offered is acceptable.
    Canonical types first; an alias (a name common clients use for the same bytes, such as application/json for
    JSON-LD) only when none of them is acceptable, and the answer is then labelled as the client asked. Without an
    Accept header, the first canonical type."""
    if not accept:
        return canonical[0], canonical[0]
    best = accept.best_match(canonical)
    if best is not None:
        return best, best
    alias = accept.best_match(list(aliases))
    return (aliases[alias], alias) if alias is not None else None


# Pages are sent as text/html, never written as XML: application/xhtml+xml selects a page only when the client names
# it, not through a wildcard (`text/html;q=0, */*` has refused the type the page is labelled with).
XHTML = "application/xhtml+xml"
# Every format name and media type some route of the service answers with (pages, and the result and graph formats
# with their aliases, as sparql.py lists them): format= naming one of these on a route that has no such representation
# is a 406 (the name is right, the resource cannot be that); any other name is a 400 (the URL is wrong, whatever the
# client accepts).
KNOWN_FORMAT_NAMES = {"html", *RESULT_MEDIA_TYPES.values(), *GRAPH_MEDIA_TYPES.values()}
KNOWN_MEDIA_TYPES = {"text/html", XHTML, *RESULT_MEDIA_TYPES, *GRAPH_MEDIA_TYPES}


class NegotiationFailed(Exception):
    """A request no representation of the resource answers: 400 for a format= the service does not know, 406 for
    one it knows but the resource does not have, or for an Accept that excludes every representation."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, {}


def unknown_format(requested: str, available) -> NegotiationFailed:
    """The refusal of a format= that names none of `available`."""
    media = requested.split(";")[0].strip().lower()
    if requested in KNOWN_FORMAT_NAMES or media in KNOWN_MEDIA_TYPES:
        return NegotiationFailed(406, f"format={requested} cannot express this result; use one of "
                                      f"{', '.join(available)}")
    return NegotiationFailed(400, f"unknown format={requested}; use one of {', '.join(available)} "
                                  "(or one of their media types)")


def choose_representation(accept: MIMEAccept, requested: str | None, formats: dict[str, str],
                          aliases: dict[str, str] | None = None) -> tuple[str, str]:
    """(format name, media type to label the answer with) among `formats` (name: media type, preferred first), from
    format= (a name or a media type) or else Accept. Raises NegotiationFailed. A page ("html") is labelled
    text/html whatever the client called it."""
    aliases = dict(aliases or {})
    if "html" in formats:
        aliases.setdefault(XHTML, formats["html"])
    name_of = {media: name for name, media in formats.items()}
    if requested:
        media = requested.split(";")[0].strip().lower()
        name = requested if requested in formats else name_of.get(aliases.get(media, media))
        if name is None:
            raise unknown_format(requested, formats)
        return name, formats[name]
    canonical = list(formats.values())
    if "html" in formats and any(value == XHTML and q > 0 for value, q in accept):
        canonical.append(XHTML)
    chosen = choose_media_type(accept, canonical, {a: m for a, m in aliases.items() if a != XHTML})
    if chosen is None:
        raise NegotiationFailed(406, "none of the accepted media types is available; offered: "
                                     + ", ".join([*formats.values(), *aliases]))
    name = name_of[aliases.get(chosen[0], chosen[0])]
    return name, "text/html" if name == "html" else chosen[1]


def html_chosen(accept: MIMEAccept, requested: str | None, graph_media_types) -> bool:
    """Whether a resource that is a page or an RDF graph (/ontology, /sparql without a query) is answered with its
    page: format=html (or its media type), else an Accept preferring text/html to every RDF syntax (Turtle first,
    for `*/*`). Any other format= is left to the RDF negotiation, which refuses what it cannot write."""
    if requested:
        return requested.split(";")[0].strip().lower() in ("html", "text/html", XHTML)
    return accept.best_match(["text/turtle", "text/html", *graph_media_types]) == "text/html"


def only_json_acceptable(accept: MIMEAccept, offers: list[str]) -> bool:
    """True when the client takes plain application/json but none of `offers`: JSON-LD is JSON, so such a client is
    given JSON-LD, labelled application/json (as /sparql labels SPARQL JSON results for it)."""
    return bool(accept) and accept.best_match(offers) is None and accept.best_match([JSON]) is not None


def without_empty(args: MultiDict, name: str) -> MultiDict:
    """`args` without an empty `name`: an empty format= is what an HTML form sends for "no choice", so it means the
    same as no format= on every route (Accept decides)."""
    if args.get(name, None) != "":
        return args
    kept = args.copy()
    kept.pop(name)
    return kept


def representation_etag(state_token: str, *variant: str) -> str:
    """A strong ETag for one representation: the store's state (a write changes every answer) and what was chosen
    (resource, format, label, language), so no two variants share one."""
    return hashlib.sha256("\x00".join([state_token, *variant]).encode()).hexdigest()[:32]


class NegotiatingRequest(Request):
    """Flask's request, with Accept read without media-type parameters, and a record of the request headers the
    answer was chosen by: each one read here goes into the response's Vary (see `add_vary`)."""

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


def add_vary(response: Response, fields: list[str]) -> Response:
    """Adds the fields not already in the response's Vary (a route may have set its own)."""
    present = {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}
    missing = [f for f in fields if f.lower() not in present]
    if missing and "*" not in present:
        response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), *missing]))
    return response
