"""A real headless browser for the page tests: Debian's Chromium and chromedriver, driven by Selenium. Nothing is
downloaded: the binaries are the system's (`make test` installs them), and a fresh profile is used each session."""

from pathlib import Path

import pytest

from helpers import ROOT

from .chromium import CHROMIUM_FLAGS, binary

SCREENSHOTS = ROOT / "test-output" / "screenshots"
BROWSER_VERSIONS = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def browser(tmp_path_factory, request):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    chromium = binary("chromium", "chromium-browser")
    driver_path = binary("chromedriver")
    if chromium is None or driver_path is None:
        pytest.fail("Chromium and chromedriver are needed for the browser tests: "
                    "apt-get install -y chromium chromium-driver (make test does it)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-GB,en"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    # Browser tests have passed on one Chromium and failed on the next: every failure says which one ran.
    request.config.stash[BROWSER_VERSIONS] = (
        f"Chromium {driver.capabilities.get('browserVersion', '?')} ({chromium}), ChromeDriver "
        f"{driver.capabilities.get('chrome', {}).get('chromedriverVersion', '?').split(' ')[0]} ({driver_path})")
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def console_of_this_test_only(request):
    """The session's browser keeps its console between tests (and the servers they start): what an earlier test's
    page logged (test_upload_progress provokes a 403 on purpose) is read and dropped before each test, so that a test
    sees only its own."""
    if "browser" in request.fixturenames:
        try:
            request.getfixturevalue("browser").get_log("browser")
        except Exception:  # noqa: BLE001 (not every driver keeps the console)
            pass


@pytest.fixture(scope="module")
def browser_without_script(tmp_path_factory):
    """Chromium with JavaScript switched off: the pages must work without it."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary("chromium", "chromium-browser")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-noscript')}")
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(executable_path=binary("chromedriver")), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        report.sections.append(("browser", item.config.stash.get(BROWSER_VERSIONS, "no browser was started")))
