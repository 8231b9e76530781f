"""Reading a spreadsheet's headings (contributions/spreadsheet.py, Headings): a heading names the same column as the
whole enumeration of columns did (every form, page language, entry up to MAX_ENTRIES and evidence entry up to
MAX_NODE_ENTRIES, the earlier template's columns after each form's), which is now made only for the entries a heading
spells. The enumeration is rebuilt here, from the module's own `columns` and `_earlier_columns`, as the reference."""

import copy
import dataclasses

import pytest

from sikg.contributions import spreadsheet
from sikg.contributions.spreadsheet import MAX_ENTRIES, MAX_NODE_ENTRIES, Headings, _norm
from sikg.i18n.languages import PAGE_LANGUAGES, SUPPORTED_LANGUAGES

COMPARED = ("heading", "name", "input", "at", "field", "language", "group", "entry", "node", "node_entry", "spread",
            "choices", "open", "new")


def described(column):
    return None if column is None else tuple(getattr(column, a) for a in COMPARED)


class Enumerated:
    """Every column a file may use, made as the module made them before it read headings by their numbers: what
    each heading, name and input name is, and which labels a list offers."""

    def __init__(self, store, language: str):
        forms = [spreadsheet.template_form(store, language)]
        forms += [spreadsheet.template_form(store, lang) for lang in PAGE_LANGUAGES if lang != language]
        self.form = forms[0]
        self.canonical = {c.name: c for c in self.everything(forms[0])}
        self.canonical.update({c.name: c for c in self.earlier(forms[0]) if c.name not in self.canonical})
        self.known, self.choices = {}, {}
        for form in forms:
            for c in self.everything(form) + self.earlier(form):
                self.known.setdefault(_norm(c.heading), self.canonical[c.name])
                if c.choices and c.entry <= 1:
                    labels = self.choices.setdefault(spreadsheet._anywhere(c), {})
                    for choice in c.choices:
                        labels.setdefault(_norm(choice.label), choice.value)
                        labels.setdefault(_norm(choice.value), choice.value)
        # heading_of's two searches over `canonical`, in its order, for every name they can answer
        self.exact, self.within, self.labels = {}, {}, {}
        for c in self.canonical.values():
            if c.language in (None, "en"):
                self.exact.setdefault(c.at, c.heading)
            if not c.spread:
                for i, letter in enumerate(c.at):
                    if letter == "|":
                        self.within.setdefault(c.at[:i], c.heading)
            if c.field is not None:
                self.labels[c.at] = c.field.label

    @staticmethod
    def everything(form):
        return spreadsheet.columns(form, SUPPORTED_LANGUAGES, lambda g: MAX_ENTRIES, MAX_ENTRIES, MAX_NODE_ENTRIES)

    @staticmethod
    def earlier(form):
        return [c for g in form.root.groups for n in range(1, MAX_ENTRIES + 1)
                for c in spreadsheet._earlier_columns(g, n, SUPPORTED_LANGUAGES)]

    def heading_of(self, name: str):
        found = self.exact.get(name) or self.within.get(name)
        if found:
            return found
        group = next((g for g in self.form.root.groups if g.name == name), None)
        return f"{spreadsheet._cap(group.label)} 1" if group is not None else None


def unknown_samples(form) -> list[str]:
    """Headings near known ones that the enumeration does not know: entries out of range, numbers written
    otherwise, a language no text is in, words added."""
    samples = []
    for group in form.root.groups:
        label = spreadsheet._cap(group.label)
        node = next(f for f in group.fields if f.nested is not None)
        inner = node.nested.fields[0].label
        basis = group.fields[1].label
        samples += [f"{label} {MAX_ENTRIES + 1}", f"{label} 0", f"{label} 01", f"{label} 1.0", f"{label} -1",
                    f"{label} {MAX_ENTRIES + 1}: {basis}", f"{label} 1: {node.label} {MAX_NODE_ENTRIES + 1}: {inner}",
                    f"{label} 1: {node.label} 0: {inner}", f"{label} 1: {node.label} 01: {inner}",
                    f"{label} 01: {basis}", f"{label} 1: {basis} (xx)", f"{label} 1: {basis} (en)",
                    f"{label} 1 extra", f"extra {label} 1", f"{label} 1: {basis} extra", f"{label} 100",
                    f"{label} 1: {node.label} 1: {inner} (zz)", f"{label} 12345", f"{label} ١", f"{label}",
                    f"{label} {MAX_ENTRIES + 1}: {inner}", f"{label} 1 1", f"{label} 1: {node.label}"]
    return samples + ["", "1", "12: 3", "nothing at all 7"]


def input_names(reference: Enumerated) -> list[str]:
    """Every name heading_of answers, and names just outside: entries and evidence entries out of range."""
    names = set(reference.exact) | set(reference.within) | {g.name for g in reference.form.root.groups}
    for group in reference.form.root.groups:
        names |= {f"{group.name}|{MAX_ENTRIES}|{f.key}" for f in group.fields}
        names |= {f"{group.name}|-1|{group.target}", f"{group.name}|01|{group.target}", f"{group.name}|{MAX_ENTRIES}"}
        node = next(f for f in group.fields if f.nested is not None)
        names |= {f"{group.name}|0|{node.key}|{MAX_NODE_ENTRIES}|{g.key}" for g in node.nested.fields}
    return sorted(names | {"", "|", "nothing", "sikg:nothing|0|sikg:basis"})


def assert_read_alike(store, language: str):
    reference, headings = Enumerated(store, language), Headings(store, language)
    wrong = [h for h, c in reference.known.items() if described(headings.column(h)) != described(c)]
    assert not wrong, wrong[:10]
    raw = [c.heading for c in Enumerated.everything(headings.form)]  # as written, not folded: the same
    assert all(described(headings.column(h)) == described(reference.known[_norm(h)]) for h in raw)
    samples = unknown_samples(headings.form) + [s.upper() for s in unknown_samples(headings.forms[-1])]
    assert all(reference.known.get(_norm(s)) is None for s in samples)
    assert [headings.column(s) for s in samples] == [reference.known.get(_norm(s)) for s in samples]
    assert list(headings.choices.items()) == list(reference.choices.items())
    names = input_names(reference)
    assert [headings.heading_of(n) for n in names] == [reference.heading_of(n) for n in names]
    assert [headings.label_at(n) for n in names] == [reference.labels.get(n) for n in names]


# Every Headings holds every page language's form; the reader's language decides only which comes first, so two
# readers cover that order (each run compares some 73,000 headings: 6 s).
@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "sv"])
def test_every_heading_reads_as_the_whole_enumeration_read_it(kg, language):
    assert_read_alike(kg, language)


@pytest.mark.slow
def test_headings_and_names_two_columns_share_read_as_the_enumeration_read_them(kg, monkeypatch):
    """Which column wins where two share a heading or a name, which the shapes do not make today: here each link
    group also has its evidence's fields as its own (a template's column then has the heading and the name of an
    earlier template's: the template's wins) and a second basis labelled "Other basis" (two columns of one name: the
    last is the name's, in the first's place), and the second group has the first's label and the third the first's
    and " 2:" (a heading two groups make, in one entry or in two: the first group's)."""
    make = spreadsheet.template_form

    def changed(store, language):
        form = copy.deepcopy(make(store, language))
        for group in form.root.groups:
            node = next(i for i, f in enumerate(group.fields) if f.nested is not None)
            group.fields[node:node] = group.fields[node].nested.fields
            group.fields.append(dataclasses.replace(group.fields[1], label="Other basis"))
        first = form.root.groups[0]
        first.fields[-1].label = "1: Other basis"  # its entry 2's is the third group's entry 1's "Other basis"
        form.root.groups[1].label, form.root.groups[2].label = first.label, f"{first.label} 2:"
        return form

    monkeypatch.setattr(spreadsheet, "template_form", changed)
    reference = Enumerated(kg, "en")
    assert reference.known[_norm("Supports element 2: Source")].input == "sikg:qualifiedElementSupport|1|dct:source"
    assert reference.known[_norm("Supports element 2: Basis")].heading == "Supports element 2: 1: Other basis"
    assert reference.known[_norm("Supports element 2: 1: Other basis")].group.name == "sikg:qualifiedElementSupport"
    assert reference.known[_norm("Supports element 2: Rationale (fr)")].group.name == "sikg:qualifiedElementSupport"
    assert_read_alike(kg, "en")


def test_a_heading_is_read_by_its_entry_numbers(kg):
    """The quick loop's check (the one above compares every heading): entries up to MAX_ENTRIES and evidence entries
    up to MAX_NODE_ENTRIES in any page language, each as the reader's column; beyond, or written otherwise, not."""
    headings = spreadsheet.headings_for(kg, "en")
    last = headings.column(f"Supports element {MAX_ENTRIES}: Evidence {MAX_NODE_ENTRIES}: Quotation (fr)")
    assert (last.group.name, last.entry, last.node_entry, last.language) == (
        "sikg:qualifiedElementSupport", MAX_ENTRIES, MAX_NODE_ENTRIES, "fr")
    assert last.input == (f"sikg:qualifiedElementSupport|{MAX_ENTRIES - 1}|sikg:evidence|{MAX_NODE_ENTRIES - 1}|"
                          "sikg:quotation|fr")
    swedish = headings.column("  stödjer ELEMENT 12:   grund ")
    assert (swedish.heading, swedish.at) == ("Supports element 12: Basis", "sikg:qualifiedElementSupport|11|sikg:basis")
    earlier = headings.column("Partner 3: Source")  # the earlier template's page: the first evidence's, spread
    assert (earlier.input, earlier.spread) == ("sikg:qualifiedPartnership|2|sikg:evidence|0|dct:source", True)
    assert headings.column("Operated by 50").entry == 50
    for unknown in [f"Supports element {MAX_ENTRIES + 1}", "Supports element 0", "Supports element 01",
                    f"Supports element 1: Evidence {MAX_NODE_ENTRIES + 1}: Source", "Supports element 1: Basis (xx)",
                    "Supports element 1 extra", f"Operated by {MAX_ENTRIES + 1}"]:
        assert headings.column(unknown) is None, unknown
    assert headings.heading_of("sikg:qualifiedPartnership|6|sikg:evidence|1") == "Partner 7: Evidence 2: Source"
    assert headings.heading_of("sikg:qualifiedPartnership|6|sikg:rationale") == "Partner 7: Rationale (en)"
    assert headings.heading_of("sikg:qualifiedPartnership") == "Partner 1"
    assert headings.label_at("sikg:qualifiedLevelTarget|49|sikg:basis") == "Basis"
    assert headings.label_at(f"sikg:qualifiedLevelTarget|{MAX_ENTRIES}|sikg:basis") is None
