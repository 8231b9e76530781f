"""Listing contributions a page at a time (issue 31): the curator's queue (GET /review) and the JSON list (GET
/contributions) read one page with ONE query, whatever the number of contributions, never a query per item.

Each entry is read from the contribution's record (the graph its id names: who, when, the payload's sha256, the
status) and, for a pending one, from its kept validation report (reports.py: the kind of contribution, how many
practices, the counts of warnings and violations, the name of what it describes, in one JSON literal), used only when
the report is about the data as it is now (the same sha256). The entries matching the filters are counted, ordered and
cut to the page first, on the few triples that takes; only the page's entries are joined with the rest. The total
comes back in the same answer (a sub-select), so a page past the end still says how many there are.

The parameters (`Page.from_args`): limit (1 to MAX_LIMIT, DEFAULT_LIMIT), offset, order (oldest first, or newest),
contributor (a contributor's name), kind (practice, revision, batch) and warnings (yes: with warnings or violations,
no: with neither); anything else is a 400 that says what is allowed.
"""

import json
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pyoxigraph as ox

from ..errors import BadRequest
from ..namespaces import GRAPH_CONTRIBUTION, PROV, RDFS, SIKG
from .reports import KINDS

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
ORDERS = ("oldest", "newest")
WARNINGS = ("yes", "no")


@dataclass(frozen=True)
class Page:
    """Which page of which entries."""
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    order: str = "oldest"
    contributor: str | None = None
    kind: str | None = None
    warnings: str | None = None

    @classmethod
    def from_args(cls, args) -> "Page":
        """From a request's query parameters (a Werkzeug MultiDict, or a dict)."""
        return cls(limit=_whole(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
                   offset=_whole(args, "offset", 0, 0, 10**9),
                   order=_one_of(args, "order", ORDERS) or "oldest",
                   contributor=(args.get("contributor") or "").strip() or None,
                   kind=_one_of(args, "kind", KINDS),
                   warnings=_one_of(args, "warnings", WARNINGS))

    @property
    def filtered(self) -> bool:
        return bool(self.contributor or self.kind or self.warnings)

    def query_string(self, **changes) -> str:
        """This page's parameters (as given: defaults left out), with `changes`."""
        page = replace(self, **changes)
        default = Page()
        kept = {name: getattr(page, name) for name in ("limit", "offset", "order", "contributor", "kind", "warnings")
                if getattr(page, name) != getattr(default, name)}
        return urlencode(kept)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset else None


def _whole(args, name: str, default: int, least: int, most: int) -> int:
    given = args.get(name)
    if given in (None, ""):
        return default
    try:
        value = int(given)
    except ValueError:
        value = least - 1
    if not least <= value <= most:
        raise BadRequest(f"{name} must be a whole number from {least} to {most}")
    return value


def _one_of(args, name: str, allowed: tuple) -> str | None:
    given = args.get(name)
    if given in (None, ""):
        return None
    if given not in allowed:
        raise BadRequest(f"{name} must be one of: {', '.join(allowed)}")
    return given


@dataclass
class Listed:
    """One page of entries, and how many match in all."""
    entries: list[dict]
    total: int
    page: Page

    @property
    def has_next(self) -> bool:
        return self.page.next_offset < self.total


def _report_of_c() -> str:
    """Binds ?report to the IRI of ?c's kept report (reports.report_iri): a lookup by subject, which the store makes
    for the page's entries only (a pattern ?report sikg:reportOf ?c is matched against every report first)."""
    return 'BIND(IRI(CONCAT(STR(?c), "#report")) AS ?report)'


def _matching(prefix: str, status: str | None, page: Page) -> str:
    """The entries matching the filters, with ?c, ?g (the graph of its record) and ?when: only what the filters need
    is joined here (the count and the ordering read these alone); the rest is joined for the page's entries."""
    marked = f'; <{SIKG.status}> "{status}"' if status else ""
    filtered = ""
    if page.contributor:
        filtered += (f" GRAPH ?g {{ ?c <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }} "
                     f"FILTER(STR(?who) = {ox.Literal(page.contributor)})")
    if page.kind or page.warnings:
        filtered += f" {_report_of_c()}"
    if page.kind:
        filtered += (f" OPTIONAL {{ ?report <{SIKG.contributionKind}> ?storedKind }} FILTER(COALESCE(?storedKind, "
                     f'IF(EXISTS {{ GRAPH ?g {{ ?c <{SIKG.revises}> ?revised }} }}, "revision", "practice")) = '
                     f'"{page.kind}")')
    if page.warnings:
        filtered += (f" OPTIONAL {{ ?report <{SIKG.warningCount}> ?warnings ; <{SIKG.violationCount}> ?violations }}"
                     " FILTER(COALESCE(?warnings, 0) + COALESCE(?violations, 0) "
                     f"{'>' if page.warnings == 'yes' else '='} 0)")
    return f"""GRAPH ?g {{ ?c a <{SIKG.Contribution}> ; <{PROV.generatedAtTime}> ?when {marked} }}
              FILTER(STRSTARTS(STR(?c), "{GRAPH_CONTRIBUTION}"))
              FILTER(STR(?g) = CONCAT("{prefix}", SUBSTR(STR(?c), {len(GRAPH_CONTRIBUTION) + 1}))){filtered}"""


def query(prefix: str, status: str | None, page: Page) -> str:
    """The one query of a page: the total, and the page's entries (ordered and cut first, then each joined with
    who sent it, its sha256, whether it proposes a revision, and what its kept report says for the queue)."""
    matching = _matching(prefix, status, page)
    direction = "DESC" if page.order == "newest" else "ASC"
    return f"""
        SELECT ?total ?c ?when ?who ?sha ?revision ?entry WHERE {{
          {{ SELECT (COUNT(?c) AS ?total) WHERE {{ {matching} }} }}
          OPTIONAL {{
            {{ SELECT ?c ?g ?when WHERE {{ {matching} }} ORDER BY {direction}(?when) {direction}(?c)
               LIMIT {page.limit} OFFSET {page.offset} }}
            OPTIONAL {{ GRAPH ?g {{ ?c <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }} }}
            OPTIONAL {{ GRAPH ?g {{ ?c <{SIKG.payloadSha256}> ?sha }} }}
            BIND(EXISTS {{ GRAPH ?g {{ ?c <{SIKG.revises}> ?revised }} }} AS ?revision)
            {_report_of_c()}
            OPTIONAL {{ ?report <{SIKG.queueEntry}> ?entry }}
          }}
        }} ORDER BY {direction}(?when) {direction}(?c)"""


def read(run_query, prefix: str, status: str | None, page: Page) -> Listed:
    """The page, read with `run_query` (the store's query or query_private)."""
    total, entries, seen = 0, [], set()
    for row in run_query(query(prefix, status, page)):
        total = int(row["total"].value)
        if row["c"] is None or row["c"] in seen:  # (a record naming two contributors: its first)
            continue
        seen.add(row["c"])
        entries.append(_entry(row, status))
    return Listed(entries, total, page)


def _entry(row, status: str | None) -> dict:
    value = lambda name: row[name].value if row[name] is not None else None
    kept = json.loads(row["entry"].value) if row["entry"] is not None else {}
    if kept.get("sha256") != value("sha"):  # a report about data replaced since: as if there were none
        kept = {}
    entry = {"id": row["c"].value[len(GRAPH_CONTRIBUTION):], "graph": row["c"].value,
             "generatedAtTime": value("when"), "contributor": value("who"), "sha256": value("sha"),
             "kind": kept.get("kind") or ("revision" if value("revision") == "true" else "practice")}
    if status == "pending":
        entry.update({name: kept.get(name) for name in ("practices", "warnings", "violations")})
        entry["names"] = kept.get("names", {})
    return {**entry, "status": status} if status else entry


def page_links(base_url: str, status: str | None, listed: Listed) -> dict:
    """The headers of a page of the JSON list: X-Total-Count, and a Link (RFC 8288) to the next and previous pages."""
    page, links = listed.page, []
    status_param = f"status={status}&" if status else ""
    if listed.has_next:
        links.append(f'<{base_url}?{status_param}{page.query_string(offset=page.next_offset)}>; rel="next"')
    if page.previous_offset is not None:
        links.append(f'<{base_url}?{status_param}{page.query_string(offset=page.previous_offset)}>; rel="prev"')
    return {"X-Total-Count": str(listed.total), **({"Link": ", ".join(links)} if links else {})}
