"""Several instances over one store (issue 28, item 6): two `sikg serve` processes on different ports over one Oxigraph
server, as docs/deployment.md's third set-up runs them. A contribution a curator accepts on one is public on the other
within 2 s, and a token revoked in the store (`sikg token revoke --store URL`, as an operator does it; no route of an
instance revokes one) is refused by both within 2 s: every instance reads the store's state token on each request and
the token registry again every 2 s (contributions/tokens.py). Each is polled until a deadline, never slept on.
"""

import json
import os
import time
import urllib.error
import urllib.request

import pytest

from helpers import ROOT, OxigraphServer, run_cli, start_server, stop_server

pytestmark = pytest.mark.slow
WITHIN = 2.0  # seconds
TEMPLATE = (ROOT / "data" / "templates" / "practice.ttl").read_bytes()


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    """(first URL, second URL, the store's URL, {name: token}): a curator's and a contributor's tokens in the store."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), union=False)
    server.start()
    started = []
    try:
        assert run_cli("load", "--store", server.query_url).returncode == 0
        tokens = {}
        for name, role in (("carol", "curator"), ("alice", "contributor")):
            made = run_cli("token", "add", name, "--role", role, "--store", server.query_url)
            assert made.returncode == 0, made.stderr
            tokens[name] = made.stdout.strip()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SIKG_")}
        logs = tmp_path_factory.mktemp("instances")
        for number in (1, 2):
            started.append(
                start_server(["--store", server.query_url, "--processes", "1"], logs / f"sikg-{number}.log", env)[0:2]
            )
        yield started[0][1], started[1][1], server.query_url, tokens
    finally:
        for process, _ in started:
            stop_server(process)
        server.stop()


def _call(
    url: str, method: str = "GET", token: str | None = None, body: bytes | None = None, media_type: str = "text/turtle"
) -> tuple[int, bytes]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = media_type
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _until(check, since: float) -> float | None:
    """Seconds from `since` until check() holds, polling until WITHIN after `since` (and once more then: a request
    sent before the deadline counts); None if it never did."""
    while True:
        late = time.monotonic() - since > WITHIN
        if check():
            return time.monotonic() - since
        if late:
            return None
        time.sleep(0.05)


def test_a_contribution_accepted_on_one_instance_is_public_on_the_other_within_2_s(instances):
    first, second, _, tokens = instances
    status, body = _call(f"{first}/contributions", "POST", tokens["alice"], TEMPLATE)
    assert status == 202, body
    contribution = json.loads(body)["id"]
    assert _call(f"{second}/contributions/{contribution}")[0] == 404  # pending: private, on both
    decision = json.dumps({"decision": "accept", "comment": "checked"}).encode()
    status, body = _call(
        f"{first}/contributions/{contribution}/review", "POST", tokens["carol"], decision, "application/json"
    )
    assert status == 200, body
    accepted_at = time.monotonic()

    def public_on_the_second():
        status, body = _call(f"{second}/contributions/{contribution}")
        return status == 200 and json.loads(body)["status"] == "accepted"

    took = _until(public_on_the_second, accepted_at)
    assert took is not None, f"not public on the second instance {WITHIN} s after it was accepted on the first"
    print(f"public on the second instance after {took:.2f} s")


def test_a_token_revoked_is_refused_by_both_instances_within_2_s(instances):
    first, second, store, tokens = instances

    def answer(url):  # a body that is no RDF: 400 for a token holder, 401/403 once the token is refused
        return _call(f"{url}/contributions", "POST", tokens["alice"], b"this is not Turtle")[0]

    assert answer(first) == answer(second) == 400  # both know the token (and have read the registry)
    revoked = run_cli("token", "revoke", "alice", "--store", store)
    assert revoked.returncode == 0, revoked.stderr
    revoked_at = time.monotonic()
    for url in (first, second):
        took = _until(lambda: answer(url) in (401, 403), revoked_at)  # noqa: B023 (called at once)
        assert took is not None, f"{url} still takes the token {WITHIN} s after it was revoked"
        print(f"refused by {url} after {took:.2f} s")
