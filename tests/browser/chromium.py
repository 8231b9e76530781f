"""Chromium for the browser tests: where its binaries are, the flags every session starts it with, and a screenshot of
a whole page. A plain module (`from .chromium import ...`); the fixtures are in conftest.py."""

import shutil
from pathlib import Path

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-GB")


def binary(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def full_page_screenshot(driver, path: Path) -> None:
    """The whole page, not only the window: the window is resized to the document's height first."""
    width = driver.get_window_size()["width"]
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(width, min(max(height + 120, 800), 6000))
    driver.execute_script("window.scrollTo(0, 0)")
    try:
        driver.save_screenshot(str(path))
    finally:
        driver.set_window_size(width, 1000)
