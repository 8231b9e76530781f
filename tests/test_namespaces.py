"""IRIs under a base of the service's own (SIKG_BASE, namespaces.py): the instance IRIs move to it, and nothing is
left under the canonical instance space."""

import os
import subprocess
import sys

import pytest

from helpers import ROOT


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
