"""sign_in.py and the sign-in routes: the token in an HttpOnly, SameSite=Strict cookie (Secure over https), the CSRF
field every form post needs (403 without it or wrong), signing out, and a token the service does not accept."""

import html
import re

import pytest

from helpers import ROOT
from sikg.contributions.sign_in import csrf_for
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app

TOKEN = "tok-alice"


@pytest.fixture(scope="module")
def app(kg):
    return create_app(kg, Settings.from_environment({"SIKG_CONTRIB_TOKEN": f"alice={TOKEN}"}))


@pytest.fixture
def client(app):
    return app.test_client()


def signed_in(client):
    response = client.post("/sign-in", data={"token": TOKEN, "next": "/contribute"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def test_signing_in_sets_a_strict_http_only_cookie_holding_the_token(client):
    response = signed_in(client)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"sikg_token={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here
    assert response.headers["Location"].endswith("/contribute")


def test_the_cookie_is_secure_over_https(client):
    response = client.post("/sign-in", data={"token": TOKEN}, base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_the_cookie_is_secure_when_the_service_publishes_under_an_https_base_of_its_own(kg):
    """Behind the TLS proxy that serves SIKG_BASE the request itself is plain http (issue 24, defect 3)."""
    for base, secure in (("https://kg.example.org/", True), ("http://kg.example.org/", False)):
        settings = Settings.from_environment({"SIKG_CONTRIB_TOKEN": f"alice={TOKEN}", "SIKG_BASE": base})
        client = create_app(kg, settings).test_client()
        response = client.post("/sign-in", data={"token": TOKEN})
        assert ("Secure" in response.headers["Set-Cookie"]) is secure, base
        csrf = csrf_for(TOKEN)
        signed_out = client.post("/sign-out", data={"csrf": csrf})
        assert ("Secure" in signed_out.headers.get("Set-Cookie", "Secure")) is secure, base


@pytest.mark.parametrize("trusted,secure", [("1", True), ("0", False)])
def test_a_trusted_proxys_forwarded_https_makes_the_cookie_secure_and_urls_https(kg, trusted, secure):
    settings = Settings.from_environment({"SIKG_CONTRIB_TOKEN": f"alice={TOKEN}", "SIKG_TRUSTED_PROXIES": trusted})
    client = create_app(kg, settings).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example.org"}
    response = client.post("/sign-in", data={"token": TOKEN}, headers=forwarded)
    assert ("Secure" in response.headers["Set-Cookie"]) is secure
    made = client.post("/contributions", data=(ROOT / "data" / "templates" / "practice.ttl").read_bytes(),
                       headers={**forwarded, "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
    assert made.status_code in (201, 202), made.get_data(as_text=True)
    assert made.headers["Location"].startswith("https://kg.example.org/contributions/" if secure
                                               else "http://localhost/contributions/")


def test_a_wrong_token_is_refused_with_the_page_again(client):
    response = client.post("/sign-in", data={"token": "nope"})
    assert response.status_code == 403 and "Set-Cookie" not in response.headers
    assert 'id="sign-in-error"' in response.get_data(as_text=True)
    assert client.post("/sign-in", data={"token": ""}).status_code == 401


def test_a_sign_in_from_another_site_is_refused(client):
    response = client.post("/sign-in", data={"token": TOKEN}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "/ /evil.example", "/\x00/evil.example",
    "/\x7f/evil.example", "https:evil.example", "javascript:alert(1)", "/\u3000/evil.example"])
def test_next_is_only_a_path_of_this_site(client, target):
    """A browser drops tabs and line breaks and reads a backslash as a slash: each of these would leave the site."""
    response = client.post("/sign-in", data={"token": TOKEN, "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/contribute", target


def test_next_that_is_a_path_of_this_site_is_where_signing_in_leads(client):
    response = client.post("/sign-in", data={"token": TOKEN, "next": "/contributions/abc?lang=sv"})
    assert response.headers["Location"] == "/contributions/abc?lang=sv"


def test_a_next_smuggled_through_the_sign_in_page_never_leaves_the_site(client):
    """GET /sign-in?next=/%09/evil.example put the tab into the form's hidden field; its post answered
    `Location: //evil.example` (issue 24)."""
    page = client.get("/sign-in", query_string="next=/%09/evil.example").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="next"[^>]*>', page)
    smuggled = re.search(r'value="([^"]*)"', field.group(0)).group(1) if field else "/\t/evil.example"
    response = client.post("/sign-in", data={"token": TOKEN, "next": html.unescape(smuggled)})
    assert response.headers["Location"] == "/contribute"


def test_pages_need_a_valid_cookie(client):
    response = client.get("/contribute")
    assert response.status_code == 303 and "/sign-in?next=/contribute" in response.headers["Location"]
    client.set_cookie("sikg_token", "revoked-or-wrong")
    assert client.get("/contribute").status_code == 303


def test_the_csrf_field_is_on_every_form_and_checked(client):
    signed_in(client)
    page = client.get("/contribute").get_data(as_text=True)
    forms = re.findall(r"<form[^>]*method=\"post\"", page)
    fields = re.findall(r'name="csrf" value="([0-9a-f]{32})"', page)
    assert len(fields) == len(forms) >= 2 and set(fields) == {csrf_for(TOKEN)}
    assert client.post("/contribute", data={"action": "preview"}).status_code == 403
    assert client.post("/contribute", data={"action": "preview", "csrf": "0" * 32}).status_code == 403
    assert client.post("/contribute", data={"action": "preview", "csrf": csrf_for(TOKEN)}).status_code == 200


def test_a_form_post_with_a_token_no_longer_accepted_is_refused(client):
    client.set_cookie("sikg_token", "gone")
    assert client.post("/contribute", data={"action": "preview", "csrf": csrf_for("gone")}).status_code == 403


def test_signing_out_clears_the_cookie_and_needs_the_csrf_field(client):
    signed_in(client)
    assert client.post("/sign-out").status_code == 403
    response = client.post("/sign-out", data={"csrf": csrf_for(TOKEN)})
    assert response.status_code == 303
    assert re.search(r"sikg_token=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)", response.headers["Set-Cookie"])
    assert client.get("/contribute").status_code == 303


def test_without_any_token_configured_sign_in_is_refused(kg):
    client = create_app(kg, Settings.from_environment({})).test_client()
    assert client.post("/sign-in", data={"token": TOKEN}).status_code == 403


def test_a_signed_in_person_reads_their_pending_contribution_by_cookie_but_writes_only_by_header():
    store = open_store("memory")
    app = create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=tok-alice"}))
    client = app.test_client()
    body = (ROOT / "data" / "templates" / "practice.ttl").read_bytes()
    created = client.post("/contributions", data=body, content_type="text/turtle",
                          headers={"Authorization": "Bearer tok-alice"})
    assert created.status_code == 202
    cid = created.get_json()["id"]
    assert client.get(f"/contributions/{cid}?format=json").status_code == 404  # nobody signed in
    client.set_cookie("sikg_token", "tok-alice")
    shown = client.get(f"/contributions/{cid}?format=json")
    assert shown.status_code == 200 and shown.get_json()["status"] == "pending"
    assert client.delete(f"/contributions/{cid}").status_code == 401  # the cookie never authorises a write
    assert client.put(f"/contributions/{cid}", data=body, content_type="text/turtle").status_code == 401
