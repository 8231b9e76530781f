"""What the robustness tests share: the example budget (`--long`), the service under test, requests with a time budget,
the "never a 5xx, always a message" check, a loopback listener that must see nothing, and a runner that sends one
request to a service in a child process that can be killed (for inputs that would otherwise hang the test session).

Imported by the test modules of this folder as `fuzzkit` (pytest puts this folder on sys.path).
"""

import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
HOSTILE = ROOT / "tests" / "hostile"
TOKEN = "r0bust-t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERY_TIMEOUT = 2.0  # SIKG_QUERY_TIMEOUT of the services under test here

# Set by conftest.pytest_configure from `--long` (or SIKG_FUZZ_LONG=1) before any test module is imported.
LONG = os.environ.get("SIKG_FUZZ_LONG", "") not in ("", "0")
LONG_FACTOR = 25


def examples(n: int) -> int:
    """Hypothesis examples for a property: `n` in `make test`, LONG_FACTOR × n with --long."""
    return n * LONG_FACTOR if LONG else n


# Inputs that hit a bug already pinned by an xfail(strict) test: the properties set them aside (hypothesis.assume),
# so that a long run goes on looking for new bugs instead of finding the same one. Remove an entry with its bug.
# (Empty: the two that were here, a \U escape beyond U+10FFFF and a /queries/{name} too long for a file name, are
# fixed, and the properties generate both again.)
KNOWN_BUGS: dict = {}


def known_bug(text: str) -> str | None:
    return next((name for name, hits in KNOWN_BUGS.items() if hits(text)), None)


def template_practice() -> bytes:
    """The contributor template (a conforming practice), or the valid fixture when the template is absent."""
    template = ROOT / "data" / "templates" / "practice.ttl"
    return (template if template.is_file() else FIXTURES / "valid" / "practice.ttl").read_bytes()


# -- the service under test -------------------------------------------------------------------------------------

def make_app(store=None, **overrides):
    """A Flask app over a fresh in-memory store (curated KG loaded), contributions on with TOKEN, a 2 s query limit
    and 2 evaluators. The caller sets SIKG_CONTRIB_TOKEN (the settings read it when the app is made)."""
    from sikg.settings import Settings
    from sikg.store import open_store
    from sikg.web.app import create_app

    settings = dataclasses.replace(Settings.from_environment(), query_timeout=QUERY_TIMEOUT, evaluators=2,
                                   **overrides)
    return create_app(store if store is not None else open_store("memory"), settings)


def close_app(app) -> None:
    pool = app.extensions["sikg"].pool
    if pool is not None:
        pool.close()


class Hang(AssertionError):
    pass


@dataclasses.dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    seconds: float
    mimetype: str = ""
    method: str = "GET"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def call(client, method: str, path: str, budget: float, **kwargs) -> Answer:
    """One request through the Flask test client, answered (body read to the end) within `budget` seconds, or Hang.

    The request runs in a daemon thread: a request that never ends fails the test instead of hanging the session (the
    thread is left behind). A body whose stream is cut after the status went out (a time limit hit mid-stream) is
    what a client sees as an incomplete transfer; it is reported as status 0."""
    outcome: dict = {}

    def work():
        started = time.monotonic()
        try:
            response = client.open(path, method=method, **kwargs)
            try:
                body = response.get_data()
            except Exception as error:  # noqa: BLE001 - a cut stream
                outcome["answer"] = Answer(0, dict(response.headers), repr(error).encode(),
                                           time.monotonic() - started, response.mimetype, method)
                return
            outcome["answer"] = Answer(response.status_code, dict(response.headers), body,
                                       time.monotonic() - started, response.mimetype, method)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            outcome["error"] = error

    thread = threading.Thread(target=work, daemon=True, name="robustness-request")
    thread.start()
    thread.join(budget)
    if thread.is_alive():
        raise Hang(f"{method} {path[:120]} gave no answer within {budget:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["answer"]


def assert_sane(answer: Answer, what: str = "") -> None:
    """The contract for anything a client sends: a 2xx (or 304), or a 4xx with a message; never a 5xx other than a
    503 that says why (time limit, store down); never a cut response."""
    label = f"{what}: " if what else ""
    assert answer.status != 0, f"{label}the response was cut short: {answer.text[:300]}"
    if answer.status == 503:
        assert answer.body.strip(), f"{label}503 without a message"
        assert answer.headers.get("Retry-After"), f"{label}503 without Retry-After: {answer.text[:200]}"
        return
    assert answer.status < 500, f"{label}{answer.status}: {answer.text[:500]}"
    assert 200 <= answer.status, f"{label}{answer.status}"
    if 400 <= answer.status and answer.method != "HEAD":  # a HEAD answer has no body, by definition
        assert answer.body.strip(), f"{label}{answer.status} without a message"


# -- a listener that must see nothing ----------------------------------------------------------------------------

from listener import Listener  # noqa: E402,F401  (one loopback listener for all the suites)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a request in a child process that can be killed -------------------------------------------------------------

ISOLATED = HERE / "isolated.py"


def call_isolated(request: dict, budget: float, env: dict | None = None, startup: float = 90) -> Answer:
    """Sends one request (a dict of client.open arguments: method, path, data, headers, content_type, query_string)
    to a fresh service in a child process, and gives it `budget` seconds from the moment the service is ready. On
    overrun the child's whole process group is killed and Hang is raised: an input that pins a CPU (and, in pure
    Python, the GIL) cannot slow the rest of the session down."""
    child_env = dict(os.environ, SIKG_CONTRIB_TOKEN=TOKEN, SIKG_REVIEW="0", SIKG_QUERY_TIMEOUT=str(QUERY_TIMEOUT),
                     SIKG_EVALUATORS="1", **(env or {}))
    process = subprocess.Popen([sys.executable, str(ISOLATED)], cwd=ROOT, env=child_env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.stdin.write(json.dumps(_jsonable(request)).encode() + b"\n")
        process.stdin.close()
        ready = _readline(process, startup)
        if ready.strip() != b"READY":
            raise RuntimeError(f"the isolated service did not start: {ready[:300]!r}")
        line = _readline(process, budget)
        if not line:
            raise Hang(f"{request.get('method', 'GET')} {request.get('path')} gave no answer within {budget:g} s "
                       f"(the child was killed)")
        result = json.loads(line)
        return Answer(result["status"], result["headers"], bytes.fromhex(result["body"]), result["seconds"],
                      result["mimetype"])
    finally:
        if process.poll() is None:
            try:
                os.killpg(process.pid, 9)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)


def _jsonable(request: dict) -> dict:
    out = dict(request)
    if isinstance(out.get("data"), bytes):
        out["data_hex"] = out.pop("data").hex()
    return out


def _readline(process, timeout: float) -> bytes:
    """A line from the child's stdout within `timeout` seconds, or b"" (the pipe is read in a helper thread)."""
    box: list[bytes] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return box[0] if box else b""


# -- a real Oxigraph server (the `oxigraph` CLI of the `oxigraph` package), for the external-store backend ----------

class OxigraphServer:
    """`oxigraph serve` on a free loopback port over a directory, with the union default graph sikg requires."""

    def __init__(self, directory: Path, port: int | None = None):
        import shutil

        self.directory, self.port, self.process = Path(directory), port or free_port(), None
        self.executable = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def start(self, timeout: float = 30) -> None:
        import urllib.request

        self.process = subprocess.Popen([self.executable, "serve", "--location", str(self.directory), "--bind",
                                         f"127.0.0.1:{self.port}", "--union-default-graph"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
