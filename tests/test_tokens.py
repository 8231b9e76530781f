"""People and roles (sikg.tokens): the token registries, `authenticate`, `sikg token add/revoke/list`, and a running
service seeing an added or revoked token within seconds, over an on-disk store (the token file beside it) and over
the external Oxigraph server (its private graph).

Every registry meets one contract (`TestRegistry`, run for each implementation); the service tests build their own
apps with SIKG_CONTRIB_TOKEN unset, so that the registry is the only source of tokens.
"""

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time

import pyoxigraph as ox
import pytest
from test_store import OxigraphServer

from helpers import FIXTURES, ROOT
from sikg.contributions.tokens import (
    ContributionsDisabled,
    FileTokenRegistry,
    Holder,
    MemoryTokenRegistry,
    NoToken,
    StoreTokenRegistry,
    TokenEntry,
    TokenError,
    TokenRefused,
    authenticate,
    registry_for,
    token_file,
)
from sikg.http.responses import status_of
from sikg.namespaces import GRAPH_TOKENS
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{43}$")  # secrets.token_urlsafe(32): 256 bits
TEMPLATE = (ROOT / "data" / "templates" / "practice.ttl").read_bytes()
GARBAGE = b"this is not Turtle @@@"  # an authorised sender gets 400 for it; nothing is ever written


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def sikg(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    """The command as a user runs it, with no SIKG_STORE nor SIKG_CONTRIB_TOKEN in its environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("SIKG_STORE", "SIKG_CONTRIB_TOKEN")}
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def settings_without_env_tokens() -> Settings:
    with pytest.MonkeyPatch.context() as env:
        env.delenv("SIKG_CONTRIB_TOKEN", raising=False)
        return Settings.from_environment()


def eventually(check, seconds: float) -> float:
    """Calls `check` until it returns true; how long that took (fails after `seconds`)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    server.start()
    yield server
    server.stop()


# -- the registry contract, for each implementation ----------------------------------------------------------------

@pytest.fixture(params=["memory", "file", "store-embedded", "store-external"])
def registry(request, tmp_path):
    if request.param == "memory":
        return MemoryTokenRegistry()
    if request.param == "file":
        return FileTokenRegistry(tmp_path / "store.tokens.json")
    if request.param == "store-embedded":
        return StoreTokenRegistry(open_store(str(tmp_path / "store")))
    store = open_store(request.getfixturevalue("oxigraph_server").query_url)
    store.update(f"DROP SILENT GRAPH <{GRAPH_TOKENS}>")
    return StoreTokenRegistry(store)


class TestRegistry:
    @pytest.mark.slow
    def test_add_gives_a_token_once_and_lookup_finds_its_holder(self, registry):
        token = registry.add("Åsa Öberg", "curator")
        assert TOKEN_SHAPE.match(token)
        assert registry.lookup(token) == Holder("Åsa Öberg", "curator")
        assert registry.lookup(token).is_curator
        other = registry.add("bob@example.org", "contributor")
        assert other != token and not registry.lookup(other).is_curator
        assert registry.lookup("not-a-token") is None and registry.lookup("") is None
        assert registry.has_active()

    def test_entries_never_show_a_token_nor_its_hash(self, registry):
        token = registry.add("ada", "contributor")
        [entry] = registry.entries()
        assert isinstance(entry, TokenEntry)
        assert (entry.name, entry.role, entry.revoked) == ("ada", "contributor", None)
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", entry.created)
        shown = repr(registry.entries()) + json.dumps([dataclasses.asdict(e) for e in registry.entries()])
        assert token not in shown and hashlib.sha256(token.encode()).hexdigest() not in shown

    def test_an_active_name_is_not_added_twice(self, registry):
        first = registry.add("ada", "contributor")
        with pytest.raises(TokenError, match="revoke it first"):
            registry.add("ada", "curator")
        assert registry.lookup(first) == Holder("ada", "contributor")
        assert len(registry.entries()) == 1

    def test_revoke_then_add_again(self, registry):
        first = registry.add("ada", "contributor")
        assert registry.revoke("ada") is True
        assert registry.lookup(first) is None
        assert registry.find(first).revoked is not None  # known as revoked, not as unknown
        assert registry.revoke("ada") is False and registry.revoke("nobody") is False
        assert not registry.has_active()
        second = registry.add("ada", "curator")
        assert registry.lookup(second) == Holder("ada", "curator") and registry.lookup(first) is None
        assert [(e.name, e.role, e.revoked is None) for e in registry.entries()] == [
            ("ada", "contributor", False), ("ada", "curator", True)]

    @pytest.mark.parametrize("name", ["", "a" * 65, "a/b", "x\ny", "<script>", " ada", "ada ", "a;b", 'a"b', "a\tb"])
    def test_bad_names_are_refused(self, registry, name):
        with pytest.raises(TokenError):
            registry.add(name, "contributor")
        assert registry.entries() == []

    def test_names_that_are_fine(self, registry):
        for name in ["a", "a" * 64, "Jane Doe-Smith", "j.doe_2@example.org"]:
            registry.add(name, "contributor")
        assert len(registry.entries()) == 4

    def test_bad_roles_are_refused(self, registry):
        for role in ["admin", "", "Curator"]:
            with pytest.raises(TokenError):
                registry.add("ada", role)
        assert registry.entries() == []


def test_registry_for_follows_the_store(tmp_path):
    assert isinstance(registry_for(open_store("memory")), MemoryTokenRegistry)
    on_disk = registry_for(open_store(str(tmp_path / "store")))
    assert isinstance(on_disk, FileTokenRegistry) and on_disk.path == tmp_path / "store.tokens.json"
    assert token_file(str(tmp_path / "store") + "/") == tmp_path / "store.tokens.json"
    assert isinstance(registry_for(open_store("http://127.0.0.1:9/query")), StoreTokenRegistry)  # (no request)


def test_a_store_served_read_only_takes_no_tokens(tmp_path):
    """`sikg serve --processes` over an on-disk store serves it read-only: nothing may write, so no one contributes."""
    made = open_store(str(tmp_path / "store"))  # makes the on-disk store, then lets it go (and its lock)
    del made
    FileTokenRegistry(token_file(tmp_path / "store")).add("ada", "curator")
    registry = registry_for(open_store(str(tmp_path / "store"), read_only=True))
    assert isinstance(registry, MemoryTokenRegistry) and not registry.has_active()


def test_holder_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Holder("ada", "contributor").role = "curator"


# -- the file registry --------------------------------------------------------------------------------------------

def test_the_file_keeps_only_hashes_and_is_private(tmp_path):
    registry = FileTokenRegistry(tmp_path / "store.tokens.json")
    token = registry.add("ada", "curator")
    text = registry.path.read_text()
    assert token not in text and hashlib.sha256(token.encode()).hexdigest() in text
    assert registry.path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_another_registry_over_the_same_file_sees_changes_within_a_second_or_so(tmp_path):
    path = tmp_path / "store.tokens.json"
    reader, writer = FileTokenRegistry(path), FileTokenRegistry(path)
    assert not reader.has_active()
    token = writer.add("ada", "contributor")
    assert eventually(lambda: reader.lookup(token) is not None, 2) <= 1.5
    writer.revoke("ada")
    assert eventually(lambda: reader.lookup(token) is None, 2) <= 1.5


def test_the_file_is_checked_at_most_once_a_second(tmp_path, monkeypatch):
    registry = FileTokenRegistry(tmp_path / "store.tokens.json")
    FileTokenRegistry(registry.path).add("ada", "contributor")
    reads = []
    original = registry._reload
    monkeypatch.setattr(registry, "_reload", lambda: reads.append(1) or original())
    for _ in range(200):
        registry.lookup("x")
    assert len(reads) == 1


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "store.tokens.json"
    names = [f"person {i}" for i in range(12)]
    threads = [threading.Thread(target=FileTokenRegistry(path).add, args=(name, "contributor")) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(e.name for e in FileTokenRegistry(path).entries()) == sorted(names)


def test_a_damaged_file_keeps_the_last_good_tokens(tmp_path):
    registry = FileTokenRegistry(tmp_path / "store.tokens.json")
    token = registry.add("ada", "contributor")
    assert registry.lookup(token)
    registry.path.write_text("{ not json")
    registry._checked = float("-inf")
    assert registry.lookup(token) == Holder("ada", "contributor")
    with pytest.raises(TokenError, match="cannot be read"):
        FileTokenRegistry(registry.path).add("bob", "contributor")


def test_a_store_registry_is_read_again_within_two_seconds():
    store = open_store("memory")
    reader, writer = StoreTokenRegistry(store), StoreTokenRegistry(store)
    assert not reader.has_active()
    token = writer.add("ada", "contributor")
    assert eventually(lambda: reader.lookup(token) is not None, 3) <= 2.5


# -- authenticate ------------------------------------------------------------------------------------------------

def test_authenticate_without_any_token_is_off():
    for registry in (None, MemoryTokenRegistry()):
        for header in (None, "", "Bearer x"):
            with pytest.raises(ContributionsDisabled, match="sikg token add"):
                authenticate(header, registry, {})


def test_authenticate_a_person_and_an_environment_token():
    registry = MemoryTokenRegistry()
    curator = registry.add("Ada", "curator")
    assert authenticate(f"Bearer {curator}", registry, {}) == Holder("Ada", "curator")
    assert authenticate(f"bearer  {curator} ", registry, {"s3cret": "ci"}) == Holder("Ada", "curator")
    assert authenticate("Bearer s3cret", registry, {"s3cret": "ci"}) == Holder("ci", "contributor")
    assert authenticate("Bearer s3cret", None, {"s3cret": "ci"}) == Holder("ci", "contributor")


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic YWRhOnB3", "token"])
def test_authenticate_without_a_bearer_token_is_401(header):
    registry = MemoryTokenRegistry()
    registry.add("Ada", "curator")
    with pytest.raises(NoToken) as refused:
        authenticate(header, registry, {})
    assert status_of(refused.value) == 401 and refused.value.headers == {"WWW-Authenticate": 'Bearer realm="sikg"'}


def test_authenticate_a_wrong_or_revoked_token_is_403():
    registry = MemoryTokenRegistry()
    token = registry.add("Ada", "contributor")
    registry.add("Bob", "contributor")
    for wrong in ("wrong", token[:-1], token + "x", "Ada"):
        with pytest.raises(TokenRefused, match="not allowed") as refused:
            authenticate(f"Bearer {wrong}", registry, {"s3cret": "ci"})
        assert status_of(refused.value) == 403
    registry.revoke("Ada")
    registry.revoke("Bob")
    with pytest.raises(TokenRefused, match="revoked") as refused:
        authenticate(f"Bearer {token}", registry, {})  # no active token left: still "revoked", not "off"
    assert status_of(refused.value) == 403


# -- the command line -------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_token_add_prints_the_token_alone(tmp_path):
    store = tmp_path / "store"
    result = sikg("token", "add", "Ada Lovelace", "--role", "curator", "--store", str(store))
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert TOKEN_SHAPE.match(token) and result.stdout == token + "\n"
    assert FileTokenRegistry(token_file(store)).lookup(token) == Holder("Ada Lovelace", "curator")


@pytest.mark.slow
def test_token_list_and_revoke(tmp_path):
    store = str(tmp_path / "store")
    tokens_made = [sikg("token", "add", name, "--role", role, "--store", store).stdout.strip()
                   for name, role in [("ada", "curator"), ("bob", "contributor")]]
    assert sikg("token", "revoke", "bob", "--store", store).returncode == 0
    listing = sikg("token", "list", "--store", store)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["name", "role", "created", "revoked"]
    assert lines[1].split()[:2] == ["ada", "curator"] and len(lines[1].split()) == 3
    assert lines[2].split()[:2] == ["bob", "contributor"] and len(lines[2].split()) == 4
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in tokens_made]
    assert not any(secret in listing.stdout for secret in tokens_made + hashes)
    refused = sikg("token", "revoke", "bob", "--store", store)
    assert refused.returncode == 1 and "no active token for 'bob'" in refused.stderr and refused.stdout == ""


@pytest.mark.slow
def test_token_add_refusals(tmp_path):
    store = str(tmp_path / "store")
    assert sikg("token", "add", "ada", "--role", "curator", "--store", store).returncode == 0
    for args, message in [(["ada", "--role", "contributor"], "revoke it first"),
                          (["a/b", "--role", "contributor"], "letters, digits"),
                          (["x" * 65, "--role", "contributor"], "letters, digits"),
                          (["bob", "--role", "admin"], "invalid choice"),
                          (["bob"], "--role")]:
        result = sikg("token", "add", *args, "--store", store)
        assert (result.returncode, result.stdout) == (2, ""), args
        assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert [e.name for e in FileTokenRegistry(token_file(store)).entries()] == ["ada"]
    memory = sikg("token", "list", "--store", "memory")
    assert memory.returncode == 2 and "in-memory store keeps no tokens" in memory.stderr
    (tmp_path / "file").write_text("")
    unwritable = sikg("token", "add", "bob", "--role", "curator", "--store", str(tmp_path / "file" / "store"))
    assert unwritable.returncode == 2 and "cannot keep the tokens" in unwritable.stderr, unwritable.stderr


@pytest.mark.slow
def test_token_commands_default_to_the_store_sikg_serve_uses(tmp_path):
    assert sikg("token", "add", "ada", "--role", "curator", cwd=tmp_path).returncode == 0
    assert (tmp_path / "var" / "store.tokens.json").exists()
    assert "ada" in sikg("token", "list", cwd=tmp_path).stdout


# -- a running service sees the change within seconds ------------------------------------------------------------

def poll_status(client, token: str) -> int:
    """The status of a POST /contributions with `token` and a body that is not RDF: 400 once the token is accepted,
    403 while it is unknown or revoked; nothing is written either way."""
    return client.post("/contributions", data=GARBAGE, content_type="text/turtle", headers=bearer(token)).status_code


def check_added_then_revoked(client, store_option: str) -> None:
    started = time.monotonic()
    added = sikg("token", "add", "Ada", "--role", "curator", "--store", store_option)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert eventually(lambda: poll_status(client, token) == 400, 3 + (time.monotonic() - started)) is not None
    response = client.post("/contributions", data=TEMPLATE, content_type="text/turtle", headers=bearer(token))
    assert response.status_code in (201, 202), response.data  # (202 once contributions are reviewed)
    revoked = sikg("token", "revoke", "Ada", "--store", store_option)
    assert revoked.returncode == 0, revoked.stderr
    waited = eventually(lambda: poll_status(client, token) == 403, 3)
    assert waited <= 3
    answer = client.post("/contributions", data=GARBAGE, content_type="text/turtle", headers=bearer(token))
    assert answer.status_code == 403 and b"this token was revoked" in answer.data


@pytest.mark.slow
def test_a_served_on_disk_store_sees_tokens_added_and_revoked_with_the_command(tmp_path, pool):
    store = open_store(str(tmp_path / "store"))  # this process holds the store's lock, as `sikg serve` would
    store.load_curated()
    client = create_app(store, settings=settings_without_env_tokens(), pool=pool).test_client()
    assert client.post("/contributions", data=GARBAGE, content_type="text/turtle").status_code == 403  # off
    check_added_then_revoked(client, str(tmp_path / "store"))


def test_an_external_store_sees_tokens_added_and_revoked_with_the_command(oxigraph_server):
    store = open_store(oxigraph_server.query_url)
    store.load_curated()
    store.update(f"DROP SILENT GRAPH <{GRAPH_TOKENS}>")
    settings = settings_without_env_tokens()
    client = create_app(store, settings=settings).test_client()
    other_instance = create_app(open_store(oxigraph_server.query_url), settings=settings).test_client()
    check_added_then_revoked(client, oxigraph_server.query_url)
    assert other_instance.post("/contributions", data=GARBAGE, content_type="text/turtle").status_code == 403


def test_roles_and_names_in_the_provenance(pool):
    store = open_store("memory")
    app = create_app(store, settings=dataclasses.replace(settings_without_env_tokens(), review=False,
                                                         contrib_tokens={"s3cret": "ci"}), pool=pool)
    client, registry = app.test_client(), app.extensions["sikg"].contributions.tokens
    assert isinstance(registry, MemoryTokenRegistry)
    for name, role in [("Ada", "curator"), ("Bob", "contributor")]:
        response = client.post("/contributions", data=TEMPLATE, content_type="text/turtle",
                               headers=bearer(registry.add(name, role)))
        assert response.status_code == 201, response.data  # review off: published at once, names and all
    assert client.post("/contributions", data=(FIXTURES / "valid" / "practice.ttl").read_bytes(),
                       content_type="text/turtle", headers=bearer("s3cret")).status_code == 201
    who = store.query("SELECT ?who WHERE { GRAPH ?g { ?g <http://www.w3.org/ns/prov#wasAttributedTo>/"
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?who } }")
    assert sorted(row["who"].value for row in who) == ["Ada", "Bob", "ci"]


def test_token_hashes_are_never_readable_through_sparql(oxigraph_server):
    store = open_store(oxigraph_server.query_url)
    token = StoreTokenRegistry(store).add("hidden", "curator")
    secret = hashlib.sha256(token.encode()).hexdigest()
    client = create_app(store, settings=settings_without_env_tokens()).test_client()
    for query in ["SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT * WHERE { ?s ?p ?o }",
                  f"SELECT * WHERE {{ ?s ?p \"{secret}\" }}"]:
        for accept in ["application/sparql-results+json", "text/csv"]:
            response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
            assert response.status_code in (200, 400), response.data
            assert secret not in response.get_data(as_text=True) and GRAPH_TOKENS not in response.get_data(as_text=True)
    for fmt in ["nq", "trig"]:
        exported = client.get("/export", query_string={"format": fmt}).get_data(as_text=True)
        assert secret not in exported and GRAPH_TOKENS not in exported
    assert ox.NamedNode(GRAPH_TOKENS).value not in store.named_graphs()
