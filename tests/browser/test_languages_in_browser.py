"""Every page in each of the five languages, as Chromium renders it: the page says its language, and its navigation
and main heading are the catalogue's words for that language (no English chrome left on `?lang=lv`)."""

import pytest
from selenium.webdriver.common.by import By

from sikg.i18n import ui_text

LANGUAGES = ("en", "sv", "fr", "es", "lv")
NAVIGATION = ("home", "browse", "query", "curated", "validate", "contribute", "ontology")
PAGES = {"/": "home_title", "/practices": "browse_title", "/validate": "validate_title", "/sparql": "sparql_title",
         "/ontology": "ontology_title", "/queries": "curated"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_chosen_language(browser, live_server, language):
    words = ui_text.text(language)
    for path, heading in PAGES.items():
        browser.get(f"{live_server}{path}?lang={language}")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language, path
        navigation = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav.main a")]
        assert navigation == [words[key] for key in NAVIGATION], (path, navigation)
        assert browser.find_element(By.TAG_NAME, "h1").text.startswith(words[heading]), path
        switch = {a.get_attribute("hreflang") for a in browser.find_elements(By.CSS_SELECTOR, "nav.lang a")}
        assert set(LANGUAGES) <= switch | {language}, (path, switch)
