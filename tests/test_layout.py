"""The code's layout keeps the promises the README makes: short functions, imports at the top unless a comment on
the same line says why not, routes that only parse, call and return, and one module that reads the environment."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sikg"
MODULES = sorted(SRC.rglob("*.py"))
MAX_FUNCTION_LINES = 60


def functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_function_is_longer_than_sixty_lines(path):
    long = [(f.name, f.end_lineno - f.lineno + 1) for f in functions(path)
            if f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, long


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_inside_functions_say_why(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    unexplained = [(f.name, node.lineno) for f in functions(path) for node in ast.walk(f)
                   if isinstance(node, (ast.Import, ast.ImportFrom)) and "#" not in lines[node.lineno - 1]]
    assert not unexplained, unexplained


def test_only_settings_reads_the_environment():
    readers = [str(p.relative_to(SRC)) for p in MODULES if "os.environ" in p.read_text(encoding="utf-8")]
    assert readers == ["settings.py"], readers


ROUTE_MODULES = sorted((SRC / "web" / "routes").glob("*.py"))


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=lambda p: p.name)
def test_routes_hold_no_logic(path):
    """A route parses, calls one service and returns: no loops, and at most one decision."""
    for function in functions(path):
        decorated = any("routes." in ast.unparse(d) for d in function.decorator_list)
        if not decorated:
            continue
        loops = [n for n in ast.walk(function) if isinstance(n, (ast.For, ast.While, ast.With, ast.Try))]
        branches = [n for n in ast.walk(function) if isinstance(n, ast.If)]
        assert not loops and len(branches) <= 1, function.name
        assert function.end_lineno - function.lineno + 1 <= 12, function.name


# The packages from the top down: each imports only packages after it, so none imports one that imports it back.
# Beneath them all, the foundation modules (settings, namespaces, formats, errors, files) import no package; above
# them all, the commands (cli, server).
LAYERS = ["web", "contributions", "validation", "pages", "store", "sparql", "http", "rdf", "i18n"]
FOUNDATION = {"settings", "namespaces", "formats", "errors", "files", "__init__", "__version__"}


def imported_packages(path: Path) -> set[str]:
    """The first-level names under sikg that a module imports (packages and top-level modules alike)."""
    parts = path.relative_to(SRC).with_suffix("").parts
    here = list(parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[:len(here) - (node.level - 1)]
            targets = [base + node.module.split(".")] if node.module else [base + [a.name] for a in node.names]
            names |= {target[0] for target in targets if target}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sikg."):
            names.add(node.module.split(".")[1])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_packages_import_only_the_layers_beneath_them(path):
    package = path.relative_to(SRC).parts[0] if len(path.relative_to(SRC).parts) > 1 else None
    imported = imported_packages(path) - {package}
    if package in LAYERS:
        allowed = set(LAYERS[LAYERS.index(package) + 1:]) | FOUNDATION
    elif path.stem in FOUNDATION:
        allowed = FOUNDATION
    else:  # a command (cli, server, stats, synth) may use any package
        allowed = imported
    assert imported <= allowed, sorted(imported - allowed)


def test_the_layers_are_the_packages():
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYERS), packages ^ set(LAYERS)
