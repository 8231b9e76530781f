"""A person contributes a practice with the keyboard alone, in Swedish (issue 29, item 4), in a real headless
Chromium against `sikg serve`: signs in, moves from field to field with Tab, types, picks each choice by its name
(Enter on the name offered, or the first letters of a list's entry), previews, finds the one problem shown at its
field, fixes it, previews again and submits. No click, no IRI typed. axe-core (tests/browser/axe-js, from its lock
file) finds no WCAG 2.1 A or AA violation on the form showing the problem, nor on the filled form."""

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from helpers import run_cli, serving

WAIT = 30
AXE = Path(__file__).parent / "axe-js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SOURCE = "https://example.org/tangentbord/om"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """`sikg serve` over an on-disk store, with a contributor added as the README tells a curator to."""
    directory = tmp_path_factory.mktemp("keyboard")
    store = str(directory / "store")
    added = run_cli("token", "add", "Tora Tangentbord", "--role", "contributor", "--store", store)
    assert added.returncode == 0, added.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("SIKG_CONTRIB_TOKEN", "SIKG_REVIEW")}
    with serving(["--store", store], directory / "server.log", env, timeout=90) as base:
        yield base, added.stdout.strip()


def wait_for(driver, condition):
    return WebDriverWait(driver, WAIT).until(condition)


def loaded(driver, before):
    """Waits for the page after `before` (an <html> element) to have loaded."""
    wait_for(driver, lambda d: before.id != d.find_element(By.TAG_NAME, "html").id)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def keys(driver, *typed):
    ActionChains(driver).send_keys(*typed).perform()


def focused(driver):
    return driver.switch_to.active_element


def tab_to(driver, name: str, value: str | None = None, limit: int = 400):
    """Presses Tab until the contribution form's element named `name` (with `value`, for one of several) has the
    focus: how a person without a mouse gets to a field. Fails if Tab never reaches it."""
    for _ in range(limit):
        element = focused(driver)
        if element.get_attribute("name") == name and (value is None or element.get_attribute("value") == value) \
                and driver.execute_script("return !arguments[0].form || arguments[0].form.id !== 'sheet-form'",
                                          element):
            return element
        keys(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {name}")


def type_into(driver, name: str, text: str):
    """Tab to the field, select what it holds (Ctrl+A), type over it."""
    tab_to(driver, name)
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE).perform()
    keys(driver, text)


def pick_by_name(driver, name: str, typed: str, wanted: str):
    """In a box with the names offered: types the first letters, goes Down through the names listed to the one
    wanted and presses Enter on it, as a person would."""
    box = tab_to(driver, name)
    keys(driver, typed)
    assert box.get_attribute("aria-expanded") == "true", "the names containing what was typed are listed"
    for _ in range(30):
        keys(driver, Keys.ARROW_DOWN)
        current = box.get_attribute("aria-activedescendant")
        if current and driver.find_element(By.ID, current).text == wanted:
            break
    keys(driver, Keys.ENTER)
    assert box.get_attribute("value") == wanted and box.get_attribute("aria-expanded") == "false"


def choose_in_list(driver, name: str, first_letters: str, wanted: str):
    """In a list (<select>): its entry chosen by typing its first letters, as Chromium lets a person do."""
    select = tab_to(driver, name)
    keys(driver, first_letters)
    shown = driver.execute_script("return arguments[0].selectedOptions[0].textContent", select)
    assert shown == wanted, shown


def press_button(driver, name: str, value: str):
    button = tab_to(driver, name, value)
    before = driver.find_element(By.TAG_NAME, "html")
    button.send_keys(Keys.ENTER)
    loaded(driver, before)


def axe_violations(driver) -> list[dict]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now: each rule with the elements."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        "                                       nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));", WCAG_21_A_AA)
    return result


@pytest.fixture(scope="module")
def axe_installed():
    if not AXE.exists():
        pytest.fail("axe-core is needed: npm ci --prefix tests/browser/axe-js (make test does it)")


def test_a_person_contributes_in_swedish_with_the_keyboard_only(browser, service, axe_installed, screenshots):
    base, token = service
    browser.get(base + "/contribute?lang=sv")
    wait_for(browser, lambda d: d.execute_script("return document.readyState") == "complete")
    assert "/sign-in" in browser.current_url and browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    tab_to(browser, "token")
    keys(browser, token)
    before = browser.find_element(By.TAG_NAME, "html")
    keys(browser, Keys.ENTER)
    loaded(browser, before)
    assert "Bidra med ett gott exempel" in browser.page_source and "/contribute" in browser.current_url

    type_into(browser, "rdfs:label|en", "Keyboard Vouchers")
    pick_by_name(browser, "sikg:country", "Sve", "Sverige")
    pick_by_name(browser, "sikg:operatedBy", "Avi", "Avise")
    type_into(browser, "dct:description|en", "A made-up programme for the keyboard test: small vouchers for "
                                              "residents' groups to try an idea in their neighbourhood.")
    type_into(browser, "dct:source", "example.org/tangentbord")  # the one mistake: not a whole web address
    choose_in_list(browser, "sikg:qualifiedElementSupport|0|sikg:element", "Förv",
                   "Förverkligande – implementering och uppskalning")
    choose_in_list(browser, "sikg:qualifiedElementSupport|0|sikg:basis", "k", "kuraterad av sikg")
    type_into(browser, "sikg:qualifiedElementSupport|0|sikg:rationale|en", "The vouchers pay for trying an idea.")
    evidence = "sikg:qualifiedElementSupport|0|sikg:evidence|"  # the link's first evidence: its page, its passage
    type_into(browser, evidence + "0|dct:source", SOURCE)
    type_into(browser, evidence + "0|sikg:quotation", "Små checkar till boendegrupper som vill pröva en idé.")
    choose_in_list(browser, evidence + "0|sikg:quotation|language", "Sv", "Svenska")
    assert browser.find_elements(By.NAME, evidence + "1|dct:source")  # the script offers one more evidence entry
    press_button(browser, "action", "preview")

    assert browser.find_element(By.ID, "report-summary").get_attribute("data-conforms") == "false"
    source = browser.find_element(By.CSS_SELECTOR, '[data-field="dct:source"]')
    assert "example.org/tangentbord" in source.find_element(By.CSS_SELECTOR, ".field-problems").text
    assert source.find_element(By.NAME, "dct:source").get_attribute("aria-invalid") == "true"
    country = browser.find_element(By.CSS_SELECTOR, '[data-field="sikg:country"]')
    assert country.find_element(By.NAME, "sikg:country").get_attribute("value") == "Sverige"
    assert "IRI" not in country.text and "http" not in country.text
    wrong = browser.find_elements(By.CSS_SELECTOR, '.field-problems li:not([data-severity="Warning"])')
    assert wrong and {p.find_element(By.XPATH, "./ancestor::*[@data-field][1]").get_attribute("data-field")
                      for p in wrong} == {"dct:source"}, [p.text for p in wrong]  # only the mistake, at its field
    browser.save_screenshot(str(screenshots / "contribute-keyboard-problem.png"))
    assert axe_violations(browser) == []

    type_into(browser, "dct:source", "https://example.org/tangentbord")
    press_button(browser, "action", "preview")
    assert browser.find_element(By.ID, "report-summary").get_attribute("data-conforms") == "true"
    turtle = browser.find_element(By.ID, "turtle").text
    assert "country:SWE" in turtle and "organisation:avise" in turtle
    assert "sikg:evidence _:" in turtle and '"Små checkar till boendegrupper som vill pröva en idé."@sv' in turtle
    assert axe_violations(browser) == []

    press_button(browser, "action", "submit")
    submitted = browser.find_elements(By.ID, "submitted")
    assert submitted, browser.find_element(By.TAG_NAME, "main").text[:2000]
    assert submitted[0].get_attribute("data-status") == "pending"
