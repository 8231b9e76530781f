"""`sikg check-sources`: is the evidence still where the data says it is?

Every qualified record and finding cites pages with quotations, in either of two forms: the flat one (the record's own
`dct:source` or `prov:wasDerivedFrom` pages beside its `sikg:quotation`s, with nothing pairing them) and the evidence
nodes (`sikg:evidence [ dct:source <page> ; sikg:quotation "…" ]`, each quotation paired with its page). This module
fetches each cited page once, and says for each quotation whether it is still on its page: found; moved (a 3xx, with
the new location; the redirect is followed and the quotation looked for there); gone (4xx/5xx, no connection, a
timeout); or the quotation no longer on the page. PDFs are fetched (gone or not) but not read: no PDF text extractor
is installed.

This is the only part of sikg that connects out, and only when a curator runs the command: the service never imports
it (tests/test_check_sources.py checks the web application's module graph).
"""

import codecs
import gzip
import html
import http.client
import json
import re
import threading
import unicodedata
import urllib.error
import urllib.request
import zlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit, urlunsplit

from . import __version__
from .namespaces import PREFIXES

USER_AGENT = f"sikg/{__version__} check-sources (evidence check of the Social Innovation Support Knowledge Graph)"
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5"
MAX_PAGE_BYTES = 8 * 1024 * 1024  # a page bigger than this is read up to here (no cited page comes near it)

FOUND, MOVED, GONE, MISSING, NOT_CHECKED = "found", "moved", "gone", "quotation-missing", "not-checked"
# The report's order: the problems a curator must act on first, what is fine last.
STATUSES = [GONE, MISSING, MOVED, NOT_CHECKED, FOUND]

# Both forms of evidence in one query: an evidence node's page and quotation (?evidence bound), or a record's own
# pages and quotations (?evidence unbound: a record in the flat form that has any quotation, and is not itself an
# evidence node). The record's subject (a practice, an organisation; none for a finding, which is its own record)
# and the target of its link.
EVIDENCE_QUERY = """
SELECT DISTINCT ?record ?subject ?target ?evidence ?page ?quotation WHERE {
  {
    ?record sikg:evidence ?evidence .
    ?evidence dct:source|prov:wasDerivedFrom ?page .
    OPTIONAL { ?evidence sikg:quotation ?quotation }
  } UNION {
    ?record sikg:quotation ?quotation ; dct:source|prov:wasDerivedFrom ?page .
    FILTER NOT EXISTS { ?holder sikg:evidence ?record }
  }
  FILTER(isIRI(?page) && REGEX(STR(?page), "^https?://", "i"))
  OPTIONAL { ?subject ?qualified ?record . FILTER(isIRI(?subject) && STRSTARTS(STR(?qualified), STR(sikg:qualified))) }
  OPTIONAL {
    VALUES ?link { sikg:element sikg:method sikg:level sikg:characteristic sikg:organisation }
    ?record ?link ?target .
  }
}"""


@dataclass
class Quotation:
    text: str
    language: str | None


@dataclass
class Record:
    """One qualified record or finding: what it links, and its quotations on its pages."""
    name: str  # readable: "practice:seal → method:mobilise-resources", or "finding:…" for a finding
    subject: str | None
    target: str | None
    paired: set[tuple[str, str, str | None]] = field(default_factory=set)  # (page, quotation, language)
    pages: set[str] = field(default_factory=set)  # the flat form's pages …
    quotations: set[tuple[str, str | None]] = field(default_factory=set)  # … and its quotations


@dataclass
class Fetched:
    """What one page gave: its text (normalised) or why there is none, and the redirects on the way."""
    url: str
    text: str | None = None
    status: int | None = None
    location: str | None = None  # where the page has moved to (after all redirects)
    redirect_status: int | None = None
    problem: str | None = None  # why it is gone
    pdf: bool = False


@dataclass
class Check:
    page: str
    quotation: str | None
    language: str | None
    status: str
    http_status: int | None = None  # the last answer's (after any redirects)
    redirect_status: int | None = None  # the first redirect's, if the page has moved
    location: str | None = None  # where it has moved to
    detail: str | None = None


# -- reading the data -----------------------------------------------------------------------------------------------

def short(iri: str | None) -> str | None:
    """An IRI by sikg's prefixes where one fits (practice:seal), else its last path segment."""
    if iri is None:
        return None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and prefix != "sikg":
            return f"{prefix}:{iri[len(namespace):]}"
    parts = iri.rstrip("/").rsplit("/", 2)
    return f"{parts[-2]}:{parts[-1]}" if len(parts) == 3 else iri


def read_records(store, only: str | None = None) -> list[Record]:
    """The records that cite pages with quotations, sorted by name; `only`: those of one practice (by slug)."""
    records: dict[str, Record] = {}
    practice = PREFIXES["practice"] + only if only else None
    for row in store.query(EVIDENCE_QUERY, prefixes=PREFIXES):
        subject = row["subject"].value if row["subject"] is not None else None
        if practice and subject != practice:
            continue
        target = row["target"].value if row["target"] is not None else None
        key = str(row["record"])
        record = records.get(key)
        if record is None:
            name = f"{short(subject)} → {short(target) or 'a record'}" if subject else short(row["record"].value)
            record = records[key] = Record(name, subject, target)
        quotation = row["quotation"]
        text, language = (quotation.value, quotation.language) if quotation is not None else (None, None)
        if row["evidence"] is not None:
            record.paired.add((row["page"].value, text, language))
        else:
            record.pages.add(row["page"].value)
            record.quotations.add((text, language))
    return sorted(records.values(), key=lambda r: (r.name, sorted(r.pages | {p for p, _, _ in r.paired})))


def practice_exists(store, slug: str) -> bool:
    """Whether the store has a practice of that slug (a slug is letters, digits and - . _ ~: nothing else is one)."""
    if not re.fullmatch(r"[\w.~-]+", slug):
        return False
    iri = PREFIXES["practice"] + slug
    return bool(store.query(f"ASK {{ <{iri}> a sikg:SupportPractice }}", prefixes=PREFIXES))


# -- the page's text, and matching ----------------------------------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
                         "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
                         "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width spaces and joiners
_SPACE = re.compile(r"\s+")
# An omission inside a quotation: each part around it must be on the page, in order.
_OMISSION = re.compile(r"\[?\.\.\.\]?|\[…\]|…")


def normalise(text: str) -> str:
    """Text as compared: entities unescaped, NFKC, typographic quotes, apostrophes and dashes made plain, invisible
    characters dropped, case folded, and no whitespace at all (markup may split a word or join two)."""
    text = unicodedata.normalize("NFKC", html.unescape(text)).translate(_QUOTES)
    return _SPACE.sub("", _INVISIBLE.sub("", text)).casefold()


def on_page(quotation: str, page_text: str) -> bool:
    """Whether every part of the quotation (parts separated by an omission, "…") is in the normalised page text,
    in order."""
    parts = [normalise(part) for part in _OMISSION.split(unicodedata.normalize("NFKC", quotation))]
    position = 0
    for part in filter(None, parts):
        found = page_text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


class _TextOf(HTMLParser):
    """The text a reader sees on an HTML page, plus its description meta tags (a stored copy may quote either)."""

    SKIPPED = {"script", "style", "template", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1
        elif tag == "meta":
            values = dict(attrs)
            if "description" in (values.get("name") or values.get("property") or "").lower():
                self.parts.append(" " + (values.get("content") or "") + " ")
        self.parts.append(" ")  # a tag may end a word (a <br>, a block); whitespace is dropped when comparing anyway

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def page_text(body: bytes, content_type: str) -> str:
    """The normalised text of a page (HTML, or plain text)."""
    markup = body.decode(_charset(body, content_type), errors="replace")
    if "html" not in content_type and not markup.lstrip()[:1] == "<":
        return normalise(markup)
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    return normalise("".join(parser.parts))


def _charset(body: bytes, content_type: str) -> str:
    declared = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I) or \
        re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", body[:4096], re.I)
    name = declared.group(1) if declared else "utf-8"
    name = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    try:
        known = codecs.lookup(name).name
    except LookupError:
        return "utf-8"
    return "utf-8" if known in ("iso8859-1", "ascii", "cp1252") and _is_utf8(body) else known


def _is_utf8(body: bytes) -> bool:
    """Servers often label UTF-8 pages Latin-1 by default; a page that decodes as UTF-8 is read as UTF-8."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# -- fetching -------------------------------------------------------------------------------------------------------

class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects as urllib does, remembering the first one's status (a 3xx means the page has moved)."""

    def __init__(self):
        super().__init__()
        self.first_status: int | None = None

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if self.first_status is None:
            self.first_status = code
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, timeout: float) -> Fetched:
    """One page, with its redirects followed; never raises for what a server or the network does."""
    redirects = _Redirects()
    opener = urllib.request.build_opener(redirects)
    request = urllib.request.Request(as_uri(url), headers={"User-Agent": USER_AGENT, "Accept": ACCEPT})
    fetched = Fetched(url)
    try:
        with opener.open(request, timeout=timeout) as response:
            fetched.status = response.status
            body = response.read(MAX_PAGE_BYTES)
            final, headers = response.geturl(), response.headers
        if headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
    except urllib.error.HTTPError as error:
        fetched.status, fetched.problem = error.code, f"HTTP {error.code} {error.reason}".strip()
        return _moved(fetched, redirects, error.geturl())
    except (urllib.error.URLError, OSError, ValueError) as error:  # no host, refused, reset, timed out, bad URL…
        reason = getattr(error, "reason", None) or error
        fetched.problem = "timed out" if isinstance(reason, TimeoutError) else f"no answer: {reason}"
        return _moved(fetched, redirects, None)
    except (http.client.HTTPException, EOFError, zlib.error) as error:  # not HTTP, cut short, a broken gzip body
        fetched.problem = f"unreadable answer: {type(error).__name__} {error}".strip()
        return _moved(fetched, redirects, None)
    _moved(fetched, redirects, final)
    content_type = headers.get("Content-Type", "")
    if "pdf" in content_type.lower() or body[:5] == b"%PDF-":
        fetched.pdf = True
    else:
        fetched.text = page_text(body, content_type)
    return fetched


def as_uri(iri: str) -> str:
    """An IRI as the URI a server expects: its host in IDNA, other characters outside ASCII percent-encoded (a page
    may be cited by the address a browser shows)."""
    parts = urlsplit(iri)
    try:
        host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    except UnicodeError:
        return iri  # not a host name any server has: fetching it says so
    netloc = host + (f":{parts.port}" if parts.port else "")
    safe = "/:@!$&'()*+,;=%~-._?#[]"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe), quote(parts.query, safe),
                       quote(parts.fragment, safe)))


def _moved(fetched: Fetched, redirects: _Redirects, final: str | None) -> Fetched:
    if redirects.first_status is not None:
        fetched.redirect_status, fetched.location = redirects.first_status, final
    return fetched


def fetch_all(urls: set[str], timeout: float, concurrency: int, fetch_page=fetch, progress=None) -> dict[str, Fetched]:
    """Every page once. Politely: one request at a time to any one host (a host's pages are fetched in turn), and
    `concurrency` hosts at a time. `fetch_page(url, timeout)`: `fetch`, or a stand-in (a test's local copies);
    `progress(done, total)` hears of each page fetched."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in sorted(urls):
        by_host[urlsplit(url).netloc.lower()].append(url)
    done, lock = [0], threading.Lock()

    def host_pages(pages: list[str]) -> list[Fetched]:
        fetched = []
        for url in pages:
            fetched.append(fetch_page(url, timeout))
            with lock:
                done[0] += 1
                if progress:
                    progress(done[0], len(urls))
        return fetched

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="check-sources") as pool:
        results = pool.map(host_pages, by_host.values())
        return {fetched.url: fetched for batch in results for fetched in batch}


# -- checking -------------------------------------------------------------------------------------------------------

def check(page: Fetched, quotation: str | None, language: str | None) -> Check:
    """One quotation on one fetched page."""
    result = Check(page.url, quotation, language, FOUND, page.status, page.redirect_status, page.location)
    if page.problem:
        result.status, result.detail = GONE, page.problem
    elif page.pdf:
        result.status, result.detail = NOT_CHECKED, "not checked (PDF)"
    elif quotation is not None and not on_page(quotation, page.text):
        result.status = MISSING
        result.detail = (f"moved ({page.redirect_status}), and the quotation is not on the page it moved to"
                         if page.location else "the quotation is no longer on the page")
    elif page.location:
        result.status, result.detail = MOVED, f"moved ({page.redirect_status}); the quotation is still there"
    elif quotation is None:
        result.detail = "the page answers; the record has no quotation to look for"
    return result


def checks_of(record: Record, pages: dict[str, Fetched]) -> list[Check]:
    """The record's checks: each paired quotation on its page; in the flat form, each quotation on the record's
    page that holds it (the best of its pages), and any of its pages that is gone or moved besides."""
    checks = [check(pages[page], text, language) for page, text, language in sorted(record.paired, key=_order)]
    chosen = set()
    for text, language in sorted(record.quotations, key=lambda q: (q[0] or "", q[1] or "")):
        candidates = [check(pages[page], text, language) for page in sorted(record.pages)]
        best = min(candidates, key=lambda c: _PREFERENCE.index(c.status))
        checks.append(best)
        chosen.add(best.page)
    for page in sorted(record.pages - chosen):
        result = check(pages[page], None, None)
        if result.status != FOUND:
            checks.append(result)
    return checks


_PREFERENCE = [FOUND, MOVED, NOT_CHECKED, MISSING, GONE]  # of a quotation's candidate pages in the flat form


def _order(item):
    page, text, language = item
    return page, text or "", language or ""


def run(store, *, timeout: float = 20.0, concurrency: int = 4, only: str | None = None, fetch_page=fetch,
        progress=None) -> dict:
    """The report, as its JSON: a summary of counts, and each record with its checks and its worst status.
    `fetch_page`, `progress`: see fetch_all."""
    records = read_records(store, only)
    urls = {page for r in records for page in r.pages | {p for p, _, _ in r.paired}}
    pages = fetch_all(urls, timeout, concurrency, fetch_page, progress)
    entries = []
    for record in records:
        checks = checks_of(record, pages)
        entries.append({"record": record.name, "subject": record.subject, "target": record.target,
                        "status": min((c.status for c in checks), key=STATUSES.index),
                        "checks": [asdict(c) for c in checks]})
    counts = {status: 0 for status in STATUSES}
    for entry in entries:
        for item in entry["checks"]:
            counts[item["status"]] += 1
    return {"summary": {"records": len(entries), "pages": len(urls), "checks": sum(counts.values()), **counts},
            "records": entries}


def all_found(report: dict) -> bool:
    return all(item["status"] == FOUND for entry in report["records"] for item in entry["checks"])


# -- the report -----------------------------------------------------------------------------------------------------

HEADINGS = {GONE: "Gone (the page does not answer)", MISSING: "Quotation no longer on the page",
            MOVED: "Moved (the quotation is still there; cite the new address)",
            NOT_CHECKED: "Not checked", FOUND: "Found"}


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def to_text(report: dict) -> str:
    """Grouped by status, the problems first, with counts; a found quotation takes one line, a problem three."""
    summary = report["summary"]
    lines = [f"{summary['records']} records cite {summary['pages']} pages: {summary['checks']} quotations checked"]
    lines += [f"  {status}: {summary[status]}" for status in STATUSES]
    grouped = defaultdict(list)
    for entry in report["records"]:
        for item in entry["checks"]:
            grouped[item["status"]].append((entry["record"], item))
    for status in STATUSES:
        if not grouped[status]:
            continue
        lines += ["", f"{HEADINGS[status]} ({len(grouped[status])})"]
        for name, item in grouped[status]:
            lines.append(f"  {name}: {item['page']}")
            if status != FOUND:
                lines += _problem_lines(item)
    return "\n".join(lines) + "\n"


def _problem_lines(item: dict) -> list[str]:
    lines = [f"    {item['detail']}"]
    if item["location"]:
        lines.append(f"    now at: {item['location']}")
    if item["quotation"]:
        quoted = item["quotation"] if len(item["quotation"]) <= 100 else item["quotation"][:99] + "…"
        lines.append(f"    “{quoted}”" + (f" @{item['language']}" if item["language"] else ""))
    return lines
