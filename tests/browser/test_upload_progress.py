"""An upload that takes more than a second shows its progress (issue 25, item 5; static/upload-progress.js), in a real
headless Chromium against `sikg serve`, its upload slowed down by Chromium's network emulation: the spreadsheet on
/contribute and the file on /validate show a <progress> bar that fills as the file is sent, then a "checking…" state
until the answer arrives, each step said in a status line (role="status", aria-live); then the report, and the
page has not been left. Without JavaScript the spreadsheet form still posts and answers with its page."""

import csv
import io
import os
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from helpers import FIXTURES, serving

WAIT = 60
TOKEN = "tok-progress"
UPLOAD_BYTES_PER_SECOND = 24 * 1024  # the emulated uplink: the files below take several seconds to send

# Each change of the progress box, as the page's script makes it: its state, the bar's value (null while
# indeterminate) and whether it is shown, the line beside it, and what the status region says (to a screen reader).
RECORD = """
const box = document.getElementById(arguments[0]);
window.progressSeen = [];
const note = () => {
  const bar = box.querySelector('progress'), status = box.querySelector('[role=status]');
  window.progressSeen.push({state: box.getAttribute('data-state'), hidden: bar.hidden,
                            value: bar.hasAttribute('value') ? bar.value : null, status: status.textContent,
                            line: box.querySelector('.upload-line').textContent,
                            live: status.getAttribute('aria-live'), time: performance.now()});
};
new MutationObserver(note).observe(box, {attributes: true, childList: true, subtree: true, characterData: true});
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    env = {**os.environ, "SIKG_CONTRIB_TOKEN": f"ada={TOKEN}"}
    env.pop("SIKG_REVIEW", None)
    with serving(["--store", "memory"], tmp_path_factory.mktemp("progress") / "server.log", env, timeout=90) as base:
        yield base


def wait_for(driver, condition, timeout=WAIT):
    return WebDriverWait(driver, timeout).until(condition)


def open_page(driver, url):
    driver.get(url)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def signed_in(driver, base):
    open_page(driver, base + "/sign-in")
    driver.add_cookie({"name": "sikg_token", "value": TOKEN, "path": "/"})


def practices_csv(base, tmp_path, rows: int):
    """The template's example and `rows - 1` more practices made from it (each with its own short name, run by
    Avise), as a CSV file."""
    with urllib.request.urlopen(base + "/contribute/template.csv?example=1", timeout=30) as response:
        table = list(csv.reader(io.StringIO(response.read().decode("utf-8-sig"), newline="")))
    headings, example = table[0], table[1]
    column = headings.index
    for n in range(1, rows):
        row = list(example)
        row[column("Short name in the address")] = f"progress-test-{n}"
        row[column("Name (en)")] = f"Progress Test Vouchers {n}"
        row[column("Name (sv)")] = ""
        for i, heading in enumerate(headings):
            if heading.startswith("A new organisation"):
                row[i] = ""
        row[column("Operated by 1")] = "Avise"
        table.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table)
    path = tmp_path / "practices.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


@pytest.fixture
def slow_uplink(browser):
    browser.set_network_conditions(offline=False, latency=5, download_throughput=50 * 1024 * 1024,
                                   upload_throughput=UPLOAD_BYTES_PER_SECOND)
    yield browser
    browser.delete_network_conditions()


def steps(seen: list[dict]) -> list[str]:
    """The states the box went through, each once, in order."""
    found = []
    for s in seen:
        if s["state"] and (not found or found[-1] != s["state"]):
            found.append(s["state"])
    return found


def check_progress_was_shown(seen: list[dict], words: tuple[str, str]) -> None:
    sending = [s for s in seen if s["state"] == "sending"]
    assert steps(seen)[:2] == ["sending", "checking"], steps(seen)
    partial = [s["value"] for s in sending if not s["hidden"] and s["value"] is not None and 0 < s["value"] < 100]
    assert partial, sending  # the bar was shown part filled while the file was being sent
    assert partial == sorted(partial)
    assert sending[-1]["time"] - sending[0]["time"] > 1000, "the upload took more than a second"
    lines = {s["line"] for s in sending}
    assert all(line.startswith(words[0]) for line in lines) and len(lines) > 2, lines  # the line says how far
    assert sending[0]["status"].startswith(words[0]), sending  # said at once
    spoken = {s["status"] for s in sending}
    assert len(spoken) <= 1 + (sending[-1]["time"] - sending[0]["time"]) / 10000, spoken  # not every percent
    checking = [s for s in seen if s["state"] == "checking"]
    assert any(not s["hidden"] and s["value"] is None for s in checking), checking  # indeterminate while checking
    assert words[1] in checking[0]["status"] and words[1] in checking[0]["line"], checking
    assert all(s["live"] == "polite" for s in seen)


def test_a_slow_spreadsheet_upload_shows_its_progress_then_checking_then_the_report(slow_uplink, service,
                                                                                   tmp_path):
    driver = slow_uplink
    signed_in(driver, service)
    sheet = practices_csv(service, tmp_path, 60)
    assert sheet.stat().st_size > 3 * UPLOAD_BYTES_PER_SECOND
    open_page(driver, service + "/contribute")
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, "sheet-file").send_keys(str(sheet))
    driver.execute_script(RECORD, "sheet-progress")
    driver.find_element(By.CSS_SELECTOR, '#sheet-form button[value="check"]').click()
    summary = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#sheet-report .summary"))[0]
    assert summary.get_attribute("data-conforms") == "true", driver.find_element(By.ID, "sheet-report").text
    seen = driver.execute_script("return window.progressSeen")
    check_progress_was_shown(seen, ("Sending the file:", "Checking it"))
    assert seen[-1]["state"] == "done" and seen[-1]["hidden"]
    assert seen[-1]["status"] == summary.text  # the outcome said in the status line too
    assert driver.current_url == service + "/contribute" and page.id == driver.find_element(By.TAG_NAME, "html").id
    assert driver.switch_to.active_element.get_attribute("id") == "sheet-report"  # focus on what the check says
    # the file is still chosen: it can be submitted at once, and the thank-you page replaces the form
    driver.execute_script(RECORD, "sheet-progress")
    driver.find_element(By.CSS_SELECTOR, '#sheet-form button[value="submit"]').click()
    submitted = wait_for(driver, lambda d: d.find_elements(By.ID, "submitted"))[0]
    assert submitted.get_attribute("data-status") == "pending"
    assert driver.switch_to.active_element.tag_name == "h1"


def test_a_slow_file_on_the_validation_page_shows_its_progress(slow_uplink, service, tmp_path):
    driver = slow_uplink
    text = (FIXTURES / "invalid" / "practice-no-country.ttl").read_text(encoding="utf-8")
    padding = "".join(f"# a comment line that makes the file longer, number {n}\n" for n in range(2000))
    path = tmp_path / "big.ttl"
    path.write_text(padding + text, encoding="utf-8")
    assert path.stat().st_size > 3 * UPLOAD_BYTES_PER_SECOND
    open_page(driver, service + "/validate")
    driver.find_element(By.ID, "file").send_keys(str(path))
    driver.execute_script(RECORD, "validate-progress")
    driver.find_element(By.ID, "check").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "li.report-item"))
    assert driver.find_element(By.ID, "report-summary").get_attribute("data-conforms") == "false"
    assert "sikg:country" in driver.find_element(By.CSS_SELECTOR, "li.report-item dd.where").text
    seen = driver.execute_script("return window.progressSeen")
    check_progress_was_shown(seen, ("Sending the file:", "Checking it"))
    assert seen[-1]["state"] == "done" and seen[-1]["hidden"]


def test_a_refused_upload_says_why_beside_the_buttons_and_they_work_again(browser, service, tmp_path):
    """Signed out in another tab meanwhile: the server's one-line refusal (403) is said in the status region, on the
    page the person is on."""
    driver = browser
    signed_in(driver, service)
    open_page(driver, service + "/contribute")
    driver.find_element(By.ID, "sheet-file").send_keys(str(practices_csv(service, tmp_path, 2)))
    driver.delete_cookie("sikg_token")
    driver.find_element(By.CSS_SELECTOR, '#sheet-form button[value="check"]').click()
    box = driver.find_element(By.ID, "sheet-progress")
    wait_for(driver, lambda d: box.get_attribute("data-state") == "failed")
    status = box.find_element(By.CSS_SELECTOR, "[role=status]").get_attribute("textContent")
    assert status.startswith("The file could not be sent: 403 Forbidden"), status
    assert box.find_element(By.CLASS_NAME, "upload-line").text == status
    assert driver.current_url == service + "/contribute"
    assert all(b.is_enabled() for b in driver.find_elements(By.CSS_SELECTOR, "#sheet-form button"))


# -- without JavaScript ----------------------------------------------------------------------------------------

def test_without_javascript_the_spreadsheet_form_posts_and_answers_with_its_page(browser_without_script, service,
                                                                                tmp_path):
    driver = browser_without_script
    signed_in(driver, service)
    open_page(driver, service + "/contribute")
    box = driver.find_element(By.ID, "sheet-progress")
    assert not box.find_element(By.TAG_NAME, "progress").is_displayed()  # nothing to show without the script
    driver.find_element(By.ID, "sheet-file").send_keys(str(practices_csv(service, tmp_path, 2)))
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, '#sheet-form button[value="check"]').click()
    wait_for(driver, lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)
    assert driver.current_url.startswith(service + "/contribute/upload")
    summary = driver.find_element(By.CSS_SELECTOR, "#sheet-report .summary")
    assert summary.get_attribute("data-conforms") == "true"
