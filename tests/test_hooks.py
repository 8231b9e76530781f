"""What every request and response goes through (hooks.py): one handler per kind of refusal, each answered with its
status and one line (never a 500 for a client's error), CORS on every answer, errors included, and chunked bodies
bounded like bodies of known length."""

import dataclasses
import io

import pytest
from flask import Blueprint, request

from sikg import errors
from sikg.contributions.tokens import ContributionsDisabled, NoToken, TokenRefused
from sikg.errors import Conflict, StoreUnavailable
from sikg.http.responses import REFUSAL_STATUS
from sikg.rdf.reading import RdfInputError
from sikg.settings import Settings
from sikg.sparql.queries import ParameterError, UnknownQuery
from sikg.web import hooks
from sikg.web.app import create_app

KINDS = [errors.BadRequest, errors.NotAuthenticated, errors.NotPermitted, errors.NotFound, errors.MethodNotAllowed,
         errors.NotAcceptable, errors.Conflict, errors.Gone, errors.UnsupportedBody, errors.Unprocessable,
         errors.OverLimit]


RAISED = {
    "protocol": Conflict("a conflict", {"Retry-After": "7"}),
    "unknown-query": UnknownQuery("no curated query 'x'"),
    "parameter": ParameterError("parameter n: 'x' is not an integer"),
    "rdf": RdfInputError("request body", "bad token", 3, 9),
    "off": ContributionsDisabled("contributions are switched off"),
    "no-token": NoToken("send the token"),
    "wrong-token": TokenRefused("this token is not allowed"),
    "store": StoreUnavailable("the store did not answer"),
    "bug": ZeroDivisionError("a bug"),
    **{kind.__name__: kind(f"refused as {kind.__name__}") for kind in KINDS},
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


@pytest.mark.parametrize("kind, status", list(zip(KINDS, [400, 401, 403, 404, 405, 406, 409, 410, 415, 422, 503])),
                         ids=lambda k: getattr(k, "__name__", str(k)))
def test_each_kind_of_refusal_gets_its_status_at_the_edge(client, kind, status):
    response = client.get(f"/raise/{kind.__name__}")
    assert response.status_code == status and response.get_data(as_text=True) == f"refused as {kind.__name__}\n"


def test_every_kind_of_refusal_has_a_status():
    kinds = {k for k in vars(errors).values() if isinstance(k, type) and issubclass(k, errors.Refusal)}
    assert kinds - {errors.Refusal} == set(KINDS) == set(REFUSAL_STATUS)


def test_every_error_handler_is_installed(kg):
    handled = [error for error in RAISED.values() if any(isinstance(error, kind) for kind in hooks.ERROR_HANDLERS
                                                         if kind is not Exception)]
    assert [error for error in RAISED.values() if error not in handled] == [RAISED["bug"]]
    assert Exception in hooks.ERROR_HANDLERS
