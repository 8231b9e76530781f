"""Quality-control queries (queries/qc/*-violation.rq): zero rows on the KG, and each one catches what it is for."""

import pytest

from helpers import ROOT
from sikg.store import open_store

QC = sorted((ROOT / "queries" / "qc").glob("*-violation.rq"))

# For each check, a small defect planted into a copy of the KG that the check must report.
PLANTED = {
    "practice-without-source-violation": "<urn:x:p> a sikg:SupportPractice .",
    "organisation-without-source-violation": "<urn:x:o> a sikg:Organisation ; sikg:actorType actortype:company .",
    "organisation-without-type-violation": "<urn:x:o> a sikg:Organisation ; dct:source <urn:x:s> .",
    "concept-without-sv-and-en-label-violation": "<urn:x:c> skos:inScheme scheme:levels ; skos:prefLabel \"giga\"@en .",
    "qualified-link-without-basis-or-source-violation":
        "<urn:x:p> sikg:qualifiedMethodUse [ sikg:method method:incubation-programmes ; sikg:rationale \"r\"@en ] .",
    "direct-link-without-qualified-record-violation": "<urn:x:p> sikg:usesMethod method:incubation-programmes .",
    "source-not-documented-violation": "<urn:x:p> dct:source <urn:x:undocumented> .",
    "term-without-definition-violation": "sikg:NewClass a owl:Class ; rdfs:label \"new\"@en .",
    "concept-or-term-without-label-in-a-language-violation":
        "<urn:x:c> skos:inScheme scheme:levels ; skos:prefLabel \"giga\"@en , \"giga\"@sv , \"giga\"@fr .",
    "practice-without-description-in-its-languages-violation":
        "<urn:x:p> a sikg:SupportPractice ; sikg:country country:LVA ; dct:description \"d\"@en , \"d\"@sv .",
}

# These hold once the language helpers' translations (data/translations/{sv,fr,es,lv}.ttl, issue 15) are in: until
# then they report the texts still to translate, and the check on the KG is skipped (it comes back by itself).
TRANSLATION_FILES = [ROOT / "data" / "translations" / f"{lang}.ttl" for lang in ("sv", "fr", "es", "lv")]
NEEDS_TRANSLATIONS = {"concept-or-term-without-label-in-a-language-violation",
                      "practice-without-description-in-its-languages-violation"}


def test_every_qc_query_has_a_planted_defect():
    assert {p.stem for p in QC} == set(PLANTED)


@pytest.mark.parametrize("path", QC, ids=lambda p: p.stem)
def test_qc_query_returns_no_rows(kg, path):
    missing = [f.name for f in TRANSLATION_FILES if not f.exists()]
    if path.stem in NEEDS_TRANSLATIONS and missing:
        pytest.skip(f"passes once the translations are in: data/translations/ lacks {', '.join(missing)}")
    rows = list(kg.query(path.read_text(encoding="utf-8")))
    assert rows == [], [[t.value if t else None for t in r] for r in rows]


@pytest.mark.parametrize("path", QC, ids=lambda p: p.stem)
def test_qc_query_catches_its_defect(path):
    from sikg.namespaces import sparql_prologue
    store = open_store("memory")
    store.update(sparql_prologue() + "INSERT DATA { GRAPH <urn:x:g> { " + PLANTED[path.stem] + " } }")
    rows = list(store.query(path.read_text(encoding="utf-8")))
    assert rows, f"{path.stem} did not report the planted defect"
