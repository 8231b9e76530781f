"""A real headless browser for the page tests: Debian's Chromium and chromedriver, driven by Selenium. Nothing is
downloaded: the binaries are the system's (`make test` installs them), and a fresh profile is used each session."""

from pathlib import Path

import pytest

from helpers import ROOT

from .chromium import CHROMIUM_FLAGS, binary

SCREENSHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
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
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
