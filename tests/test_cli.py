"""The `sikg` command line as a user runs it: query, validate, export, load, stats, and its errors."""

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
import threading

import pyoxigraph as ox
import pytest

from helpers import FIXTURES, ROOT, run_cli
from sikg.cli import build_parser
from sikg.settings import Settings

PER_ELEMENT_AND_COUNTRY = """
SELECT ?element ?country (COUNT(DISTINCT ?practice) AS ?practices) WHERE {
  ?practice a sikg:SupportPractice ; sikg:supportsElement ?e ; sikg:country ?c .
  ?e skos:notation ?element . ?c skos:notation ?country .
} GROUP BY ?element ?country ORDER BY ?element ?country"""


@pytest.mark.slow
def test_query_csv_answers_practices_per_element_per_country(kg):
    result = run_cli("query", "--format", "csv", PER_ELEMENT_AND_COUNTRY)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert set(rows[0]) == {"element", "country", "practices"}
    assert {r["country"] for r in rows} == {"FRA", "LVA", "ESP", "SWE"}
    # Cross-check the CLI against the store directly: the same counts, element by element.
    from sikg.namespaces import PREFIXES
    expected = {(s["element"].value, s["country"].value): s["practices"].value
                for s in kg.query(PER_ELEMENT_AND_COUNTRY, prefixes=PREFIXES)}
    assert {(r["element"], r["country"]): r["practices"] for r in rows} == expected
    # Each country's practices are counted at least once across the elements.
    for country, total in {"FRA": 14, "LVA": 4, "ESP": 7, "SWE": 10}.items():
        assert max(int(r["practices"]) for r in rows if r["country"] == country) <= total


@pytest.mark.parametrize("fmt,check", [
    ("json", lambda out: json.loads(out)["results"]["bindings"]),
    ("tsv", lambda out: out.splitlines()[0].startswith("?n")),
    ("xml", lambda out: "<sparql" in out),
    ("table", lambda out: "(1 rows)" in out),
])
@pytest.mark.slow
def test_query_formats(fmt, check):
    result = run_cli("query", "--format", fmt, "SELECT (COUNT(*) AS ?n) WHERE { ?p a sikg:SupportPractice }")
    assert result.returncode == 0, result.stderr
    assert check(result.stdout)


@pytest.mark.slow
def test_query_construct_as_turtle():
    result = run_cli("query", "--format", "ttl",
                     "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a sikg:SupportPractice ; rdfs:label ?l }")
    assert result.returncode == 0, result.stderr
    assert len(list(ox.parse(input=result.stdout.encode(), format=ox.RdfFormat.TURTLE))) >= 35


@pytest.mark.slow
def test_query_from_file(tmp_path):
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }")
    result = run_cli("query", "--file", str(path), "--format", "csv")
    assert result.stdout.splitlines() == ["n", "35"]


@pytest.mark.slow
def test_bad_query_exits_2_with_the_parsers_message():
    result = run_cli("query", "SELEKT * WHERE { ?s ?p ?o }")
    assert result.returncode == 2
    assert "bad query" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_validate_unparseable_file_exits_2_with_file_line_and_message(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n')
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert f"{path}:2:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_validate_missing_file_and_unknown_extension_exit_2(tmp_path):
    assert run_cli("validate", str(tmp_path / "nope.ttl")).returncode == 2
    odd = tmp_path / "data.xyz"
    odd.write_text("x")
    result = run_cli("validate", str(odd))
    assert result.returncode == 2 and "unknown RDF file extension" in result.stderr


@pytest.mark.slow
def test_validate_refuses_rdfxml_with_doctype(tmp_path):
    path = tmp_path / "entities.rdf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaa">]>\n'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    result = run_cli("validate", str(path))
    assert result.returncode == 2 and "DOCTYPE" in result.stderr


@pytest.mark.slow
def test_validate_reads_other_syntaxes(tmp_path):
    for fmt, ext in [(ox.RdfFormat.N_TRIPLES, "nt"), (ox.RdfFormat.JSON_LD, "jsonld"), (ox.RdfFormat.RDF_XML, "rdf")]:
        path = tmp_path / f"practice.{ext}"
        ox.serialize(ox.parse(path=str(FIXTURES / "valid" / "practice.ttl")), str(path), fmt)
        result = run_cli("validate", str(path))
        assert result.returncode == 0, (ext, result.stdout, result.stderr)


@pytest.mark.slow
def test_export_jsonld_parses_back_to_the_same_number_of_quads(tmp_path, kg):
    out = tmp_path / "kg.jsonld"
    result = run_cli("export", "--format", "jsonld", "-o", str(out))
    assert result.returncode == 0, result.stderr
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.JSON_LD))
    assert len(quads) == len(kg)
    assert {q.graph_name.value for q in quads} == set(kg.named_graphs())


@pytest.mark.parametrize("fmt,rdf_format", [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                                            ("rdfxml", ox.RdfFormat.RDF_XML), ("nq", ox.RdfFormat.N_QUADS),
                                            ("trig", ox.RdfFormat.TRIG)])
@pytest.mark.slow
def test_export_formats_parse_back(tmp_path, kg, fmt, rdf_format):
    out = tmp_path / f"kg.{fmt}"
    assert run_cli("export", "--format", fmt, "-o", str(out)).returncode == 0
    parsed = list(ox.parse(path=str(out), format=rdf_format))
    if rdf_format.supports_datasets:
        assert len(parsed) == len(kg)
    else:  # triple formats carry the union graph
        union = list(kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
        assert len(parsed) == len(union)
        ground = lambda triples: {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in t)}
        assert ground((q.subject, q.predicate, q.object) for q in parsed) == ground(
            (t.subject, t.predicate, t.object) for t in union)


@pytest.mark.slow
def test_stats_prints_counts():
    result = run_cli("stats")
    assert result.returncode == 0
    assert "practices: 35" in result.stdout
    for line in ("FRA: 14", "LVA: 4", "ESP: 7", "SWE: 10"):
        assert line in result.stdout


@pytest.mark.slow
def test_load_into_an_on_disk_store_is_idempotent(tmp_path):
    store_dir = tmp_path / "store"
    extra = FIXTURES / "valid" / "practice.ttl"
    first = run_cli("load", "--store", str(store_dir), str(extra))
    second = run_cli("load", "--store", str(store_dir), str(extra))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "graph/file/practice.ttl" in first.stdout
    assert first.stdout.splitlines()[-1] == second.stdout.splitlines()[-1]  # same quad count after reloading
    result = run_cli("query", "--store", str(store_dir), "--format", "csv",
                     "SELECT (COUNT(*) AS ?n) WHERE { ?p a sikg:SupportPractice }")
    assert result.stdout.splitlines() == ["n", "36"]


@pytest.mark.slow
def test_query_by_name_with_a_parameter():
    result = run_cli("query", "--name", "practices-for-method", "--param",
                     "method=https://w3id.org/sikg/id/method/incubation-programmes", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["method"] for r in rows} == {"https://w3id.org/sikg/id/method/incubation-programmes"}


@pytest.mark.slow
def test_query_by_unknown_name_or_parameter_exits_2():
    assert run_cli("query", "--name", "no-such-query").returncode == 2
    result = run_cli("query", "--name", "practices-for-method", "--param", "colour=blue")
    assert result.returncode == 2 and "no parameter" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("service", ["SERVICE", "SERVICE SILENT", "\\u0053ERVICE"])
def test_query_with_service_is_refused_without_connecting(service):
    from listener import Listener
    listener = Listener()
    try:
        result = run_cli("query", f"SELECT * WHERE {{ {service} <{listener.url}> {{ ?s ?p ?o }} }}")
        assert listener.close(grace=0.3) == 0, listener.connections
    finally:
        listener.close()
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "SERVICE is not allowed" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_query_from_defines_the_dataset_as_on_the_endpoint(kg):
    ontology = "https://w3id.org/sikg/graph/ontology"
    expected = len(list(kg.query(f"SELECT * WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}")))
    everything = len(list(kg.query("SELECT * WHERE { ?s ?p ?o }")))
    assert 0 < expected < everything
    result = run_cli("query", "--format", "csv", f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", str(expected)]
    # FROM NAMED alone: the named graphs are those given, the default graph is empty (SPARQL 1.1, 13.2).
    result = run_cli("query", "--format", "csv", "SELECT ?g (COUNT(*) AS ?n) FROM NAMED <" + ontology + "> "
                     "WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g")
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout)))[1:] == [[ontology, str(expected)]]


@pytest.mark.slow
def test_query_from_an_unknown_graph_exits_2():
    result = run_cli("query", "SELECT * FROM <http://nope.example/g> WHERE { ?s ?p ?o }")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "unknown graph <http://nope.example/g>" in result.stderr


@pytest.mark.slow
def test_query_by_name_takes_a_prefixed_name_for_an_iri_parameter():
    full = run_cli("query", "--name", "practice-sources", "--format", "csv",
                   "--param", "practice=https://w3id.org/sikg/id/practice/cap-impact")
    short = run_cli("query", "--name", "practice-sources", "--format", "csv", "--param", "practice=practice:cap-impact")
    assert short.returncode == 0, short.stderr
    assert len(short.stdout.splitlines()) > 1 and short.stdout == full.stdout


@pytest.mark.slow
def test_json_ld_that_cannot_hold_an_iri_is_a_clear_error_and_leaves_no_file(tmp_path):
    """<practice:foo> would read as a compact IRI in JSON-LD with the sikg context: `query --format jsonld` and
    `export --format jsonld -o FILE` say so in one line (exit 2), and FILE is not left half written."""
    (tmp_path / "odd.nt").write_text("<http://a.example/s> <http://b.example/p> <practice:foo> .\n")
    store = tmp_path / "store"
    assert run_cli("load", "--store", str(store), str(tmp_path / "odd.nt")).returncode == 0
    out = tmp_path / "kg.jsonld"
    exported = run_cli("export", "--store", str(store), "--format", "jsonld", "-o", str(out))
    assert exported.returncode == 2 and "practice:foo" in exported.stderr and "Traceback" not in exported.stderr
    assert not out.exists() and not list(tmp_path.glob(".*partial"))
    assert run_cli("export", "--store", str(store), "--format", "nt", "-o", str(out)).returncode == 0
    assert "<practice:foo>" in out.read_text()
    queried = run_cli("query", "--format", "jsonld",
                      "CONSTRUCT { <http://a.example/s> <http://b.example/p> <practice:foo> } WHERE {}")
    assert queried.returncode == 2 and "practice:foo" in queried.stderr and "Traceback" not in queried.stderr


# -- settings from the environment, overridden by the command line -----------------------------------------------

def _run_with_env(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


@pytest.mark.slow
def test_a_bad_port_in_the_environment_is_one_line_and_exit_2_not_a_traceback():
    result = _run_with_env({"SIKG_PORT": "abc"}, "stats")
    assert result.returncode == 2
    assert result.stderr == "sikg: SIKG_PORT must be a whole number, got 'abc'\n"


@pytest.mark.slow
def test_serve_with_a_bad_query_timeout_exits_2_before_starting():
    result = _run_with_env({"SIKG_QUERY_TIMEOUT": "soon"}, "serve", "--store", "memory", "--port", "1")
    assert result.returncode == 2
    assert result.stderr == "sikg: SIKG_QUERY_TIMEOUT must be a number of seconds, got 'soon'\n"


@pytest.mark.slow
def test_the_command_line_overrides_the_environment():
    result = _run_with_env({"SIKG_STORE": "http://127.0.0.1:9/never/query"}, "stats", "--store", "memory")
    assert result.returncode == 0, result.stderr
    parser = build_parser(Settings(port=9001, host="0.0.0.0", store="memory", workers=2, access_log=True))
    assert vars(parser.parse_args(["serve"])) | {"func": None} == {
        "command": "serve", "host": "0.0.0.0", "port": 9001, "workers": 2, "processes": 0, "access_log": True,
        "store": "memory", "update_url": None, "store_url": None, "review": True, "func": None}
    args = parser.parse_args(["serve", "--port", "9002", "--store", "var/other", "--workers", "3"])
    assert (args.port, args.store, args.workers, args.host) == (9002, "var/other", 3, "0.0.0.0")
    assert build_parser(Settings()).parse_args(["serve"]).store == "var/store"  # serve's own default
    assert build_parser(Settings()).parse_args(["stats"]).store is None


def _validate_on_a_terminal(path) -> tuple[int, bytes, str]:
    """`sikg validate PATH` with its standard error on a pseudo-terminal, as a person runs it: (exit code, standard
    output, what the terminal showed)."""
    terminal, end = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "sikg.cli", "validate", str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=end) as process:
        os.close(end)
        shown = []
        reader = threading.Thread(target=lambda: shown.extend(iter(lambda: _read_or_end(terminal), b"")))
        reader.start()
        out = process.stdout.read()
        process.wait()
        reader.join()
    os.close(terminal)
    return process.returncode, out, b"".join(shown).decode()


def _read_or_end(fd) -> bytes:
    try:
        return os.read(fd, 4096)
    except OSError:  # the other end closed: Linux answers EIO
        return b""


@pytest.mark.slow
def test_validate_shows_its_progress_on_a_terminal_and_nowhere_else(tmp_path):
    data = tmp_path / "practices.nt"
    assert run_cli("synth", "--practices", "300", "-o", str(data)).returncode == 0
    code, out, shown = _validate_on_a_terminal(data)
    assert code == 0 and "reading [" in shown and "100%" in shown, shown
    assert re.search(r"validating [\d,]+ triples", shown), shown
    assert shown.endswith("\r\x1b[K"), "the progress line is cleared before the report"
    piped = run_cli("validate", str(data))
    assert piped.stderr == "" and piped.stdout.encode() == out, "piped, the command writes exactly what it did"


@pytest.mark.slow
@pytest.mark.parametrize("command", [["stats"], ["export", "--format", "nq"], ["revisions", "export"]])
def test_a_command_on_a_store_another_process_holds_says_so_in_one_line_and_exits_3(tmp_path, command):
    """RocksDB lets one process open a store to write: a command run beside a `sikg serve` holding it says so (it
    printed an OSError's traceback and exited 1)."""
    store = tmp_path / "store"
    held = ox.Store(str(store))  # this process holds it, as a running service would
    try:
        found = run_cli(*command, "--store", str(store))
    finally:
        del held
    assert found.returncode == 3, found.stderr
    assert "Traceback" not in found.stderr and len(found.stderr.strip().splitlines()) == 1, found.stderr
    assert "held by another process" in found.stderr


@pytest.mark.slow
def test_version_prints_the_installed_package_s_version_on_standard_output():
    from importlib.metadata import version
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"sikg {version('sikg')}\n"


def test_the_command_line_starts_without_the_external_store_s_http_client_or_package_metadata():
    """`sikg export` over an embedded store is timed against `oxigraph dump` (issue 28): urllib3 (the external
    store's client) and importlib.metadata (the version) are imported only by what uses them."""
    code = ("import sys, sikg.cli; sikg.cli.build_parser(); "
            "print(sorted(m for m in ('urllib3', 'importlib.metadata', 'sikg.store.remote') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
