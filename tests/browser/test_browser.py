"""The pages in a real headless Chromium against `sikg serve`: what a person sees and clicks, checked against SPARQL
answers over the same data, with a screenshot of each page under test-output/screenshots/."""

import json
import re
import urllib.parse
import urllib.request

from helpers import FIXTURES, select

from .chromium import full_page_screenshot

WAIT = 30


def wait_for(driver, condition, timeout=WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def one(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def open_page(driver, url):
    driver.get(url)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def no_console_errors(driver):
    try:
        logs = driver.get_log("browser")
    except Exception:  # not every driver keeps the console
        return
    errors = [entry["message"] for entry in logs if entry["level"] == "SEVERE" and "favicon" not in entry["message"]]
    assert not errors, errors


# -- home ------------------------------------------------------------------------------------------------------

def test_home_shows_the_elements_and_the_chart_with_the_sparql_counts(browser, live_server, kg, screenshots):
    open_page(browser, live_server + "/")
    assert browser.title.startswith("Support for social innovation in Europe")
    assert one(browser, "h1").text == "Support for social innovation in Europe"
    elements = select(kg, """SELECT ?e ?label (COUNT(DISTINCT ?p) AS ?n) WHERE {
        ?e a sikg:ProcessElement ; skos:notation ?notation ; skos:prefLabel ?label . FILTER(LANG(?label) = "en")
        OPTIONAL { ?p a sikg:SupportPractice ; sikg:supportsElement ?e } }
        GROUP BY ?e ?label ?notation ORDER BY xsd:integer(?notation)""")
    cards = css(browser, "li.element")
    assert [c.find_element("css selector", "h3 a").text for c in cards] == [row["label"] for row in elements]
    assert [c.find_element("css selector", "p.count a").text for c in cards] == \
        [f"{row['n']} practices" for row in elements]

    expected = {(row["e"], row["c"]): int(row["n"]) for row in select(kg, """
        SELECT ?e ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {
          ?p a sikg:SupportPractice ; sikg:supportsElement ?e ; sikg:country ?c } GROUP BY ?e ?c""")}
    rects = browser.execute_script("""return Array.from(document.querySelectorAll('svg#chart rect.bar')).map(r => ({
        element: r.dataset.elementIri, country: r.dataset.countryIri, count: +r.dataset.count,
        width: r.getBoundingClientRect().width, visible: r.getBoundingClientRect().height > 0}))""")
    assert len(rects) == 20 and all(r["visible"] for r in rects)
    for r in rects:
        assert r["count"] == expected.get((r["element"], r["country"]), 0)
    longest = max(rects, key=lambda r: r["width"])
    assert longest["count"] == max(expected.values())
    # the bar's printed number is its count
    labels = browser.execute_script("""return Array.from(document.querySelectorAll('svg#chart g.bar-row'))
        .map(g => [g.querySelector('rect').dataset.count, g.querySelector('text.c-count').textContent])""")
    assert all(a == b for a, b in labels)
    no_console_errors(browser)
    full_page_screenshot(browser, screenshots / "home.png")


def test_language_switch_and_search_from_home(browser, live_server, kg, screenshots):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, live_server + "/")
    one(browser, 'nav.lang a[hreflang="sv"]').click()
    wait_for(browser, lambda d: one(d, "html").get_attribute("lang") == "sv")
    swedish = select(kg, """SELECT ?label WHERE { ?e a sikg:ProcessElement ; skos:notation ?n ;
        skos:prefLabel ?label . FILTER(LANG(?label) = "sv") } ORDER BY xsd:integer(?n)""")
    assert [a.text for a in css(browser, "li.element h3 a")] == [row["label"] for row in swedish]
    assert one(browser, "h1").text == "Stöd till social innovation i Europa"
    full_page_screenshot(browser, screenshots / "home-sv.png")

    box = one(browser, "#home-q")
    box.send_keys("Samhällsentreprenörskap", Keys.ENTER)
    wait_for(browser, lambda d: "/practices" in d.current_url)
    assert "lang=sv" in browser.current_url
    hits = [a.get_attribute("href") for a in css(browser, "li.hit h3 a")]
    assert any("/id/practice/samhallsentreprenorskap-sverige" in h for h in hits)


# -- browse ----------------------------------------------------------------------------------------------------

def test_browse_facets_combine_and_results_link_to_pages(browser, live_server, kg, screenshots):
    open_page(browser, live_server + "/practices")
    assert len(css(browser, "li.hit")) == 35
    one(browser, "#f-element-realisation").click()
    one(browser, "#f-country-SWE").click()
    one(browser, "#f-level-macro").click()
    one(browser, "form.facets button[type=submit]").click()
    wait_for(browser, lambda d: "level=macro" in d.current_url)
    expected = {row["p"] for row in select(kg, """SELECT DISTINCT ?p WHERE { ?p a sikg:SupportPractice ;
        sikg:supportsElement element:realisation ; sikg:country country:SWE ; sikg:targetsLevel level:macro }""")}
    assert expected
    shown = {li.get_attribute("data-practice") for li in css(browser, "li.hit")}
    assert shown == expected
    assert one(browser, "#results-heading").text == f"{len(expected)} of 35 practices"
    # each facet value's number is what ticking it would give
    spain = one(browser, '#facet-country [data-value="ESP"]').text
    assert int(spain) == len(select(kg, """SELECT DISTINCT ?p WHERE { ?p a sikg:SupportPractice ;
        sikg:supportsElement element:realisation ; sikg:country country:ESP ; sikg:targetsLevel level:macro }"""))
    full_page_screenshot(browser, screenshots / "practices.png")

    first = css(browser, "li.hit h3 a")[0]
    label = first.text
    first.click()
    wait_for(browser, lambda d: "/id/practice/" in d.current_url)
    assert one(browser, "h1").text == label
    sources = [a.get_attribute("href") for a in css(browser, "ul.sources a")]
    iri = browser.current_url.split("?")[0].replace(live_server + "/", "https://w3id.org/sikg/")
    assert set(sources) == {row["s"] for row in select(kg, f"SELECT ?s WHERE {{ <{iri}> dct:source ?s }}")}
    full_page_screenshot(browser, screenshots / "resource.png")


def test_browse_works_from_the_keyboard(browser, live_server):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, live_server + "/practices")
    body = one(browser, "body")
    body.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip"
    focused.send_keys(Keys.ENTER)
    one(browser, "#q").click()
    # a name only one practice's texts hold, in every language ("Dispositif" is in many French descriptions now)
    browser.switch_to.active_element.send_keys("Kinnevik", Keys.ENTER)
    wait_for(browser, lambda d: "q=Kinnevik" in d.current_url)
    assert [li.get_attribute("data-practice") for li in css(browser, "li.hit")] == \
        ["https://w3id.org/sikg/id/practice/reach-for-change-latvia"]


# -- SPARQL page -----------------------------------------------------------------------------------------------

def test_curated_query_runs_in_the_editor_and_the_table_matches_sparql(browser, live_server, kg, screenshots):
    from sikg.sparql import queries

    open_page(browser, live_server + "/sparql")
    wait_for(browser, lambda d: css(d, ".CodeMirror"))
    # the editor highlights SPARQL: keywords and variables get CodeMirror's token classes
    assert css(browser, ".CodeMirror .cm-keyword") and css(browser, ".CodeMirror .cm-variable-2, .CodeMirror .cm-atom")
    link = one(browser, '#curated-practices-per-element')
    link.click()
    wait_for(browser, lambda d: css(d, "#result-table tbody tr"))
    text = queries.get("practices-per-element").text
    assert browser.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()") == text
    rows = kg.query(text)
    variables = [v.value for v in rows.variables]
    expected = [[(s[v].value if s[v] is not None else "") for v in variables] for s in rows]
    headers = [th.text for th in css(browser, "#result-table thead th")]
    assert headers == [f"?{v}" for v in variables]
    table = browser.execute_script("""return Array.from(document.querySelectorAll('#result-table tbody tr')).map(
        tr => Array.from(tr.cells).map(td => { const a = td.querySelector('a');
            return a ? a.title : td.firstChild ? td.firstChild.textContent : ''; }))""")
    assert table == expected
    assert one(browser, "#result-status").text.startswith(f"{len(expected)} rows")
    # the same result downloads in every result format
    formats = {a.get_attribute("data-format"): a.get_attribute("href") for a in css(browser, "#result-downloads a")}
    assert set(formats) == {"json", "xml", "csv", "tsv"}
    with urllib.request.urlopen(formats["csv"], timeout=30) as response:
        assert response.headers.get_content_type() == "text/csv"
        assert len(response.read().decode().strip().splitlines()) == len(expected) + 1
    with urllib.request.urlopen(formats["json"], timeout=30) as response:
        assert len(json.load(response)["results"]["bindings"]) == len(expected)
    for name in ("xml", "tsv"):
        with urllib.request.urlopen(formats[name], timeout=30) as response:
            assert response.status == 200
    no_console_errors(browser)
    browser.execute_script("window.scrollTo(0, 0)")
    full_page_screenshot(browser, screenshots / "sparql.png")


def type_in_editor(browser, text):
    """As a person does: click into the editor, select what is there, type over it. Keys go to whatever has the focus
    (CodeMirror keeps it in a textarea of its own that is not meant to be seen, so it is never addressed directly)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    one(browser, ".CodeMirror-lines").click()
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(text).perform()
    wait_for(browser, lambda d: d.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")
             == text, timeout=5)


def press(browser, *keys, holding=None):
    """Keys pressed with the focus where it is, optionally while holding a modifier (Ctrl-Enter)."""
    from selenium.webdriver.common.action_chains import ActionChains

    actions = ActionChains(browser)
    if holding:
        actions.key_down(holding)
    actions.send_keys(*keys)
    if holding:
        actions.key_up(holding)
    actions.perform()


def test_editor_runs_a_typed_query_and_shows_errors(browser, live_server):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, live_server + "/sparql")
    wait_for(browser, lambda d: css(d, ".CodeMirror"))
    type_in_editor(browser, "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/sikg/ontology#SupportPractice> }")
    press(browser, Keys.ENTER, holding=Keys.CONTROL)
    wait_for(browser, lambda d: css(d, "#result-table tbody td"))
    assert one(browser, "#result-table tbody td").text.startswith("35")
    # Tab leaves the editor: the keyboard is never trapped
    one(browser, ".CodeMirror-lines").click()
    press(browser, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "run"
    type_in_editor(browser, "SELECT WHERE {")
    one(browser, "#run").click()
    wait_for(browser, lambda d: css(d, "#result-error"))
    assert "400" in one(browser, "#result-status").text
    # a CONSTRUCT shows the graph and offers the graph formats
    type_in_editor(browser, "CONSTRUCT WHERE { <https://w3id.org/sikg/id/element/realisation> ?p ?o }")
    one(browser, "#run").click()
    wait_for(browser, lambda d: css(d, "pre.graph"))
    assert "realisation" in one(browser, "pre.graph").text
    assert {a.get_attribute("data-format") for a in css(browser, "#result-downloads a")} == \
        {"ttl", "jsonld", "nt", "rdfxml"}


# -- validation page -------------------------------------------------------------------------------------------

def bad_file(tmp_path):
    """A practice with several faults at once: no operator, no country, a misspelt property on its organisation
    (a violation each), and an organisation without a homepage (a warning)."""
    text = (FIXTURES / "invalid" / "practice-no-operator.ttl").read_text(encoding="utf-8")
    for fault in ("    sikg:country country:FRA ;\n", "    foaf:homepage <https://example.org/> ;\n"):
        assert fault in text
        text = text.replace(fault, "")
    path = tmp_path / "bad-practice.ttl"
    path.write_text(text.replace("sikg:actorType", "sikg:actortype"), encoding="utf-8")
    return path


def test_uploading_a_bad_file_shows_a_readable_report(browser, live_server, screenshots, tmp_path):
    from sikg.validation.shacl import validate_files

    fixture = bad_file(tmp_path)
    expected = validate_files([fixture])
    assert expected.count("Violation") >= 3 and expected.count("Warning") >= 1
    open_page(browser, live_server + "/validate")
    one(browser, "#file").send_keys(str(fixture))
    one(browser, "#check").click()
    wait_for(browser, lambda d: css(d, "li.report-item"))
    summary = one(browser, "#report-summary")
    assert summary.get_attribute("data-conforms") == "false"
    violations, warnings = expected.count("Violation"), expected.count("Warning")  # the script counts as the server
    assert summary.text == (f"The data does not conform: {violations} violation{'s' if violations != 1 else ''}, "
                            f"{warnings} warning{'s' if warnings != 1 else ''}.")
    items = css(browser, "li.report-item")
    assert len(items) == len(expected.results)
    whats = sorted(i.find_element("css selector", "dd.what").text for i in items)
    assert whats == sorted(r.message for r in expected.results)
    for item in items:
        assert item.find_element("css selector", "dd.where").text
        assert item.find_element("css selector", "dd.fix").text
    wheres = [i.find_element("css selector", "dd.where").text for i in items]
    assert any("practice:fixture-practice → sikg:operatedBy" in w for w in wheres)
    assert any("practice:fixture-practice → sikg:country" in w for w in wheres)
    assert [i.get_attribute("data-severity") for i in items].count("Warning") == expected.count("Warning")
    downloads = [a.get_attribute("download") for a in css(browser, "#report .downloads a[download]")]
    assert "sikg-report.json" in downloads and "sikg-report.txt" in downloads
    report_json = browser.execute_script("""const a = document.querySelector('#report a[download="sikg-report.json"]');
        return fetch(a.href).then(r => r.text())""")
    assert len(json.loads(report_json)["results"]) == len(expected.results)
    full_page_screenshot(browser, screenshots / "validate.png")


def test_pasting_unreadable_turtle_says_where(browser, live_server):
    open_page(browser, live_server + "/validate")
    one(browser, "#data").send_keys("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;;; .\nex:d ex:e")
    one(browser, "#check").click()
    wait_for(browser, lambda d: css(d, "li.report-item"))
    item = one(browser, "li.report-item")
    assert "could not be read" in item.find_element("css selector", "dd.what").text
    assert re.search(r"line \d+, column \d+", item.find_element("css selector", "dd.where").text)


# -- without JavaScript ----------------------------------------------------------------------------------------

def test_pages_work_with_javascript_off(browser_without_script, live_server, kg, screenshots):
    driver = browser_without_script
    open_page(driver, live_server + "/practices?lang=sv")
    assert driver.execute_script is not None
    one(driver, "#f-country-LVA").click()
    one(driver, "form.facets button[type=submit]").click()
    wait_for(driver, lambda d: "country=LVA" in d.current_url)
    expected = {row["p"] for row in select(kg, "SELECT ?p WHERE { ?p a sikg:SupportPractice ; "
                                               "sikg:country country:LVA }")}
    assert {li.get_attribute("data-practice") for li in css(driver, "li.hit")} == expected
    assert one(driver, "html").get_attribute("lang") == "sv"

    fixture = FIXTURES / "invalid" / "practice-no-country.ttl"
    open_page(driver, live_server + "/validate")
    one(driver, "#file").send_keys(str(fixture))
    one(driver, "#check").click()
    wait_for(driver, lambda d: "/validate/form" in d.current_url and css(d, "li.report-item"))
    assert "sikg:country" in one(driver, "li.report-item dd.where").text
    full_page_screenshot(driver, screenshots / "validate-without-javascript.png")
