"""The w3id.org redirects (deployment/w3id/.htaccess): its RewriteRules read and applied in Python, as Apache's
mod_rewrite applies them in a directory's .htaccess, to check that every route family of the app and every IRI space
the data uses is sent to the deployment, on the same route, with the method kept where a route takes a POST; that a
few IRIs land where they should; and that the deployment's address is stated once."""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from helpers import ROOT, canonical, in_default_graph
from sikg.namespaces import CANONICAL_BASE, CANONICAL_CONTEXT_URL, PREFIXES, PROFILE
from sikg.web.app import create_app

HTACCESS = ROOT / "deployment" / "w3id" / ".htaccess"
DEPLOYMENT = "https://sikg.example.org/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_TYPES = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
             "application/rdf+xml": "rdfxml"}


# -- mod_rewrite, as much of it as the file uses ------------------------------------------------------------------

@dataclass
class Rule:
    pattern: re.Pattern
    substitution: str
    flags: dict
    conditions: list = field(default_factory=list)  # (variable, pattern)


def flags_of(text: str | None) -> dict:
    flags = {}
    for flag in (text or "").strip("[]").split(","):
        if flag:
            name, _, value = flag.partition("=")
            flags[name.strip().upper()] = value
    return flags


def read_rules(path=HTACCESS) -> list[Rule]:
    rules, pending = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "RewriteCond":
            variable, pattern, *rest = words[1:]
            flags = flags_of(rest[0] if rest else None)
            assert set(flags) <= {"NC"}, line  # [OR] and the rest are not interpreted here
            pending.append((variable, re.compile(pattern, re.IGNORECASE if "NC" in flags else 0)))
        elif words[0] == "RewriteRule":
            pattern, substitution, *rest = words[1:]
            flags = flags_of(rest[0] if rest else None)
            rules.append(Rule(re.compile(pattern, re.IGNORECASE if "NC" in flags else 0), substitution, flags,
                              pending))
            pending = []
        else:
            assert words[0] in ("Options", "RewriteEngine"), line
    assert not pending, "a RewriteCond with no RewriteRule after it"
    return rules


@dataclass
class Redirect:
    status: int
    location: str

    @property
    def path(self) -> str:
        assert self.location.startswith(DEPLOYMENT), self.location
        return "/" + self.location[len(DEPLOYMENT):].partition("?")[0]

    @property
    def query(self) -> str:
        return self.location.partition("?")[2]


def expand(text: str, match: re.Match, env: dict, cond: re.Match | None) -> str:
    text = re.sub(r"%\{ENV:(\w+)\}", lambda m: env.get(m.group(1), ""), text)
    text = re.sub(r"\$(\d)", lambda m: match.group(int(m.group(1))) or "", text)
    return re.sub(r"(?<!\\)%(\d)", lambda m: (cond.group(int(m.group(1))) or "") if cond else "", text)


def resolve(path: str, accept: str = "*/*", query: str = "", rules: list[Rule] | None = None) -> Redirect | None:
    """Where w3id.org/sikg/{path}?{query} redirects a request with this Accept, or None (no rule: w3id's 404)."""
    env: dict = {}
    for rule in rules if rules is not None else read_rules():
        match = rule.pattern.search(path)
        if not match:
            continue
        cond = None
        headers = {"%{HTTP_ACCEPT}": accept}
        if not all((cond := pattern.search(headers[variable])) for variable, pattern in rule.conditions):
            continue
        if "E" in rule.flags:
            name, _, value = rule.flags["E"].partition(":")
            env[name] = value
        if rule.substitution == "-":
            continue
        target = expand(rule.substitution, match, env, cond).replace("\\%", "%")
        if "?" in target:
            if query and "QSA" in rule.flags:
                target += "&" + query
        elif query and "QSD" not in rule.flags:
            target += "?" + query
        assert "R" in rule.flags and "L" in rule.flags, rule.substitution  # every rule here is a redirect, the last
        return Redirect(int(rule.flags["R"] or 302), target)
    return None


# -- the file ----------------------------------------------------------------------------------------------------

def test_the_deployment_address_is_stated_once():
    rule_lines = [line for line in HTACCESS.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert sum(line.count(DEPLOYMENT) for line in rule_lines) == 1
    assert sum(line.count("example.org") for line in rule_lines) == 1
    env_rule = read_rules()[0]
    assert env_rule.substitution == "-" and env_rule.flags["E"] == "SIKG_TARGET:" + DEPLOYMENT


def test_every_redirect_goes_to_the_deployment():
    for rule in read_rules()[1:]:
        assert rule.substitution.startswith("%{ENV:SIKG_TARGET}"), rule.substitution
        assert rule.flags.get("R") in ("302", "303", "307"), rule.substitution


# -- every route family of the app ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(kg):
    return create_app(kg)


SAMPLE_VALUES = {"slug": "cap-impact", "kind": "practice", "contribution_id": "0123abcd",
                 "name": "practices-per-country", "number": "1"}


def sample_path(rule) -> str:
    """A path the Flask rule matches, without its leading slash (mod_rewrite's view in a directory)."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_VALUES.get(m.group(1), "x"), rule.rule)[1:]


def app_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_of_the_app_is_redirected_to_the_same_route(app):
    adapter = app.url_map.bind("sikg.example.org")
    rules = read_rules()
    missed = []
    for rule in app_rules(app):
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"}) or ["OPTIONS"]
        path = sample_path(rule)
        redirect = resolve(path, BROWSER, rules=rules)
        if redirect is None:
            missed.append(rule.rule)
            continue
        for method in methods:
            endpoint, _ = adapter.match(redirect.path, method=method)
            assert endpoint == rule.endpoint, (rule.rule, method, redirect)
            if method != "GET":  # a POST (PUT, DELETE) must be repeated as it is
                assert redirect.status in (307, 308), (rule.rule, method, redirect)
    assert not missed, f"routes with no w3id redirect: {missed}"


def test_route_families_are_passed_on_with_their_query_string():
    redirect = resolve("sparql", "application/sparql-results+json", query="query=ASK%7B%7D")
    assert (redirect.status, redirect.location) == (307, DEPLOYMENT + "sparql?query=ASK%7B%7D")
    redirect = resolve("export", query="format=ttl")
    assert redirect.location == DEPLOYMENT + "export?format=ttl"
    assert resolve("queries/practices-per-country").location == DEPLOYMENT + "queries/practices-per-country"
    assert resolve("static/site.css") is None  # the pages' own assets are fetched from the deployment
    assert resolve("nothing-here") is None


# -- every IRI space the data uses --------------------------------------------------------------------------------

def iri_path(iri: str) -> str:
    """The part of an IRI mod_rewrite matches: after w3id.org/sikg/, before the query and the fragment (which stays
    with the client)."""
    assert iri.startswith(CANONICAL_BASE), iri
    return urlsplit(iri[len(CANONICAL_BASE):]).path


def iri_query(iri: str) -> str:
    return urlsplit(iri).query


def data_iris(kg) -> set[str]:
    found = set()
    for quad in kg.all_quads():
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(CANONICAL_BASE):
                found.add(term.value)
    return found


def namespace_iris() -> set[str]:
    """A sample IRI of every namespace sikg mints under its base, and its fixed IRIs."""
    from sikg import namespaces
    iris = {ns + "x" for ns in PREFIXES.values() if ns.startswith(CANONICAL_BASE) and ns.endswith("/")}
    iris |= {ns for ns in PREFIXES.values() if ns.startswith(CANONICAL_BASE) and ns.endswith("#")}
    iris |= {value + ("x" if value.endswith("/") else "") for name, value in vars(namespaces).items()
             if name.startswith("GRAPH_") and isinstance(value, str)}
    return iris | {PROFILE.practices, CANONICAL_CONTEXT_URL, namespaces.DATASET_IRI, CANONICAL_BASE}


@pytest.mark.parametrize("accept", [BROWSER, *RDF_TYPES, "*/*"])
def test_every_iri_the_data_and_the_namespaces_use_is_redirected(app, kg, accept):
    adapter = app.url_map.bind("sikg.example.org")
    iris = data_iris(kg) | namespace_iris()
    assert len(iris) > 150
    rules = read_rules()
    for iri in sorted(iris):
        redirect = resolve(iri_path(iri), accept, query=iri_query(iri), rules=rules)
        assert redirect is not None, iri
        adapter.match(redirect.path, method="GET")  # a route of the app (raises NotFound otherwise)


def one_per_family(iris) -> dict[str, str]:
    """The first IRI of each space: id/{kind}/, graph/, ontology, ..."""
    families = {}
    for iri in sorted(iris):
        parts = iri_path(iri).split("/")
        families.setdefault("/".join(parts[:2]) if parts[0] in ("id", "graph") else parts[0], iri)
    return families


@pytest.mark.parametrize("accept", [BROWSER, "text/turtle", "application/ld+json"])
def test_an_iri_of_each_space_the_data_uses_answers_at_its_target(app, kg, accept):
    client = app.test_client()
    for family, iri in one_per_family(data_iris(kg) | {PROFILE.practices, CANONICAL_CONTEXT_URL}).items():
        redirect = resolve(iri_path(iri), accept, query=iri_query(iri))
        response = client.get(redirect.path, query_string=redirect.query, headers={"Accept": accept})
        if family == "profile" and accept == "text/turtle":  # the practices view is JSON-LD only
            assert response.status_code == 406
            continue
        assert response.status_code == 200, (family, iri, redirect, response.status_code)
        if accept in RDF_TYPES and family not in ("context.jsonld", "profile") and not iri_query(iri):
            assert response.mimetype == accept, (family, iri, redirect)


# -- a few IRIs, where they land -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path,accept,status,target", [
    ("id/practice/cap-impact", BROWSER, 303, "id/practice/cap-impact"),
    ("id/practice/cap-impact", "text/turtle", 303, "id/practice/cap-impact?format=ttl"),
    ("id/organisation/avise", "application/ld+json", 303, "id/organisation/avise?format=jsonld"),
    ("id/element/societal-change", "application/n-triples", 303, "id/element/societal-change?format=nt"),
    ("id/dataset/sikg", "application/rdf+xml;q=0.9", 303, "id/dataset/sikg?format=rdfxml"),
    ("id/practice/cap-impact", "*/*", 303, "id/practice/cap-impact"),
    ("ontology", BROWSER, 303, "ontology"),
    ("ontology", "text/turtle, */*;q=0.1", 303, "ontology?format=ttl"),
    ("ontology/0.1.0", "application/ld+json", 303, "ontology?format=jsonld"),
    ("", BROWSER, 303, ""),
    ("", "text/turtle", 303, ".well-known/void"),
    ("context.jsonld", "application/ld+json", 302, "context.jsonld"),
    ("shapes", "text/turtle", 307, "shapes"),
    ("graph/curated", "text/turtle", 303,
     "sparql?query=CONSTRUCT{?s?p?o}WHERE{?s?p?o}&default-graph-uri=https://w3id.org/sikg/graph/curated"),
    ("graph/contribution/0123abcd", "text/turtle", 303, "contributions/0123abcd"),
    ("profile/practices", "application/ld+json", 303, "export?profile=practices"),
    ("sparql", "text/turtle", 307, "sparql"),
    ("export", "*/*", 307, "export"),
])
def test_sample_iris_map_to_their_targets(path, accept, status, target):
    redirect = resolve(path, accept)
    assert redirect == Redirect(status, DEPLOYMENT + target)


def test_a_graph_iri_gives_the_graph(app, kg):
    redirect = resolve("graph/ontology", "text/turtle")
    response = app.test_client().get(redirect.path, query_string=redirect.query, headers={"Accept": "text/turtle"})
    served = canonical(in_default_graph(q.triple for q in ox.parse(response.data, format=ox.RdfFormat.TURTLE)))
    graph = canonical(in_default_graph(kg.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{CANONICAL_BASE}graph/ontology> {{ ?s ?p ?o }} }}")))
    assert len(graph) > 100 and served == graph


def test_the_deployment_guide_explains_the_registration():
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "## Registering the w3id.org namespace" in guide and "## Publishing under SIKG_BASE instead" in guide
    assert "deployment/w3id/.htaccess" in guide and "curl -I" in guide
