"""Generated headers and query strings on every read route (content negotiation, languages, profiles, conditional
requests, odd methods, odd paths): always a 2xx/304 or a 4xx with a message, never a 5xx, never a hang."""

import urllib.parse

import fuzzkit
from hypothesis import given, settings
from hypothesis import strategies as st

BUDGET = 20.0
ROUTES = ["/", "/health", "/sparql", "/practices", "/id/practice/cap-impact", "/id/organisation/avise",
          "/id/element/realisation", "/id/scheme/support-methods", "/id/method/incubation-programmes",
          "/ontology", "/shapes", "/context.jsonld", "/export", "/queries", "/queries/practices-per-country",
          "/.well-known/void", "/openapi.json", "/contributions", "/validate", "/static/codemirror/codemirror.js",
          "/chart.svg", "/chart-characteristics.svg", "/validate/form"]
MEDIA = ["text/html", "application/xhtml+xml", "text/turtle", "application/ld+json", "application/n-triples",
         "application/rdf+xml", "application/n-quads", "application/trig", "application/json", "text/csv",
         "application/sparql-results+json", "text/plain", "image/png", "*/*", "text/*", "application/*", "*/html",
         "", "garbage", "text/html;level=1", "application/ld+json;profile=\"http://www.w3.org/ns/json-ld#compacted\""]
header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
                      max_size=60)


@st.composite
def accept_headers(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        media = draw(st.sampled_from(MEDIA))
        q = draw(st.sampled_from(["", ";q=1", ";q=0", ";q=0.5", ";q=1.5", ";q=-1", ";q=abc", ";q=", ";q=0.0001"]))
        parts.append(media + q)
    return draw(st.sampled_from([", ", ",", " , ", ";"])).join(parts) if parts else draw(header_text)


HEADERS = {
    "Accept": accept_headers(),
    "Accept-Language": st.one_of(st.sampled_from(["sv", "en;q=0.1, sv", "fr-FR", "*", "zz", "sv;q=abc", "",
                                                  "x" * 500]), header_text),
    "Accept-Profile": st.one_of(st.sampled_from(["<https://schema.org/>", "<https://w3id.org/sikg/profile/practices>",
                                                 "<http://127.0.0.1:9/>", "<>", "<https://schema.org/>;q=0",
                                                 "https://schema.org/", ",,,"]), header_text),
    "If-None-Match": st.one_of(st.sampled_from(["*", '"abc"', 'W/"abc"', '"', "W/", '""', ",", "x" * 300]),
                               header_text),
    "If-Modified-Since": st.one_of(st.sampled_from(["Wed, 21 Oct 2015 07:28:00 GMT", "yesterday", ""]), header_text),
    "Range": st.sampled_from(["bytes=0-10", "bytes=-5", "bytes=100-1", "bytes=0-0,5-6", "items=1-2"]),
    "Origin": st.sampled_from(["https://evil.example", "null", "http://127.0.0.1:9"]),
    "Content-Type": st.one_of(st.sampled_from(["text/turtle", "multipart/form-data", "application/json;charset=x"]),
                              header_text),
    "X-Forwarded-For": header_text,
    "X-Forwarded-Proto": st.sampled_from(["https", "gopher", ""]),
    "Cookie": header_text,
}
PARAMS = {
    "format": st.sampled_from(["html", "ttl", "jsonld", "nt", "rdfxml", "nq", "trig", "csv", "json", "xml", "", "x",
                               "text/turtle", "../../etc/passwd"]),
    "lang": st.sampled_from(["sv", "en", "fr", "zz", "", "SV", "sv-SE", "<script>alert(1)</script>"]),
    "frame": st.sampled_from(["practices", "", "x", "../frames/practices"]),
    "profile": st.sampled_from(["schema.org", "practices", "https://schema.org/", "http://127.0.0.1:9/", "", "x"]),
    "element": st.sampled_from(["realisation", "https://w3id.org/sikg/id/element/realisation", "", "x", "\u00e9"]),
    "method": st.sampled_from(["incubation-programmes", "", "x"]),
    "country": st.sampled_from(["SWE", "FRA", "swe", "", "XXX", "http://publications.europa.eu/resource/authority/country/SWE"]),
    "q": st.one_of(st.text(max_size=20), st.just("<script>alert(1)</script>")),
    "page": st.sampled_from(["1", "0", "-1", "99999999999999999999", "x"]),
    "query": st.sampled_from(["ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "", "x"]),
}


@st.composite
def read_requests(draw):
    path = draw(st.sampled_from(ROUTES))
    names = draw(st.lists(st.sampled_from(sorted(PARAMS)), max_size=3))
    params = [(name, draw(PARAMS[name])) for name in names]
    if params:
        path += "?" + urllib.parse.urlencode(params)
    headers = {name: draw(HEADERS[name]) for name in draw(st.lists(st.sampled_from(sorted(HEADERS)), max_size=4,
                                                                     unique=True))}
    method = draw(st.sampled_from(["GET"] * 6 + ["HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "TRACE"]))
    return dict(method=method, path=path, headers=headers)


@settings(max_examples=fuzzkit.examples(60))
@given(request=read_requests())
def test_read_routes_answer_2xx_or_4xx_with_a_message(client, request):
    answer = fuzzkit.call(client, request["method"], request["path"], BUDGET, headers=request["headers"])
    fuzzkit.assert_sane(answer, f"{request['method']} {request['path']} {request['headers']}")
    if answer.status == 200 and answer.mimetype == "text/html":
        assert b"<script>alert" not in answer.body, "a parameter was written into the page unescaped"


@settings(max_examples=fuzzkit.examples(40))
@given(path=st.one_of(
    st.sampled_from(["/id/practice/../../etc/passwd", "/id/practice/..%2f..%2fetc%2fpasswd", "/id/../app.py",
                     "/id/practice/%2e%2e/%2e%2e/etc/passwd", "/id/practice/cap-impact%00",
                     "/id/practice/" + "a" * 5000,
                     "/id/practice/cap-impact/../cap-impact", "/id//cap-impact", "/queries/..%2fqueries%2fsearch",
                     "/queries/../../etc/passwd", "/queries/%2e%2e", "/static/..%2f..%2fapp.py", "/static/../app.py",
                     "/%2e%2e/%2e%2e/etc/passwd", "/contributions/..%2f..%2fvar",
                     "/id/practice/\u00e9", "/id/practice/%ff", "/id/practice/%c3%28", "/sparql/", "/sparql%00"]),
    st.tuples(st.sampled_from(["/id/practice/", "/id/", "/queries/", "/contributions/", "/static/", "/"]),
              st.text(alphabet="abc./%2e5fF\\:~-_\u00e9\x00 ", max_size=30)).map(
        # (a path starting with "//" is a host to the test client, not a path: left out)
        lambda t: (t[0] + t[1]).replace("//", "/%2F", 1) if (t[0] + t[1]).startswith("//") else t[0] + t[1])))
def test_odd_paths_are_4xx_and_never_leak_a_file(client, path):
    answer = fuzzkit.call(client, "GET", path, BUDGET)
    fuzzkit.assert_sane(answer, f"GET {path!r}")
    assert b"root:x:0:0" not in answer.body and b"def create_app" not in answer.body, f"GET {path!r} leaked a file"
