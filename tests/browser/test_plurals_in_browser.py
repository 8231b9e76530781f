"""The SPARQL page's script counts its rows in the page's language with the browser's Intl.PluralRules and the
catalogue's forms (issue 27, item 6): "1 row", "21 rows"; Latvian "1 rinda", "11 rindu", "21 rinda"."""

import pytest

from .test_browser import css, one, open_page, press, type_in_editor, wait_for

ROWS = {"en": {1: "1 row in", 2: "2 rows in", 21: "21 rows in"},
        "lv": {1: "1 rinda,", 2: "2 rindas,", 11: "11 rindu,", 21: "21 rinda,"},
        "fr": {0: "0 ligne en", 1: "1 ligne en", 2: "2 lignes en"}}


@pytest.mark.parametrize("language", sorted(ROWS))
def test_the_sparql_status_counts_rows_in_the_pages_language(browser, live_server, language):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, f"{live_server}/sparql?lang={language}")
    wait_for(browser, lambda d: css(d, ".CodeMirror"))
    for n, start in ROWS[language].items():
        values = " ".join(str(i) for i in range(n))
        type_in_editor(browser, f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}")
        press(browser, Keys.ENTER, holding=Keys.CONTROL)
        wait_for(browser, lambda d, start=start: one(d, "#result-status").text.startswith(start))
