"""What every page template has, whichever route renders it (templating.py and the templates): the chrome (a title,
one h1, the language switch, a skip link), the SPARQL page's vendored editor with every curated query for its script,
and static files that are all local."""

import json
import re
from html import unescape
from pathlib import Path

from helpers import html


def test_every_page_has_the_switch_a_title_and_one_h1(client):
    for path in ("/", "/practices", "/validate", "/sparql", "/queries", "/ontology", "/id/practice/cap-impact"):
        page = html(client, path, headers={"Accept": "text/html"})
        assert re.search(r"<title>[^<]+ · sikg</title>", page), path
        assert len(re.findall(r"<h1[ >]", page)) == 1, path
        assert 'hreflang="sv"' in page and 'hreflang="en"' in page, path
        assert 'href="#main"' in page and 'id="main"' in page, path


def test_sparql_page_has_the_editor_and_every_curated_query(client):
    from sikg.sparql import queries

    page = html(client, "/sparql", headers={"Accept": "text/html"})
    for src in ("/static/codemirror/codemirror.js", "/static/codemirror/sparql.js", "/static/sparql-page.js"):
        assert f'src="{src}"' in page
        assert client.get(src).status_code == 200
    catalogue = json.loads(unescape(page.split('id="curated-data">', 1)[1].split("</script>", 1)[0]))
    assert {q["name"] for q in catalogue} == set(queries.catalogue())
    for name in queries.catalogue():
        assert f'data-name="{name}"' in page


def test_static_files_are_all_local(client):
    root = Path(__file__).resolve().parents[1] / "src" / "sikg"
    for template in (root / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//[^"]*\.(js|css)', text), template.name
    assert (root / "static" / "README.md").is_file()
    assert (root / "static" / "codemirror" / "LICENSE").is_file()
