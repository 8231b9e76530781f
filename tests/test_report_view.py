"""The validation page (report_view.py, /validate and /validate/form): paste and upload without script, and the
report the form shows (what is wrong, where, how to fix it, the report to download), unreadable input with its place,
in Swedish, and nothing to check."""

import re
from html import unescape
from pathlib import Path

from helpers import FIXTURES, html


def test_validation_page_offers_paste_and_upload_without_script(client):
    page = html(client, "/validate")
    assert re.search(r'<form id="validate-form" method="post" action="/validate/form#report" '
                     r'enctype="multipart/form-data">', page)
    assert '<textarea id="data" name="data"' in page and 'type="file"' in page and 'name="syntax"' in page


def expectations(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^# expect-(\w+): (\S+)", path.read_text(encoding="utf-8"), re.M))


def test_validation_form_reports_what_where_and_how_to_fix(client):
    from sikg.validation.shacl import validate_files

    fixture = FIXTURES / "invalid" / "practice-no-country.ttl"
    report = validate_files([fixture])
    for data in ({"data": fixture.read_text(encoding="utf-8"), "syntax": "text/turtle"},
                 {"file": (fixture.open("rb"), fixture.name)}):
        response = client.post("/validate/form", data=data, content_type="multipart/form-data")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'data-conforms="false"' in page
        items = re.findall(r'<li class="report-item (\w+)"', page)
        assert len(items) == len(report.results)
        for result in report.results:
            assert unescape(page).count(result.message) >= 1
        assert "practice:fixture-practice → sikg:country" in unescape(page)
        assert "Add a sikg:country statement to practice:fixture-practice." in unescape(page)
        assert 'download="sikg-report.json" ' not in page  # the attribute follows the href
        assert re.search(r'<a href="data:application/json;charset=utf-8;base64,[^"]+" download="sikg-report.json">',
                         page)


def test_validation_form_reports_unreadable_input_with_its_place(client):
    response = client.post("/validate/form", data={"data": "@prefix ex: <http://example.org/> .\nex:a ex:b",
                                                   "syntax": "text/turtle"}, content_type="multipart/form-data")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "The data could not be read" in page and "line " in page


def test_validation_form_in_swedish(client):
    fixture = FIXTURES / "invalid" / "practice-no-country.ttl"
    response = client.post("/validate/form?lang=sv", data={"data": fixture.read_text(encoding="utf-8")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert '<html lang="sv">' in page and "Så rättar du" in page


def test_validation_form_with_nothing_to_check(client):
    response = client.post("/validate/form", data={"data": "  "}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Paste some RDF or choose a file first." in response.get_data(as_text=True)
