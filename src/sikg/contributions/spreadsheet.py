"""The spreadsheet template made from the shapes, and reading a filled one as one contribution (issue 25).

One layout for XLSX and CSV: a table of practices, one row per practice, whose columns are the contribution form's
fields (form.py, built with the qualified records the shapes target by class, so characteristics and partners too):
the practice's short name, each field of the practice (a text: one column per language, English and the reader's;
a column of any other supported language is read too), the fields of a new organisation, and for each qualified
link a fixed number of numbered column groups ("Supports element 1", "Supports element 1: basis", …; more are read
when a file adds them). A field leading to nodes its shapes describe (a link's evidence) is numbered columns of their
fields within the entry ("Supports element 1: Evidence 1: Source", "…: Evidence 1: Quotation (fr)"), read back as
one node each; a file made from the earlier template, a page and quotation per link ("Supports element 1: Source"),
is read into the link's first evidence, several pages in one cell into one evidence each. The headings are the
fields' labels in the reader's language, so a property shape added to shapes/ adds a column here with no change in
this module.

Reading a file turns each row into the inputs the form posts and reuses read_form (form_data.py): headings become
field names (in any interface language), a label picked from a list becomes its IRI, and every problem, SHACL's
included, is placed back at its row (as the spreadsheet shows it: the heading row is row 1) and column heading.
Nothing in a file is ever evaluated: a cell that would be a formula is refused, the XLSX is checked from its zip
directory (size, encryption) and for DTDs before openpyxl reads it, and the CSV must be UTF-8.
"""

import csv
import io
import json
import re
import threading
import zipfile
from dataclasses import dataclass, field

import pyoxigraph as ox
from werkzeug.datastructures import MultiDict

from ..formats import CSVW_METADATA, XLSX, Format
from ..i18n.languages import PAGE_LANGUAGES, SUPPORTED_LANGUAGES
from ..i18n.ui_text import form_words, sheet_words
from ..namespaces import ORGANISATION, PRACTICE, RDF
from ..rdf import content, evidence
from ..validation import shacl
from ..validation.report import compact_iri
from .form import ROOT_CLASS, Choice, Field, Form, Group, build_form, entry_prefix, field_name
from .form_data import MAX_ENTRIES, SLUG, Draft, place, plain, read_form, used_prefixes
from .form_input import general_name

MAX_REPEATS = 8  # entries of a link group in the template: as many as it has choices, at most this many
NODE_REPEATS = 2  # evidence entries of a link in the template
MAX_NODE_ENTRIES = 5  # evidence entries of a link read from a file
ROOT_REPEATS = 3  # columns for a practice field picked from a list that takes several values (its organisations)
MAX_ROWS = 5000
MAX_COLUMNS = 1000
MAX_UNPACKED = 64 * 1024 * 1024  # an XLSX's parts, unpacked, all together (a zip bomb stops here)
MAX_PARTS = 500
TEMPLATE_ROWS = 2000  # rows of the XLSX whose cells offer the lists
SEPARATOR = " "  # between web addresses in one cell
FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_LANGUAGE_SUFFIX = re.compile(r"^(.*) \(([a-z]{2,3}(?:-[a-z0-9]{1,8})*)\)$")
_ENTRY = re.compile(r"^(.*?) (\d{1,3})(?:: (.*))?$")
# A DTD can declare entities that expand without bound or read local files; no spreadsheet program writes one.
_DECLARATION = re.compile(b"|".join(re.escape(word.encode(codec)) for word in ("<!DOCTYPE", "<!ENTITY")
                                    for codec in ("utf-8", "utf-16-le", "utf-16-be")), re.IGNORECASE)
_CFB = bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE compound file: an encrypted OOXML workbook, or an old .xls


# -- what goes wrong, at which cell ----------------------------------------------------------------------------

@dataclass
class Cell:
    """A problem at a cell: its row as the spreadsheet shows it, its column's heading (None: the row as a whole,
    or the whole file)."""
    row: int | None
    column: str | None
    message: str
    severity: str = "Violation"
    fix: str = ""

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "severity": self.severity,
                "fix": self.fix}


class UnreadableSpreadsheet(Exception):
    """A file that is not read at all (corrupt, encrypted, not UTF-8, a formula in it): nothing of it is kept."""

    def __init__(self, message: str, problems: list[Cell] | None = None, too_large: bool = False):
        super().__init__(message)
        self.message, self.too_large = message, too_large
        self.problems = problems or [Cell(None, None, message)]

    def as_json(self) -> dict:
        return {"error": "unreadable spreadsheet", "message": self.message,
                "problems": [p.as_json() for p in self.problems]}


class RowsNotConforming(Exception):
    """A file whose rows do not make conforming data: every problem at its row and column; nothing is kept."""

    def __init__(self, upload: "Upload"):
        super().__init__("the spreadsheet does not conform to the sikg shapes")
        self.upload = upload

    def as_json(self) -> dict:
        return self.upload.as_json()


# -- the columns -----------------------------------------------------------------------------------------------

@dataclass
class Column:
    heading: str
    name: str  # its CSVW name
    input: str  # the form's input its cells fill ("" for a new organisation's marker)
    at: str  # the form's field name its problems are placed at
    field: Field | None  # None: the practice's short name, or a new organisation's
    language: str | None = None
    group: Group | None = None
    entry: int = 0
    choices: list[Choice] = field(default_factory=list)  # offered in a list
    open: bool = False  # a web address may be written instead of a choice
    new: str | None = None  # the field name of the choice a new organisation's columns answer ("sikg:operatedBy")
    node: Field | None = None  # the field leading to the node whose field this column is (a link's evidence)
    node_entry: int = 0  # which of those nodes (1, 2, …)
    spread: bool = False  # the earlier template's page column: a second web address is the next node's page

    @property
    def separator(self) -> str | None:
        return SEPARATOR if self.field is not None and self.field.kind == "iri" and self.field.multiple else None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _local(key: str) -> str:
    """A prefixed name's or an IRI's local name, as a CSVW column name may spell it."""
    return re.sub(r"[^A-Za-z0-9]+", "_", re.split(r"[#/:]", key)[-1]).strip("_")


def _unique_labels(choices: list[Choice]) -> list[Choice]:
    """Choices as a list shows them: a label two choices share is told apart by the IRI's short form."""
    seen: dict[str, int] = {}
    for c in choices:
        seen[c.label.casefold()] = seen.get(c.label.casefold(), 0) + 1
    return [Choice(c.value, c.label if seen[c.label.casefold()] == 1 else f"{c.label} ({compact_iri(c.value)})")
            for c in choices]


def _field_columns(f: Field, prefix: str, heading: str, name: str, languages, **where) -> list[Column]:
    if f.kind == "langtext":
        return [Column(f"{heading} ({lang})", f"{name}_{lang.replace('-', '_')}", field_name(prefix, f, lang),
                       field_name(prefix, f), f, lang, **where) for lang in f.languages if lang in languages]
    choices = _unique_labels(f.choices or f.suggestions)
    return [Column(heading, name, field_name(prefix, f), field_name(prefix, f), f, choices=choices,
                   open=f.kind == "iri", **where)]


def columns(form: Form, languages, repeats=None, root_repeats: int = ROOT_REPEATS,
            node_repeats: int = NODE_REPEATS) -> list[Column]:
    """The table's columns for `form`, texts in `languages` (English and the reader's), link groups repeated
    `repeats(group)` times (by default as many as the group has choices, at most MAX_REPEATS), the nodes a link's
    field leads to `node_repeats` times."""
    words = form_words(form.language)
    repeats = repeats or (lambda g: min(len(g.fields[0].choices), MAX_REPEATS) or 1)
    made = [Column(_cap(words["slug"]), SLUG, SLUG, SLUG, None)]
    for f in form.root.fields:
        if f.kind == "choice" and f.multiple:
            made += [c for n in range(1, root_repeats + 1) for c in _field_columns(
                f, "", f"{_cap(f.label)} {n}", f"{_local(f.key)}_{n}", languages, entry=n)]
        else:
            made += _field_columns(f, "", _cap(f.label), _local(f.key), languages)
        if f.new is not None:
            section = _cap(words["new_section"].format(what=f.new.label))
            new = field_name("", f)
            made.append(Column(f"{section}: {words['slug']}", f"new_{_local(f.key)}_slug", f.new.prefix + SLUG,
                               f.new.prefix + SLUG, None, new=new))
            for g in f.new.fields:
                made += [_marked(c, new) for c in _field_columns(
                    g, f.new.prefix, f"{section}: {g.label}", f"new_{_local(f.key)}_{_local(g.key)}", languages)]
    for group in form.root.groups:
        for n in range(1, repeats(group) + 1):
            made += _entry_columns(group, n, languages, node_repeats)
    return made


def _marked(column: Column, new: str) -> Column:
    column.new = new
    return column


def _entry_columns(group: Group, n: int, languages, node_repeats: int = NODE_REPEATS) -> list[Column]:
    prefix, label = f"{group.name}|{n - 1}|", _cap(group.label)
    name = f"{_local(group.direct)}_{n}"
    made = []
    for i, f in enumerate(group.fields):  # the target first: "Supports element 1", then "…1: basis"
        heading = f"{label} {n}" if i == 0 else f"{label} {n}: {f.label}"
        if f.nested is not None:  # "Supports element 1: Evidence 1: Source", its columns for each node
            made += _node_columns(f, prefix, heading, f"{name}_{_local(f.key)}", languages, node_repeats,
                                  group=group, entry=n)
            continue
        made += _field_columns(f, prefix, heading, name if i == 0 else f"{name}_{_local(f.key)}", languages,
                               group=group, entry=n)
    return made


def _node_columns(f: Field, prefix: str, heading: str, name: str, languages, repeats: int, **where) -> list[Column]:
    made = []
    for k in range(1, (repeats if f.multiple else 1) + 1):
        inner = entry_prefix(field_name(prefix, f), f, k - 1)
        numbered, named = (f"{heading} {k}", f"{name}_{k}") if f.multiple else (heading, name)
        for g in f.nested.fields:
            made += _field_columns(g, inner, f"{numbered}: {g.label}", f"{named}_{_local(g.key)}", languages,
                                   node=f, node_entry=k, **where)
    return made


def _earlier_columns(group: Group, n: int, languages) -> list[Column]:
    """The earlier template's columns of a link's first node (its page and quotation on the record: "Supports
    element 1: Source"), read into that node's fields; a second web address in the page's cell is the next node's."""
    prefix, label, name = f"{group.name}|{n - 1}|", _cap(group.label), f"{_local(group.direct)}_{n}"
    made = []
    for f in (f for f in group.fields if f.nested is not None):
        inner = entry_prefix(field_name(prefix, f), f, 0)
        for g in f.nested.fields:
            for c in _field_columns(g, inner, f"{label} {n}: {g.label}", f"{name}_{_local(g.key)}", languages,
                                    group=group, entry=n, node=f, node_entry=1):
                c.spread = f.multiple and g.kind == "iri" and not g.multiple
                made.append(c)
    return made


def template_form(store, language: str) -> Form:
    return build_form(store, language, records_by_class=True)


def template_columns(form: Form, extra_languages=()) -> list[Column]:
    languages = list(dict.fromkeys(["en", form.language, *extra_languages]))
    return columns(form, languages)


# -- the headings of a file ------------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


_DIGITS = re.compile(r"[0-9]+")
_ENTRY_WIDTH = len(str(MAX_ENTRIES))


def _entries(text: str, offset: int = 0) -> list[int]:
    """The link entries whose columns may have `text` as a heading or name (offset 0), or as an input's name
    (offset 1: it holds the entry's index, n - 1), smallest first: each number any part of a run of digits in it
    spells, from 1 to MAX_ENTRIES. A column of entry n holds n's digits there (this module writes "Supports element
    12", "supportsElement_12_basis", "sikg:qualifiedElementSupport|11|sikg:basis"), so no other entry's column can
    match; taking every part of a run, a label's own digits next to n do not hide it, and one too many only costs
    its columns (the text is then compared with theirs: "Supports element 01" spells 1, and is no column's)."""
    found = set()
    for run in _DIGITS.finditer(text):
        digits = run.group()
        found |= {int(digits[i:j]) + offset for i in range(len(digits))
                  for j in range(i + 1, min(len(digits), i + _ENTRY_WIDTH) + 1)}
    return sorted(n for n in found if 1 <= n <= MAX_ENTRIES)


@dataclass
class _Entry:
    """One entry's columns of a form's link groups (or of the earlier template's, or the practice's columns as one
    group): each group's columns, and each heading's first column and each name's last with its group's place, as
    the enumeration, group by group, keeps them."""
    groups: list[list[Column]]
    first: dict[str, tuple[int, Column]]
    last: dict[str, tuple[int, Column]]

    @classmethod
    def of(cls, groups: list[list[Column]]) -> "_Entry":
        first, last = {}, {}
        for g, made in enumerate(groups):
            for c in made:
                first.setdefault(_norm(c.heading), (g, c))
                last[c.name] = (g, c)
        return cls(groups, first, last)


def _in_order(part: list[tuple[int, _Entry]]) -> list[Column]:
    """A part's columns as the enumeration lists them: group by group, each group's entries in turn."""
    count = max((len(made.groups) for _, made in part), default=0)
    return [c for g in range(count) for _, made in part for c in made.groups[g]]


def _found(part: list[tuple[int, _Entry]], key: str, kind: str) -> list[tuple[int, int, Column]]:
    """(group, entry, column) of each of a part's entries whose first (kind "first") heading or last ("last") name
    is `key`."""
    return [(at[0], n, at[1]) for n, made in part for at in [getattr(made, kind).get(key)] if at is not None]


class Headings:
    """Reads a file's headings in any interface language, a text column in any supported language and a link
    group's entries up to MAX_ENTRIES, as the columns of the reader's form; and labels picked from a list, in any
    interface language, as their IRIs.

    A heading names the first column with that heading in the enumeration of every column a file may use (the
    reader's form's, then each other page language's; in each, the practice's columns, each link group's for every
    entry up to MAX_ENTRIES and evidence entry up to MAX_NODE_ENTRIES, then the earlier template's), read as the
    reader's form's column of that column's name. The enumeration is some 70,000 columns, so it is never made whole:
    a column of entry n holds n's digits in its heading, so only the entries a heading spells (_entries) are
    searched, in the enumeration's order, their columns made when first asked for and kept."""

    def __init__(self, store, language: str):
        self.form = template_form(store, language)
        self.language = language
        self.forms = [self.form] + [template_form(store, lang) for lang in PAGE_LANGUAGES if lang != language]
        # the practice's columns (its organisations numbered up to MAX_ENTRIES): few, so all made
        self._roots = [_Entry.of([columns(form, SUPPORTED_LANGUAGES, lambda g: 0, MAX_ENTRIES)])
                       for form in self.forms]
        self._made: dict[tuple, _Entry] = {}  # (form, entry, earlier) -> its columns, made when first asked for
        self._listed: dict[tuple, tuple] = {}  # entries -> _listing's answer
        self.choices: dict[str, dict[str, str]] = {}  # a field (whatever its entry) -> label or IRI -> IRI
        for i in range(len(self.forms)):
            for part in self._parts(i, [1]):
                for c in (c for c in _in_order(part) if c.choices and c.entry <= 1):
                    labels = self.choices.setdefault(_anywhere(c), {})
                    for choice in c.choices:
                        labels.setdefault(_norm(choice.label), choice.value)
                        labels.setdefault(_norm(choice.value), choice.value)

    def _entry(self, i: int, n: int, earlier: bool) -> _Entry:
        made = self._made.get((i, n, earlier))
        if made is None:  # two threads may both make it: the same columns, one kept
            made = _Entry.of([_earlier_columns(g, n, SUPPORTED_LANGUAGES) if earlier
                              else _entry_columns(g, n, SUPPORTED_LANGUAGES, MAX_NODE_ENTRIES)
                              for g in self.forms[i].root.groups])
            made = self._made.setdefault((i, n, earlier), made)
        return made

    def _parts(self, i: int, entries: list[int]) -> list[list[tuple[int, _Entry]]]:
        """Form i's columns of `entries` (ascending) as the enumeration's three parts, in its order: the
        practice's, the link groups' entries, the link groups' entries in the earlier template; each (entry, its
        columns) in turn."""
        return [[(0, self._roots[i])], [(n, self._entry(i, n, False)) for n in entries],
                [(n, self._entry(i, n, True)) for n in entries]]

    def column(self, heading: str) -> Column | None:
        wanted = _norm(heading)
        entries = _entries(wanted)
        for i in range(len(self.forms)):
            for part in self._parts(i, entries):
                found = _found(part, wanted, "first")
                if found:  # the first: a part lists group after group, each group's entries in turn
                    return self._canonical(min(found, key=lambda f: f[:2])[2].name)
        return None

    def _canonical(self, name: str) -> Column | None:
        """The reader's form's column of a name: its last of the template's columns, else its last of the earlier
        template's (None: no form but another language's has it)."""
        root, linked, earlier = self._parts(0, _entries(name))
        for part in (linked, root, earlier):  # the template's link entries come after the practice's columns
            found = _found(part, name, "last")
            if found:  # the last: the latest group, then entry
                return max(found, key=lambda f: f[:2])[2]
        return None

    def _listing(self, entries: list[int]) -> tuple[list[Column], dict[str, object]]:
        """The reader's form's columns of `entries`, one per name (its last of the template's, else of the earlier
        template's) in the order of the names' first columns, as the whole enumeration lists them (a name holds its
        entry's number: the other entries' columns have other names); and each input's field's label, the last
        column's."""
        key = tuple(entries)
        found = self._listed.get(key)
        if found is None:
            root, linked, earlier = self._parts(0, entries)
            listed, older = {}, {}
            for c in _in_order(root) + _in_order(linked):
                listed[c.name] = c
            for c in (c for c in _in_order(earlier) if c.name not in listed):
                older[c.name] = c
            listed.update(older)
            found = list(listed.values()), {c.at: c.field.label for c in listed.values() if c.field is not None}
            if len(self._listed) < 1000:  # the entries an input's name spells: few, but keep a bound
                self._listed[key] = found
        return found

    def labels(self, column: Column) -> dict[str, str]:
        return self.choices.get(_anywhere(column), {})

    def label_at(self, name: str) -> str | None:
        """The label of the field whose input is `name` (None: no column's)."""
        return self._listing(_entries(name, 1))[1].get(name)

    def heading_of(self, name: str) -> str | None:
        """The heading, in the reader's language, of the column where a problem placed at a field's name is shown
        when the file has no such column: a text's English one, a group's first entry. Only entry 1 and the entries
        `name` spells are searched: a column's input holds its entry's index (n - 1), so `name` does unless it is
        only the start of the input, before the index, and then the column's entry 1 comes first."""
        listed = self._listing(sorted({1, *_entries(name, 1)}))[0]
        found = [c for c in listed if c.at == name and c.language in (None, "en")]
        found = found or [c for c in listed if c.at.startswith(name + "|") and not c.spread]
        if found:  # a field's, else its first node's first (a link without evidence: at its first page)
            return found[0].heading
        group = next((g for g in self.form.root.groups if g.name == name), None)
        return f"{_cap(group.label)} 1" if group is not None else None


_HEADINGS: dict[tuple, Headings] = {}  # a few stores' (tests open many) headings, by the content they were read from
_HEADINGS_KEPT = 4
_HEADINGS_LOCK = threading.Lock()


def headings_for(store, language: str) -> Headings:
    """The headings a file is read with, made once per language and store content (the state token changes with
    every write, and the choice lists are the store's organisations and concepts), not once per upload. Kept because
    making them builds the form in every page language, 0.15 s over the curated KG (it was 0.6 s when all 70,000
    columns a file may use were made: bench/headings_bench.py), and the columns of each entry a file uses, made when
    first read, are kept with them. Safe to share between threads: what is made later is only added."""
    key = (id(store), store.state_token, language)
    found = _HEADINGS.get(key)
    if found is None:
        found = Headings(store, language)
        with _HEADINGS_LOCK:
            while len(_HEADINGS) >= _HEADINGS_KEPT:
                _HEADINGS.pop(next(iter(_HEADINGS)))
            _HEADINGS[key] = found
    return found


def _anywhere(column: Column) -> str:
    """A field's name whatever the entry or repeat its column is: its choices are the same in all."""
    if column.group is not None:
        return general_name(column.at)
    return column.at


# -- reading a file's cells ------------------------------------------------------------------------------------

@dataclass
class Table:
    headings: list[tuple[int, str]]  # (column index, heading), from the heading row
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)
    heading_row: int = 1


def _text(value) -> str:
    """A cell's value as text: a number as it reads (1, not 1.0), a date in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def is_formula(text: str) -> bool:
    """Whether a cell's text would be a formula in a spreadsheet program (OWASP "CSV Injection"): it starts with =,
    +, -, @ (a number such as -3 aside), or with a tab or a carriage return."""
    if text.startswith(("\t", "\r")):
        return True
    stripped = text.strip()
    return stripped.startswith(FORMULA_START) and not _NUMBER.match(stripped)


def _table(cells_by_row, words: dict) -> Table:
    """The heading row (the first with any text) and the rows under it, blank ones left out; every formula
    refused, named by its cell."""
    heading_row, headings, rows, formulas = None, [], [], []
    for number, cells in cells_by_row:
        texts = [_text(v) for v in cells]
        if len(texts) > MAX_COLUMNS or len(rows) > MAX_ROWS:
            raise UnreadableSpreadsheet(words["too_large"].format(limit=MAX_UNPACKED // 2**20), too_large=True)
        formulas += [(number, i) for i, t in enumerate(texts) if is_formula(t)]
        if heading_row is None:
            if any(t.strip() for t in texts):
                heading_row, headings = number, [(i, t.strip()) for i, t in enumerate(texts)]
        elif any(t.strip() for t in texts):
            rows.append((number, [t.strip() for t in texts]))
    if formulas:
        named = dict(headings)
        raise UnreadableSpreadsheet(words["formula"], [Cell(row, named.get(i) or _letter(i), words["formula"])
                                                       for row, i in formulas])
    return Table(headings, rows, heading_row or 1)


def _letter(index: int) -> str:
    """A column's letter as spreadsheet programs show it (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_csv(data: bytes, words: dict) -> Table:
    """A CSV file's cells: UTF-8 (a BOM, which Excel writes, is skipped); the delimiter the heading line uses most
    of comma, semicolon and tab."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise UnreadableSpreadsheet(words["not_utf8"].format(line=line),
                                    [Cell(line, None, words["not_utf8"].format(line=line))]) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(((number, row) for number, row in enumerate(reader, start=1)), words)
    except csv.Error as error:
        raise UnreadableSpreadsheet(f"{words['corrupt'].format(reason=error)}") from None


def _check_zip(data: bytes, words: dict) -> None:
    """What the zip directory says, before any part is unpacked for openpyxl: not encrypted, not too large once
    unpacked (the declared sizes bound what unpacking gives: zipfile stops at them and checks the CRC), and no
    part declaring a DTD."""
    if data.startswith(_CFB):
        raise UnreadableSpreadsheet(words["encrypted"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
        if any(part.flag_bits & 0x1 for part in parts):
            raise UnreadableSpreadsheet(words["encrypted"])
        if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
            raise UnreadableSpreadsheet(words["too_large"].format(limit=MAX_UNPACKED // 2**20), too_large=True)
        for part in parts:
            with archive.open(part) as member:
                if _DECLARATION.search(member.read()):
                    raise UnreadableSpreadsheet(words["xml_declarations"])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as error:
        raise UnreadableSpreadsheet(words["corrupt"].format(reason=error)) from None


def read_xlsx(data: bytes, words: dict, sheet_names=()) -> Table:
    """An XLSX workbook's cells, from the sheet named as the template names its table (in any language), else
    the first sheet; a formula cell is refused where it is, never calculated."""
    _check_zip(data, words)
    import openpyxl  # noqa: I001 (slow to import: only a spreadsheet upload or template needs it)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        names = {_norm(n) for n in sheet_names}
        sheet = next((s for s in book.worksheets if _norm(s.title) in names), book.worksheets[0])
        return _table(((number, [_formula_text(c) for c in row])
                       for number, row in enumerate(sheet.iter_rows(), start=1)), words)
    except UnreadableSpreadsheet:
        raise
    except Exception as error:  # noqa: BLE001 (whatever a malformed workbook makes openpyxl raise is the client's file, not a bug)
        raise UnreadableSpreadsheet(words["corrupt"].format(reason=type(error).__name__)) from None


def _formula_text(cell) -> object:
    """A cell's value; a formula (which openpyxl gives as its text, or as an object for array formulas) as its
    text with the = that makes it one."""
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f" and not str(value).startswith("="):
        return "=" + str(value)
    return value


def read_table(data: bytes, kind: Format, language: str) -> Table:
    words = sheet_words(language)
    if kind is XLSX:
        return read_xlsx(data, words, [sheet_words(lang)["practices"] for lang in PAGE_LANGUAGES])
    return read_csv(data, words)


# -- a file's rows as the form's inputs, read and checked as one contribution ---------------------------------

@dataclass
class Upload:
    """A file read: its data (each row's practice, its records blank nodes) and every problem at its cell."""
    rows: int
    triples: list[ox.Triple]
    problems: list[Cell]  # what refuses the file: violations, and cells that could not be read
    warnings: list[Cell]

    @property
    def conforms(self) -> bool:
        return not self.problems

    def turtle(self) -> bytes:
        """The rows' RDF, each link's page and quotation (one page per link in a row) paired as its evidence."""
        triples = evidence.paired_triples(self.triples)
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(triples))

    def as_json(self) -> dict:
        return {"conforms": self.conforms, "rows": self.rows,
                "problems": [p.as_json() for p in self.problems + self.warnings]}


def _resolve(table: Table, headings: Headings, words: dict) -> tuple[dict, dict, list[Cell]]:
    """Each heading's column (by the cell's index), where each field's problems are shown (its heading in this
    file), and the headings that are not the template's."""
    resolved, where, problems, seen = {}, {}, [], {}
    for index, heading in table.headings:
        if not heading:
            continue
        column = headings.column(heading)
        if column is None:
            problems.append(Cell(table.heading_row, heading, words["unknown_column"].format(heading=heading)))
        elif column.name in seen:
            problems.append(Cell(table.heading_row, heading, words["twice"].format(heading=heading)))
        else:
            seen[column.name] = heading
            resolved[index] = column
            if column.language in (None, "en"):
                where[column.at] = heading
            else:
                where.setdefault(column.at, heading)
    return resolved, where, problems


def _fill(values: MultiDict, column: Column, text: str, headings: Headings, words: dict) -> str | None:
    """Puts a cell's text among the form's inputs; what is wrong with it, or None."""
    if column.new and column.new not in values:
        values.add(column.new, "new")  # a new organisation's cell: the practice is run by that organisation
    kind = column.field.kind if column.field is not None else "text"
    parts = text.split()
    if column.spread and len(parts) > 1 and all(re.match(r"^https?://\S+$", a, re.IGNORECASE) for a in parts):
        for k, part in enumerate(parts[:MAX_NODE_ENTRIES]):  # the earlier template: one evidence node for each page
            values.add(column.input.replace(f"|{column.node.key}|0|", f"|{column.node.key}|{k}|", 1), part)
        return None
    if column.choices or kind == "choice":
        iri = headings.labels(column).get(_norm(text))
        addresses = text.split() if column.separator else [text]
        if iri is None and column.open and all(re.match(r"^https?://\S+$", a, re.IGNORECASE) for a in addresses):
            for address in addresses[:-1]:  # web addresses, several in one cell where the field takes several
                values.add(column.input, address)
            iri = addresses[-1]
        if iri is None:
            wrong = form_words(headings.language)["not_choice"].format(value=text)
            return wrong + " " + words["pick_or_iri"] if column.open else wrong
        values.add(column.input, iri)
    elif kind == "iri":
        for part in text.split():
            values.add(column.input, part)
    else:
        values.add(column.input, text)
    return None


def _rows(table: Table, headings: Headings, words: dict) -> tuple[list, dict, list[Cell]]:
    """Each row's inputs, as the form posts them: (row number, MultiDict)."""
    resolved, where, problems = _resolve(table, headings, words)
    named = dict(table.headings)
    rows = []
    for number, cells in table.rows:
        values = MultiDict()
        for index, text in enumerate(cells):
            if not text:
                continue
            column = resolved.get(index)
            if column is None:
                if not named.get(index):  # a known heading's cells are read; an unknown one is named once
                    problems.append(Cell(number, _letter(index), words["no_heading"]))
                continue
            wrong = _fill(values, column, text, headings, words)
            if wrong:
                problems.append(Cell(number, named[index], wrong))
        rows.append((number, values))
    return rows, where, problems


_ENTRY_NAME = re.compile(r"^(.*)\|(\d{1,3})\|")


def read_upload(data: bytes, kind: Format, store, language: str) -> Upload:
    """A spreadsheet as one contribution's data, every row read by the form (read_form) and the whole checked
    against the shapes at once; raises UnreadableSpreadsheet for a file that cannot be read at all."""
    words = sheet_words(language)
    table = read_table(data, kind, language)
    if not table.rows:
        raise UnreadableSpreadsheet(words["no_rows"], [Cell(table.heading_row + 1, None, words["no_rows"])])
    headings = headings_for(store, language)
    rows, where, problems = _rows(table, headings, words)
    column_of = lambda name: where.get(name) or headings.heading_of(name)
    drafts, practices = [], {}
    for number, values in rows:
        draft = read_form(headings.form, values, store, language, records=f"r{number}-")
        if draft.practice in practices:
            problems.append(Cell(number, column_of(SLUG), words["same_practice"].format(
                row=practices[draft.practice], iri=draft.practice)))
        practices.setdefault(draft.practice, number)
        problems += [Cell(number, column_of(name), p.message, "Violation", p.fix)
                     for name, found in draft.problems.items() for p in found]
        drafts.append((number, draft))
    triples = list(dict.fromkeys(t for _, draft in drafts for t in draft.triples))
    report = shacl.validate_quads([ox.Quad(t.subject, t.predicate, t.object) for t in triples],
                                  shacl.store_reference(store))
    placed = _placed(report, drafts, headings, column_of, language)
    unread = {(p.row, p.column) for p in problems}  # a cell not read: what the shapes then say of it is no news
    problems += [p for p in placed if p.severity == "Violation" and (p.row, p.column) not in unread]
    published = list(dict.fromkeys(t for _, draft in drafts for t in draft.published()))
    order = lambda p: (p.row or 0, p.column or "")
    return Upload(len(rows), published, sorted(problems, key=order),
                  sorted((p for p in placed if p.severity != "Violation"), key=order))


def _placed(report, drafts: list[tuple[int, Draft]], headings: Headings, column_of, language: str) -> list[Cell]:
    """Each result of the report at its row (the row whose practice, record or new organisation is its focus
    node) and column (the field it is about)."""
    owner: dict[str, tuple[int, Draft]] = {}
    for number, draft in drafts:
        for iri in draft.where:
            owner.setdefault(iri, (number, draft))
    cells = []
    for result in report.results:
        number, draft = owner.get(result.focus_node, (None, None))
        name = place(result, draft) if draft is not None else ""
        label = headings.label_at(name) or headings.label_at(_ENTRY_NAME.sub(lambda m: m.group(1) + "|0|", name))
        problem = plain(result, label, language)
        cells.append(Cell(number, column_of(name) if name else None, problem.message, result.severity, problem.fix))
    return cells


# -- the template, and the example in it -----------------------------------------------------------------------

def _objects(triples: list[ox.Triple], subject, path: str) -> list:
    return [t.object for t in triples if t.subject == subject and t.predicate.value == path]


def _cell_text(column: Column, terms: list) -> str:
    """The terms a cell holds, as a person writes them: a text in the column's language, a choice by its label,
    web addresses separated by spaces."""
    if column.language is not None:
        return next((t.value for t in terms if isinstance(t, ox.Literal) and t.language == column.language), "")
    labels = {c.value: c.label for c in column.choices}
    shown = [labels.get(t.value, t.value) for t in terms]
    return SEPARATOR.join(shown) if column.separator else (shown[0] if shown else "")


def example_row(form: Form, cols: list[Column], triples: list[ox.Triple]) -> list[str]:
    """The example practice (data/templates/practice.ttl) as a row of the template: what read_form makes of the
    row is that practice again."""
    practice = next(t.subject for t in triples if t.predicate.value == RDF.type and t.object.value == ROOT_CLASS)
    known = {c.value for f in form.root.fields for c in f.choices}
    row = []
    for c in cols:
        subject, terms = practice, []
        if c.group is not None:
            records = _objects(triples, practice, c.group.qualifier)
            subject = records[c.entry - 1] if c.entry <= len(records) else None
            if c.node is not None and subject is not None:
                nodes = _objects(triples, subject, c.node.path)
                subject = nodes[c.node_entry - 1] if c.node_entry <= len(nodes) else None
        elif c.new is not None:
            new = [o for o in _objects(triples, practice, _path(form, c.new)) if o.value not in known]
            subject = new[0] if new else None
        if c.field is None:
            namespace = PRACTICE if c.new is None else ORGANISATION
            row.append(subject.value[len(namespace):] if subject is not None else "")
            continue
        terms = _objects(triples, subject, c.field.path) if subject is not None else []
        if c.group is None and c.new is None and c.field.kind == "choice" and c.field.multiple:
            picked = [t for t in terms if t.value in known]
            terms = picked[c.entry - 1:c.entry]
        row.append(_cell_text(c, terms))
    return row


def _path(form: Form, name: str) -> str:
    return next(f.path for f in form.root.fields if field_name("", f) == name)


def example_triples() -> list[ox.Triple]:
    """The example practice, each link's evidence in its evidence columns."""
    return [q.triple for q in content.read(content.home() / "data" / "templates" / "practice.ttl")]


@dataclass
class Template:
    form: Form
    columns: list[Column]
    rows: list[list[str]]
    language: str


def template(store, language: str, example: bool = False) -> Template:
    """The template in `language`: its columns, and with `example` the example practice in row 2 (with a column
    for each language its texts are in)."""
    form = template_form(store, language)
    triples = example_triples() if example else []
    extra = sorted({t.object.language for t in triples if isinstance(t.object, ox.Literal) and t.object.language})
    cols = template_columns(form, extra)
    return Template(form, cols, [example_row(form, cols, triples)] if example else [], language)


def _escaped(text: str) -> str:
    """A text written into a template cell so that no spreadsheet program takes it for a formula."""
    return "'" + text if is_formula(text) else text


def write_csv(made: Template) -> bytes:
    """The template as CSV: UTF-8 with a BOM (so that Excel reads it as UTF-8), the headings in row 1."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_escaped(c.heading) for c in made.columns])
    writer.writerows([[_escaped(v) for v in row] for row in made.rows])
    return out.getvalue().encode("utf-8-sig")


def status(column: Column) -> str:
    """"required", "recommended" or "": what the shapes say of the column (a link group's first entry carries
    the group's)."""
    f = column.field
    if f is None:
        return ""
    texts = f.kind != "langtext" or column.language in f.required_languages
    if column.group is None:
        own = "required" if f.required and texts and column.new is None and column.entry <= 1 else ""
        return own or ("recommended" if (f.recommended or f.required) and column.entry <= 1 and texts else "")
    if column.entry != 1 or not texts:
        return ""
    if column.group.required and f.required:
        return "required"
    return "recommended" if (column.group.recommended and f.required) or f.recommended else ""


def help_text(column: Column, language: str) -> str:
    words, form = sheet_words(language), form_words(language)
    f = column.field
    parts = [str(f.help) if f is not None and f.help else form["slug_help"] if column.field is None else ""]
    if column.group is not None and column.group.help and column is not None and column.entry == 1:
        parts.insert(0, str(column.group.help))
    if column.choices:
        parts.append(words["pick_or_iri" if column.open else "pick"])
    elif column.separator:
        parts.append(words["separated"])
    if status(column):
        parts.append(form[status(column)])
    return " ".join(p for p in parts if p)


REQUIRED_FILL, RECOMMENDED_FILL = "F8CBAD", "FFF2CC"  # orange and yellow headings


def write_xlsx(made: Template) -> bytes:
    """The template as an XLSX workbook: the table (each heading's help as its note, each choice a list from the
    hidden lists sheet), how to fill it in, and the lists."""
    import openpyxl  # noqa: I001 (slow to import: only a spreadsheet upload or template needs it)
    from openpyxl.comments import Comment  # noqa: I001 (with openpyxl)
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: I001 (with openpyxl)
    words = sheet_words(made.language)
    book = openpyxl.Workbook()
    table = book.active
    table.title = _sheet_title(words["practices"])
    how = book.create_sheet(_sheet_title(words["how"]))
    lists = book.create_sheet(_sheet_title(words["lists"]))
    lists.sheet_state = "hidden"
    for i, column in enumerate(made.columns, start=1):
        cell = table.cell(row=1, column=i, value=_escaped(column.heading))
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        fill = {"required": REQUIRED_FILL, "recommended": RECOMMENDED_FILL}.get(status(column))
        if fill:
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.comment = Comment(help_text(column, made.language), "sikg", height=160, width=320)
        table.column_dimensions[_letter(i - 1)].width = 40 if column.field and column.field.multiline else 24
    for r, row in enumerate(made.rows, start=2):
        for i, value in enumerate(row, start=1):
            if value:
                table.cell(row=r, column=i, value=_escaped(value)).data_type = "s"
    table.freeze_panes = "B2"
    _drop_downs(table, lists, made.columns, words)
    _how(how, made, words)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _drop_downs(table, lists, cols: list[Column], words: dict) -> None:
    """A list (data validation) on every column with choices, pointing at its range on the lists sheet (never an
    inline list: one longer than 255 characters makes a file Excel calls corrupt); a choice whose label would be a
    formula is left out of the lists."""
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: I001 (with openpyxl)
    placed: dict[tuple, str] = {}
    for i, column in enumerate(cols):
        labels = tuple(c.label for c in column.choices if not is_formula(c.label))
        if not labels:
            continue
        if labels not in placed:
            at = len(placed)
            lists.cell(row=1, column=at + 1, value=_escaped(column.field.label if column.field else ""))
            for r, label in enumerate(labels, start=2):
                lists.cell(row=r, column=at + 1, value=label).data_type = "s"
            letter = _letter(at)
            placed[labels] = f"'{lists.title}'!${letter}$2:${letter}${len(labels) + 1}"
        check = DataValidation(type="list", formula1=placed[labels], allow_blank=True,
                               showErrorMessage=True, errorStyle="warning" if column.open else "stop")
        check.error = words["pick_or_iri" if column.open else "pick"]
        table.add_data_validation(check)
        check.add(f"{_letter(i)}2:{_letter(i)}{TEMPLATE_ROWS + 1}")


def _how(sheet, made: Template, words: dict) -> None:
    from openpyxl.styles import Alignment, Font  # noqa: I001 (with openpyxl)
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 40, 16
    sheet.column_dimensions["C"].width = 90
    sheet.cell(row=1, column=1, value=words["how"]).font = Font(bold=True, size=14)
    lines = [words[f"how_{n}"] for n in range(1, 10)] + ([words["example_note"]] if made.rows else [])
    for r, line in enumerate(lines, start=3):
        sheet.cell(row=r, column=1, value=_escaped(line))
    top = len(lines) + 4
    for i, heading in enumerate((words["column"], words["status"], words["what"]), start=1):
        sheet.cell(row=top, column=i, value=heading).font = Font(bold=True)
    shown = [c for c in made.columns if c.entry <= 1]
    form = form_words(made.language)
    for r, column in enumerate(shown, start=top + 1):
        sheet.cell(row=r, column=1, value=_escaped(column.heading))
        sheet.cell(row=r, column=2, value=form[status(column)] if status(column) else "")
        cell = sheet.cell(row=r, column=3, value=_escaped(help_text(column, made.language)))
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def csvw_metadata(made: Template, csv_url: str) -> dict:
    """The W3C CSVW metadata ("Metadata Vocabulary for Tabular Data") of the CSV template: each column's name,
    heading, property and, where its cells are web addresses, the IRI they make; the row is about the practice
    https://w3id.org/sikg/id/practice/{slug}. Cells picked from a list hold labels, which a CSVW processor keeps as
    text: sikg maps them to IRIs when the file is uploaded."""
    about = PRACTICE + "{slug}"
    cols = []
    for c in made.columns:
        entry = {"name": c.name, "titles": {made.language: c.heading}, "dc:description": help_text(c, made.language)}
        if c.field is None:
            entry["suppressOutput"] = True
        else:
            entry["propertyUrl"] = c.field.path
        if c.node is not None:
            entry["aboutUrl"] = f"{about}#{_node_id(c)}"
        elif c.group is not None:
            entry["aboutUrl"] = f"{about}#{_local(c.group.direct)}_{c.entry}"
        elif c.new is not None:
            entry["aboutUrl"] = ORGANISATION + "{" + f"new_{_local(_key(made.form, c.new))}_slug" + "}"
        if c.language:
            entry["lang"] = c.language
        # web addresses, with or without the labelled ones the KG already uses offered in a list (the sources); not
        # a field whose list is its choices (a country: a label from the list, which sikg maps, a CSVW processor not)
        if c.field is not None and c.field.kind == "iri" and not c.field.choices:
            entry["valueUrl"] = "{+" + c.name + "}"
        if c.separator:
            entry["separator"] = c.separator
        if status(c) == "required" and c.group is None and c.field is not None and c.field.kind != "choice":
            entry["required"] = True
        cols.append(entry)
    cols += _virtual_columns(made, about)
    return {"@context": ["http://www.w3.org/ns/csvw", {"@language": made.language}], "url": csv_url,
            "dc:title": sheet_words(made.language)["practices"],
            "dialect": {"encoding": "utf-8", "header": True, "headerRowCount": 1},
            "tableSchema": {"aboutUrl": about, "primaryKey": SLUG, "columns": cols}}


def _key(form: Form, name: str) -> str:
    return next(f.key for f in form.root.fields if field_name("", f) == name)


def _virtual_columns(made: Template, about: str) -> list[dict]:
    """What every row states without a cell: the practice's type, and each record's link from the practice and
    its type (a CSVW processor states them for every entry, filled or not)."""
    made_columns = [{"name": "type", "virtual": True, "propertyUrl": RDF.type, "valueUrl": ROOT_CLASS}]
    for f in (f for f in made.form.root.fields if f.new is not None):  # a new organisation: the link and its type
        organisation = ORGANISATION + "{" + f"new_{_local(f.key)}_slug" + "}"
        made_columns += [{"name": f"new_{_local(f.key)}", "virtual": True, "propertyUrl": f.path,
                          "valueUrl": organisation},
                         {"name": f"new_{_local(f.key)}_type", "virtual": True, "aboutUrl": organisation,
                          "propertyUrl": RDF.type, "valueUrl": f.new.target_class}]
    for group in made.form.root.groups:
        for n in sorted({c.entry for c in made.columns if c.group is group}):
            record = f"{about}#{_local(group.direct)}_{n}"
            made_columns.append({"name": f"{_local(group.direct)}_{n}_record", "virtual": True,
                                 "propertyUrl": group.qualifier, "valueUrl": record})
            if group.record_class:
                made_columns.append({"name": f"{_local(group.direct)}_{n}_type", "virtual": True,
                                     "aboutUrl": record, "propertyUrl": RDF.type, "valueUrl": group.record_class})
            nodes = {_node_id(c): c.node for c in made.columns if c.group is group and c.entry == n and c.node}
            for node_id, node in nodes.items():  # each evidence node: the record's link to it, and its class
                made_columns.append({"name": f"{node_id}_node", "virtual": True, "aboutUrl": record,
                                     "propertyUrl": node.path, "valueUrl": f"{about}#{node_id}"})
                if node.node_class:
                    made_columns.append({"name": f"{node_id}_type", "virtual": True, "aboutUrl": f"{about}#{node_id}",
                                         "propertyUrl": RDF.type, "valueUrl": node.node_class})
    return made_columns


def _node_id(column: Column) -> str:
    """The fragment a CSVW processor names a link's evidence node by: supportsElement_1_evidence_2."""
    return f"{_local(column.group.direct)}_{column.entry}_{_local(column.node.key)}_{column.node_entry}"


def rows_as_rdf(data: bytes, kind: Format, store, language: str = "en") -> bytes:
    """A spreadsheet's rows as Turtle, for the contribution service: RowsNotConforming, naming every problem at
    its cell, where they do not conform; UnreadableSpreadsheet where the file cannot be read."""
    upload = read_upload(data, kind, store, language)
    if not upload.conforms:
        raise RowsNotConforming(upload)
    return upload.turtle()


def template_file(store, language: str, kind: str, example: bool, csv_url: str) -> tuple[bytes, str, str]:
    """(body, media type, file name) of the template: kind "xlsx", "csv" or "csvw" (the CSV's metadata)."""
    made = template(store, language, example)
    name = "sikg-practices" + ("-example" if example else "") + f"-{language}"
    if kind == "xlsx":
        return write_xlsx(made), XLSX.media_type, f"{name}.xlsx"
    if kind == "csv":
        return write_csv(made), "text/csv; charset=utf-8", f"{name}.csv"
    document = json.dumps(csvw_metadata(made, csv_url), indent=2, ensure_ascii=False).encode("utf-8")
    return document, CSVW_METADATA.media_type, f"{name}.csv-metadata.json"
