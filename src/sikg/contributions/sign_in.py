"""Signing in on the pages: the token itself in a cookie (`sikg_token`: HttpOnly, SameSite=Strict, Path=/, Secure
over https), checked with the token service on every request, so there is no server-side session, no secret shared
between processes, and a revoked token stops working as soon as the token service reads it (the
store's registry reads its graph again at most every 2 s). Every form post carries a CSRF field derived from the
token (hex HMAC-SHA256 keyed by it, 32 characters), compared in constant time: without it, or wrong, 403.

The JSON API keeps `Authorization: Bearer`; this module is for the pages only.
"""

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import NotPermitted
from ..namespaces import CANONICAL_BASE
from .tokens import ContributionsDisabled, Holder, NotAuthorised

COOKIE = "sikg_token"
CSRF_FIELD = "csrf"
MAX_TOKEN = 512


class SignInRequired(Exception):
    """A page for people who have signed in, asked for without (a valid) token: they are sent to sign in."""


class Refused(NotPermitted):
    """A form post that must not be acted on (no or wrong CSRF field, a token no longer valid, no curator)."""


@dataclass
class Person:
    token: str
    holder: Holder  # who the token service says the token is

    @property
    def name(self) -> str:
        return self.holder.name

    @property
    def role(self) -> str:
        return self.holder.role

    @property
    def is_curator(self) -> bool:
        return self.holder.is_curator

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)


def csrf_for(token: str) -> str:
    return hmac.new(token.encode("utf-8"), b"sikg-csrf", hashlib.sha256).hexdigest()[:32]


def credentials(http_request) -> str | None:
    """For reading (GET) only: the request's Authorization header, else the signed-in person's cookie as a bearer
    token, so a person can open their own pending contribution from the page that names it. Writes through the JSON
    API take the header only: a cookie alone never authorises them."""
    header = http_request.headers.get("Authorization")
    token = http_request.cookies.get(COOKIE, "")
    return header or (f"Bearer {token}" if token and len(token) <= MAX_TOKEN else None)


def person(http_request, contributions) -> Person | None:
    """Who the cookie says is signed in, if its token is still accepted."""
    token = (http_request.cookies.get(COOKIE) or "").strip()
    if not token or len(token) > MAX_TOKEN:
        return None
    try:
        return Person(token, contributions.holder("Bearer " + token))
    except (ContributionsDisabled, NotAuthorised):
        return None


def required(http_request, contributions) -> Person:
    found = person(http_request, contributions)
    if found is None:
        raise SignInRequired(http_request.full_path.rstrip("?"))
    return found


def check_csrf(http_request) -> str:
    """The cookie's token, where the form's CSRF field matches it; Refused otherwise."""
    token = (http_request.cookies.get(COOKIE) or "").strip()
    sent = http_request.form.get(CSRF_FIELD, "")
    if not token or not hmac.compare_digest(csrf_for(token).encode(), sent.encode("utf-8", "replace")):
        raise Refused("403 Forbidden: this form was not sent from a page of this site (missing or wrong CSRF "
                      "field); reload the page and send it again")
    return token


def posted(http_request, contributions, curator: bool = False) -> Person:
    """The person behind a form post: CSRF checked first, then the token (it may have been revoked since)."""
    token = check_csrf(http_request)
    try:
        found = Person(token, contributions.holder("Bearer " + token))
    except (ContributionsDisabled, NotAuthorised) as refusal:
        raise Refused(f"403 Forbidden: {refusal}") from None
    if curator and not found.is_curator:
        raise Refused("403 Forbidden: only curators can review contributions")
    return found


def same_origin(http_request) -> bool:
    """A sign-in form posted from another site is refused (there is no token yet to derive its CSRF field from)."""
    origin = http_request.headers.get("Origin")
    return not origin or urlsplit(origin).netloc == http_request.host


def local_target(target: str | None) -> str:
    """Where to go after signing in: a path of this site only. A browser drops tabs and line breaks from a URL and
    reads a backslash as a slash (`/<tab>/evil.example` is `//evil.example`, another site), so a target holding either,
    any other control character or white space, or naming a scheme or a host, is not one: the form is."""
    target = target or "/contribute"
    unsafe = any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target)
    parts = urlsplit(target)
    if unsafe or not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return "/contribute"
    return target


def served_securely(http_request, settings) -> bool:
    """Whether the person's browser reaches the service over https: the request says so (directly, or through a
    trusted proxy, SIKG_TRUSTED_PROXIES), or the service publishes its IRIs under an https address of its own
    (SIKG_BASE), which a TLS proxy in front of it serves. The token's cookie is then Secure."""
    own_base = settings.base != CANONICAL_BASE
    return http_request.is_secure or (own_base and settings.base.startswith("https://"))


def set_cookie(response, token: str, secure: bool):
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", secure=secure, path="/")
    return response


def clear_cookie(response, secure: bool):
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Strict", secure=secure)
    return response
