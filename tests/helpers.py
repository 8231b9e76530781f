"""Plain helpers the tests share (`from helpers import ...`): paths, a SELECT as plain rows, the command line as a user
runs it, a free port, the Flask test client's answers read back (results, refusals), and pyld as the tests' JSON-LD
reference (its framing, which sikg.framing must match byte for byte, and its reading of JSON-LD back into RDF, both
with sikg's document loader, so neither ever goes to the network, and with a loader that refuses every URL, as a
processor with no network access reads a document); a real Oxigraph server (`oxigraph serve`, with or without
the union default graph); a page fetched as HTML and a tag's attributes;
RDF compared as datasets (blank nodes canonically renamed, ground triples, triples in the default graph).

Fixtures and hooks live in conftest.py; the service itself never calls these.
"""

import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from contextlib import contextmanager
from html import unescape
from pathlib import Path

import pyoxigraph as ox
from pyld import jsonld as pyld

from sikg.namespaces import PREFIXES
from sikg.rdf import jsonld

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
PYLD_OPTIONS = {"documentLoader": jsonld.local_document_loader}


def select(kg, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings, with sikg's prefixes declared."""
    result = kg.query(query, prefixes=PREFIXES)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Runs the installed `sikg` command as a user would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def free_port() -> int:
    """A loopback TCP port free right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """`oxigraph serve` (the oxigraph package's CLI) over `directory` on a free loopback port; `union`: with
    --union-default-graph, which sikg does not need (it names the dataset of every query)."""

    def __init__(self, directory: Path, union: bool = True):
        self.directory, self.port, self.process, self.union = directory, free_port(), None, union
        self.executable = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def start(self) -> None:
        self.process = subprocess.Popen([self.executable, "serve", "--location", str(self.directory), "--bind",
                                         f"127.0.0.1:{self.port}"] + ["--union-default-graph"] * self.union,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class FakeEndpoint:
    """A SPARQL endpoint on 127.0.0.1 that answers every query with `answer(query)`: (status, Content-Type, body) or
    (status, Content-Type, body, extra headers); an update (no query field) is accepted with 204. `server`: the
    Server header it names itself by (how sikg tells Virtuoso); `queries`: what it was asked."""

    def __init__(self, answer, server: str | None = None):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs

        queries = self.queries = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                query = parse_qs(body).get("query", [None])[0]
                if query is None:
                    status, media_type, payload, headers = 204, None, "", {}
                else:
                    queries.append(query)
                    status, media_type, payload, *more = answer(query)
                    headers = more[0] if more else {}
                data = payload.encode()
                self.send_response(status)
                for name, value in {"Content-Type": media_type, **headers}.items():
                    if value:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_PUT = do_POST

            def version_string(self):
                return server or super().version_string()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        # (polling for shutdown every 10 ms, not 0.5 s: stop() waits for the poll, and many tests stop one)
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def pyld_frame(triples: Iterable[ox.Triple], frame_document: dict) -> dict:
    """pyld's framing: right for any frame, but slow past a few thousand nodes (exports use sikg.framing.frame)."""
    return pyld.frame(jsonld.triples_to_expanded(triples), frame_document, {**PYLD_OPTIONS, "omitGraph": False})


def to_quads(document) -> list[str]:
    """N-Quads lines of a JSON-LD document; a remote context raises RemoteContextRefused (pyld wraps what its
    document loader raises in its own errors, so the cause is looked for along the chain)."""
    try:
        nquads = pyld.to_rdf(document, {**PYLD_OPTIONS, "format": "application/n-quads"})
    except pyld.JsonLdError as error:
        cause = error
        while cause is not None:
            if isinstance(cause, jsonld.RemoteContextRefused):
                raise cause from None
            cause = getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
        raise
    return [line for line in nquads.split("\n") if line]  # not splitlines(): a form feed may sit in a literal


# -- answers of the Flask test client ------------------------------------------------------------------------

def text(response) -> str:
    return response.get_data(as_text=True)


def results(response):
    """The SPARQL results of a 200 answer, parsed back by its Content-Type: a bool, or rows of {name: value}."""
    assert response.status_code == 200, text(response)
    if response.mimetype == "text/csv":  # pyoxigraph does not read CSV results (they are lossy): read them as CSV
        body = text(response)
        if body.strip() in ("true", "false"):
            return body.strip() == "true"
        return [dict(row) for row in csv.DictReader(io.StringIO(body))]
    parsed = ox.parse_query_results(response.data, format=ox.QueryResultsFormat.from_media_type(response.mimetype))
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    names = [v.value for v in parsed.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in parsed]


def ask(response) -> bool:
    answer = results(response)
    assert isinstance(answer, bool), answer
    return answer


def assert_refused(response, status: int, *phrases: str):
    """A refusal: the status, a text/plain message, and each phrase in it (case-insensitive)."""
    body = text(response)
    assert response.status_code == status, f"{response.status_code}: {body}"
    assert response.mimetype == "text/plain", response.mimetype
    for phrase in phrases:
        assert phrase.lower() in body.lower(), f"{phrase!r} not in {body!r}"


# -- pages and RDF read back ---------------------------------------------------------------------------------

def html(client, path, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def attributes(tag: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}


def canonical(quads) -> ox.Dataset:
    """A dataset with its blank nodes canonically renamed, so that isomorphic datasets compare equal with ==."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def in_default_graph(triples) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]


def ground(triples) -> set[ox.Triple]:
    return {ox.Triple(t.subject, t.predicate, t.object) for t in triples
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


def from_nquads(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))


def to_quads_with_pyld(document: dict, loader=jsonld.local_document_loader) -> list[ox.Quad]:
    return from_nquads(pyld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader}))


def start_server(args: list[str], log_path: Path, env: dict | None = None, timeout: float = 60,
                 port: int | None = None, own_group: bool = False) -> tuple[subprocess.Popen, str]:
    """`sikg serve ARGS` as a user starts it, on `port` (a free loopback one by default): the process and its base URL
    once /health answers 200. Its output goes to `log_path`, whose end a failure to start shows. `own_group`: in a
    process group of its own, for tests that signal the whole group (its workers, writer and evaluators)."""
    port = port or free_port()
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "sikg.cli", "serve", "--port", str(port), *args], cwd=ROOT,
                                   env=env if env is not None else dict(os.environ), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=own_group)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                if own_group:  # and whatever of its workers and writer started
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                stop_server(process)
                raise RuntimeError(f"sikg serve did not start; the end of {log_path}:\n"
                                   f"{Path(log_path).read_text(errors='replace')[-3000:]}") from None
            time.sleep(0.2)


def stop_server(process: subprocess.Popen) -> None:
    """Stops `sikg serve` as a user does (SIGTERM), then kills it if it has not ended within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serving(args: list[str], log_path: Path, env: dict | None = None, timeout: float = 60):
    """`sikg serve ARGS` (see start_server): its base URL; the server is stopped on leaving."""
    process, url = start_server(args, log_path, env, timeout)
    try:
        yield url
    finally:
        stop_server(process)


class NetworkRefused(AssertionError):
    """What `refuse_every_url` raises: a JSON-LD document was not readable on its own."""


def refuse_every_url(url, options=None):
    """A pyld document loader for a processor with no network access: every URL is refused, the sikg context's too."""
    raise NetworkRefused(f"the JSON-LD names {url}, which a processor with no network access cannot read")


def offline_quads(document) -> list[ox.Quad]:
    """pyld's reading of a JSON-LD document (bytes, text or parsed) with no network access: it has to carry its
    context itself."""
    if isinstance(document, (bytes, str)):
        document = json.loads(document)
    return to_quads_with_pyld(document, loader=refuse_every_url)


def contribution_form_links(source: str) -> dict[str, str]:
    """A conforming practice's element, level and method links as the contribution form names its fields (a group's
    first entry is `|0|`), each resting on `source` (its first evidence entry's page)."""
    links = {"sikg:qualifiedElementSupport": ("element", "element/realisation",
                                              "The vouchers pay for trying an idea out."),
             "sikg:qualifiedLevelTarget": ("level", "level/micro", "Single residents' groups."),
             "sikg:qualifiedMethodUse": ("method", "method/incubation-programmes", "Each group has a coach.")}
    fields = {}
    for group, (target, iri, rationale) in links.items():
        fields |= {f"{group}|0|sikg:{target}": f"https://w3id.org/sikg/id/{iri}",
                   f"{group}|0|sikg:basis": "https://w3id.org/sikg/id/basis/curated",
                   f"{group}|0|sikg:rationale|en": rationale, f"{group}|0|sikg:evidence|0|dct:source": source}
    return fields


class CountingApp:
    """Wraps the app's WSGI callable and counts the requests that reach it."""

    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)
