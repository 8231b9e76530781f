"""Headline figures of the KG: size, and practices per country and per element."""

from .namespaces import PREFIXES

_PER_COUNTRY = """
SELECT ?country (COUNT(DISTINCT ?practice) AS ?practices) WHERE {
  ?practice a sikg:SupportPractice ; sikg:country ?c .
  BIND(STRAFTER(STR(?c), STR(country:)) AS ?country)
} GROUP BY ?country ORDER BY ?country"""

_PER_ELEMENT = """
SELECT ?notation ?element (COUNT(DISTINCT ?practice) AS ?practices) WHERE {
  ?e a sikg:ProcessElement ; skos:notation ?notation ; skos:prefLabel ?element .
  FILTER(LANG(?element) = "en")
  OPTIONAL { ?practice a sikg:SupportPractice ; sikg:supportsElement ?e }
} GROUP BY ?notation ?element ORDER BY ?notation"""


def compute_stats(store) -> dict:
    rows = lambda q: [[t.value for t in s] for s in store.query(q, prefixes=PREFIXES)]
    return {
        "quads": len(store),
        "named_graphs": store.named_graphs(),
        "practices_per_country": {c: int(n) for c, n in rows(_PER_COUNTRY)},
        "practices_per_element": {f"{n} {e}": int(c) for n, e, c in rows(_PER_ELEMENT)},
    }


def render_stats(stats: dict) -> str:
    lines = [f"quads: {stats['quads']} in {len(stats['named_graphs'])} named graphs"]
    for graph in stats["named_graphs"]:
        lines.append(f"  {graph}")
    lines.append(f"practices: {sum(stats['practices_per_country'].values())}")
    lines += [f"  {c}: {n}" for c, n in stats["practices_per_country"].items()]
    lines.append("practices per process element:")
    lines += [f"  {e}: {n}" for e, n in stats["practices_per_element"].items()]
    return "\n".join(lines) + "\n"
