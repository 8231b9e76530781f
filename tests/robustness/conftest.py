"""Robustness tests: property-based fuzzing (hypothesis), the hostile-input corpus (tests/hostile/) and fault
injection (SIGKILL, a killed worker, the external store going away).

    pytest tests/robustness              # seeded, bounded: part of `make test`
    pytest tests/robustness --long       # 25 × the examples of every property (or SIKG_FUZZ_LONG=1 from anywhere)

`--long` is an option of this folder: give the folder (or a file in it) on the command line with it.
"""


import fuzzkit
import pytest
from hypothesis import HealthCheck, settings


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", default=False,
                     help="robustness: run 25 times the hypothesis examples of every property (a deeper, slower run)")


def pytest_configure(config):
    fuzzkit.LONG = fuzzkit.LONG or bool(config.getoption("--long", default=False))
    # Seeded (derandomize: the examples follow from the test's code, the same on every machine and every run), no
    # example database (nothing written beside the sources), no per-example deadline (the request budget of
    # fuzzkit.call is the time limit that matters).
    settings.register_profile("sikg", derandomize=True, database=None, deadline=None, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                     HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                                     HealthCheck.large_base_example])
    settings.load_profile("sikg")


@pytest.fixture(scope="module")
def contrib_token():
    patch = pytest.MonkeyPatch()
    patch.setenv("SIKG_CONTRIB_TOKEN", f"fuzzer={fuzzkit.TOKEN}")
    patch.setenv("SIKG_REVIEW", "0")  # contributions published at once: what the fuzzers send reaches the KG
    yield fuzzkit.TOKEN
    patch.undo()


@pytest.fixture(scope="module")
def app(contrib_token):
    """A fresh service per module: in-memory store with the curated KG, contributions on, 2 s query limit."""
    app = fuzzkit.make_app()
    yield app
    fuzzkit.close_app(app)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def listener():
    listening = fuzzkit.Listener()
    yield listening
    listening.close()

