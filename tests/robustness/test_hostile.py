"""The hostile-input corpus (tests/hostile/manifest.toml): each case sent as the manifest says, answered with the
status and the message it gives, within its time budget, and not one connection to the listener that stands for
"elsewhere" (`{LISTENER}` in the inputs) during the whole corpus. Cases on /sparql run over both backends: the
embedded store, and a real `oxigraph serve` behind sikg (which, unlike the evaluators, would follow a SERVICE)."""

import io
import json
import time
import tomllib
import urllib.parse

import fuzzkit
import pytest

MANIFEST = tomllib.loads((fuzzkit.HOSTILE / "manifest.toml").read_text(encoding="utf-8"))["case"]
RESULT_CAP = 256 * 1024  # SIKG_MAX_RESULT_BYTES of the services here: the whole KG is bigger, a practice is not


def _cases():
    for case in MANIFEST:
        backends = case.get("backends", ["embedded", "external"] if case["route"].startswith("/sparql") else
                            ["embedded"])
        for backend in backends:
            marks = [pytest.mark.xfail(strict=True, reason=case["bug"])] if case.get("bug") else []
            yield pytest.param(case, backend, id=f"{case['id']}-{backend}" if len(backends) > 1 else case["id"],
                               marks=marks)


@pytest.fixture(scope="module")
def services(contrib_token, tmp_path_factory):
    """Backend name -> Flask test client; the external one (an Oxigraph server loaded with the curated KG) is started
    on first use."""
    made, apps, servers = {}, [], []

    def get(backend: str):
        if backend not in made:
            if backend == "embedded":
                app = fuzzkit.make_app(max_result_bytes=RESULT_CAP)
            else:
                from sikg.store import open_store

                server = fuzzkit.OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
                server.start()
                servers.append(server)
                store = open_store(server.query_url, timeout=5)
                store.load_curated()
                app = fuzzkit.make_app(store, max_result_bytes=RESULT_CAP)
            apps.append(app)
            made[backend] = app.test_client()
        return made[backend]

    yield get
    for app in apps:
        fuzzkit.close_app(app)
    for server in servers:
        server.stop()


def _fill(text: str, listener) -> str:
    return text.replace("{LISTENER}", listener.base)


def build_request(case: dict, listener) -> dict:
    """The manifest's case as keyword arguments of the Flask test client's open()."""
    data = None
    if case.get("file"):
        data = (fuzzkit.HOSTILE / case["file"]).read_bytes().replace(b"{LISTENER}", listener.base.encode())
        data *= case.get("repeat", 1)
    send = case.get("send", "body" if data is not None else "none")
    params = [(name, _fill(value, listener)) for name, value in case.get("params", [])]
    headers = {name: _fill(value, listener) for name, value in case.get("headers", {}).items()}
    if case.get("auth"):
        headers.update(fuzzkit.AUTH)
    request = {"method": case.get("method", "GET"), "headers": headers}
    if send == "query":
        params = [("query", data.decode("utf-8"))] + params
    elif send == "form":
        request["data"] = urllib.parse.urlencode([("query", data.decode("utf-8"))]).encode()
        request["content_type"] = "application/x-www-form-urlencoded"
    elif send == "multipart":
        request["data"] = {"file": (io.BytesIO(data), case.get("filename", case["file"]),
                                    case.get("content_type", "application/octet-stream"))}
        request["content_type"] = "multipart/form-data"
    elif send == "body":
        request["data"] = data
        request["content_type"] = case["content_type"]
    route = _fill(case["route"], listener)
    if params:
        route += ("&" if "?" in route else "?") + urllib.parse.urlencode(params)
    request["path"] = route
    return request


@pytest.mark.parametrize("case, backend", list(_cases()))
def test_hostile_input(services, listener, case, backend):
    request = build_request(case, listener)
    budget = case.get("budget", 30)
    if case.get("isolate"):
        if isinstance(request.get("data"), dict):
            raise NotImplementedError("isolated multipart cases")
        answer = fuzzkit.call_isolated(request, budget, env={"SIKG_MAX_RESULT_BYTES": str(RESULT_CAP)})
    else:
        kwargs = {k: v for k, v in request.items() if k not in ("method", "path")}
        answer = fuzzkit.call(services(backend), request["method"], request["path"], budget, **kwargs)
    shown = f"{case['id']} ({backend}): {answer.status} {answer.text[:300]!r}"
    assert answer.status == case["status"], shown
    if case.get("message"):
        assert _fill(case["message"], listener).lower() in answer.text.lower(), shown
    if case.get("absent"):
        assert case["absent"] not in answer.text, shown
    fuzzkit.assert_sane(answer, case["id"])
    listener.assert_untouched(case["id"])


def test_no_connection_was_opened_during_the_whole_corpus(listener):
    time.sleep(0.3)  # anything still on its way (an evaluator, the external store) has arrived by now
    listener.assert_untouched("the hostile corpus")


# -- what a case's status alone does not show ---------------------------------------------------------------------

CURATED = "https://w3id.org/sikg/graph/curated"


def test_a_contribution_never_writes_into_a_graph_it_names(services, listener):
    """TriG naming the curated graph (and the state graph) is accepted as a contribution of its own: the curated
    graph keeps exactly its triples, and the practice lands in the new contribution graph."""
    client = services("embedded")
    store = client.application.extensions["sikg"].store
    count = lambda graph: int(next(iter(store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))["n"].value)
    curated_before = count(CURATED)
    request = build_request(next(c for c in MANIFEST if c["id"] == "contribution-naming-the-curated-graph"), listener)
    answer = fuzzkit.call(client, "POST", "/contributions", 30, data=request["data"],
                          content_type=request["content_type"], headers=request["headers"])
    assert answer.status == 201, answer.text
    graph = json.loads(answer.body)["graph"]
    assert count(CURATED) == curated_before
    assert count(graph) > 40
    assert "https://w3id.org/sikg/graph/state" not in store.named_graphs()


def test_contributed_script_and_javascript_links_are_never_live(services):
    """A label with a script and javascript: IRIs as source and homepage: refused, or shown inert on the page."""
    client = services("embedded")
    data = (fuzzkit.HOSTILE / "contribution-script-and-javascript-links.ttl").read_bytes()
    answer = fuzzkit.call(client, "POST", "/contributions", 30, data=data, content_type="text/turtle",
                          headers=fuzzkit.AUTH)
    assert answer.status in (201, 422), answer.text
    if answer.status == 422:  # refused: only if it is the javascript: IRIs the shapes refuse
        assert "javascript:" in answer.text, answer.text[:1000]
        return
    page = fuzzkit.call(client, "GET", "/id/practice/example-hostile-script", 30,
                        headers={"Accept": "text/html"})
    assert page.status == 200, page.text[:300]
    assert b"<script>alert(1)" not in page.body
    assert b'href="javascript:' not in page.body.lower(), "a contributed javascript: IRI is a live link"


def test_an_evaluator_cannot_reach_the_network_even_when_a_service_gets_past_the_check(listener):
    """Defence in depth: the evaluator processes run in a network namespace of their own (evaluator.isolate_network).
    A SERVICE handed to the pool directly, without the safety check, finds no network. (pyoxigraph itself would
    fetch it: in this process the same query connects to the listener.)"""
    import subprocess
    import sys

    from sikg.sparql.evaluator import EvalRequest, EvaluationFailed, EvaluatorPool
    from sikg.store import EmbeddedStore

    probe = subprocess.run([sys.executable, "-c", "import sys; from sikg.sparql.evaluator import isolate_network; "
                            "sys.exit(0 if isolate_network() else 1)"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this kernel gives no network namespace to an unprivileged process: the refusal before "
                    "evaluation (safety.py) is the only guard here")
    pool, store = EvaluatorPool(1, 10, 1 << 20), EmbeddedStore()  # (the store owns its snapshots' files)
    try:
        query = f"SELECT * WHERE {{ SERVICE <{listener.base}/sparql> {{ ?s ?p ?o }} }}"
        with pytest.raises(EvaluationFailed, match="unreachable"):
            list(pool.run(store.snapshot(), EvalRequest(query, "json")))
    finally:
        pool.close()
    time.sleep(0.2)
    listener.assert_untouched("an evaluator")
