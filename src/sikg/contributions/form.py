"""The contribution form, generated from the shapes at request time: each property shape of a support practice
becomes a field, the organisation it points at (sh:class) is picked from the KG or described anew with the fields of
its own shapes, and each qualified link (element, method, level: the shapes' sh:targetObjectsOf) a repeatable group
with its basis, rationale and source.

What a field is follows the SHACL alone: its label and help from sh:name / sh:description in the reader's language,
else the property's rdfs:label / skos:definition in the ontology (the store's), else its prefixed name; required from
sh:minCount (or sh:qualifiedMinCount) of a Violation, recommended from one of a Warning; single from sh:maxCount 1;
its kind from sh:in and sh:class (choices, with their labels from the KG), rdf:langString or language constraints
(a text per language), sh:nodeKind sh:IRI (a web address), sh:datatype (a typed value). Adding a property shape to
shapes/ adds a field, with no change here.

How a person fills a field in follows from the same facts (`presentation`), never from which field it is: a choice
is by name in the reader's language, never by IRI (sh:class, sh:in, or, for a web address, the KG's labelled
concepts its sh:pattern matches, such as the EU country table's IRIs for sikg:country): a list to pick from where it
is short, a box to type a name in with the names offered (<input list> and <datalist>) where it is long, boxes to
tick where several may be chosen from a short list; a web address is a one-line URL box, as many boxes as it may have
values; a text whose shapes ask for it in given languages has a box per language, any other one text with its
language chosen from a list (a quotation is in the language of its page). dash:editor, where a shape gives one,
decides instead. Fields come in sh:order, else in the order a person knows things in: names, then choices (country,
who runs it), then longer texts, then web addresses.

An sh:or of a node shape lists ways the data may be written (a qualified link's evidence: sikg:evidence, or, the
earlier form read for one more release, a dct:source on the record): the form offers its first alternative, read as a
property shape of that node shape with the node shape's severity (sikg:evidence, required), and no field for a path
that is only ever a later alternative (the record's own dct:source and sikg:quotation). A property leading to nodes
its shapes describe (sh:node, or a node shape on its objects) is the fields of each node: one set of them where it
takes one node, else numbered entries, those filled in and one empty one (a link's evidence: a page and a quotation).
"""

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from babel import Locale, UnknownLocaleError

from ..i18n.languages import SUPPORTED_LANGUAGES, Text, collation_key, page_language, pick, pick_text
from ..namespaces import RDF, RDFS, SH, SIKG, SKOS, values
from ..rdf import content
from ..validation.report import compact_iri

DASH = "http://datashapes.org/dash#"
ROOT_CLASS = SIKG.SupportPractice  # the form describes one support practice
LANG_STRING = RDF.langString
VIOLATION = SH.Violation
MAX_CHOICES = 2000
SHORT_LIST = 12  # at most this many choices: a list to pick from (or boxes to tick); more: a box to type a name in
EDITORS = {  # dash:editor, where a shape names one: the presentation it asks for
    "EnumSelectEditor": "select", "InstancesSelectEditor": "select", "AutoCompleteEditor": "search",
    "URIEditor": "url", "TextFieldWithLangEditor": "with_language", "TextAreaWithLangEditor": "with_language",
    "TextAreaEditor": "per_language", "TextFieldEditor": "per_language", "DetailsEditor": "node",
}


@dataclass
class Choice:
    value: str
    label: Text


@dataclass
class Field:
    key: str  # its name within its section or group (the path as a prefixed name)
    path: str
    label: Text
    help: Text | None
    kind: str  # "choice", "langtext", "iri", "literal", "text"
    required: bool = False
    recommended: bool = False
    multiple: bool = True
    choices: list[Choice] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # langtext: every language it may be in
    required_languages: list[str] = field(default_factory=list)
    datatype: str | None = None
    multiline: bool = False
    min_length: int | None = None
    suggestions: list[Choice] = field(default_factory=list)  # iri: the labelled values the KG already uses
    max_length: int | None = None  # sh:maxLength: the longest text it takes
    alternative_of: list[str] = field(default_factory=list)  # the sh:or node shapes whose first alternative it is
    new: "Section | None" = None  # a class choice whose class has shapes: the fields to describe a new one
    nested: "Section | None" = None  # kind "node": the fields of the node it leads to (its shape's properties)
    node_class: str | None = None  # kind "node": the class the ontology gives its nodes (rdfs:range), written too
    # how a person fills it in (see the module's docstring): "select", "checkboxes", "search" (a choice), "url"
    # (web addresses), "per_language", "with_language" (a text), "node" (a nested node's fields), "" (a plain box)
    presentation: str = ""
    max_count: int | None = None  # how many values it takes, where the shapes say
    language_names: dict[str, str] = field(default_factory=dict)  # each of `languages` named in the page's language

    def node_entries(self, name: str, values) -> list[int]:
        """A node field's entries to show (inputs "{name}|{i}|…"): those filled in and one empty one; [-1] where it
        takes one node (inputs "{name}|…", no number). A language chosen beside an empty text fills nothing in."""
        if not self.multiple:
            return [-1]
        used = filled_entries(name, values)
        return used + [max(used, default=-1) + 1]

    def label_of(self, value: str) -> str:
        """What a choice's box shows for a value sent: its name, else the value as it was typed."""
        return next((c.label for c in self.choices if c.value == value), value)

    def boxes(self, values: list[str]) -> list[str]:
        """The values of a field shown as one box each (a web address, a name to type): those filled in, and one
        empty box for one more where it takes more."""
        filled = [v for v in values if v.strip()]
        more = self.multiple and (self.max_count is None or len(filled) < self.max_count)
        return filled + ([""] if more or not filled else [])

    def texts_with_language(self, prefix: str, values, default: str) -> list[tuple[str, str]]:
        """A "with_language" field's (text, language) rows: those sent as text and chosen language, those sent in a
        box of their language (a correction's current texts), else one empty row in `default`."""
        name = f"{prefix}{self.key}"
        rows = list(zip(values.getlist(name), values.getlist(f"{name}|{LANGUAGE_CHOICE}")))
        rows += [(found[0], lang) for lang in self.languages if (found := values.getlist(f"{name}|{lang}"))]
        rows = [(text, lang) for text, lang in rows if text.strip()]
        if self.multiple and rows:
            rows.append(("", default))
        return rows or [("", default)]


LANGUAGE_CHOICE = "language"  # a "with_language" text's language input: "{name}|language"
MAX_ENTRIES = 50


def filled_entries(name: str, values) -> list[int]:
    """The numbers of the entries "{name}|{i}|…" that have an input filled in (a chosen language aside)."""
    pattern = re.compile(re.escape(name) + r"\|(\d{1,3})\|")
    return sorted({int(m.group(1)) for key in values.keys() if (m := pattern.match(key))
                   and not key.endswith("|" + LANGUAGE_CHOICE)
                   and any(v.strip() for v in values.getlist(key))})[:MAX_ENTRIES]


def entry_prefix(name: str, f: "Field", i: int) -> str:
    """What the names of a node field's inputs start with in its entry `i` (-1: the field takes one node)."""
    return f"{name}|" if i < 0 or not f.multiple else f"{name}|{i}|"


@dataclass
class Section:
    prefix: str  # what the names of its fields start with
    target_class: str
    label: Text
    fields: list[Field]
    groups: list["Group"] = field(default_factory=list)


@dataclass
class Group:
    name: str
    qualifier: str  # sikg:qualifiedElementSupport: the practice's link to the record
    direct: str  # sikg:supportsElement: the direct link the record qualifies
    record_class: str | None
    target: str  # the key of the field that names what the link points at
    label: Text
    help: Text | None
    fields: list[Field]
    required: bool = False
    recommended: bool = False


@dataclass
class Form:
    root: Section
    language: str

    def sections(self) -> list[Section]:
        return [self.root] + [f.new for f in self.root.fields if f.new]


# -- reading the shapes -----------------------------------------------------------------------------------------

class Shapes:
    """The shapes graph as subject -> predicate -> objects, in the files' order."""

    def __init__(self, triples):
        self.index: dict = {}
        for t in triples:
            self.index.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def values(self, node, predicate: str) -> list:
        return self.index.get(node, {}).get(predicate, [])

    def value(self, node, predicate: str):
        found = self.values(node, predicate)
        return found[0] if found else None

    def items(self, node) -> list:
        """The members of an RDF list."""
        members, seen = [], set()
        while node is not None and node.value != RDF.nil and node not in seen:
            seen.add(node)
            members.extend(self.values(node, RDF.first))
            node = self.value(node, RDF.rest)
        return members

    def node_shapes(self, target: str, iri: str) -> list:
        return [s for s, p in self.index.items() if any(o.value == iri for o in p.get(target, ()))]

    def iri_paths(self) -> set[str]:
        """The paths whose values some shape wants as IRIs (sh:nodeKind sh:IRI)."""
        return {p.value for props in self.index.values() if any(k.value == SH.IRI for k in props.get(SH.nodeKind, ()))
                for p in props.get(SH.path, ())}

    def targets(self, target: str) -> list[str]:
        return list(dict.fromkeys(o.value for p in self.index.values() for o in p.get(target, ())))


def read_shapes() -> Shapes:
    return Shapes(q.triple for path in content.shape_files() for q in content.read(path))


def _count(shapes: Shapes, node, predicate: str) -> int | None:
    value = shapes.value(node, predicate)
    return int(value.value) if value is not None and value.value.isdigit() else None


@dataclass
class _Facts:
    """What the property shapes of one path (on one target) say together."""
    path: str
    names: list = field(default_factory=list)
    descriptions: list = field(default_factory=list)
    required: bool = False
    recommended: bool = False
    max_count: int | None = None
    within: list[str] = field(default_factory=list)
    of_class: str | None = None
    datatype: str | None = None
    iri: bool = False
    languages: list[str] = field(default_factory=list)
    required_languages: list[str] = field(default_factory=list)
    unique_lang: bool = False
    min_length: int | None = None
    multiline: bool = False
    order: float = 1e9
    ordered: bool = False  # by an sh:order of its own
    patterns: list[str] = field(default_factory=list)
    editor: str | None = None  # dash:editor's local name
    node: str | None = None  # sh:node: the shape of a nested node
    max_length: int | None = None
    alternative_of: list[str] = field(default_factory=list)  # the sh:or node shapes whose first alternative it is


def _read_property(shapes: Shapes, shape, facts: _Facts, position: int, severity: str = VIOLATION) -> None:
    value = lambda p: shapes.value(shape, SH + p if "#" not in p else p)
    violation = (value("severity") or ox.NamedNode(severity)).value == VIOLATION
    facts.names += shapes.values(shape, SH.name)
    facts.descriptions += shapes.values(shape, SH.description)
    order = value("order")
    facts.order = min(facts.order, float(order.value) if order is not None else 1e6 + position)
    facts.ordered |= order is not None
    facts.patterns += [value("pattern").value] if value("pattern") is not None else []
    editor = shapes.value(shape, DASH + "editor")
    facts.editor = editor.value.rsplit("#", 1)[-1] if editor is not None else facts.editor
    facts.node = value("node").value if isinstance(value("node"), ox.NamedNode) else facts.node
    least = max(_count(shapes, shape, SH.minCount) or 0, _count(shapes, shape, SH.qualifiedMinCount) or 0)
    if least:
        facts.required |= violation
        facts.recommended |= not violation
    most = _count(shapes, shape, SH.maxCount)
    if most is not None and violation:
        facts.max_count = most if facts.max_count is None else min(most, facts.max_count)
    if value("in") is not None:
        facts.within = [term.value for term in shapes.items(value("in"))]
    facts.of_class = (value("class") or ox.NamedNode(facts.of_class or "urn:x-none")).value
    facts.of_class = None if facts.of_class == "urn:x-none" else facts.of_class
    facts.datatype = value("datatype").value if value("datatype") is not None else facts.datatype
    facts.iri |= (value("nodeKind") is not None and value("nodeKind").value == SH.IRI)
    if value("languageIn") is not None:
        facts.languages += [t.value for t in shapes.items(value("languageIn"))]
    qualified = value("qualifiedValueShape")
    if qualified is not None and least and violation and shapes.value(qualified, SH.languageIn) is not None:
        facts.required_languages += [t.value for t in shapes.items(shapes.value(qualified, SH.languageIn))]
    facts.unique_lang |= (value("uniqueLang") is not None and value("uniqueLang").value == "true")
    length = _count(shapes, shape, SH.minLength)
    facts.min_length = max(length, facts.min_length or 0) if length else facts.min_length
    longest = _count(shapes, shape, SH.maxLength)
    if longest is not None and violation:
        facts.max_length = longest if facts.max_length is None else min(longest, facts.max_length)
    single = shapes.value(shape, DASH + "singleLine")
    # a text that may be as long as a few sentences (a quotation of at most 300 characters) gets a box of lines
    facts.multiline |= (single is not None and single.value == "false") or (length or 0) >= 40 or (longest or 0) >= 200


def _alternatives(shapes: Shapes, node_shape) -> list[tuple]:
    """Each sh:or of a node shape as (its first alternative, the paths of the others), where the first is a
    constraint on a one-IRI path (the only kind the form makes a field of)."""
    found = []
    for either in shapes.values(node_shape, SH["or"]):
        members = shapes.items(either)
        paths = [shapes.value(m, SH.path) for m in members]
        if members and isinstance(paths[0], ox.NamedNode):
            found.append((members[0], paths[0].value, {p.value for p in paths[1:] if isinstance(p, ox.NamedNode)}))
    return found


def property_facts(shapes: Shapes, node_shapes: list, known_first: bool = True) -> list[_Facts]:
    """The facts of each path the node shapes constrain (rdf:type aside), in sh:order, else in the order a person
    knows things in (`known_first`; a qualified link's record keeps the files' order), else the files' order."""
    by_path: dict[str, _Facts] = {}
    position = 0
    # the shape with the most properties first (the required ones), then those that add to it (the recommended)
    for node_shape in sorted(node_shapes, key=lambda n: -len(shapes.values(n, SH.property))):
        for shape in shapes.values(node_shape, SH.property):
            path = shapes.value(shape, SH.path)
            if not isinstance(path, ox.NamedNode) or path.value == RDF.type:
                continue  # a complex path is not a form field
            position += 1
            _read_property(shapes, shape, by_path.setdefault(path.value, _Facts(path.value)), position)
    firsts, later = set(), set()
    for node_shape in node_shapes:  # after the property shapes: the way the data is written now comes last
        severity = (shapes.value(node_shape, SH.severity) or ox.NamedNode(VIOLATION)).value
        for member, path, others in _alternatives(shapes, node_shape):
            position += 1
            facts = by_path.setdefault(path, _Facts(path))
            _read_property(shapes, member, facts, position, severity)
            facts.alternative_of.append(node_shape.value)
            firsts.add(path)
            later |= others
    by_path = {path: facts for path, facts in by_path.items() if path not in later - firsts}
    iri_paths = shapes.iri_paths() if known_first else set()
    return sorted(by_path.values(),
                  key=lambda f: (not f.ordered, _known_first(f, iri_paths) if known_first else 0, f.order))


def _known_first(facts: _Facts, iri_paths: set[str]) -> int:
    """Without sh:order, the order a person knows things in: a name (a one-line text), then what is chosen from a
    list (a country, who runs it), then longer texts (what it does), then web addresses (where it says so)."""
    if facts.within or facts.of_class or (facts.patterns and facts.iri):
        return 1
    if facts.iri or facts.path in iri_paths:
        return 3
    return 2 if facts.multiline else 0


# -- what the KG says about the terms ---------------------------------------------------------------------------

class Terms:
    """The ontology's and the KG's words for the IRIs the form shows, in the reader's language."""

    def __init__(self, store, language: str):
        self.store, self.language = store, language
        rows = store.query("SELECT ?p ?r WHERE { ?p <%s> ?r FILTER(isIRI(?r)) }" % RDFS.range)
        self.ranges = {row["p"].value: row["r"].value for row in rows}

    def texts(self, iris, predicates) -> dict[str, Text]:
        iris = sorted({i for i in iris if i})
        if not iris:
            return {}
        path = "|".join(f"<{p}>" for p in predicates)
        found: dict[str, list] = {}
        for row in self.store.query(f"SELECT ?s ?l WHERE {{ {values('s', iris)} ?s {path} ?l }}"):
            if isinstance(row["l"], ox.Literal):
                found.setdefault(row["s"].value, []).append(row["l"])
        return {iri: pick_text(literals, self.language) for iri, literals in found.items()}

    def labels(self, iris) -> dict[str, Text]:
        return self.texts(iris, (SKOS.prefLabel, RDFS.label))

    def instances(self, of_class: str) -> list[Choice]:
        rows = self.store.query(f"SELECT DISTINCT ?s WHERE {{ ?s a <{of_class}> FILTER(isIRI(?s)) }} "
                                f"LIMIT {MAX_CHOICES}")
        return self.choices([row["s"].value for row in rows], sort=True)

    def used_values(self, path: str) -> list[Choice]:
        """The IRIs the KG already gives `path` that have a label: suggestions for a web-address field."""
        rows = self.store.query(f"""SELECT DISTINCT ?o WHERE {{ ?s <{path}> ?o FILTER(isIRI(?o))
                                    FILTER EXISTS {{ ?o <{SKOS.prefLabel}>|<{RDFS.label}> ?l }} }} LIMIT 500""")
        return self.choices([row["o"].value for row in rows], sort=True)

    def choices(self, iris: list[str], sort: bool = False) -> list[Choice]:
        labels = self.labels(iris)
        result = [Choice(iri, labels.get(iri) or Text(compact_iri(iri))) for iri in iris]
        return sorted(result, key=lambda c: collation_key(c.label, self.language)) if sort else result

    def matching(self, patterns: list[str]) -> list[Choice]:
        """The KG's labelled concepts whose IRIs every pattern matches (the EU country table's countries for
        sikg:country's pattern): the values a field constrained by IRI patterns may be chosen from, by name."""
        if not patterns:
            return []
        try:
            compiled = [re.compile(p) for p in patterns]
        except re.error:
            return []
        rows = self.store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{SKOS.prefLabel}> ?l FILTER(isIRI(?c)) }}")
        found = [row["c"].value for row in rows if all(p.search(row["c"].value) for p in compiled)]
        return self.choices(found[:MAX_CHOICES], sort=True)

    def language_names(self, tags: list[str]) -> dict[str, str]:
        """Each language tag by its name in the page's language (Swedish: "svenska"; French: "suédois")."""
        page = page_language(self.language)
        names = {}
        for tag in tags:
            try:
                name = Locale.parse(tag.replace("-", "_")).get_display_name(page) or tag
            except (ValueError, UnknownLocaleError):
                name = tag
            names[tag] = name[:1].upper() + name[1:]
        return names


def _label(facts: _Facts, terms: Terms, words: dict) -> tuple[Text, Text | None]:
    page = page_language(terms.language)
    name = pick(facts.names, terms.language)
    description = pick(facts.descriptions, terms.language)
    label = pick_text([name], page) if name is not None else words["label"].get(facts.path)
    help_text = pick_text([description], page) if description is not None else words["help"].get(facts.path)
    return (capitalised(label) if label else Text(compact_iri(facts.path))), help_text


def _kind(facts: _Facts, terms: Terms, iri_paths: set[str]) -> str:
    if facts.within or facts.of_class:
        return "choice"
    if facts.datatype == LANG_STRING or facts.languages or facts.required_languages or facts.unique_lang:
        return "langtext"
    if facts.iri or facts.path in iri_paths:  # a web address here if the shapes want one anywhere
        return "iri"
    if facts.datatype:
        return "literal"
    return "langtext" if terms.ranges.get(facts.path) == LANG_STRING else "text"


def capitalised(label: Text) -> Text:
    """A field's label as a form shows it, with a capital first letter ("operated by", the property's label, is
    "Operated by"), in the language it is in."""
    return Text(label[:1].upper() + label[1:], label.lang, label.translated)


def presentation(f: Field, editor: str | None = None) -> str:
    """How a person fills the field in (see the module's docstring), by its kind, its number of choices and of
    values; a shape's dash:editor where it names one this form knows."""
    if editor in EDITORS and (EDITORS[editor] in ("select", "search")) == (f.kind == "choice" or bool(f.choices)):
        return EDITORS[editor]
    if f.kind == "choice" or f.choices:
        if len(f.choices) + (1 if f.new else 0) > SHORT_LIST:
            return "search"
        return "checkboxes" if f.multiple else "select"
    if f.kind == "iri":
        return "url"
    if f.kind == "langtext":
        return "per_language" if f.required_languages else "with_language"
    return "node" if f.kind == "node" else ""


def _nested(facts: _Facts, shapes: Shapes | None) -> list:
    """The node shapes of the nodes a property leads to: its sh:node, else those targeting its objects
    (sh:targetObjectsOf), as a qualified link's record leads to its evidence."""
    if shapes is None:
        return []
    if facts.node is not None:
        return [ox.NamedNode(facts.node)]
    return shapes.node_shapes(SH.targetObjectsOf, facts.path)


def make_field(facts: _Facts, terms: Terms, words: dict, shapes: Shapes | None,
               nesting: Shapes | None = None) -> Field:
    """The field of one path; `shapes` to offer a new instance of a class with shapes, `nesting` (or `shapes`) to
    make a property leading to a node the shapes describe a field of that node's fields (kind "node")."""
    label, help_text = _label(facts, terms, words)
    matching = terms.matching(facts.patterns) if facts.iri and not (facts.within or facts.of_class) else []
    kind = _kind(facts, terms, words.get("iri", set()))  # "iri" with `matching` choices: any IRI matching is taken
    made = Field(compact_iri(facts.path), facts.path, label, help_text, kind, facts.required,
                 facts.recommended and not facts.required, facts.max_count != 1, datatype=facts.datatype,
                 multiline=facts.multiline, min_length=facts.min_length, max_count=facts.max_count,
                 choices=matching, max_length=facts.max_length, alternative_of=list(facts.alternative_of))
    if kind == "langtext":
        made.required_languages = list(dict.fromkeys(facts.required_languages))
        made.languages = list(dict.fromkeys(made.required_languages + (facts.languages or list(SUPPORTED_LANGUAGES))))
    elif facts.within:
        made.choices = terms.choices(facts.within)
    elif facts.of_class:
        made.choices = terms.instances(facts.of_class)
        class_shapes = shapes.node_shapes(SH.targetClass, facts.of_class) if shapes else []
        if class_shapes:
            label = terms.labels([facts.of_class]).get(facts.of_class) or Text(compact_iri(facts.of_class))
            made.new = Section(f"{made.key}|new|", facts.of_class, label,
                               [make_field(f, terms, words, None) for f in property_facts(shapes, class_shapes)])
    elif kind == "iri":
        made.suggestions = terms.used_values(facts.path)
    elif kind == "text" and (node_shapes := _nested(facts, nesting or shapes)):
        made.kind = "node"
        made.node_class = terms.ranges.get(facts.path)  # sikg:evidence's nodes are sikg:Evidence
        # one level deep: a shape leading back to itself would otherwise never end
        made.nested = Section(f"{made.key}|", "", label, [make_field(f, terms, words, None) for f in
                                                          property_facts(nesting or shapes, node_shapes, False)])
    made.presentation = facts.editor or ""  # the shape's dash:editor until present() decides
    if kind == "langtext":
        made.language_names = terms.language_names(made.languages)
    return made


def present(form: "Form") -> None:
    """Each field's presentation, once the groups have made their target fields choices."""
    for f in every_field([f for s in form.sections() for f in s.fields] + [f for g in form.root.groups
                                                                            for f in g.fields]):
        f.presentation = presentation(f, f.presentation or None)


def every_field(fields: list[Field]) -> list[Field]:
    """The fields with those of the nodes they lead to (kind "node"), at any depth."""
    return [g for f in fields for g in [f] + (every_field(f.nested.fields) if f.nested else [])]


def _groups(shapes: Shapes, root: Section, terms: Terms, words: dict) -> list[Group]:
    """The qualified links: each property whose objects the shapes target becomes a group, attached to the direct
    property of the root with the same range as one of its fields (sikg:element and sikg:supportsElement both
    range over sikg:ProcessElement)."""
    groups = []
    for qualifier in shapes.targets(SH.targetObjectsOf):
        facts = property_facts(shapes, shapes.node_shapes(SH.targetObjectsOf, qualifier), known_first=False)
        by_range = {terms.ranges.get(f.path): f for f in facts if terms.ranges.get(f.path)}
        direct = next((f for f in root.fields if terms.ranges.get(f.path) in by_range), None)
        if direct is None:
            continue
        target = compact_iri(by_range[terms.ranges[direct.path]].path)
        fields = sorted((make_field(f, terms, words, None, shapes) for f in facts), key=lambda f: f.key != target)
        for f in fields:
            if f.key == target:
                f.choices, f.kind, f.required, f.multiple = direct.choices or f.choices, "choice", True, False
        groups.append(Group(compact_iri(qualifier), qualifier, direct.path, terms.ranges.get(qualifier), target,
                            direct.label, direct.help, fields, direct.required, direct.recommended))
    return groups


def _class_groups(shapes: Shapes, root: Section, terms: Terms, groups: list[Group]) -> list[Group]:
    """The qualified records the shapes target by their class (sikg:CharacteristicLink, sikg:Partnership): a group
    where exactly one property of the practice ranges over the class (sikg:qualifiedCharacteristic) and exactly one
    other property, neither a field nor another group's, ranges over what the record's field with a closed choice
    names (sikg:hasCharacteristic over sikg:Characteristic): the direct link the record qualifies."""
    used = {f.path for f in root.fields} | {p for g in groups for p in (g.direct, g.qualifier)}
    by_range: dict[str, list[str]] = {}
    for path, target in terms.ranges.items():
        by_range.setdefault(target, []).append(path)
    of_root = {row["p"].value for row in terms.store.query(
        f"SELECT ?p WHERE {{ ?p <{RDFS.domain}> <{ROOT_CLASS}> }}")}
    made = []
    for record_class in shapes.targets(SH.targetClass):
        qualifiers = [p for p in by_range.get(record_class, []) if p in of_root and p not in used]
        facts = property_facts(shapes, shapes.node_shapes(SH.targetClass, record_class), known_first=False)
        pairs = [(f, d) for f in facts if f.within or f.of_class
                 for d in by_range.get(terms.ranges.get(f.path), []) if d != f.path and d not in used]
        if len(qualifiers) != 1 or len(pairs) != 1:
            continue
        target, direct = pairs[0]
        words = {"label": terms.texts([f.path for f in facts], (RDFS.label,)),
                 "help": terms.texts([f.path for f in facts], (SKOS.definition,))}
        fields = sorted((make_field(f, terms, words, None, shapes) for f in facts), key=lambda f: f.path != target.path)
        fields[0].kind, fields[0].required, fields[0].multiple = "choice", True, False
        label = terms.labels([direct]).get(direct) or Text(compact_iri(direct))
        made.append(Group(compact_iri(qualifiers[0]), qualifiers[0], direct, record_class, fields[0].key, label,
                          terms.texts([direct], (SKOS.definition,)).get(direct), fields))
        used |= {qualifiers[0], direct}
    return made


def build_form(store, language: str, records_by_class: bool = False) -> Form:
    """The form for one support practice, from the shapes as they are now on disk; with `records_by_class`, also
    a group for each qualified record the shapes target by its class (the spreadsheet template has them; the form
    page does not offer them yet)."""
    shapes = read_shapes()
    terms = Terms(store, language)
    paths = [p.value for props in shapes.index.values() for p in props.get(SH.path, ()) if isinstance(p, ox.NamedNode)]
    words = {"label": terms.texts(paths, (RDFS.label,)), "help": terms.texts(paths, (SKOS.definition,)),
             "iri": shapes.iri_paths()}
    facts = property_facts(shapes, shapes.node_shapes(SH.targetClass, ROOT_CLASS))
    root_label = terms.labels([ROOT_CLASS]).get(ROOT_CLASS) or Text(compact_iri(ROOT_CLASS))
    root = Section("", ROOT_CLASS, capitalised(root_label),
                   [make_field(f, terms, words, shapes) for f in facts])
    root.groups = _groups(shapes, root, terms, words)
    root.groups += _class_groups(shapes, root, terms, root.groups) if records_by_class else []
    directs = {g.direct for g in root.groups}
    root.fields = [f for f in root.fields if f.path not in directs]
    for g in root.groups:
        g.label = capitalised(g.label)
    form = Form(root, language)
    present(form)
    return form


def field_name(prefix: str, f: Field, language: str | None = None) -> str:
    """The form's name for a field's input (a text per language: one name per language)."""
    return f"{prefix}{f.key}" + (f"|{language}" if language else "")


def element_id(name: str) -> str:
    return "f-" + "".join(c if c.isalnum() else "-" for c in name)


