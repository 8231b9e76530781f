"""YASGUI (npm @zazuko/yasgui, installed from tests/sparql-clients-js's lock file) in a real Chromium against `sikg
serve` (issue 30): a page of its own, served from another origin as a user's page would be, runs a SELECT, an ASK, a
CONSTRUCT and a DESCRIBE against /sparql by GET and by POST, and YASR shows what it parsed (a table of the practices, a
boolean, the graph's statements)."""

import functools
import http.server
import json
import threading

import pytest
from test_sparql_clients import PRACTICE, QUERIES, SIKG

from helpers import ROOT

from .test_browser import open_page, wait_for

YASGUI = ROOT / "tests" / "sparql-clients-js" / "node_modules" / "@zazuko" / "yasgui" / "build"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>YASGUI against sikg</title>
<link rel="stylesheet" href="yasgui.min.css"><script src="yasgui.min.js"></script></head>
<body><div id="yasgui"></div><script>
  const parameters = new URLSearchParams(location.search);
  window.yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint: parameters.get("endpoint"), method: parameters.get("method")},
    persistenceId: null, copyEndpointOnNewTab: false,
  });
</script></body></html>
"""
# Runs one query in the open tab and hands back what YASR parsed, once YASR has drawn it.
RUN = """
const [query, done] = arguments;
const tab = window.yasgui.getTab();
const yasqe = tab.getYasqe(), yasr = tab.getYasr();
yasr.once("drawn", () => {
  const results = yasr.results;
  done({error: results.hasError() ? results.getError() : null, type: results.getType(),
        contentType: results.getContentType(), status: results.getStatus(), boolean: results.getBoolean(),
        bindings: results.getType() === "ttl" ? [] : (results.getBindings() || []).map(b => b.p && b.p.value),
        statements: results.getType() === "ttl" ? results.getStatements().map(
          q => [q.subject.value, q.predicate.value, q.object.value]) : [],
        method: tab.getRequestConfig().method, shown: document.querySelector(".yasr_results").innerText});
});
yasqe.setValue(query);
yasqe.query();
"""


@pytest.fixture(scope="module")
def yasgui_page(tmp_path_factory):
    """The page on a loopback HTTP server of its own (another origin than sikg's: CORS is what lets it ask)."""
    if not (YASGUI / "yasgui.min.js").is_file():
        pytest.fail("tests/sparql-clients-js is not installed: `make test` installs it from its lock file "
                    "(npm ci --prefix tests/sparql-clients-js)")
    folder = tmp_path_factory.mktemp("yasgui")
    (folder / "index.html").write_text(PAGE)
    for name in ("yasgui.min.js", "yasgui.min.css"):
        (folder / name).symlink_to(YASGUI / name)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_yasgui_runs_each_query_form_against_sparql(browser, live_server, yasgui_page, method, screenshots):
    open_page(browser, f"{yasgui_page}?endpoint={live_server}/sparql&method={method}")
    wait_for(browser, lambda d: d.execute_script("return !!(window.yasgui && window.yasgui.getTab())"))
    browser.set_script_timeout(30)
    answers = {form: browser.execute_async_script(RUN, query) for form, query in QUERIES.items()}
    browser.save_screenshot(str(screenshots / f"yasgui-{method.lower()}.png"))
    for form, answer in answers.items():
        assert answer["error"] is None and answer["status"] == 200, (form, json.dumps(answer)[:500])
        assert answer["method"] == method
    select, ask, construct, describe = (answers[f] for f in QUERIES)
    assert select["type"] == "json" and len(select["bindings"]) == 35 and PRACTICE in select["bindings"]
    assert PRACTICE.rsplit("/", 1)[1] in select["shown"]  # the table YASR drew
    assert ask["boolean"] is True
    typed = [PRACTICE, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", SIKG + "SupportPractice"]
    assert construct["type"] == "ttl" and len(construct["statements"]) == 35 and typed in construct["statements"]
    assert describe["type"] == "ttl" and typed in describe["statements"] and len(describe["statements"]) > 20
