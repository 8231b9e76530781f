"""Deterministic synthetic practices and organisations in the sikg ontology, for benchmarks.

The output must load and validate like real data, so every class, property and concept IRI is one the ontology and
schemes define, and every direct element/method/level link stands beside its qualified record (shapes.ttl rejects
one without the other). Triples are streamed from a generator straight into Oxigraph's N-Triples serializer, so memory
stays flat however many practices are asked for.
"""

import random
from collections.abc import Iterator
from typing import BinaryIO

import pyoxigraph as ox

from .namespaces import (
    ACTOR_TYPE,
    BASIS,
    COUNTRY,
    DCT,
    ELEMENT,
    FOAF,
    LEVEL,
    METHOD,
    ORGANISATION,
    PRACTICE,
    RDF,
    RDFS,
    SIKG,
)

_TYPE = RDF.term("type")
_LABEL = RDFS.term("label")
_DESCRIPTION = DCT.term("description")
_SOURCE = DCT.term("source")
_HOMEPAGE = FOAF.term("homepage")
_BASIS = SIKG.term("basis")
_RATIONALE = SIKG.term("rationale")
_CURATED = BASIS.term("curated")
_sikg = SIKG.term


# The 19 methods under the 5 elements they are listed for (sikg:forElement in schemes.ttl), so that a practice only
# uses methods of the elements it supports; tests/test_synth.py checks this table against schemes.ttl.
METHODS_BY_ELEMENT: dict[str, tuple[str, ...]] = {
    "challenges": ("gather-knowledge-analyse-challenges", "expand-norms-mobilisation"),
    "mobilisation": ("community-engagement", "mobilise-resources"),
    "idea-generation": ("gather-stakeholders", "challenge-silos-structures", "incubation-programmes"),
    "realisation": ("strengthen-ecosystem", "identify-involve-stakeholders", "facilitate-exchange-best-practice",
                    "strengthen-policy", "accelerator-programmes", "design-financing-scaling",
                    "methods-knowledge-promoters"),
    "societal-change": ("impact-assessment-tools", "support-evaluation-processes", "social-impact-resource-centres",
                        "competitions-awards", "validate-scaling-potential"),
}
ELEMENTS = tuple(METHODS_BY_ELEMENT)
LEVELS = ("micro", "meso", "macro")
ACTOR_TYPES = ("public-agency", "public-financial-institution", "association", "network", "foundation",
               "cooperative", "university-research", "municipality-region", "company")
# Uneven on purpose, in the proportions of the BuiCaSuS set (14 FR, 4 LV, 7 ES, 10 SE), so GROUP BY country has skew.
COUNTRIES = ("FRA", "LVA", "ESP", "SWE")
COUNTRY_WEIGHTS = (14, 4, 7, 10)

# Terms built once, not per triple: generating the terms is most of the time a large run takes.
_CONCEPTS: dict[str, tuple[ox.NamedNode, ox.Literal]] = {
    slug: (kind.term(slug), ox.Literal(f"Synthetic benchmark link to {slug}.", language="en"))
    for kind, slugs in ((ELEMENT, ELEMENTS), (METHOD, [m for ms in METHODS_BY_ELEMENT.values() for m in ms]),
                        (LEVEL, LEVELS))
    for slug in slugs}
_COUNTRIES = [COUNTRY.term(c) for c in COUNTRIES]
_ACTOR_TYPES = [ACTOR_TYPE.term(a) for a in ACTOR_TYPES]
# Per kind of link: (direct property, qualifying property, record class, record property), as in the fixture practice.
_Link = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode, ox.NamedNode]
_ELEMENT_LINK: _Link = (_sikg("supportsElement"), _sikg("qualifiedElementSupport"), _sikg("ElementSupport"),
                        _sikg("element"))
_METHOD_LINK: _Link = (_sikg("usesMethod"), _sikg("qualifiedMethodUse"), _sikg("MethodUse"), _sikg("method"))
_LEVEL_LINK: _Link = (_sikg("targetsLevel"), _sikg("qualifiedLevelTarget"), _sikg("LevelTarget"), _sikg("level"))
_PRACTICE_CLASS, _ORGANISATION_CLASS = _sikg("SupportPractice"), _sikg("Organisation")
_COUNTRY, _OPERATED_BY, _ACTOR_TYPE = _sikg("country"), _sikg("operatedBy"), _sikg("actorType")

# Every link costs 7 triples (direct link, pointer to the record, and the record's type, target, basis, rationale,
# source), against 6 for the practice's own core and 0.5 for its share of an organisation. One element is mandatory,
# so the floor is 13.5 triples a practice; these rates keep the extras at ~0.11 links a practice (~14.3 triples, ~285k
# for 20,000 practices) so benchmark sizes stay predictable while every kind of link still occurs.
P_SECOND_ELEMENT = 0.02
METHOD_COUNT_WEIGHTS = (94, 5, 1)  # 0, 1 or 2 methods
P_LEVEL = 0.02
PRACTICES_PER_ORGANISATION = 10

# Word lists for labels and descriptions: varied enough that full-text search finds some practices and not others.
_ADJECTIVES = ("regional", "local", "national", "cross-border", "rural", "urban", "digital", "community-led",
               "participatory", "green", "inclusive", "open")
_KINDS = ("programme", "network", "laboratory", "fund", "academy", "platform", "hub", "partnership", "observatory",
          "festival")
_VERBS = ("coaches", "funds", "connects", "trains", "advises", "convenes", "mentors", "hosts")
_AUDIENCES = ("social entrepreneurs", "municipal officers", "young innovators", "cooperatives", "civil-society groups",
              "researchers", "housing associations", "care providers", "migrant-led initiatives")
_GOALS = ("test new services", "scale proven solutions", "measure their social impact", "find first customers",
          "work across sectors", "share what works", "raise patient capital", "redesign public services")
_THEMES = ("employment", "ageing", "energy poverty", "food systems", "mobility", "education", "health", "housing",
           "loneliness", "circular economy")
_ORG_NOUNS = ("Foundation", "Agency", "Network", "Cooperative", "Institute", "Association", "Centre", "Fund")


def write_synthetic(output: BinaryIO, practices: int, seed: int = 0) -> int:
    """Writes `practices` synthetic practices and their organisations to `output` as N-Triples; returns the number of
    triples written. The same arguments always give the same bytes."""
    counter = [0]

    def counted() -> Iterator[ox.Triple]:
        for triple in _triples(practices, random.Random(seed)):
            counter[0] += 1
            yield triple

    ox.serialize(counted(), output, ox.RdfFormat.N_TRIPLES)
    return counter[0]


def _triples(practices: int, rng: random.Random) -> Iterator[ox.Triple]:
    organisations = -(-practices // PRACTICES_PER_ORGANISATION)  # ceiling: at least one whenever there is a practice
    for j in range(organisations):
        yield from _organisation(j, rng)
    for i in range(practices):
        yield from _practice(i, rng, organisations)


def _organisation_iri(j: int) -> ox.NamedNode:
    return ORGANISATION.term(f"synth-org-{j:05d}")


def _organisation(j: int, rng: random.Random) -> Iterator[ox.Triple]:
    org = _organisation_iri(j)
    name = f"{rng.choice(_ADJECTIVES).capitalize()} {rng.choice(_THEMES)} {rng.choice(_ORG_NOUNS)} {j}"
    yield ox.Triple(org, _TYPE, _ORGANISATION_CLASS)
    yield ox.Triple(org, _LABEL, ox.Literal(name, language="en"))
    yield ox.Triple(org, _ACTOR_TYPE, rng.choice(_ACTOR_TYPES))
    homepage = ox.NamedNode(f"https://example.org/synth/org/{j}")
    yield ox.Triple(org, _HOMEPAGE, homepage)
    yield ox.Triple(org, _SOURCE, homepage)


def _practice(i: int, rng: random.Random, organisations: int) -> Iterator[ox.Triple]:
    practice = PRACTICE.term(f"synth-{i:06d}")
    source = ox.NamedNode(f"https://example.org/synth/source/{i}")
    adjective, kind, theme = rng.choice(_ADJECTIVES), rng.choice(_KINDS), rng.choice(_THEMES)
    # The fixed words alone exceed 80 characters, so every description passes the recommended-length check.
    description = (f"A synthetic {adjective} {kind} that {rng.choice(_VERBS)} {rng.choice(_AUDIENCES)} working on "
                   f"{theme}, helping them {rng.choice(_GOALS)} and learn from one another over several years.")
    yield ox.Triple(practice, _TYPE, _PRACTICE_CLASS)
    yield ox.Triple(practice, _LABEL, ox.Literal(f"{adjective.capitalize()} {theme} {kind} {i}", language="en"))
    yield ox.Triple(practice, _DESCRIPTION, ox.Literal(description, language="en"))
    yield ox.Triple(practice, _COUNTRY, rng.choices(_COUNTRIES, COUNTRY_WEIGHTS)[0])
    yield ox.Triple(practice, _OPERATED_BY, _organisation_iri(rng.randrange(organisations)))
    yield ox.Triple(practice, _SOURCE, source)

    elements = rng.sample(ELEMENTS, 2 if rng.random() < P_SECOND_ELEMENT else 1)
    candidates = [m for e in elements for m in METHODS_BY_ELEMENT[e]]
    methods = rng.sample(candidates, min(len(candidates), rng.choices((0, 1, 2), METHOD_COUNT_WEIGHTS)[0]))
    levels = [rng.choice(LEVELS)] if rng.random() < P_LEVEL else []

    links = ([(_ELEMENT_LINK, _CONCEPTS[e]) for e in elements] + [(_METHOD_LINK, _CONCEPTS[m]) for m in methods]
             + [(_LEVEL_LINK, _CONCEPTS[v]) for v in levels])
    for k, ((direct, qualified, record_class, target), (concept, rationale)) in enumerate(links):
        # Blank node ids from the practice and link numbers: random ids would make the output differ run to run.
        record = ox.BlankNode(f"l{i}x{k}")
        yield ox.Triple(practice, direct, concept)
        yield ox.Triple(practice, qualified, record)
        yield ox.Triple(record, _TYPE, record_class)
        yield ox.Triple(record, target, concept)
        yield ox.Triple(record, _BASIS, _CURATED)
        yield ox.Triple(record, _RATIONALE, rationale)
        yield ox.Triple(record, _SOURCE, source)
