"""`sikg check-sources` against a local test site on 127.0.0.1: a page that holds its quotation behind markup and
entities, a 301 to a page that holds it, a 404, a 500, a page whose quotation is gone, a server that never answers, a
PDF. The data (tests/fixtures/check-sources.ttl) is loaded into a store on disk by `sikg load`, as a curator would.
Nothing here reaches the internet: every connection the checker makes is to the test site, or refused."""

import dataclasses
import html
import json
import socket
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import FIXTURES, ROOT, run_cli, select
from sikg import check_sources
from sikg.check_sources import normalise, on_page
from sikg.cli import main
from sikg.store import open_store

PRACTICE = "https://w3id.org/sikg/id/practice/checked-example"

QUOTED = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Quoted</title>"
          b"<script>var s = 'in every region';</script></head><body>"
          b"<h1>About</h1><p>WE <em>support</em>&nbsp;&#39;social&#39;\n   entrepreneurs&#8217; ideas &ndash; "
          b"<a href='#'>across</a> sectors, from the coast to the hills, in every re<span>gion</span>.</p>"
          b"<p>Ideas are developed <b>together</b> with the residents.</p></body></html>")
MOVED_HERE = "<html><body><p>The fund lends to cooperatives and to associations.</p></body></html>".encode()
REWRITTEN = b"<html><body><p>The network has stopped its meetings.</p></body></html>"


class Site(BaseHTTPRequestHandler):
    """The test site's pages, by path."""

    release = threading.Event()  # set when the tests end: the slow page stops waiting
    seen_agents: list[str] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/old-address":
            self._answer(301, b"", Location="/new-address")
        elif self.path == "/new-address":
            self._answer(200, MOVED_HERE)
        elif self.path in ("/quoted", "/fundaci%C3%B3n"):
            self._answer(200, QUOTED)
        elif self.path == "/rewritten":
            self._answer(200, REWRITTEN)
        elif self.path == "/broken":
            self._answer(500, b"<h1>Internal Server Error</h1>")
        elif self.path == "/slow":
            self.release.wait(10)  # longer than the checker's --timeout in these tests
            self._answer(200, b"<p>A server that never answers</p>")
        elif self.path == "/report.pdf":
            self._answer(200, b"%PDF-1.4\n% The partner co-finances the programme\n", type="application/pdf")
        else:
            self._answer(404, b"<h1>Not Found</h1>")

    def _answer(self, status, body, type="text/html; charset=utf-8", **headers):
        try:
            self.send_response(status)
            self.send_header("Content-Type", type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the checker gave up waiting (the slow page)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    # A new event each time: a worker may set this module up twice (worksteal hands it tests at two moments), and the
    # slow page would answer at once the second time if the first one's release were still set.
    Site.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    Site.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def store(site, tmp_path_factory):
    """The fixture's data, pointed at the test site, in a store on disk loaded by `sikg load`."""
    directory = tmp_path_factory.mktemp("check-sources")
    data = directory / "check-sources.ttl"
    data.write_text((FIXTURES / "check-sources.ttl").read_text(encoding="utf-8").replace("http://sources.test/", site),
                    encoding="utf-8")
    loaded = run_cli("load", str(data), "--store", str(directory / "store"))
    assert loaded.returncode == 0, loaded.stderr
    return str(directory / "store")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any connection elsewhere than 127.0.0.1 fails the test (and is never made)."""
    connect = socket.create_connection

    def loopback(address, *args, **kwargs):
        assert address[0] in ("127.0.0.1", "localhost"), f"check-sources connected out to {address}"
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", loopback)


def check(store, capsys, *options):
    code = main(["check-sources", "--store", store, "--only", "checked-example", "--timeout", "1", *options])
    return code, capsys.readouterr()


@pytest.fixture(scope="module")
def report(store):
    """The JSON report over the example practice (one run for the tests that read it)."""
    result = subprocess.run([sys.executable, "-m", "sikg.cli", "check-sources", "--store", store, "--only",
                             "checked-example", "--timeout", "1", "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


def by_target(report) -> dict[str, dict]:
    return {entry["target"].rsplit("/", 2)[-2] + ":" + entry["target"].rsplit("/", 1)[-1]: entry
            for entry in report["records"]}


@pytest.mark.slow  # `sikg load` and `sikg check-sources` run as processes
def test_each_status_is_reported_on_its_record(report):
    records = by_target(report)
    assert {name: entry["status"] for name, entry in records.items()} == {
        "element:challenges": "found",  # markup, entities, typographic quotes, case and an omission in between
        "characteristic:co-creation": "found",  # the flat form: dct:source and sikg:quotation on the record
        "element:mobilisation": "moved",
        "method:gather-stakeholders": "gone",
        "method:mobilise-resources": "gone",
        "level:meso": "quotation-missing",
        "level:macro": "gone",
        "level:micro": "quotation-missing",  # two evidence nodes: found on one page, not on the other
        "organisation:checked-partner": "not-checked",
    }


@pytest.mark.slow  # `sikg load` and `sikg check-sources` run as processes
def test_a_moved_page_gives_its_new_address_and_is_still_checked(report, site):
    [moved] = by_target(report)["element:mobilisation"]["checks"]
    assert moved["redirect_status"] == 301
    assert moved["location"] == site + "new-address"
    assert moved["page"] == site + "old-address"
    assert moved["http_status"] == 200


@pytest.mark.slow  # `sikg load` and `sikg check-sources` run as processes
def test_gone_says_why(report):
    records = by_target(report)
    [not_found] = records["method:gather-stakeholders"]["checks"]
    [failing] = records["method:mobilise-resources"]["checks"]
    [slow] = records["level:macro"]["checks"]
    assert (not_found["http_status"], failing["http_status"]) == (404, 500)
    assert "404" in not_found["detail"] and "500" in failing["detail"]
    assert slow["detail"] == "timed out" and slow["http_status"] is None


@pytest.mark.slow  # `sikg load` and `sikg check-sources` run as processes
def test_each_quotation_is_checked_on_its_own_page(report, site):
    checks = by_target(report)["level:micro"]["checks"]
    assert {(c["page"], c["status"]) for c in checks} == {(site + "quoted", "found"),
                                                           (site + "rewritten", "quotation-missing")}


@pytest.mark.slow  # `sikg load` and `sikg check-sources` run as processes
def test_the_json_report_has_counts_and_every_record_with_its_checks(report, site):
    assert report["summary"] == {"records": 9, "pages": 7, "checks": 10, "found": 3, "moved": 1, "gone": 3,
                                 "quotation-missing": 2, "not-checked": 1}
    [entry] = [e for e in report["records"] if e["target"].endswith("challenges")]
    assert entry["subject"] == PRACTICE and entry["record"] == "practice:checked-example → element:challenges"
    assert entry["checks"] == [{
        "page": site + "quoted", "quotation": "We support ‘social’ entrepreneurs’ ideas – across sectors, … in every "
        "region", "language": "en", "status": "found", "http_status": 200, "redirect_status": None,
        "location": None, "detail": None}]
    [pdf] = by_target(report)["organisation:checked-partner"]["checks"]
    assert pdf["detail"] == "not checked (PDF)"


@pytest.mark.slow  # `sikg load` and `sikg check-sources` run as processes
def test_the_readable_report_groups_by_status_with_counts(store, capsys):
    code, out = check(store, capsys)
    assert code == 1
    text = out.out
    order = [text.index(heading) for heading in ("Gone (the page does not answer) (3)",
                                                 "Quotation no longer on the page (2)", "Moved (", "Not checked (1)",
                                                 "Found (3)")]
    assert order == sorted(order)
    assert "practice:checked-example → level:meso" in text and "the quotation is no longer on the page" in text
    assert "now at: " in text and "new-address" in text
    assert text.startswith("9 records cite 7 pages: 10 quotations checked")


@pytest.mark.slow  # `sikg load` and `sikg check-sources` run as processes
def test_exit_0_when_every_quotation_is_found(store, capsys):
    Site.seen_agents.clear()
    code, out = check(store, capsys, "--only", "other-example", "--format", "json")
    assert code == 0, out.out
    assert json.loads(out.out)["summary"]["found"] == 1
    assert Site.seen_agents and all(agent.startswith("sikg/") for agent in Site.seen_agents)


@pytest.mark.slow  # `sikg load` and `sikg check-sources` run as processes
def test_usage_errors_exit_2(store, capsys):
    assert check(store, capsys, "--only", "no-such-practice")[0] == 2
    assert check(store, capsys, "--only", "x> } ASK { ?s ?p ?o")[0] == 2  # not a slug: never put into a query
    assert check(store, capsys, "--concurrency", "0")[0] == 2
    with pytest.raises(SystemExit) as exit:
        main(["check-sources", "--format", "yaml"])
    assert exit.value.code == 2


def test_a_store_that_does_not_answer_exits_3(capsys):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    code = main(["check-sources", "--store", f"http://127.0.0.1:{port}/sparql"])
    assert code == 3
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("quotation, page", [
    ("l’économie sociale", "<p>L&#8217;&Eacute;conomie   sociale</p>"),
    ("“Otrā Elpā”", "<p>&quot;Otrā <b>Elpā</b>&quot;</p>"),
    ("co-operation", "<p>co&shy;&#8209;operation</p>"),
    ("first … last", "<p>first words, then the last</p>"),
])
def test_matching_is_robust_to_markup_entities_quotes_and_case(quotation, page):
    assert on_page(quotation, check_sources.page_text(page.encode(), "text/html"))


@pytest.mark.parametrize("quotation, page", [
    ("the fund lends", "<p>the fund borrows</p>"),
    ("last … first", "<p>first words, then the last</p>"),  # the parts of an omission, in order
    ("hidden words", "<p>x</p><script>hidden words</script>"),
])
def test_matching_fails_when_the_words_are_not_there(quotation, page):
    assert not on_page(quotation, check_sources.page_text(page.encode(), "text/html"))


def test_a_page_labelled_latin_1_but_written_in_utf_8_is_read_as_utf_8():
    page = "<p>Otrā Elpā</p>".encode()
    assert on_page("Otrā Elpā", check_sources.page_text(page, "text/html; charset=ISO-8859-1"))
    assert normalise("A\u00a0B") == normalise("a b")


def test_a_page_cited_by_an_address_outside_ascii_is_fetched_by_its_uri(site):
    page = check_sources.fetch(site + "fundación", 1)
    assert page.status == 200 and on_page("in every region", page.text)


def test_an_answer_that_is_not_http_is_a_gone_page_not_a_crash():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer_garbage():
        connection, _ = server.accept()
        with connection:
            connection.recv(1000)
            connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    page = check_sources.fetch(f"http://127.0.0.1:{server.getsockname()[1]}/page", 2)
    thread.join(2)
    server.close()
    assert page.problem.startswith("unreadable answer") and page.text is None
    assert check_sources.check(page, "anything", "en").status == "gone"


@pytest.mark.slow  # a Python process imports every module of sikg
def test_the_service_never_imports_the_checker():
    """Every module of sikg imported (the web application, the server, the command line among them), and the
    checker is not among what they import: it is loaded only when `sikg check-sources` runs."""
    script = ("import pkgutil, sys, sikg\n"
              "names = [m.name for m in pkgutil.walk_packages(sikg.__path__, 'sikg.')\n"
              "         if m.name != 'sikg.check_sources']\n"
              "for name in names: __import__(name)\n"
              "assert 'sikg.web.app' in sys.modules and 'sikg.server' in sys.modules\n"
              "print(len(names), 'sikg.check_sources' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    count, imported = result.stdout.split()
    assert int(count) > 50 and imported == "False"
    mentions = [p.name for p in (ROOT / "src" / "sikg").rglob("*.py") if "check_sources" in p.read_text("utf-8")]
    assert sorted(mentions) == ["check_sources.py", "cli.py"]


def copy_of_page(quotations: set[str]) -> bytes:
    """A page that holds each quotation as a web page would: plain quotes and apostrophes for typographic ones,
    entities, markup inside the sentence, other line breaks, the first word in capitals, and words where the
    quotation leaves some out (…)."""
    paragraphs = []
    for quotation in sorted(quotations):
        text = quotation.replace("…", " (words the quotation leaves out) ").translate(str.maketrans("’“”", "'\"\""))
        words = text.split()
        words[0] = words[0].upper()
        marked = [f"<em>{html.escape(w)}</em>" if i % 3 == 1 else html.escape(w) for i, w in enumerate(words)]
        paragraphs.append("<p>" + "\n   ".join(marked) + "</p>")
    return ("<!DOCTYPE html><html><body><h1>A stored copy</h1>" + "".join(paragraphs) + "</body></html>").encode()


@pytest.fixture(scope="module")
def mirror():
    """A local site with a copy of every page the curated data cites, by its address: /{the address, quoted}."""
    pages: dict[str, bytes] = {}

    class Mirror(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            body = pages.get(urllib.parse.unquote(self.path[1:]))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", pages
    server.shutdown()
    server.server_close()


# Each quotation with its page: paired by an evidence node, or in the flat form each of a record's quotations with
# each of its pages (nothing says which is on which).
EVIDENCE_PAIRS = """
SELECT DISTINCT ?record ?page ?quotation ?paired WHERE {
  { ?record sikg:evidence [ dct:source ?page ; sikg:quotation ?quotation ] BIND(true AS ?paired) }
  UNION {
    ?record sikg:quotation ?quotation ; dct:source ?page . BIND(false AS ?paired)
    FILTER NOT EXISTS { ?node sikg:evidence ?record }
  }
}"""


def test_every_record_of_the_curated_data_is_reported_against_copies_of_its_pages(mirror):
    """The whole curated KG, each cited page served from the mirror: every record is in the report, and every one of
    its real quotations (their typographic quotes, omissions, five languages) is found on a copy of its page."""
    base, pages = mirror
    kg = open_store()
    pairs = select(kg, EVIDENCE_PAIRS)
    for pair in pairs:
        pages.setdefault(pair["page"], set()).add(pair["quotation"])
    pages.update({page: copy_of_page(quotations) for page, quotations in pages.items()})

    def from_mirror(url, timeout):
        return dataclasses.replace(check_sources.fetch(base + urllib.parse.quote(url, safe=""), timeout), url=url)

    report = check_sources.run(kg, timeout=5, concurrency=2, fetch_page=from_mirror)
    assert report["summary"]["records"] == len({pair["record"] for pair in pairs}) > 350
    assert report["summary"]["pages"] == len(pages)
    # one check for each paired quotation on its page, and for each quotation of a record in the flat form
    checks = {(p["record"], p["page"] if p["paired"] == "true" else None, p["quotation"]) for p in pairs}
    assert report["summary"]["found"] == report["summary"]["checks"] == len(checks)
    assert check_sources.all_found(report)
