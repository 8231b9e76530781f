"""A real OpenLink Virtuoso (Debian's virtuoso-opensource, `virtuoso-t`) for the tests, set up as docs/deployment.md
says: a copy of the package's default virtuoso.ini with its own temporary database directory, free HTTP and SQL
ports, result sets not capped at 10,000 rows (ResultSetMaxRows), and SPARQL_UPDATE granted to the SPARQL user (so
/sparql takes updates and /sparql-graph-crud takes Graph Store Protocol PUTs), run with +foreground and stopped at the
end. `make test` installs the package (Makefile: virtuoso); without `virtuoso-t` the tests that need it are skipped
and say why.
"""

import configparser
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from helpers import free_port
from sikg.namespaces import GRAPH_STATE
from sikg.store import open_store
from sikg.store.remote import DIALECTS

DEFAULT_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
SERVER = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
MISSING = (
    None
    if SERVER and ISQL and DEFAULT_INI.exists()
    else "Virtuoso is not installed (apt-get install virtuoso-opensource; `make test` installs it)"
)

# What sikg needs of Virtuoso beyond its defaults: the SQL statements run once it is up (docs/deployment.md).
SETUP_SQL = [
    'GRANT SPARQL_UPDATE TO "SPARQL";',  # updates through /sparql and Graph Store Protocol writes
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);",  # read and write every graph, without a login
]


class Virtuoso:
    """`virtuoso-t +foreground` over a database in `directory`; `sparql_url`, `gsp_url` once started."""

    def __init__(self, directory: Path, max_rows: int = 10_000_000):
        self.directory = Path(directory)
        self.http_port, self.sql_port, self.process = free_port(), free_port(), None
        self.max_rows = max_rows  # ResultSetMaxRows: a low one tests that no answer is cut short silently
        self._own_graphs: set[str] | None = None  # the graphs a new database holds (Virtuoso's own)
        self._curated: tuple | None = None  # its state() when load_curated() last loaded it

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def gsp_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def store_args(self) -> list[str]:
        """The command line's options naming it: `sikg load --store …` (and serve, stats…)."""
        return ["--store", self.sparql_url, "--update-url", self.sparql_url, "--store-url", self.gsp_url]

    def _write_ini(self) -> Path:
        ini = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";",))
        ini.optionxform = str  # Virtuoso's keys are case-sensitive as written
        ini.read(DEFAULT_INI)
        database = self.directory
        for section, stem in (("Database", "virtuoso"), ("TempDatabase", "virtuoso-temp")):
            ini[section]["DatabaseFile"] = str(database / f"{stem}.db")
            ini[section]["TransactionFile"] = str(database / f"{stem}.trx")
        ini["Database"]["ErrorLogFile"] = str(database / "virtuoso.log")
        ini["Database"]["LockFile"] = str(database / "virtuoso.lck")
        ini["Database"]["xa_persistent_file"] = str(database / "virtuoso.pxa")
        ini["Parameters"]["ServerPort"] = str(self.sql_port)
        ini["Parameters"]["DirsAllowed"] = f"., {database}, /usr/share/virtuoso-opensource-7/vad"
        ini["Parameters"]["NumberOfBuffers"] = "10000"  # about 85 MB; the tests' KG is small
        ini["HTTPServer"]["ServerPort"] = str(self.http_port)
        ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{self.http_port}"
        ini["SPARQL"]["ResultSetMaxRows"] = str(self.max_rows)  # its default 10,000 cuts big answers (remote.py)
        ini.remove_section("Plugins")  # the wiki plugins are not installed with the server
        path = database / "virtuoso.ini"
        with open(path, "w") as out:
            ini.write(out)
        return path

    def start(self, timeout: float = 120) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        ini = self._write_ini()
        self.process = subprocess.Popen(
            [SERVER, "+foreground", "+configfile", str(ini)],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.directory / "virtuoso.log"
                self.stop()
                raise RuntimeError(
                    "virtuoso-t did not start; the end of its log:\n"
                    + (log.read_text(errors="replace")[-3000:] if log.exists() else "(none)")
                )
            time.sleep(0.3)
        try:  # a server that fails its set-up is not left running (nobody would stop it)
            for statement in SETUP_SQL:
                self.sql(statement)
            if self._own_graphs is None:
                self._own_graphs = set(self._graph_sizes())
        except BaseException:
            self.stop()
            raise

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.sparql_url + "?query=ASK%7B%7D", timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    def sql(self, statement: str) -> str:
        """Runs one SQL statement as dba (a new database's password is dba) through isql."""
        ran = subprocess.run(
            [ISQL, str(self.sql_port), "dba", "dba", f"exec={statement}"], capture_output=True, text=True, timeout=60
        )
        if ran.returncode != 0 or "*** Error" in ran.stdout + ran.stderr:
            raise RuntimeError(f"isql {statement!r}: {ran.stdout}{ran.stderr}")
        return ran.stdout

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    # -- one server for many tests (tests/conftest.py: virtuoso_empty, virtuoso_kg): the store put back as a test
    # needs it, in a fraction of a second, where starting a server takes seconds
    def _select(self, query: str) -> list[dict]:
        request = urllib.request.Request(
            self.sparql_url,
            data=urllib.parse.urlencode({"query": query}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            bindings = json.load(response)["results"]["bindings"]
        return [{name: term["value"] for name, term in row.items()} for row in bindings]

    def _graph_sizes(self) -> dict[str, int]:
        rows = self._select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"]: int(row["n"]) for row in rows if "g" in row}

    def _written_graphs(self) -> list[str]:
        """The graphs written since the server started: every graph but those it held then and those a Virtuoso
        keeps for itself (store/remote.py's dialect names them)."""
        own = DIALECTS["virtuoso"].owns
        return sorted(g for g in self._graph_sizes() if g not in self._own_graphs and not own(g))

    def clear(self) -> None:
        """Drops every graph written since it started (its own graphs stay): a store as new, holding no state
        token either, so that the next write through sikg is a first write."""
        graphs = self._written_graphs()
        if graphs:
            request = urllib.request.Request(
                self.sparql_url,
                data=" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs).encode(),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            )
            urllib.request.urlopen(request, timeout=120).close()
        self._curated = None
        assert not self._written_graphs(), self._written_graphs()

    def state(self) -> tuple:
        """What tells one content from another without reading it all: the size of every graph, and the state
        tokens (every write sikg makes sets a new one, so a write that leaves the sizes as they were shows here)."""
        tokens = self._select(f"SELECT ?t WHERE {{ GRAPH <{GRAPH_STATE}> {{ ?s ?p ?t }} }}")
        return sorted(self._graph_sizes().items()), sorted(row["t"] for row in tokens)

    def load_curated(self) -> None:
        """The curated KG and nothing else, as `sikg load` leaves a new store: cleared and loaded again only when
        something was written since it was last loaded (its `state()` differs)."""
        if self._curated is not None and self.state() == self._curated:
            return
        self.clear()
        open_store(self.sparql_url, timeout=60).load_curated()
        self._curated = self.state()
