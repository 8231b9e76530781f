"""Settings: every SIKG_* variable read in one place, today's defaults, one clear error per bad value; and the
namespace objects of namespaces.py."""

import base64
import copy
import os
import pickle
from pathlib import Path

import pyoxigraph as ox
import pytest

from sikg import namespaces
from sikg.namespaces import DCT, PREFIXES, SD, SIKG, Namespace
from sikg.settings import (
    CANONICAL_BASE,
    Settings,
    SettingsError,
    content_home,
    parse_tokens,
    published_base,
    store_auth_headers,
)


def test_an_empty_environment_gives_the_defaults():
    settings = Settings.from_environment({})
    assert settings == Settings()
    assert (settings.base, settings.home, settings.query_timeout) == (CANONICAL_BASE, None, 10.0)
    assert (settings.max_result_bytes, settings.max_upload, settings.cache_bytes) == (64 << 20, 10 << 20, 64 << 20)
    assert (settings.evaluators, settings.mirror_bytes) == (max(2, os.cpu_count() or 2), 256 << 20)
    assert (settings.export_cache, settings.store, settings.store_update, settings.store_gsp) == ("", None, None, None)
    assert (settings.store_auth_headers, settings.contrib_tokens) == ({}, {})
    assert (settings.host, settings.port, settings.workers, settings.processes, settings.access_log) == \
        ("127.0.0.1", 8000, 4, 0, False)  # processes 0: one per core (server.worker_processes)


def test_every_variable_is_read():
    settings = Settings.from_environment({
        "SIKG_BASE": "http://example.org/kg/", "SIKG_HOME": "/srv/content", "SIKG_QUERY_TIMEOUT": "2.5",
        "SIKG_MAX_RESULT_BYTES": "1000", "SIKG_MAX_UPLOAD": "64e3", "SIKG_EVALUATORS": "3", "SIKG_CACHE_BYTES": "0",
        "SIKG_EVALUATOR_MEMORY": "0",
        "SIKG_EXPORT_CACHE": "off", "SIKG_STORE": "http://db/query", "SIKG_STORE_UPDATE": "http://db/u",
        "SIKG_STORE_GSP": "http://db/g", "SIKG_STORE_TOKEN": "tok", "SIKG_CONTRIB_TOKEN": "alice=s3cret,plain",
        "SIKG_HOST": "0.0.0.0", "SIKG_PORT": "8080", "SIKG_WORKERS": "8", "SIKG_PROCESSES": "2",
        "SIKG_ACCESS_LOG": "1", "SIKG_TRUSTED_PROXIES": "1"})
    assert settings == Settings(
        base="http://example.org/kg/", home=Path("/srv/content"), query_timeout=2.5, max_result_bytes=1000,
        max_upload=64000, evaluators=3, mirror_bytes=0, cache_bytes=0, export_cache="off", store="http://db/query",
        store_update="http://db/u", store_gsp="http://db/g", store_auth_headers={"Authorization": "Bearer tok"},
        contrib_tokens={"s3cret": "alice", "plain": "contributor"}, host="0.0.0.0", port=8080, workers=8,
        processes=2, access_log=True, trusted_proxies=1)


def test_the_process_environment_is_the_default(monkeypatch):
    monkeypatch.setenv("SIKG_PORT", "9001")
    monkeypatch.setenv("SIKG_CONTRIB_TOKEN", "bob=t0ken")
    settings = Settings.from_environment()
    assert (settings.port, settings.contrib_tokens) == (9001, {"t0ken": "bob"})
    assert Settings.from_environment({}).port == 8000  # an explicit environment replaces the process's


def test_an_empty_number_means_its_default():
    assert Settings.from_environment({"SIKG_PORT": "", "SIKG_QUERY_TIMEOUT": " "}) == Settings()


@pytest.mark.parametrize("name,value,says", [
    ("SIKG_PORT", "abc", "SIKG_PORT must be a whole number, got 'abc'"),
    ("SIKG_PORT", "0", "SIKG_PORT must be from 1 to 65535, got '0'"),
    ("SIKG_PORT", "65536", "SIKG_PORT must be from 1 to 65535, got '65536'"),
    ("SIKG_PORT", "80.5", "SIKG_PORT must be a whole number, got '80.5'"),
    ("SIKG_WORKERS", "0", "SIKG_WORKERS must be at least 1, got '0'"),
    ("SIKG_WORKERS", "many", "SIKG_WORKERS must be a whole number, got 'many'"),
    ("SIKG_PROCESSES", "-1", "SIKG_PROCESSES must be at least 0, got '-1'"),
    ("SIKG_EVALUATORS", "0", "SIKG_EVALUATORS must be at least 1, got '0'"),
    ("SIKG_EVALUATORS", "two", "SIKG_EVALUATORS must be a whole number, got 'two'"),
    ("SIKG_MAX_RESULT_BYTES", "-1", "SIKG_MAX_RESULT_BYTES must be at least 0, got '-1'"),
    ("SIKG_MAX_RESULT_BYTES", "64MB", "SIKG_MAX_RESULT_BYTES must be a whole number, got '64MB'"),
    ("SIKG_MAX_UPLOAD", "inf", "SIKG_MAX_UPLOAD must be a whole number, got 'inf'"),
    ("SIKG_CACHE_BYTES", "nan", "SIKG_CACHE_BYTES must be a whole number, got 'nan'"),
    ("SIKG_QUERY_TIMEOUT", "abc", "SIKG_QUERY_TIMEOUT must be a number of seconds, got 'abc'"),
    ("SIKG_QUERY_TIMEOUT", "0", "SIKG_QUERY_TIMEOUT must be a number of seconds above 0, got '0'"),
    ("SIKG_QUERY_TIMEOUT", "-3", "SIKG_QUERY_TIMEOUT must be a number of seconds above 0, got '-3'"),
    ("SIKG_QUERY_TIMEOUT", "nan", "SIKG_QUERY_TIMEOUT must be a number of seconds above 0, got 'nan'"),
])
def test_a_bad_value_is_an_error_naming_the_variable_and_the_value(name, value, says):
    with pytest.raises(SettingsError) as raised:
        Settings.from_environment({name: value})
    assert str(raised.value) == says
    assert isinstance(raised.value, ValueError)


def test_store_credentials_are_headers_a_token_first():
    assert store_auth_headers({"SIKG_STORE_TOKEN": "t", "SIKG_STORE_USER": "u"}) == {"Authorization": "Bearer t"}
    basic = store_auth_headers({"SIKG_STORE_USER": "u", "SIKG_STORE_PASSWORD": "p"})["Authorization"]
    assert basic == "Basic " + base64.b64encode(b"u:p").decode()
    assert store_auth_headers({}) == {}
    assert "Authorization" not in repr(Settings(store_auth_headers={"Authorization": "Bearer t"}))  # never shown


def test_contribution_tokens_with_and_without_labels():
    assert parse_tokens(None) == parse_tokens("") == parse_tokens(" , ") == {}
    assert parse_tokens("alice=s3cret, bob=hunter2") == {"s3cret": "alice", "hunter2": "bob"}
    assert parse_tokens("abc==") == {"abc==": "contributor"}  # base64 padding is not a label


def test_base_and_home_have_functions_of_their_own():
    assert published_base({}) == published_base({"SIKG_BASE": ""}) == CANONICAL_BASE
    assert published_base({"SIKG_BASE": "http://x/"}) == "http://x/"
    assert content_home({}) is None and content_home({"SIKG_HOME": ""}) is None
    assert content_home({"SIKG_HOME": "/c"}) == Path("/c")
    assert namespaces.BASE == published_base() == Settings.from_environment().base


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().port = 1


# -- namespace objects ---------------------------------------------------------------------------------------------

def test_a_namespace_is_its_iri_and_gives_iris_of_its_names():
    assert SIKG == PREFIXES["sikg"] == "https://w3id.org/sikg/ontology#"
    assert SIKG.SupportPractice == SIKG["SupportPractice"] == SIKG + "SupportPractice"
    assert type(SIKG.SupportPractice) is str
    assert SIKG.term("SupportPractice") == ox.NamedNode("https://w3id.org/sikg/ontology#SupportPractice")
    assert DCT["title"] == "http://purl.org/dc/terms/title"  # a name that is also a str method, as an item
    assert SD.endpoint == "http://www.w3.org/ns/sparql-service-description#endpoint"
    assert SIKG[:5] == "https" and SIKG.startswith("https://")  # still a string
    assert f"<{SIKG}x>" == "<https://w3id.org/sikg/ontology#x>"


def test_namespaces_survive_copy_and_pickle():
    assert copy.copy(SIKG) == SIKG and pickle.loads(pickle.dumps(SIKG)) == SIKG
    assert isinstance(pickle.loads(pickle.dumps(SIKG)), Namespace)
    with pytest.raises(AttributeError):
        _ = SIKG._private


def test_every_prefix_has_a_namespace_object_and_the_instances_live_under_the_base():
    objects = {str(v) for v in vars(namespaces).values() if isinstance(v, Namespace)}
    assert set(PREFIXES.values()) <= objects
    assert namespaces.PRACTICE == namespaces.BASE + "id/practice/"
    assert namespaces.ACTOR_TYPE == namespaces.BASE + "id/actor-type/"
