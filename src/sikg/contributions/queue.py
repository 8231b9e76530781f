"""Listing contributions a page at a time (issue 31): the curator's queue (GET /review) and the JSON list (GET
/contributions) read one page with ONE query, whatever the number of contributions, never a query per item.

Each entry is read from the contribution's record (the graph its id names: who, when, the payload's sha256, the
status) and, for a pending one, from its stored validation report (reports.py: the kind of contribution, how many
practices, the counts of warnings and violations, the name of what it describes), joined only when the report is about
the data as it is now (the same sha256). The total of entries matching the filters comes back in the same answer (a
sub-select), so a page past the end still says how many there are.

The parameters (`Page.from_args`): limit (1 to MAX_LIMIT, DEFAULT_LIMIT), offset, order (oldest first, or newest),
contributor (a contributor's name), kind (practice, revision, batch) and warnings (yes: with warnings or violations,
no: with neither); anything else is a 400 that says what is allowed.
"""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pyoxigraph as ox

from ..errors import BadRequest
from ..namespaces import GRAPH_CONTRIBUTION, PROV, RDFS, SIKG
from .reports import GRAPH_REPORT, KINDS

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


def _pattern(prefix: str, status: str | None, page: Page) -> str:
    """The entries matching the filters, each with what the listing shows of it (the variables the page selects)."""
    marked = f'; <{SIKG.status}> "{status}"' if status else ""
    filters = []
    if page.contributor:
        filters.append(f"FILTER(STR(?who) = {ox.Literal(page.contributor)})")
    if page.kind:
        filters.append(f'FILTER(?kind = "{page.kind}")')
    if page.warnings:
        filters.append("FILTER(COALESCE(?warnings, 0) + COALESCE(?violations, 0) "
                       f"{'>' if page.warnings == 'yes' else '='} 0)")
    return f"""GRAPH ?g {{ ?c a <{SIKG.Contribution}> ; <{PROV.generatedAtTime}> ?when ;
                  <{SIKG.payloadSha256}> ?sha {marked} .
                OPTIONAL {{ ?c <{PROV.wasAttributedTo}>/<{RDFS.label}> ?who }} }}
              FILTER(STRSTARTS(STR(?c), "{GRAPH_CONTRIBUTION}"))
              FILTER(STR(?g) = CONCAT("{prefix}", SUBSTR(STR(?c), {len(GRAPH_CONTRIBUTION) + 1})))
              OPTIONAL {{ GRAPH ?rg {{ ?report <{SIKG.reportOf}> ?c ; <{SIKG.payloadSha256}> ?sha ;
                  <{SIKG.contributionKind}> ?storedKind ; <{SIKG.practiceCount}> ?practices ;
                  <{SIKG.warningCount}> ?warnings ; <{SIKG.violationCount}> ?violations }}
                FILTER(STRSTARTS(STR(?rg), "{GRAPH_REPORT}")) }}
              BIND(COALESCE(?storedKind, IF(EXISTS {{ GRAPH ?g {{ ?c <{SIKG.revises}> ?revised }} }},
                                           "revision", "practice")) AS ?kind)
              {" ".join(filters)}"""


def query(prefix: str, status: str | None, page: Page) -> str:
    """The one query of a page: its entries (each with the labels of what it describes, joined) and the total."""
    pattern = _pattern(prefix, status, page)
    direction = "DESC" if page.order == "newest" else "ASC"
    shown = "?c ?when ?who ?sha ?kind ?practices ?warnings ?violations ?report"
    return f"""
        SELECT ?total {shown} (GROUP_CONCAT(CONCAT(LANG(?name), "\\t", STR(?name)); SEPARATOR="\\n") AS ?names)
        WHERE {{
          {{ SELECT (COUNT(?c) AS ?total) WHERE {{ {pattern} }} }}
          OPTIONAL {{
            {{ SELECT {shown} WHERE {{ {pattern} }} ORDER BY {direction}(?when) {direction}(?c)
               LIMIT {page.limit} OFFSET {page.offset} }}
            OPTIONAL {{ GRAPH ?ng {{ ?report <{RDFS.label}> ?name }} FILTER(STRSTARTS(STR(?ng), "{GRAPH_REPORT}")) }}
          }}
        }} GROUP BY ?total {shown} ORDER BY {direction}(?when) {direction}(?c)"""


def read(run_query, prefix: str, status: str | None, page: Page) -> Listed:
    """The page, read with `run_query` (the store's query or query_private)."""
    total, entries = 0, []
    for row in run_query(query(prefix, status, page)):
        total = int(row["total"].value)
        if row["c"] is None:
            continue
        value = lambda name, row=row: row[name].value if row[name] is not None else None
        number = lambda name, row=row: int(row[name].value) if row[name] is not None else None
        entry = {"id": row["c"].value[len(GRAPH_CONTRIBUTION):], "graph": row["c"].value,
                 "generatedAtTime": value("when"), "contributor": value("who"), "sha256": value("sha"),
                 "kind": value("kind")}
        if status == "pending":
            entry.update({"practices": number("practices"), "warnings": number("warnings"),
                          "violations": number("violations"), "names": _names(value("names"))})
        entries.append({**entry, "status": status} if status else entry)
    return Listed(entries, total, page)


def _names(joined: str | None) -> dict[str, str]:
    """The labels of what a contribution describes, by language tag ("" untagged)."""
    names = {}
    for line in (joined or "").split("\n"):
        if "\t" in line:
            language, text = line.split("\t", 1)
            names.setdefault(language, text)
    return names


def page_links(base_url: str, status: str | None, listed: Listed) -> dict:
    """The headers of a page of the JSON list: X-Total-Count, and a Link (RFC 8288) to the next and previous pages."""
    page, links = listed.page, []
    status_param = f"status={status}&" if status else ""
    if listed.has_next:
        links.append(f'<{base_url}?{status_param}{page.query_string(offset=page.next_offset)}>; rel="next"')
    if page.previous_offset is not None:
        links.append(f'<{base_url}?{status_param}{page.query_string(offset=page.previous_offset)}>; rel="prev"')
    return {"X-Total-Count": str(listed.total), **({"Link": ", ".join(links)} if links else {})}
