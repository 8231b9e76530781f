"""Contributing as a newcomer would, in a real headless Chromium against `sikg serve` over an on-disk store: sign in
with a person's token, fill the form generated from the shapes with a mistake, see the problem next to its field, fix
it, see the preview (Turtle, JSON-LD, the report), submit; a curator signs in, accepts it on the review page, and the
practice is on /practices and in SPARQL. A rejected one never appears anywhere."""

import json
import os
import urllib.parse
import urllib.request

import pytest
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from helpers import contribution_form_links, run_cli, serving

WAIT = 30
SOURCE = "https://example.org/browser-test/about"
PRACTICE_IRI = "https://w3id.org/sikg/id/practice/{slug}"
# The form's fields by their names (shape paths; `|en` a language, `|0|` the first entry of a repeatable group).
FORM = {
    "rdfs:label|en": "Browser Test Vouchers {n}",
    "dct:description|en": "A made-up programme for the browser test: small vouchers for residents' groups to try an "
                          "idea in their neighbourhood, with a coach.",
    "sikg:country": "http://publications.europa.eu/resource/authority/country/SWE",
    "sikg:operatedBy": "https://w3id.org/sikg/id/organisation/avise",
    "dct:source": SOURCE,
    **contribution_form_links(SOURCE),
}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """`sikg serve` over an on-disk store with review on (the default), a contributor and a curator added with
    `sikg token add` as the README tells a curator to: (base URL, contributor token, curator token)."""
    directory = tmp_path_factory.mktemp("contributing")
    store = str(directory / "store")
    tokens = {}
    for name, role in (("Ada Contributor", "contributor"), ("Cora Curator", "curator")):
        added = run_cli("token", "add", name, "--role", role, "--store", store)
        assert added.returncode == 0, added.stderr
        tokens[role] = added.stdout.strip()
    env = {k: v for k, v in os.environ.items() if k not in ("SIKG_CONTRIB_TOKEN", "SIKG_REVIEW")}
    with serving(["--store", store], directory / "server.log", env, timeout=90) as base:
        yield base, tokens["contributor"], tokens["curator"]


def wait_for(driver, condition):
    return WebDriverWait(driver, WAIT).until(condition)


def open_page(driver, url):
    driver.get(url)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def click(driver, selector):
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    wait_for(driver, lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)  # the next page has loaded
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(driver, base, token):
    open_page(driver, base + "/contribute")
    assert "/sign-in" in driver.current_url, "the form asks who you are first"
    driver.find_element(By.ID, "token").send_keys(token)
    click(driver, "main form button[type=submit]")


def sign_out(driver):
    click(driver, "form.signed-in button[type=submit]")


def fill(driver, values: dict):
    """Types each value into its field, or picks it from its list, as a person would."""
    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        else:
            if not field.is_displayed():  # a field folded away (another language): its summary clicked open first
                field.find_element(By.XPATH, "./ancestor::details[1]/summary").click()
                wait_for(driver, lambda d, field=field: field.is_displayed())
            field.clear()
            if value:
                field.send_keys(value)


def problems_at(driver, name) -> str:
    return driver.find_element(By.CSS_SELECTOR, f'[data-field="{name}"] .field-problems').text


def sparql_ask(base, query) -> bool:
    url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["boolean"]


def practices_page(base) -> str:
    with urllib.request.urlopen(base + "/practices", timeout=30) as response:
        return response.read().decode()


def submit_practice(driver, base, token, n: int, slug: str, screenshots=None) -> str:
    """Signs in, fills the form with a mistake (no source), sees it next to the field, fixes it, previews, submits;
    the contribution's id."""
    sign_in(driver, base, token)
    values = {name: value.format(n=n) for name, value in FORM.items()}
    fill(driver, {**values, "dct:source": "", "slug": slug})
    click(driver, '#contribute-form button[name=action][value=preview]')
    assert driver.find_element(By.ID, "report-summary").get_attribute("data-conforms") == "false"
    assert "Sources" in problems_at(driver, "dct:source"), "the mistake is shown next to its field"
    if screenshots:
        field = driver.find_element(By.CSS_SELECTOR, '[data-field="dct:source"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
        driver.save_screenshot(str(screenshots / "contribute-mistake.png"))
    fill(driver, {"dct:source": SOURCE})
    # With JavaScript the form checks itself as you type: the problem goes away without a click.
    wait_for(driver, lambda d: problems_at(d, "dct:source") == "")
    click(driver, '#contribute-form button[name=action][value=preview]')
    assert driver.find_element(By.ID, "report-summary").get_attribute("data-conforms") == "true"
    turtle = driver.find_element(By.ID, "turtle").text
    assert f"practice:{slug} " in turtle or PRACTICE_IRI.format(slug=slug) in turtle, "the preview shows its Turtle"
    assert json.loads(driver.find_element(By.ID, "jsonld").text), "the preview shows the JSON-LD it makes"
    click(driver, '#contribute-form button[name=action][value=submit]')
    submitted = driver.find_element(By.ID, "submitted")
    assert submitted.get_attribute("data-status") == "pending"
    contribution = submitted.find_element(By.TAG_NAME, "a").get_attribute("href").rsplit("/", 1)[1]
    sign_out(driver)
    return contribution


def review(driver, base, token, contribution: str, decision: str, comment: str, screenshots=None):
    """A curator signs in, finds the contribution in the queue, opens it and decides with a comment."""
    sign_in(driver, base, token)
    open_page(driver, base + "/review")
    driver.find_element(By.CSS_SELECTOR, f"#queue-{contribution} a").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, f"pending-{contribution}"))
    section = driver.find_element(By.ID, f"pending-{contribution}")
    assert "Browser Test Vouchers" in section.text, "the curator sees it as its page will look"
    section.find_element(By.NAME, "comment").send_keys(comment)
    if screenshots:
        driver.save_screenshot(str(screenshots / "review.png"))
    old = driver.find_element(By.TAG_NAME, "html")
    section.find_element(By.CSS_SELECTOR, f'button[name=decision][value="{decision}"]').click()
    wait_for(driver, lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    with pytest.raises(NoSuchElementException):  # back in the queue, where it is no longer
        driver.find_element(By.ID, f"queue-{contribution}")
    sign_out(driver)


def test_a_newcomer_contributes_and_a_curator_accepts(browser, service, screenshots):
    base, contributor, curator = service
    contribution = submit_practice(browser, base, contributor, 1, "browser-test-accepted", screenshots)
    practice = PRACTICE_IRI.format(slug="browser-test-accepted")
    assert not sparql_ask(base, f"ASK {{ <{practice}> ?p ?o }}"), "pending is private"
    assert "Browser Test Vouchers 1" not in practices_page(base)
    review(browser, base, curator, contribution, "accept", "Checked against the source.", screenshots)
    assert sparql_ask(base, f"ASK {{ <{practice}> ?p ?o }}")
    assert "Browser Test Vouchers 1" in practices_page(base)


def test_a_rejected_contribution_never_appears(browser, service):
    base, contributor, curator = service
    contribution = submit_practice(browser, base, contributor, 2, "browser-test-rejected")
    review(browser, base, curator, contribution, "reject", "No source says this.")
    practice = PRACTICE_IRI.format(slug="browser-test-rejected")
    assert not sparql_ask(base, f"ASK {{ <{practice}> ?p ?o }}")
    assert not sparql_ask(base, f"ASK {{ GRAPH ?g {{ <{practice}> ?p ?o }} }}")
    assert "Browser Test Vouchers 2" not in practices_page(base)
