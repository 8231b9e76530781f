"""IRIs under a base of the service's own (SIKG_BASE, namespaces.py): the instance IRIs move to it, and nothing is
left under the canonical instance space."""

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest

from helpers import ROOT
from sikg.namespaces import values


def run_cli_with_base(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SIKG_BASE="http://127.0.0.1:8765/")
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
def test_sikg_base_moves_instance_iris():
    result = run_cli_with_base("query", "--format", "csv",
                               "SELECT ?p WHERE { ?p a sikg:SupportPractice } LIMIT 1")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0] == "p" and len(rows) == 2
    assert rows[1].startswith("http://127.0.0.1:8765/id/practice/"), rows[1]


@pytest.mark.slow
def test_sikg_base_leaves_nothing_under_the_canonical_instance_space():
    result = run_cli_with_base("query", "--format", "csv", """SELECT ?s ?p ?o WHERE { ?s ?p ?o
        FILTER(CONTAINS(STR(?s), "w3id.org/sikg/id/") || CONTAINS(STR(?o), "w3id.org/sikg/id/")) }""")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == []


def test_values_writes_every_term_as_sparql_and_refuses_what_is_not_an_iri():
    block = values("s", ["http://example.org/a", ox.NamedNode("http://example.org/é"), ox.Literal('say "hi"')])
    assert block == 'VALUES ?s { <http://example.org/a> <http://example.org/é> "say \\"hi\\"" }'
    store = ox.Store()
    assert [row["s"] for row in store.query(f"SELECT ?s WHERE {{ {block} }}")][2] == ox.Literal('say "hi"')
    with pytest.raises(ValueError):
        values("s", ["http://example.org/a> } ?s ?p ?o . { <http://x"])
