"""shape_form.py: the contribution form generated from the shapes at request time (fields, labels in the reader's
language, choices with their labels from the KG, qualified links as groups), and a property shape added to a copy of
the shapes adding a field with no code change."""

import shutil

import pyoxigraph as ox

from helpers import ROOT
from sikg.contributions.form import build_form

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PRACTICE_KEYS = {"rdfs:label", "dct:description", "sikg:country", "sikg:operatedBy", "dct:source"}


def fields(form):
    return {f.key: f for f in form.root.fields}


def test_the_practice_shapes_become_fields(kg):
    form = build_form(kg, "en")
    found = fields(form)
    assert PRACTICE_KEYS <= set(found)
    assert found["rdfs:label"].kind == "langtext" and found["rdfs:label"].required_languages == ["en"]
    assert {"en", "sv", "fr"} <= set(found["rdfs:label"].languages)
    # a web address whose sh:pattern the EU country table's IRIs match, which the KG names: chosen by name
    assert found["sikg:country"].kind == "iri" and found["sikg:country"].required
    assert len(found["sikg:country"].choices) >= 30
    assert found["dct:source"].kind == "iri" and found["dct:source"].multiple
    assert found["rdfs:label"].label == "Name"  # sh:name


def test_choices_carry_their_labels_from_the_kg(kg):
    form = build_form(kg, "en")
    operator = fields(form)["sikg:operatedBy"]
    assert operator.kind == "choice" and len(operator.choices) > 10
    assert any(c.value.endswith("/organisation/avise") and c.label == "Avise" for c in operator.choices)
    assert operator.new is not None and {"rdfs:label", "sikg:actorType"} <= {f.key for f in operator.new.fields}
    actor_type = next(f for f in operator.new.fields if f.key == "sikg:actorType")
    assert len(actor_type.choices) == 9 and all(not c.label.startswith("http") for c in actor_type.choices)


def test_qualified_links_are_groups_with_basis_rationale_and_source(kg):
    groups = {g.name: g for g in build_form(kg, "en").root.groups}
    assert set(groups) == {"sikg:qualifiedElementSupport", "sikg:qualifiedMethodUse", "sikg:qualifiedLevelTarget"}
    element = groups["sikg:qualifiedElementSupport"]
    assert element.required and element.direct.endswith("#supportsElement")
    assert [f.key for f in element.fields][0] == "sikg:element"
    assert {"sikg:basis", "sikg:rationale", "sikg:evidence"} <= {f.key for f in element.fields}
    # the record's own dct:source and quotation are the sh:or's later alternative (the earlier form): no field
    assert not {"dct:source", "sikg:quotation"} & {f.key for f in element.fields}
    assert len(element.fields[0].choices) == 5
    assert groups["sikg:qualifiedMethodUse"].recommended and not groups["sikg:qualifiedMethodUse"].required
    assert "sikg:supportsElement" not in fields(build_form(kg, "en"))  # the group makes the direct link


def test_labels_and_help_in_swedish_from_the_shapes_and_the_ontology(kg):
    form = build_form(kg, "sv")
    found = fields(form)
    assert found["rdfs:label"].label == "Namn"  # sh:name@sv
    assert found["sikg:operatedBy"].label == "Drivs av"  # the ontology's rdfs:label@sv, capitalised
    assert found["sikg:operatedBy"].help.startswith("En organisation")  # skos:definition@sv
    levels = next(g for g in form.root.groups if g.name == "sikg:qualifiedLevelTarget").fields[0]
    assert {str(c.label) for c in levels.choices} == {"mikro", "meso", "makro"}


def test_a_property_shape_added_to_the_shapes_adds_a_field(kg, tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(ROOT / "shapes", home / "shapes")
    with open(home / "shapes" / "shapes.ttl", "a", encoding="utf-8") as shapes:
        shapes.write("""
sikgsh:Practice_Shape sh:property sikgsh:Practice_start .
sikgsh:Practice_start a sh:PropertyShape ;
    sh:path <https://schema.org/startDate> ;
    sh:datatype xsd:date ;
    sh:maxCount 1 ;
    sh:name "Start date"@en , "Startdatum"@sv ;
    sh:severity sh:Violation .
""")
    before = set(fields(build_form(kg, "en")))
    monkeypatch.setenv("SIKG_HOME", str(home))
    after = fields(build_form(kg, "sv"))
    assert set(after) - before == {"schema:startDate"}
    added = after["schema:startDate"]
    assert added.label == "Startdatum" and added.kind == "literal" and not added.multiple and not added.required
    assert added.datatype == "http://www.w3.org/2001/XMLSchema#date"


def test_an_sh_or_offers_its_first_alternative_and_drops_a_path_only_a_later_one_names(kg, tmp_path, monkeypatch):
    """The rule that makes a link's evidence a field, on any shape: a node shape's sh:or (a Violation) makes its
    first alternative a required field, and a path that is only ever a later alternative (the earlier way of writing
    the data) is no field, though a property shape constrains it."""
    home = tmp_path / "home"
    shutil.copytree(ROOT / "shapes", home / "shapes")
    with open(home / "shapes" / "shapes.ttl", "a", encoding="utf-8") as shapes:
        shapes.write("""
sikgsh:Test_Either_Shape a sh:NodeShape ; sh:targetClass sikg:SupportPractice ; sh:severity sh:Violation ;
    sh:or ( [ sh:path <https://schema.org/newWay> ; sh:minCount 1 ; sh:nodeKind sh:IRI ]
            [ sh:path <https://schema.org/oldWay> ; sh:minCount 1 ] ) .
sikgsh:Practice_Shape sh:property [ sh:path <https://schema.org/oldWay> ; sh:nodeKind sh:IRI ] .
""")
    monkeypatch.setenv("SIKG_HOME", str(home))
    found = fields(build_form(kg, "en"))
    assert "schema:oldWay" not in found
    new_way = found["schema:newWay"]
    assert new_way.required and new_way.presentation == "url"
    assert new_way.alternative_of == ["https://w3id.org/sikg/shapes#Test_Either_Shape"]

def test_generation_does_not_need_sh_name(kg, tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(ROOT / "shapes", home / "shapes")
    words = {"http://www.w3.org/ns/shacl#name", "http://www.w3.org/ns/shacl#description"}
    for path in (home / "shapes").glob("*.ttl"):  # the shapes without a single sh:name or sh:description
        kept = [q for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE) if q.predicate.value not in words]
        path.write_bytes(ox.serialize(kept, format=ox.RdfFormat.N_QUADS))
    monkeypatch.setenv("SIKG_HOME", str(home))
    found = fields(build_form(kg, "en"))
    assert PRACTICE_KEYS <= set(found)
    assert found["sikg:country"].label == "Country"  # the ontology's label, capitalised
    assert found["rdfs:label"].label == "rdfs:label"  # no word anywhere: its prefixed name


# -- how a person fills each field in (issue 29, item 3) -----------------------------------------------------------

def test_a_field_is_presented_by_the_generator_s_rules_not_by_which_field_it_is(kg):
    form = build_form(kg, "sv")
    found = fields(form)
    organisation = {f.key: f for f in found["sikg:operatedBy"].new.fields}
    element = next(g for g in form.root.groups if g.name == "sikg:qualifiedElementSupport")
    method = next(g for g in form.root.groups if g.name == "sikg:qualifiedMethodUse")
    by_key = {f.key: f for f in element.fields}
    assert found["sikg:country"].presentation == "search"  # a long list (30 countries): a name to type
    assert found["sikg:operatedBy"].presentation == "search"
    assert organisation["sikg:actorType"].presentation == "checkboxes"  # several from a short list
    assert by_key["sikg:element"].presentation == "select" and by_key["sikg:basis"].presentation == "select"
    assert method.fields[0].presentation == "search"  # 19 methods
    assert found["dct:source"].presentation == "url" and organisation["foaf:homepage"].presentation == "url"
    assert found["rdfs:label"].presentation == "per_language"  # the shapes ask for English
    evidence = {f.key: f for f in by_key["sikg:evidence"].nested.fields}
    assert evidence["sikg:quotation"].presentation == "with_language"  # one text in the language of its page
    assert organisation["rdfs:label"].presentation == "with_language"
    assert evidence["sikg:quotation"].language_names["fr"] == "Franska"


def test_each_link_asks_for_its_evidence_from_the_evidence_shape_and_the_sh_or(kg):
    """Issue 27, item 2: the record's sh:or (sikg:evidence, or the earlier dct:source) makes sikg:evidence a
    required field, and sikgsh:Evidence_Shape (on the objects of sikg:evidence) its page and quotation."""
    for group in build_form(kg, "en").root.groups:
        evidence = next(f for f in group.fields if f.key == "sikg:evidence")
        assert evidence.presentation == "node" and evidence.required and evidence.multiple  # repeatable, at least one
        assert "https://w3id.org/sikg/shapes#QualifiedLink_Evidence_Shape" in evidence.alternative_of
        inner = {f.key: f for f in evidence.nested.fields}
        assert list(inner) == ["dct:source", "sikg:quotation"]
        page, quotation = inner["dct:source"], inner["sikg:quotation"]
        assert page.presentation == "url" and page.required and not page.multiple  # exactly one
        assert quotation.presentation == "with_language" and quotation.recommended and not quotation.required
        assert not quotation.multiple and quotation.max_length == 300 and quotation.multiline


def test_evidence_entries_are_read_into_one_node_each_and_a_problem_shown_beside_its_inputs(kg):
    from werkzeug.datastructures import MultiDict

    from sikg.contributions.form_data import preview

    form = build_form(kg, "en")
    name = "sikg:qualifiedElementSupport|0|sikg:evidence|"
    values = MultiDict({"rdfs:label|en": "Evidence Entries", "sikg:qualifiedElementSupport|0|sikg:element":
                        "https://w3id.org/sikg/id/element/realisation",
                        name + "0|dct:source": "https://example.org/a", name + "0|sikg:quotation": "Un passage.",
                        name + "0|sikg:quotation|language": "fr",
                        name + "1|sikg:quotation": "A passage without its page.",
                        name + "1|sikg:quotation|language": "en",
                        name + "2|sikg:quotation|language": "en"})  # an empty entry: its language alone is nothing
    result = preview(form, values, kg, "en")
    triples = result.draft.published()
    nodes = [t.object for t in triples if t.predicate.value.endswith("#evidence")]
    assert len(nodes) == 2 and all(isinstance(n, ox.BlankNode) for n in nodes)
    pages = {t.object.value for t in triples if t.subject in nodes and t.predicate.value.endswith("/source")}
    assert pages == {"https://example.org/a"}
    assert result.draft.entries[name[:-1]] == [0, 1, 2]  # the two filled in and one empty one
    missing = result.problems[name + "1|dct:source"]  # sikgsh:Evidence_source, at the second entry's page
    assert any(p.severity == "Violation" for p in missing)
    assert name + "0|dct:source" not in result.problems


def test_a_link_without_evidence_is_told_so_at_its_evidence_fields(kg):
    from werkzeug.datastructures import MultiDict

    from sikg.contributions.form_data import preview

    values = MultiDict({"rdfs:label|en": "No Evidence", "sikg:qualifiedElementSupport|0|sikg:element":
                        "https://w3id.org/sikg/id/element/realisation"})
    result = preview(build_form(kg, "en"), values, kg, "en")
    found = result.problems.get("sikg:qualifiedElementSupport|0|sikg:evidence", [])
    assert any(p.severity == "Violation" and "evidence" in p.message for p in found), result.problems


def test_the_country_is_chosen_by_its_name_in_the_reader_s_language(kg):
    swedish = {str(c.label): c.value for c in fields(build_form(kg, "sv"))["sikg:country"].choices}
    assert swedish["Sverige"] == "http://publications.europa.eu/resource/authority/country/SWE"
    assert list(swedish).index("Tyskland") < list(swedish).index("Österrike")  # Swedish order: Ö after Z
    latvian = [str(c.label) for c in fields(build_form(kg, "lv"))["sikg:country"].choices]
    assert "Zviedrija" in latvian and not any(label.startswith("http") for label in latvian)


def test_labels_are_capitalised_and_fields_come_in_the_order_a_person_knows_them(kg):
    for language in ("en", "sv", "fr", "es", "lv"):
        form = build_form(kg, language)
        every = [f for s in form.sections() for f in s.fields] + [f for g in form.root.groups for f in g.fields]
        assert all(f.label[:1] == f.label[:1].upper() for f in every), language
        assert all(g.label[:1] == g.label[:1].upper() for g in form.root.groups), language
        assert [f.key for f in form.root.fields] == ["rdfs:label", "sikg:country", "sikg:operatedBy",
                                                     "dct:description", "dct:source"], language


def test_a_dash_editor_decides_the_presentation(kg, tmp_path, monkeypatch):
    """A shape's dash:editor wins over the rules: the country as a plain list to pick from."""
    home = tmp_path / "home"
    shutil.copytree(ROOT / "shapes", home / "shapes")
    with open(home / "shapes" / "shapes.ttl", "a", encoding="utf-8") as shapes:
        shapes.write("\nsikgsh:Practice_country <http://datashapes.org/dash#editor> "
                     "<http://datashapes.org/dash#EnumSelectEditor> .\n")
    assert fields(build_form(kg, "en"))["sikg:country"].presentation == "search"
    monkeypatch.setenv("SIKG_HOME", str(home))
    assert fields(build_form(kg, "en"))["sikg:country"].presentation == "select"


def test_a_property_leading_to_a_node_its_shapes_describe_is_a_nested_field(kg, tmp_path, monkeypatch):
    """Evidence as its own node (issue 27): a record's property with sh:node becomes the fields of that node, and the
    form writes the node, sikg:evidence [ dct:source <page> ; sikg:quotation "…"@fr ], from them."""
    from werkzeug.datastructures import MultiDict

    from sikg.contributions.form_data import read_form

    home = tmp_path / "home"
    shutil.copytree(ROOT / "shapes", home / "shapes")
    with open(home / "shapes" / "shapes.ttl", "a", encoding="utf-8") as shapes:
        shapes.write("""
sikgsh:QualifiedLink_Shape sh:property sikgsh:Test_evidence .
sikgsh:Test_evidence a sh:PropertyShape ; sh:path sikg:evidence ; sh:node sikgsh:Test_Evidence_Shape ;
    sh:name "Evidence"@en ; sh:maxCount 1 .
sikgsh:Test_Evidence_Shape a sh:NodeShape ;
    sh:property [ sh:path dct:source ; sh:nodeKind sh:IRI ; sh:maxCount 1 ; sh:name "Page"@en ] ,
                [ sh:path sikg:quotation ; sh:datatype rdf:langString ; sh:maxCount 1 ; sh:name "Quotation"@en ] .
""")
    monkeypatch.setenv("SIKG_HOME", str(home))
    form = build_form(kg, "en")
    element = next(g for g in form.root.groups if g.name == "sikg:qualifiedElementSupport")
    evidence = next(f for f in element.fields if f.key == "sikg:evidence")
    assert evidence.kind == "node" and evidence.presentation == "node" and evidence.label == "Evidence"
    inner = {f.key: f for f in evidence.nested.fields}
    assert inner["dct:source"].presentation == "url" and inner["sikg:quotation"].presentation == "with_language"
    name = "sikg:qualifiedElementSupport|0|sikg:evidence|"
    values = MultiDict({"rdfs:label|en": "Nested", "sikg:qualifiedElementSupport|0|sikg:element":
                        "https://w3id.org/sikg/id/element/realisation", name + "dct:source": "https://example.org/p",
                        name + "sikg:quotation": "Des bons pour essayer.", name + "sikg:quotation|language": "fr"})
    draft = read_form(form, values, kg, "en")
    triples = draft.published()
    evidence_nodes = [t.object for t in triples if t.predicate.value.endswith("#evidence")]
    assert len(evidence_nodes) == 1 and isinstance(evidence_nodes[0], ox.BlankNode)
    about = {(t.predicate.value, t.object.value, getattr(t.object, "language", None))
             for t in triples if t.subject == evidence_nodes[0]}
    assert about == {("http://purl.org/dc/terms/source", "https://example.org/p", None),
                     ("https://w3id.org/sikg/ontology#quotation", "Des bons pour essayer.", "fr"),
                     (str(RDF_TYPE), "https://w3id.org/sikg/ontology#Evidence", None)}  # the ontology's range
