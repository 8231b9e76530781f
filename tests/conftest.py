import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def kg():
    """The curated KG in a throwaway in-memory store, loaded once for the session; tests must not write to it."""
    from sikg.store import open_store

    return open_store("memory")


def select(kg, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings, with sikg's prefixes declared."""
    from sikg.namespaces import PREFIXES

    result = kg.query(query, prefixes=PREFIXES)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Runs the installed `sikg` command as a user would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "sikg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)
