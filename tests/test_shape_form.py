"""shape_form.py: the contribution form generated from the shapes at request time (fields, labels in the reader's
language, choices with their labels from the KG, qualified links as groups), and a property shape added to a copy of
the shapes adding a field with no code change."""

import shutil

import pyoxigraph as ox

from helpers import ROOT
from sikg.contributions.form import build_form

PRACTICE_KEYS = {"rdfs:label", "dct:description", "sikg:country", "sikg:operatedBy", "dct:source"}


def fields(form):
    return {f.key: f for f in form.root.fields}


def test_the_practice_shapes_become_fields(kg):
    form = build_form(kg, "en")
    found = fields(form)
    assert PRACTICE_KEYS <= set(found)
    assert found["rdfs:label"].kind == "langtext" and found["rdfs:label"].required_languages == ["en"]
    assert {"en", "sv", "fr"} <= set(found["rdfs:label"].languages)
    assert found["sikg:country"].kind == "iri" and found["sikg:country"].required
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
    assert {"sikg:basis", "sikg:rationale", "dct:source"} <= {f.key for f in element.fields}
    assert len(element.fields[0].choices) == 5
    assert groups["sikg:qualifiedMethodUse"].recommended and not groups["sikg:qualifiedMethodUse"].required
    assert "sikg:supportsElement" not in fields(build_form(kg, "en"))  # the group makes the direct link


def test_labels_and_help_in_swedish_from_the_shapes_and_the_ontology(kg):
    form = build_form(kg, "sv")
    found = fields(form)
    assert found["rdfs:label"].label == "Namn"  # sh:name@sv
    assert found["sikg:operatedBy"].label == "drivs av"  # the ontology's rdfs:label@sv
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
    assert found["sikg:country"].label == "country"  # the ontology's label
    assert found["rdfs:label"].label == "rdfs:label"  # no word anywhere: its prefixed name
