"""What every request and response goes through (hooks.py): one handler per kind of refusal, each answered with its
status and one line (never a 500 for a client's error), CORS on every answer, errors included, and chunked bodies
bounded like bodies of known length."""

import dataclasses
import io

import pytest
from flask import Blueprint, request

from sikg.contributions.tokens import ContributionsDisabled, NotAuthorised
from sikg.errors import ProtocolError, StoreUnavailable
from sikg.rdf.reading import RdfInputError
from sikg.settings import Settings
from sikg.sparql.queries import ParameterError, UnknownQuery
from sikg.web import hooks
from sikg.web.app import create_app

RAISED = {
    "protocol": ProtocolError(409, "a conflict", {"Retry-After": "7"}),
    "unknown-query": UnknownQuery("no curated query 'x'"),
    "parameter": ParameterError("parameter n: 'x' is not an integer"),
    "rdf": RdfInputError("request body", "bad token", 3, 9),
    "off": ContributionsDisabled("contributions are switched off"),
    "no-token": NotAuthorised(401, "send the token"),
    "wrong-token": NotAuthorised(403, "this token is not allowed"),
    "store": StoreUnavailable("the store did not answer"),
    "bug": ZeroDivisionError("a bug"),
}


@pytest.fixture(scope="module")
def client(kg):
    settings = dataclasses.replace(Settings.from_environment(), evaluators=1, max_upload=1000)
    app = create_app(kg, settings)
    raising = Blueprint("raising", __name__)

    @raising.route("/raise/<kind>", methods=["GET", "POST"])
    def raise_(kind):
        raise RAISED[kind]

    @raising.post("/echo")
    def echo():
        return str(len(request.get_data()))

    app.register_blueprint(raising)
    yield app.test_client()
    app.extensions["sikg"].pool.close()


@pytest.mark.parametrize("kind, status, says", [
    ("protocol", 409, "a conflict"), ("unknown-query", 404, "no curated query"), ("parameter", 400, "not an integer"),
    ("off", 403, "switched off"), ("no-token", 401, "send the token"), ("wrong-token", 403, "not allowed"),
    ("store", 503, "the store did not answer"), ("bug", 500, "this is a bug, not your request"),
])
def test_each_refusal_has_its_status_and_one_line(client, kind, status, says):
    response = client.get(f"/raise/{kind}")
    assert response.status_code == status and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert says in body and body.endswith("\n") and body.count("\n") == 1
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_refusal_keeps_its_headers(client):
    assert client.get("/raise/protocol").headers["Retry-After"] == "7"
    assert client.get("/raise/store").headers["Retry-After"] == "5"
    assert client.get("/raise/no-token").headers["WWW-Authenticate"] == 'Bearer realm="sikg"'
    assert "WWW-Authenticate" not in client.get("/raise/wrong-token").headers


def test_unreadable_rdf_says_where_as_json(client):
    response = client.get("/raise/rdf")
    assert response.status_code == 400 and response.get_json() == {
        "error": "unreadable RDF", "message": "bad token", "line": 3, "column": 9}


def test_werkzeug_errors_are_one_line_with_their_headers(client):
    response = client.delete("/sparql")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert response.mimetype == "text/plain" and response.get_data(as_text=True).startswith("405 Method Not Allowed")


def test_a_chunked_body_is_bounded_like_one_of_known_length(client):
    def chunked(size):
        return client.post("/echo", input_stream=io.BytesIO(b"x" * size), headers={"Transfer-Encoding": "chunked"})
    assert chunked(1000).get_data(as_text=True) == "1000"
    refused = chunked(1001)
    assert refused.status_code == 413 and "SIKG_MAX_UPLOAD" in refused.get_data(as_text=True)


def test_every_error_handler_is_installed(kg):
    assert set(hooks.ERROR_HANDLERS) >= {type(error) for error in RAISED.values()} - {ZeroDivisionError} | {Exception}
