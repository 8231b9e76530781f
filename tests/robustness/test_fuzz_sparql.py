"""Generated and mutated SPARQL at /sparql (GET, form POST, direct POST; any Accept, format, dataset parameters) and
generated calls of the curated queries at /queries/{name}: always a 2xx, or a 4xx with a message, or a 503 that says
the time limit was hit; never another 5xx, never a hang; and never a write to the store."""

import urllib.parse

import fuzzkit
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

SIKG = "https://w3id.org/sikg/ontology#"
BUDGET = fuzzkit.QUERY_TIMEOUT + 6  # the time limit, the evaluator's replacement after a kill, and slack

PROLOGUE = {
    "sikg": SIKG, "skos": "http://www.w3.org/2004/02/skos/core#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dct": "http://purl.org/dc/terms/", "xsd": "http://www.w3.org/2001/XMLSchema#", "ex": "http://example.org/",
    "": "https://w3id.org/sikg/id/practice/",
}
IRIS = [f"<{SIKG}SupportPractice>", f"<{SIKG}supportsElement>", f"<{SIKG}country>",
        "<https://w3id.org/sikg/id/practice/cap-impact>", "<https://w3id.org/sikg/id/element/realisation>",
        "<http://publications.europa.eu/resource/authority/country/SWE>", "<urn:x:y>", "<>", "<#frag>", "<rel/ative>",
        "<http://127.0.0.1:9/x>", "<file:///etc/passwd>", "<https://w3id.org/sikg/graph/curated>"]
PNAMES = ["sikg:SupportPractice", "sikg:operatedBy", "sikg:usesMethod", "skos:prefLabel", "rdfs:label",
          "dct:source", "ex:thing", ":cap-impact", "undeclared:x", "xsd:integer"]
VARIABLES = ["?s", "?p", "?o", "?x", "?label", "$y", "?g", "?n"]
GRAPHS = ["https://w3id.org/sikg/graph/curated", "https://w3id.org/sikg/graph/ontology", "http://127.0.0.1:9/g",
          "urn:unknown", "file:///etc/passwd", "not an iri", ""]
ACCEPTS = ["", "*/*", "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values", "text/turtle", "application/ld+json", "application/n-triples",
           "application/rdf+xml", "application/trig", "application/n-quads", "text/html", "image/png",
           "text/*;q=0.5, application/json;q=0.9", "application/json;q=0, */*;q=0.1", "text/plain",
           "application/xml", "*/*;q=0", "garbage;;;q=x", "text/csv;charset=latin1"]
FORMATS = [None, "json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdfxml", "trig", "nq", "table", "html",
           "application/sparql-results+json", "text/turtle;q=1", "", "../../etc/passwd"]
# Tokens that break or bend the grammar.
NASTY = ["{", "}", "(", ")", ".", ";", ",", "'", '"', "'''", '"""', "#", "\\", "<", ">", "?", "$", "^^", "@en",
         "\x00", "\u202e", "\U0001F600", "\\u0053ERVICE", "\\U0010FFFF", "\\UFFFFFFFF", "\\U00110000", "\\uD800",
         "SERVICE <http://127.0.0.1:9/>",
         "LOAD <http://127.0.0.1:9/>", "INSERT DATA { <a:a> <a:b> <a:c> }", "DROP ALL", "FROM <urn:x>",
         "GRAPH ?g", "OPTIONAL", "UNION", "MINUS", "FILTER(", "BIND(", "VALUES", "SELECT", "WHERE", "LIMIT 1",
         "ORDER BY", "GROUP BY", "HAVING", "*", "+", "/", "|", "!", "^", "a", "1e999999", "-0", "99999999999999999999"]

variables = st.sampled_from(VARIABLES)


def _string_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


literals = st.one_of(
    st.text(max_size=12).map(_string_literal),
    st.tuples(st.text(alphabet="abcdefg ", max_size=8), st.sampled_from(["en", "sv", "fr", "x-bad", "EN-gb"])).map(
        lambda t: f"{_string_literal(t[0])}@{t[1]}"),
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "false", '"1"^^xsd:integer', '"x"^^xsd:integer', '"2020-13-45"^^xsd:date',
                     '"NaN"^^xsd:double', '""']),
)
terms = st.one_of(variables, st.sampled_from(IRIS), st.sampled_from(PNAMES))
objects = st.one_of(terms, literals)
predicates = st.one_of(
    variables, st.sampled_from(PNAMES + ["a"]),
    st.tuples(st.sampled_from(PNAMES + ["a"]), st.sampled_from(["/", "|"]), st.sampled_from(PNAMES)).map("".join),
    st.tuples(st.sampled_from(["^", "!", ""]), st.sampled_from(PNAMES), st.sampled_from(["*", "+", "?", ""])).map(
        "".join),
)
triples = st.tuples(terms, predicates, objects).map(lambda t: " ".join(t) + " .")

expressions = st.recursive(
    st.one_of(variables, literals, st.sampled_from(IRIS)),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["=", "!=", "<", ">=", "+", "*", "/", "&&", "||"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["STR", "LANG", "STRLEN", "UCASE", "isIRI", "isLiteral", "DATATYPE", "ABS",
                                   "xsd:integer", "ENCODE_FOR_URI", "MD5", "IRI", "BNODE", "ROUND", "YEAR",
                                   "BOUND", "!"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.text(alphabet="a.*+?()[]{}|^$\\", max_size=10)).map(
            lambda t: f"REGEX(STR({t[0]}), {_string_literal(t[1])})"),
        st.tuples(inner, inner).map(lambda t: f"CONCAT(STR({t[0]}), STR({t[1]}))"),
        st.tuples(inner, inner, inner).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(inner, inner).map(lambda t: f"COALESCE({t[0]}, {t[1]})"),
        st.tuples(inner, st.integers(-5, 20), st.integers(-5, 20)).map(
            lambda t: f"SUBSTR(STR({t[0]}), {t[1]}, {t[2]})"),
    ),
    max_leaves=5,
)

groups = st.recursive(
    st.lists(triples, min_size=1, max_size=2).map(" ".join),
    lambda inner: st.one_of(
        st.tuples(inner, expressions).map(lambda t: f"{t[0]} FILTER({t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} OPTIONAL {{ {t[1]} }}"),
        st.tuples(inner, inner).map(lambda t: f"{{ {t[0]} }} UNION {{ {t[1]} }}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} MINUS {{ {t[1]} }}"),
        st.tuples(inner, expressions, variables).map(lambda t: f"{t[0]} BIND({t[1]} AS {t[2]})"),
        st.tuples(variables, st.lists(objects, max_size=3), inner).map(
            lambda t: f"VALUES {t[0]} {{ {' '.join(t[1])} }} {t[2]}"),
        st.tuples(st.sampled_from(["?g", "<https://w3id.org/sikg/graph/curated>", "<urn:none>"]), inner).map(
            lambda t: f"GRAPH {t[0]} {{ {t[1]} }}"),
        inner.map(lambda g: f"{{ SELECT * WHERE {{ {g} }} LIMIT 5 }}"),
    ),
    max_leaves=4,
)

modifiers = st.tuples(
    st.sampled_from(["", "GROUP BY ?s", "GROUP BY ?s HAVING(COUNT(?o) > 1)"]),
    st.sampled_from(["", "ORDER BY ?s", "ORDER BY DESC(?o) ?s", "ORDER BY RAND()"]),
    st.sampled_from(["LIMIT 10", "LIMIT 10", "LIMIT 10", "LIMIT 0", "LIMIT 3 OFFSET 2", "OFFSET 99999", "",
                     "LIMIT 99999999999999999999", "LIMIT -1"]),
).map(" ".join)


@st.composite
def queries(draw) -> str:
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PROLOGUE.items() if draw(st.integers(0, 9)))
    if draw(st.integers(0, 9)) == 0:
        prologue = f"BASE <{draw(st.sampled_from(['http://127.0.0.1:9/', 'https://w3id.org/sikg/', 'urn:b:']))}>\n" \
            + prologue
    where = draw(groups)
    form = draw(st.sampled_from(["select", "select", "distinct", "aggregate", "ask", "construct", "construct-where",
                                 "describe"]))
    dataset = draw(st.sampled_from([""] * 12 + ["FROM <https://w3id.org/sikg/graph/curated>",
                                    "FROM NAMED <https://w3id.org/sikg/graph/ontology>", "FROM <http://127.0.0.1:9/>",
                                    "FROM <file:///etc/passwd>", "FROM ex:nowhere"]))
    tail = draw(modifiers)
    if form in ("select", "distinct"):
        projection = draw(st.sampled_from(["*", "?s", "?s ?o", "?s (STR(?o) AS ?text)"]))
        head = f"SELECT {'DISTINCT ' if form == 'distinct' else ''}{projection}"
    elif form == "aggregate":
        head = "SELECT ?s (COUNT(?o) AS ?n) (SAMPLE(?o) AS ?any) (GROUP_CONCAT(STR(?o)) AS ?all)"
        tail = "GROUP BY ?s LIMIT 10"
    elif form == "ask":
        head, tail = "ASK", ""
    elif form == "construct":
        head = f"CONSTRUCT {{ {draw(triples)} }}"
    elif form == "construct-where":
        patterns = draw(st.lists(triples, min_size=1, max_size=2).map(" ".join))
        return f"{prologue}CONSTRUCT WHERE {{ {patterns} }} LIMIT 10"
    else:
        head = f"DESCRIBE {draw(st.sampled_from(IRIS + ['?s']))}"
    return f"{prologue}{head} {dataset} WHERE {{ {where} }} {tail}"


@st.composite
def mutated(draw, texts) -> str:
    """A text with a few edits: a span deleted, duplicated or replaced by a grammar-bending token, or case flipped."""
    text = draw(texts)
    for _ in range(draw(st.integers(1, 3))):
        if not text:
            break
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 12)))
        edit = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "case"]))
        if edit == "delete":
            text = text[:i] + text[j:]
        elif edit == "duplicate":
            text = text[:j] + text[i:j] * draw(st.integers(2, 4)) + text[j:]
        elif edit == "insert":
            text = text[:i] + draw(st.sampled_from(NASTY)) + text[i:]
        elif edit == "replace":
            text = text[:i] + draw(st.text(max_size=4)) + text[j:]
        else:
            text = text[:i] + text[i:j].swapcase() + text[j:]
    return text


SEEDS = ["SELECT * WHERE { ?s ?p ?o } LIMIT 1", "ASK {}", "CONSTRUCT WHERE { ?s a ?o } LIMIT 3",
         "DESCRIBE <https://w3id.org/sikg/id/practice/cap-impact>",
         "SELECT ?p WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> } ORDER BY ?p"]
any_query = st.one_of(queries(), mutated(queries()), st.text(max_size=80), mutated(st.sampled_from(SEEDS)))


@st.composite
def sparql_requests(draw):
    query = draw(any_query)
    how = draw(st.sampled_from(["get", "form", "direct"]))
    headers = {}
    accept = draw(st.sampled_from(ACCEPTS)) if draw(st.integers(0, 2)) == 0 else ""
    if accept:
        headers["Accept"] = accept
    params = []
    format_name = draw(st.sampled_from(FORMATS)) if draw(st.integers(0, 4)) == 0 else None
    if format_name is not None:
        params.append(("format", format_name))
    for name in ("default-graph-uri", "named-graph-uri"):
        if draw(st.integers(0, 11)) == 0:
            params.append((name, draw(st.sampled_from(GRAPHS))))
    if how == "get":
        return dict(method="GET", path="/sparql?" + urllib.parse.urlencode([("query", query)] + params),
                    headers=headers)
    if how == "form":
        return dict(method="POST", path="/sparql", headers=headers, content_type="application/x-www-form-urlencoded",
                    data=urllib.parse.urlencode([("query", query)] + params).encode())
    charset = draw(st.sampled_from([""] * 6 + ["; charset=utf-8", "; charset=UTF-8", "; charset=latin1"]))
    return dict(method="POST", path="/sparql?" + urllib.parse.urlencode(params), headers=headers,
                content_type="application/sparql-query" + charset, data=query.encode("utf-8", "surrogatepass"))


def _text(request) -> str:
    """Everything a request says, decoded: what fuzzkit.known_bug looks at."""
    data = request.get("data", b"")
    return urllib.parse.unquote_plus(request["path"]) + " " + urllib.parse.unquote_plus(
        data.decode("utf-8", "replace") if isinstance(data, bytes) else "")


def _send(client, request) -> fuzzkit.Answer:
    request = dict(request)
    return fuzzkit.call(client, request.pop("method"), request.pop("path"), BUDGET, **request)


@pytest.fixture(scope="module")
def store_size(app):
    return len(app.extensions["sikg"].store)


@settings(max_examples=fuzzkit.examples(70))
@given(request=sparql_requests())
@example(request=dict(method="GET", path="/sparql?query=SELECT%20*%20WHERE%20%7B%20SERVICE%20%3Chttp%3A%2F%2F127.0.0.1"
                                         "%3A9%2F%3E%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D", headers={}))
def test_sparql_answers_are_2xx_or_4xx_with_a_message(client, app, store_size, request):
    assume(not fuzzkit.known_bug(_text(request)))
    answer = _send(client, request)
    fuzzkit.assert_sane(answer, f"{request['method']} {request['path'][:200]} {request.get('data', b'')[:200]!r}")
    if answer.status == 503:
        assert "time limit" in answer.text or "busy" in answer.text, answer.text
    assert len(app.extensions["sikg"].store) == store_size, "a query changed the store"


# -- the curated queries ------------------------------------------------------------------------------------------

def _catalogue():
    from sikg.sparql import queries
    return {q.name: [p.name for p in q.parameters] for q in queries.catalogue().values()}


CATALOGUE = _catalogue()
PARAM_VALUES = st.one_of(
    st.sampled_from(["https://w3id.org/sikg/id/method/incubation-programmes",
                     "http://publications.europa.eu/resource/authority/country/FRA", "sv", "en-GB", "2", "-1",
                     "999999999999999999", "9999999999999999999999", "impact", "", " ", "not an iri", "<urn:x>",
                     "urn:x", "javascript:alert(1)", "file:///etc/passwd", "http://127.0.0.1:9/", "\"}", "?x",
                     "x\" } SERVICE <http://127.0.0.1:9/> { \"", "%00", "../../etc/passwd", "1e3", "0x10"]),
    st.text(max_size=30),
)


@st.composite
def curated_calls(draw):
    name = draw(st.one_of(st.sampled_from(sorted(CATALOGUE)), st.sampled_from(
        ["", "..", "qc", "search.rq", "SEARCH", "search%00", "..%2fsearch", "%2e%2e", "qc%2fsomething",
         "../../etc/passwd", "search/", "a" * 300]), st.text(max_size=12)))
    known = CATALOGUE.get(name, [])
    params = []
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(known + ["format", "unknown", "query", ""])) if known or draw(st.booleans()) \
            else draw(st.text(max_size=6))
        params.append((key, draw(PARAM_VALUES if key != "format" else st.sampled_from([f for f in FORMATS if f]))))
    accept = draw(st.sampled_from(ACCEPTS))
    path = "/queries/" + urllib.parse.quote(name, safe="%/") + ("?" + urllib.parse.urlencode(params) if params else "")
    return dict(method=draw(st.sampled_from(["GET", "GET", "GET", "HEAD", "POST"])), path=path,
                headers={"Accept": accept} if accept else {})


@settings(max_examples=fuzzkit.examples(50))
@given(request=curated_calls())
def test_curated_queries_are_2xx_or_4xx_with_a_message(client, request):
    assume(not fuzzkit.known_bug(_text(request)))
    answer = _send(client, request)
    fuzzkit.assert_sane(answer, f"{request['method']} {request['path'][:200]} {request['headers']}")


# -- bugs found by the properties above, each pinned by its smallest reproducer (xfail while open) -----------------

@pytest.mark.parametrize("escape", ["\\UFFFFFFFF", "\\U00110000"])
def test_a_codepoint_escape_beyond_unicode_is_400(client, escape):
    answer = _send(client, dict(method="GET", path="/sparql?" + urllib.parse.urlencode(
        {"query": f"ASK {{}} # {escape}"}), headers={}))
    fuzzkit.assert_sane(answer)
    assert answer.status == 400


def test_a_curated_query_name_too_long_for_a_file_is_404(client):
    answer = _send(client, dict(method="GET", path="/queries/" + "a" * 300, headers={}))
    assert answer.status == 404, f"{answer.status}: {answer.text[:200]}"


@pytest.fixture(scope="module")
def capped_client(app):
    """The same store behind a service whose result cap (SIKG_MAX_RESULT_BYTES) is 64 KB, under the streaming
    threshold (1 MB), so a too-large answer is known before the status goes out."""
    capped = fuzzkit.make_app(app.extensions["sikg"].store, max_result_bytes=64 * 1024)
    yield capped.test_client()
    fuzzkit.close_app(capped)


@pytest.mark.parametrize("query", ["CONSTRUCT WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o }"])
def test_a_result_over_the_cap_is_400_naming_the_setting(capped_client, query):
    answer = _send(capped_client, dict(method="GET", path="/sparql?" + urllib.parse.urlencode({"query": query}),
                                       headers={}))
    assert answer.status == 400, f"{answer.status}: {answer.text[:200]}"
    assert "SIKG_MAX_RESULT_BYTES" in answer.text
