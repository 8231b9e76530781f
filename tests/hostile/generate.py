"""Writes the generated files of the hostile-input corpus (the big and the binary ones); the small ones are written by
hand. Run it from the repository root after changing it: `python tests/hostile/generate.py`. The files are checked
in, so that the corpus is what the manifest says without running anything first.

`{LISTENER}` in a file is replaced, when the case runs, by the address of a listener on 127.0.0.1 that must see no
connection (http://127.0.0.1:PORT)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
TEMPLATE = (HERE.parents[1] / "data" / "templates" / "practice.ttl")
FALLBACK = (HERE.parents[1] / "tests" / "fixtures" / "valid" / "practice.ttl")


def template() -> str:
    return (TEMPLATE if TEMPLATE.is_file() else FALLBACK).read_text(encoding="utf-8")


def renamed(text: str, name: str) -> str:
    """The template's practice and organisation under IRIs of their own, so that each contribution case describes
    resources no other case does (a second description of one practice in another language-tagged label would be
    refused as a duplicate, whichever case ran first)."""
    return text.replace("example-neighbourhood-voucher", f"example-hostile-{name}").replace(
        "example-regional-agency", f"example-hostile-{name}-agency")


def write(name: str, data: bytes | str) -> None:
    (HERE / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def main() -> None:
    # Deep nesting: JSON-LD past the parser's depth guard, and within it; Turtle blank nodes and collections.
    write("jsonld-deep-arrays.jsonld", '{"@id": "http://example.org/a", "http://example.org/p": '
          + "[" * 100_000 + '"x"' + "]" * 100_000 + "}")
    deep = '{"@id": "http://example.org/leaf"}'
    for _ in range(300):
        deep = '{"http://example.org/p": ' + deep + "}"
    write("jsonld-deep-objects.jsonld", deep)
    nested = '{"@id": "http://example.org/leaf"}'
    for _ in range(150):
        nested = '{"http://example.org/p": ' + nested + "}"
    write("jsonld-nested-150.jsonld", nested)
    write("turtle-deep-blank-nodes.ttl", "@prefix : <http://example.org/> .\n:a :p " + "[ :p " * 5000 + ":b"
          + " ]" * 5000 + " .\n")
    write("turtle-deep-collections.ttl", "@prefix : <http://example.org/> .\n:a :p " + "( " * 5000 + ":b"
          + " )" * 5000 + " .\n")
    write("rdfxml-deep.rdf", f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:e="http://example.org/"><rdf:Description>'
          + "<e:p><rdf:Description>" * 25_000 + "</rdf:Description></e:p>" * 25_000
          + "</rdf:Description></rdf:RDF>\n")

    # Huge literal (3 MB, under SIKG_MAX_UPLOAD) in an otherwise conforming practice; a 1 MB IRI.
    practice = renamed(template(), "huge-literal")
    marker = 'dct:description "'
    at = practice.index(marker) + len(marker)
    write("huge-literal.ttl", practice[:at] + "lorem ipsum " * 250_000 + practice[at:])
    practice = template()
    long_iri = "http://example.org/" + "a" * 1_000_000
    write("long-iri.ttl", f"<{long_iri}> <http://www.w3.org/2000/01/rdf-schema#label> \"long\"@en .\n")
    write("long-iri.rq", f"ASK {{ <{long_iri}> ?p ?o }}\n")

    # Encodings: Latin-1, UTF-16 with its BOM, UTF-8 then Latin-1 in one file, an overlong UTF-8 sequence, a UTF-8
    # BOM; a SPARQL body in Latin-1.
    latin = '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<http://example.org/a> rdfs:label "Café"@fr .\n'
    write("latin1.ttl", latin.encode("latin-1"))
    write("utf16-bom.ttl", latin.encode("utf-16"))
    write("mixed-encoding.ttl", latin.encode("utf-8") + '<http://example.org/b> rdfs:label "Crème"@fr .\n'
          .encode("latin-1"))
    write("overlong-utf8.ttl", latin.encode("utf-8").replace(b"Caf\xc3\xa9", b"Caf\xc0\xaf"))
    write("utf8-bom.ttl", b"\xef\xbb\xbf" + latin.encode("utf-8"))
    write("latin1.rq", 'SELECT * WHERE { ?s ?p "Café" }\n'.encode("latin-1"))
    # The XML entity guard looks for "<!DOCTYPE" in the bytes; the same document in UTF-16 without a BOM hides it.
    write("xxe-utf16.rdf", ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM '
                            '"file:///etc/passwd">]>\n<rdf:RDF xmlns:rdf="' + RDF + '" xmlns:e="http://example.org/">'
                            '<rdf:Description rdf:about="http://example.org/a"><e:p>&x;</e:p></rdf:Description>'
                            '</rdf:RDF>\n').encode("utf-16-le"))

    # The tokenizer of the query safety check, fed unterminated strings full of escaped quotes (60 KB).
    write("sparql-escaped-quotes.rq", 'ASK { ?s ?p "' + '\\"' * 30_000 + " }\n")
    # Contributions built on the conforming template: one that imports a remote ontology, one that names the curated
    # graph (and the state graph) as the graph to write into, one with a script in a label and javascript: links.
    write("contribution-owl-imports.ttl", renamed(practice + "\n<https://w3id.org/sikg/id/practice/"
          "example-neighbourhood-voucher> <http://www.w3.org/2002/07/owl#imports> <{LISTENER}/imported.ttl> .\n",
                                                  "owl-imports"))
    named = renamed(practice, "graph-names")
    prefixes = "".join(line + "\n" for line in named.splitlines() if line.startswith("@prefix"))
    body = "".join(line + "\n" for line in named.splitlines() if not line.startswith("@prefix"))
    write("contribution-into-curated-graph.trig", prefixes + "<https://w3id.org/sikg/graph/curated> {\n" + body
          + "}\n<https://w3id.org/sikg/graph/state> { <https://w3id.org/sikg/graph/state> "
          "<http://purl.org/dc/terms/identifier> \"forged\" }\n")
    write("contribution-script-and-javascript-links.ttl", renamed(practice.replace(
        '"Neighbourhood Innovation Vouchers (example)"@en',
        '"Neighbourhood <script>alert(1)</script> Vouchers (example)"@en') + (
        "\n<https://w3id.org/sikg/id/practice/example-neighbourhood-voucher> "
        "<http://purl.org/dc/terms/source> <javascript:alert(document.cookie)> ;\n"
        "    <http://xmlns.com/foaf/0.1/homepage> <javascript:alert(2)> .\n"), "script"))
    # Padding to go past SIKG_MAX_UPLOAD (the manifest repeats this file).
    write("padding.ttl", "#" + "." * 1022 + "\n")


if __name__ == "__main__":
    main()
