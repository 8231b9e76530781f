"""The validation form's report, readable by people: each SHACL result as what is wrong, where, and how to fix it,
in the interface's language, with the machine-readable report to download; and the form's input (a file or pasted
text) checked as POST /validate checks a body.
"""

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..formats import PASTE_FORMATS
from ..i18n.ui_text import fix_hints, text
from ..namespaces import PREFIXES
from ..pages.resources import local_href
from ..rdf import reading
from . import shacl

# The syntaxes the form offers for pasted text: (media type, display name).
PASTE_SYNTAXES = tuple((f.media_type, f.label) for f in PASTE_FORMATS)


@dataclass
class ReportItem:
    severity: str
    what: str
    where: str
    fix: str
    value: str | None = None
    focus_href: str | None = None


@dataclass
class ReadableReport:
    conforms: bool
    violations: int
    warnings: int
    items: list[ReportItem]
    unreadable: bool = False
    downloads: list[tuple[str, str, str]] = field(default_factory=list)  # (label, file name, data: URL)


def compact_iri(iri: str | None) -> str:
    """The IRI as a prefixed name where a known namespace (the longest that fits) is a proper prefix of it."""
    if not iri:
        return ""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def fix_hint(component: str | None, path: str | None, focus: str | None, language: str) -> str:
    """How to fix a result, by the constraint component that produced it (a general hint for any other)."""
    hints = fix_hints(language)
    name = (component or "").rsplit("#", 1)[-1]
    template = hints.get(name, hints[""])
    return template.format(path=compact_iri(path) or "…", focus=compact_iri(focus) or "…")


def readable(report: shacl.ValidationReport, language: str) -> ReadableReport:
    """A SHACL report for people: violations first, each result with where it is and how to fix it."""
    items = []
    for r in sorted(report.results, key=lambda r: (r.severity != "Violation", r.focus_node or "", r.path or "")):
        where = compact_iri(r.focus_node) + (f" → {compact_iri(r.path)}" if r.path else "")
        hint = fix_hint(r.constraint_component, r.path, r.focus_node, language)
        focus_href = local_href(r.focus_node) if (r.focus_node or "").startswith("http") else None
        value = r.value if r.value != r.focus_node else None
        items.append(ReportItem(r.severity, r.message_in(language), where, hint, value, focus_href))
    result = ReadableReport(report.conforms, report.count("Violation"), report.count("Warning"), items)
    result.downloads = [
        ("JSON", "sikg-report.json", _data_url("application/json", report.to_json())),
        ("Text", "sikg-report.txt", _data_url("text/plain", report.to_text())),
        ("Turtle", "sikg-report.ttl", _data_url("text/turtle", report.to_turtle())),
    ]
    return result


def unreadable(error: reading.RdfInputError, language: str) -> ReadableReport:
    """The report for input that could not be parsed: one violation saying where the parser stopped."""
    words = text(language)
    where = error.source + (", " + words["line"].format(line=error.line, column=error.column)
                            if error.line is not None else "")
    body = {"error": "unreadable RDF", "message": error.message, "line": error.line, "column": error.column}
    return ReadableReport(False, 1, 0, [ReportItem("Violation", f'{words["unreadable"]}: {error.message}', where,
                                                   words["fix_syntax"])], True,
                          [("JSON", "sikg-report.json", _data_url("application/json", json.dumps(body, indent=2)))])


def _data_url(media_type: str, body: str) -> str:
    return f"data:{media_type};charset=utf-8;base64,{base64.b64encode(body.encode('utf-8')).decode('ascii')}"


class NothingToValidate(ValueError):
    """The form was sent with neither a file nor pasted text."""


def validate_submission(store, pasted: str, syntax: str | None, upload: bytes | None, filename: str | None,
                        language: str) -> ReadableReport:
    """The form's input, a file or pasted text, checked as POST /validate checks a body."""
    if upload:
        try:
            rdf_format = reading.format_for_path(Path(filename or "upload.ttl"))
        except reading.RdfInputError as error:
            return unreadable(error, language)
        payload, source = upload, filename or "upload"
    elif pasted.strip():
        try:
            rdf_format = reading.format_for_media_type(syntax or "text/turtle")
        except reading.UnsupportedMediaType as error:
            return unreadable(reading.RdfInputError("pasted text", str(error)), language)
        payload, source = pasted.encode("utf-8"), "pasted text"
    else:
        raise NothingToValidate(text(language)["nothing_sent"])
    try:
        quads = reading.parse_upload(payload, rdf_format, source)
    except reading.RdfInputError as error:
        return unreadable(error, language)
    return readable(shacl.validate_quads(quads, shacl.store_reference(store)), language)


def form_report(store, pasted: str, syntax: str, upload, language: str) -> tuple[ReadableReport | None, str | None,
                                                                               int]:
    """(report, error, status) for the validation form sent without JavaScript: `upload` is the form's file part
    (werkzeug's FileStorage) or None; a form with nothing in it is a 400 with the error to show."""
    content = upload.read() if upload and upload.filename else None
    try:
        return validate_submission(store, pasted, syntax, content, upload.filename if upload else None,
                                   language), None, 200
    except NothingToValidate as refusal:
        return None, str(refusal), 400
