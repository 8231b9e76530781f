"""The spreadsheet template made from the shapes and uploading a filled one (issue 25, items 1 and 2;
contributions/spreadsheet.py): the XLSX with its lists, notes and instructions, the CSV and its CSVW metadata, the
example that uploads unchanged to exactly the example practice, problems named by row and column, and every kind of
hostile or broken file refused with a 4xx, nothing kept.

Apps here write: each is built on a store of its own (the curated KG), never on the shared `kg` fixture."""

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from sikg import cli
from sikg.contributions import spreadsheet
from sikg.formats import CSV, XLSX
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "templates" / "practice.ttl"
EXAMPLE_IRI = "https://w3id.org/sikg/id/practice/example-neighbourhood-voucher"
ALICE = {"Authorization": "Bearer tok-alice"}
XLSX_TYPE = XLSX.media_type


@pytest.fixture(scope="module")
def store():
    return open_store("memory")


@pytest.fixture(scope="module")
def app(store):
    return create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=tok-alice"}))


@pytest.fixture
def client(app):
    return app.test_client()


def example_graph() -> Graph:
    return Graph().parse(EXAMPLE)


def upload_graph(upload) -> Graph:
    return Graph().parse(data=upload.turtle().decode("utf-8"), format="turtle")


def template_bytes(client, kind: str, query: str = "") -> bytes:
    response = client.get(f"/contribute/template.{kind}{query}")
    assert response.status_code == 200, response.data[:300]
    return response.data


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def csv_bytes(rows: list[list[str]], bom: bool = True) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def set_cell(rows: list[list[str]], row: int, heading: str, value: str) -> None:
    """Row numbers as the spreadsheet shows them: the headings are row 1."""
    rows[row - 1][rows[0].index(heading)] = value


def triples_in(store) -> int:
    return len(store)


# -- the template ----------------------------------------------------------------------------------------------

def test_the_xlsx_has_the_shapes_columns_notes_lists_and_instructions(client):
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(client, "xlsx")))
    assert book.sheetnames == ["Practices", "How to fill this in", "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    table = book["Practices"]
    headings = [c.value for c in table[1]]
    for expected in ("Short name in the address", "Name (en)", "Description (en)", "Country", "Operated by 1",
                     "A new organisation: Name (en)", "A new organisation: Actor type", "Sources",
                     "Supports element 1", "Supports element 1: Basis", "Supports element 1: Rationale (en)",
                     "Supports element 1: Evidence 1: Source", "Supports element 1: Evidence 1: Quotation (en)",
                     "Supports element 1: Evidence 2: Source", "Uses method 8",
                     "Targets level 3", "Characteristics 3"):
        assert expected in headings, expected
    assert "Supports element 6" not in headings and "Uses method 9" not in headings  # 5 elements; methods: 8
    assert "Supports element 1: Source" not in headings  # a page is its evidence's (the earlier column is read)
    assert all(c.comment is not None and c.comment.text.strip() for c in table[1])  # each heading's help
    name = table.cell(row=1, column=headings.index("Name (en)") + 1)
    assert name.fill.start_color.rgb.endswith(spreadsheet.REQUIRED_FILL) and "required" in name.comment.text
    how = book["How to fill this in"]
    assert any("One row per practice" in str(c.value) for c in how["A"])
    # Every choice a list (data validation) over a range of the hidden sheet, never an inline list
    validations = table.data_validations.dataValidation
    ranges = {str(v.sqref).split(":")[0].rstrip("0123456789"): v for v in validations}
    lists = book["Lists"]
    for heading in ("Country", "Operated by 1", "A new organisation: Actor type", "Supports element 1",
                    "Supports element 1: Basis", "Uses method 1", "Targets level 1", "Characteristics 1"):
        letter = openpyxl.utils.get_column_letter(headings.index(heading) + 1)
        check = ranges[letter]
        assert check.type == "list" and check.formula1.startswith("'Lists'!$") and '"' not in check.formula1
        column, first, last = _range(check.formula1)
        offered = [lists[f"{column}{r}"].value for r in range(first, last + 1)]
        assert offered and all(offered), heading
        if heading == "Country":
            assert "Sweden" in offered and "https://" not in " ".join(offered)  # labels, not IRIs
        if heading == "Uses method 1":
            assert len(offered) == 19 and "Incubation programmes" in offered


def _range(formula: str) -> tuple[str, int, int]:
    cells = formula.split("!")[1].replace("$", "").split(":")
    return cells[0].rstrip("0123456789"), int(cells[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), \
        int(cells[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def test_the_template_speaks_the_readers_language(client):
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(client, "xlsx", "?lang=sv")))
    assert book.sheetnames == ["Goda exempel", "Så fyller du i", "Listor"]
    headings = [c.value for c in book["Goda exempel"][1]]
    assert "Namn (en)" in headings and "Namn (sv)" in headings and "Land" in headings
    assert "Land" in headings and "Stödjer element 1: Grund" in headings
    response = client.get("/contribute/template.csv?lang=sv")
    assert response.headers["Content-Language"] == "sv"
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_shape_added_is_a_column_with_no_code_change(client, tmp_path, monkeypatch):
    from sikg.rdf import content
    extra = tmp_path / "extra.ttl"
    extra.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix sikg: <https://w3id.org/sikg/ontology#> .
        <urn:x-test:Shape> a sh:NodeShape ; sh:targetClass sikg:SupportPractice ; sh:property [
            sh:path <https://example.org/budget> ; sh:name "Yearly budget"@en ; sh:maxCount 1 ;
            sh:description "What the practice spends in a year."@en ] .""", encoding="utf-8")
    files = content.shape_files()
    monkeypatch.setattr(content, "shape_files", lambda: [*files, extra])
    assert "Yearly budget" in csv_rows(template_bytes(client, "csv"))[0]


def test_the_csv_is_utf8_with_a_bom_and_the_same_headings(client):
    data = template_bytes(client, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    xlsx = openpyxl.load_workbook(io.BytesIO(template_bytes(client, "xlsx")))
    assert csv_rows(data)[0] == [c.value for c in xlsx["Practices"][1]]


# A stand-in for the CSVW context (http://www.w3.org/ns/csvw), which tests never fetch: each term of the
# vocabulary the metadata may use, by its JSON name, so that a key the CSVW context does not define is lost on
# expansion and the test sees it.
CSVW = "http://www.w3.org/ns/csvw#"
CSVW_TERMS = {"url": {"@id": CSVW + "url", "@type": "@id"}, "tableSchema": CSVW + "tableSchema",
              "columns": {"@id": CSVW + "column", "@container": "@list"},
              "name": CSVW + "name", "titles": {"@id": CSVW + "title", "@container": "@language"},
              "propertyUrl": CSVW + "propertyUrl", "valueUrl": CSVW + "valueUrl", "aboutUrl": CSVW + "aboutUrl",
              "separator": CSVW + "separator", "lang": CSVW + "lang", "required": CSVW + "required",
              "virtual": CSVW + "virtual", "suppressOutput": CSVW + "suppressOutput",
              "primaryKey": CSVW + "primaryKey", "dialect": CSVW + "dialect", "encoding": CSVW + "encoding",
              "header": CSVW + "header", "headerRowCount": CSVW + "headerRowCount",
              "dc": "http://purl.org/dc/terms/"}


def _no_network(url, options=None):
    assert url == "http://www.w3.org/ns/csvw", url
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": {"@context": CSVW_TERMS}}


def _keys(node) -> int:
    """How many properties a JSON(-LD) tree holds: its keys, those of JSON-LD itself (@…) and inside titles aside."""
    if isinstance(node, dict):
        return sum((not k.startswith("@")) + (_keys(v) if k != "titles" else 0) for k, v in node.items()
                   if k != "@context")
    if isinstance(node, list):
        return sum(_keys(v) for v in node)
    return 0


def test_the_csvw_metadata_maps_every_column_and_is_json_ld(client):
    from pyld import jsonld
    response = client.get("/contribute/template.csv-metadata.json")
    assert response.mimetype == "application/csvm+json"
    metadata = json.loads(response.data)
    assert metadata["@context"][0] == "http://www.w3.org/ns/csvw" and metadata["url"] == "template.csv"
    schema = metadata["tableSchema"]
    assert schema["aboutUrl"] == "https://w3id.org/sikg/id/practice/{slug}"
    columns = schema["columns"]
    real = [c for c in columns if not c.get("virtual")]
    assert [c["titles"]["en"] for c in real] == csv_rows(template_bytes(client, "csv"))[0]
    names = [c["name"] for c in columns]
    assert len(names) == len(set(names)) and all(n[0] != "_" and n.replace("_", "").isalnum() for n in names)
    assert all(not c.get("virtual") for c in columns[:len(real)])  # virtual columns come last
    templates = [c[k] for c in columns for k in ("aboutUrl", "valueUrl") if k in c] + [schema["aboutUrl"]]
    named = {name.lstrip("+") for t in templates for name in re.findall(r"\{([^}]+)\}", t)}
    assert named and named <= set(names)  # every URI template names a column
    by_title = {c["titles"]["en"]: c for c in real}
    assert by_title["Sources"]["propertyUrl"] == "http://purl.org/dc/terms/source"
    assert by_title["Sources"]["valueUrl"] == "{+source}" and by_title["Sources"]["separator"] == " "
    assert by_title["Name (en)"]["lang"] == "en" and by_title["Name (en)"]["required"] is True
    assert by_title["Supports element 1: Basis"]["aboutUrl"].endswith("{slug}#supportsElement_1")
    assert "valueUrl" not in by_title["Country"]  # a label from the list: sikg maps it, a CSVW processor cannot
    # Valid JSON-LD with the CSVW context: nothing lost on expansion (every key is a CSVW term or a prefixed name)
    expanded = jsonld.expand(metadata, {"documentLoader": _no_network})
    assert _keys(expanded) == _keys(metadata) > 1000


# -- the round trip --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,fmt", [("xlsx", XLSX), ("csv", CSV)])
def test_the_example_uploads_unchanged_to_exactly_the_example_practice(client, store, kind, fmt):
    data = template_bytes(client, kind, "?example=1")
    upload = spreadsheet.read_upload(data, fmt, store, "en")
    assert upload.conforms and upload.rows == 1, [p.as_json() for p in upload.problems]
    assert isomorphic(upload_graph(upload), example_graph())


def test_the_swedish_example_uploads_to_the_same_practice_read_in_english(client, store):
    data = template_bytes(client, "xlsx", "?example=1&lang=sv")
    assert "Sverige" in [c.value for c in openpyxl.load_workbook(io.BytesIO(data))["Goda exempel"][2]]
    upload = spreadsheet.read_upload(data, XLSX, store, "en")  # headings and labels in any interface language
    assert upload.conforms, [p.as_json() for p in upload.problems]
    assert isomorphic(upload_graph(upload), example_graph())


def test_the_example_accepted_is_on_practices_in_sparql_and_in_the_export():
    store = open_store("memory")
    app = create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=tok-alice"}))
    client = app.test_client()
    curator = {"Authorization": "Bearer " + app.extensions["sikg"].contributions.tokens.add("carol", "curator")}
    data = template_bytes(client, "xlsx", "?example=1")
    made = client.post("/contributions", data=data, content_type=XLSX_TYPE, headers=ALICE)
    assert made.status_code == 202, made.data[:500]
    assert made.json["status"] == "pending"
    assert client.get("/id/practice/example-neighbourhood-voucher").status_code == 404  # pending: not public
    reviewed = client.post(f"/contributions/{made.json['id']}/review", headers=curator,
                           json={"decision": "accept", "comment": "The made-up example."})
    assert reviewed.status_code == 200, reviewed.data
    assert "Neighbourhood Innovation Vouchers" in client.get("/practices?q=Neighbourhood").get_data(as_text=True)
    query = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{made.json['graph']}> {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "
             f"'https://w3id.org/sikg/id/') || isBlank(?s) && NOT EXISTS {{ ?s a <http://www.w3.org/ns/prov#Agent> }})"
             f" }} }}")  # its data, not its PROV record
    found = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
    published = Graph().parse(data=found.get_data(as_text=True), format="turtle")
    assert to_isomorphic(published) == to_isomorphic(example_graph())
    export = client.get("/export?format=nt").get_data(as_text=True)
    assert f"<{EXAMPLE_IRI}>" in export


# -- problems by row and column --------------------------------------------------------------------------------

def two_practices(client) -> list[list[str]]:
    """The example in row 2, and a second practice made from it in row 3."""
    rows = csv_rows(template_bytes(client, "csv", "?example=1"))
    second = list(rows[1])
    rows.append(second)
    set_cell(rows, 3, "Short name in the address", "example-second-voucher")
    set_cell(rows, 3, "Name (en)", "Second Example Vouchers (example)")
    set_cell(rows, 3, "Name (sv)", "")
    set_cell(rows, 3, "A new organisation: Short name in the address", "")
    for heading in [h for h in rows[0] if h.startswith("A new organisation")]:
        set_cell(rows, 3, heading, "")
    set_cell(rows, 3, "Operated by 1", "Avise")
    return rows


def test_a_missing_country_in_row_2_and_an_unknown_method_in_row_3_are_named_and_nothing_is_kept(client, store):
    rows = two_practices(client)
    assert spreadsheet.read_upload(csv_bytes(rows), CSV, store, "en").conforms  # two good rows
    set_cell(rows, 2, "Country", "")
    set_cell(rows, 3, "Uses method 1", "Knitting circles")
    before = triples_in(store)
    response = client.post("/contributions", data=csv_bytes(rows), content_type="text/csv", headers=ALICE)
    assert response.status_code == 422, response.data[:300]
    problems = response.json["problems"]
    cells = {(p["row"], p["column"]) for p in problems if p["severity"] == "Violation"}
    assert cells == {(2, "Country"), (3, "Uses method 1")}, problems
    unknown = next(p for p in problems if p["row"] == 3)
    assert "Knitting circles" in unknown["message"]
    assert triples_in(store) == before  # all or nothing


def test_validate_takes_a_spreadsheet_and_answers_by_row_in_the_readers_language(client, store):
    rows = two_practices(client)
    set_cell(rows, 3, "Country", "")
    response = client.post("/validate?lang=sv", data=csv_bytes(rows), content_type="text/csv")
    assert response.status_code == 200 and response.json["conforms"] is False and response.json["rows"] == 2
    assert [(p["row"], p["column"]) for p in response.json["problems"] if p["severity"] == "Violation"] == \
        [(3, "Country")]
    good = client.post("/validate", data=template_bytes(client, "xlsx", "?example=1"), content_type=XLSX_TYPE)
    assert good.status_code == 200 and good.json == {"conforms": True, "rows": 1, "problems": []}


def test_blank_rows_and_trailing_spaces_are_ignored_and_rows_keep_their_numbers(client, store):
    rows = two_practices(client)
    rows.insert(2, [""] * len(rows[0]))  # row 3 blank: the second practice is row 4
    rows[1] = [v + "  " if v else v for v in rows[1]]
    set_cell(rows, 4, "Targets level 1", "nowhere")
    upload = spreadsheet.read_upload(csv_bytes(rows), CSV, store, "en")
    assert upload.rows == 2
    assert [(p.row, p.column) for p in upload.problems] == [(4, "Targets level 1")]
    rows[3][rows[0].index("Targets level 1")] = "meso "
    upload = spreadsheet.read_upload(csv_bytes(rows), CSV, store, "en")
    assert upload.conforms, [p.as_json() for p in upload.problems]
    labels = {str(o) for s, p, o in upload_graph(upload) if str(p).endswith("#label") and str(s) == EXAMPLE_IRI}
    assert "Neighbourhood Innovation Vouchers (example)" in labels  # no trailing spaces kept


def test_an_unknown_heading_and_a_duplicate_practice_are_problems_at_their_cells(client, store):
    rows = two_practices(client)
    rows[0].append("Favourite colour")
    for row in rows[1:]:
        row.append("blue")
    set_cell(rows, 3, "Short name in the address", "example-neighbourhood-voucher")
    upload = spreadsheet.read_upload(csv_bytes(rows), CSV, store, "en")
    found = {(p.row, p.column) for p in upload.problems}
    assert (1, "Favourite colour") in found and (3, "Short name in the address") in found


def test_more_links_than_the_template_has_columns_are_read_from_numbered_columns(client, store):
    rows = csv_rows(template_bytes(client, "csv", "?example=1"))
    fourth = {"Characteristics 4": "co-creation", "Characteristics 4: Basis": "curated by sikg",
              "Characteristics 4: Rationale (en)": "The groups design their test with residents.",
              "Characteristics 4: Source": "https://example.org/neighbourhood-vouchers/about"}
    rows[0] += list(fourth)
    rows[1] += list(fourth.values())
    upload = spreadsheet.read_upload(csv_bytes(rows), CSV, store, "en")
    assert upload.conforms, [p.as_json() for p in upload.problems]
    characteristics = {str(o) for s, p, o in upload_graph(upload) if str(p).endswith("#hasCharacteristic")}
    assert characteristics == {"https://w3id.org/sikg/id/characteristic/community-engagement",
                               "https://w3id.org/sikg/id/characteristic/co-creation"}



def test_each_link_s_numbered_evidence_columns_are_read_as_its_evidence_nodes_and_earlier_columns_too(client, store):
    """Issue 27, item 2: "…: Evidence 1: Source" and "…: Evidence 1: Quotation (fr)" are one evidence node, page
    and quotation paired; the earlier template's "…: Source" is still read, two pages in it two evidence nodes."""
    rows = csv_rows(template_bytes(client, "csv", "?example=1"))
    about, report = "https://example.org/neighbourhood-vouchers/about", "https://example.org/nv/report"
    added = {"Characteristics 4": "co-creation", "Characteristics 4: Basis": "curated by sikg",
             "Characteristics 4: Rationale (en)": "The groups design their test with residents.",
             "Characteristics 4: Evidence 1: Source": about,
             "Characteristics 4: Evidence 1: Quotation (fr)": "Les groupes conçoivent leur essai avec les habitants.",
             "Characteristics 4: Evidence 2: Source": report,
             "Characteristics 5": "cross-sector collaboration", "Characteristics 5: Basis": "curated by sikg",
             "Characteristics 5: Rationale (en)": "The city, a foundation and residents' groups work together.",
             "Characteristics 5: Source": f"{about} {report}"}  # the earlier template's column
    rows[0] += list(added)
    rows[1] += list(added.values())
    upload = spreadsheet.read_upload(csv_bytes(rows), CSV, store, "en")
    assert upload.conforms, [p.as_json() for p in upload.problems]
    graph = upload_graph(upload)
    evidence = URIRef("https://w3id.org/sikg/ontology#evidence")
    quotation = URIRef("https://w3id.org/sikg/ontology#quotation")
    source = URIRef("http://purl.org/dc/terms/source")
    records = {str(o): s for s, p, o in graph if str(p).endswith("#characteristic")}
    fourth = records["https://w3id.org/sikg/id/characteristic/co-creation"]
    pairs = {(str(graph.value(e, source)), str(graph.value(e, quotation))) for e in graph.objects(fourth, evidence)}
    assert pairs == {(about, "Les groupes conçoivent leur essai avec les habitants."), (report, "None")}
    fifth = records["https://w3id.org/sikg/id/characteristic/cross-sector-collaboration"]
    assert {str(graph.value(e, source)) for e in graph.objects(fifth, evidence)} == {about, report}
    assert (fifth, source, None) not in graph


def test_a_link_without_evidence_is_named_at_its_first_page_column(client, store):
    rows = csv_rows(template_bytes(client, "csv", "?example=1"))
    for heading in [h for h in rows[0] if h.startswith("Supports element 1: Evidence")]:
        set_cell(rows, 2, heading, "")
    upload = spreadsheet.read_upload(csv_bytes(rows), CSV, store, "en")
    assert (2, "Supports element 1: Evidence 1: Source") in {(p.row, p.column) for p in upload.problems}


# -- hostile and broken files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=HYPERLINK(\"https://example.org\",\"x\")", "+1+2", "-2+3", "@SUM(A1)",
                                   "\tplain", "\r\n=1"])
def test_a_formula_is_refused_where_it_is_and_nothing_is_kept(client, store, value):
    rows = csv_rows(template_bytes(client, "csv", "?example=1"))
    set_cell(rows, 2, "Name (sv)", value)
    before = triples_in(store)
    response = client.post("/contributions", data=csv_bytes(rows), content_type="text/csv", headers=ALICE)
    assert response.status_code == 400 and response.json["error"] == "unreadable spreadsheet"
    assert [(p["row"], p["column"]) for p in response.json["problems"]] == [(2, "Name (sv)")]
    assert triples_in(store) == before


def test_a_negative_number_is_not_a_formula(store):
    assert not spreadsheet.is_formula("-3") and not spreadsheet.is_formula("-2.5") and spreadsheet.is_formula("-x")


def test_a_formula_cell_in_an_xlsx_is_refused_not_calculated(client, store):
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(client, "xlsx", "?example=1")))
    table = book["Practices"]
    headings = [c.value for c in table[1]]
    table.cell(row=2, column=headings.index("Name (sv)") + 1, value="=CONCATENATE(\"a\",\"b\")")
    table.cell(row=2, column=headings.index("Description (en)") + 1).value = -5  # a number: fine
    out = io.BytesIO()
    book.save(out)
    response = client.post("/validate", data=out.getvalue(), content_type=XLSX_TYPE)
    assert response.status_code == 400
    assert [(p["row"], p["column"]) for p in response.json["problems"]] == [(2, "Name (sv)")]


def test_a_csv_in_another_encoding_is_refused_naming_its_line_and_a_bom_is_optional(client, store):
    rows = csv_rows(template_bytes(client, "csv", "?example=1"))
    set_cell(rows, 2, "Name (sv)", "Grannskapets checkar (exempel) för ökad delaktighet")
    latin = "\r\n".join(",".join(f'"{v}"' for v in row) for row in rows).encode("cp1252")
    response = client.post("/validate", data=latin, content_type="text/csv")
    assert response.status_code == 400 and "UTF-8" in response.json["message"]
    assert response.json["problems"][0]["row"] == 2
    assert spreadsheet.read_upload(csv_bytes(rows, bom=False), CSV, store, "en").conforms
    semicolons = "\r\n".join(";".join(f'"{v}"' for v in row) for row in rows).encode("utf-8")
    assert spreadsheet.read_upload(semicolons, CSV, store, "en").conforms  # as Excel writes it in many locales


def test_a_body_over_the_upload_limit_is_a_413_before_it_is_read(store):
    app = create_app(store, Settings.from_environment({"SIKG_CONTRIB_TOKEN": "alice=tok-alice",
                                                       "SIKG_MAX_UPLOAD": "1000"}))
    response = app.test_client().post("/validate", data=b"a," * 1000, content_type="text/csv")
    assert response.status_code == 413


def test_a_zip_bomb_is_stopped_from_the_zip_directory(client, monkeypatch):
    data = template_bytes(client, "xlsx", "?example=1")
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for part in original.infolist():
            out.writestr(part, original.read(part))
        out.writestr("xl/media/zeros.bin", b"\0" * (spreadsheet.MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < 200_000
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    response = client.post("/validate", data=bomb.getvalue(), content_type=XLSX_TYPE)
    assert response.status_code == 413 and not opened


def test_an_encrypted_or_corrupt_workbook_is_a_clear_400(client):
    encrypted = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600  # how a password-protected XLSX begins
    response = client.post("/validate", data=encrypted, content_type=XLSX_TYPE)
    assert response.status_code == 400 and "password" in response.json["message"]
    flagged = io.BytesIO()
    with zipfile.ZipFile(flagged, "w") as out:
        out.writestr("[Content_Types].xml", b"<Types/>")
    data = bytearray(flagged.getvalue())
    data[6] |= 1  # the local header's "encrypted" flag
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1  # and the central directory's
    assert client.post("/validate", data=bytes(data), content_type=XLSX_TYPE).json["message"].startswith(
        "The workbook is protected")
    for corrupt in (b"not a zip at all", template_bytes(client, "xlsx")[:3000]):
        response = client.post("/validate", data=corrupt, content_type=XLSX_TYPE)
        assert response.status_code == 400 and "not a readable XLSX" in response.json["message"], response.data


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_workbook_with_a_dtd_is_refused_and_no_entity_is_read(client, encoding):
    data = template_bytes(client, "xlsx", "?example=1")
    hostile = io.BytesIO()
    secret = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(hostile, "w") as out:
        for part in original.infolist():
            body = original.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                text = body.decode("utf-8").split("?>", 1)[-1].replace("example-neighbourhood-voucher", "&secret;")
                body = (secret + text).encode(encoding)
            out.writestr(part, body)
    response = client.post("/validate", data=hostile.getvalue(), content_type=XLSX_TYPE)
    assert response.status_code == 400 and "DOCTYPE" in response.json["message"]
    assert Path("/etc/hostname").read_text().strip() not in response.get_data(as_text=True)


def test_an_upload_form_part_is_read_by_its_file_name(client, store):
    data = template_bytes(client, "csv", "?example=1")
    response = client.post("/validate", data={"file": (io.BytesIO(data), "practices.csv", "application/octet-stream")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.json["conforms"] is True


# -- the command line and the API description ------------------------------------------------------------------

def test_sikg_template_writes_the_same_files(client, tmp_path, capsys):
    assert cli.main(["template", "--format", "csv", "--example", "-o", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").read_bytes() == template_bytes(client, "csv", "?example=1")
    assert cli.main(["template", "--format", "xlsx", "--lang", "fr", "-o", str(tmp_path / "t.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames[0] == "Pratiques"


def test_the_openapi_document_describes_the_templates_and_spreadsheet_bodies(client):
    paths = client.get("/openapi.json").json["paths"]
    for kind in ("xlsx", "csv", "csv-metadata.json"):
        assert "get" in paths[f"/contribute/template.{kind}"]
    for path in ("/validate", "/contributions"):
        assert {"text/csv", XLSX_TYPE} <= set(paths[path]["post"]["requestBody"]["content"])


def test_labels_in_the_lists_map_back_to_their_iris(store):
    made = spreadsheet.template(store, "en")
    country = next(c for c in made.columns if c.heading == "Country")
    assert {c.label: c.value for c in country.choices}["Sweden"] == \
        "http://publications.europa.eu/resource/authority/country/SWE"
    assert ox.NamedNode(country.field.path) == ox.NamedNode("https://w3id.org/sikg/ontology#country")


# -- on the contribution page ----------------------------------------------------------------------------------

def page_upload(client, data: bytes, name: str, action: str, query: str = ""):
    from sikg.contributions.sign_in import csrf_for
    client.set_cookie("sikg_token", "tok-alice")
    return client.post(f"/contribute/upload{query}", content_type="multipart/form-data",
                       data={"csrf": csrf_for("tok-alice"), "action": action, "sheet": (io.BytesIO(data), name)})


def test_the_contribution_page_offers_the_template_and_a_file_field(client):
    client.set_cookie("sikg_token", "tok-alice")
    page = client.get("/contribute?lang=sv").get_data(as_text=True)
    assert 'href="/contribute/template.xlsx?lang=sv"' in page and 'name="sheet" type="file"' in page
    assert "Eller ladda upp ett kalkylark" in page


def test_the_page_names_each_problem_by_row_and_column_in_the_readers_language(client, store):
    rows = two_practices(client)
    set_cell(rows, 2, "Country", "")
    set_cell(rows, 3, "Uses method 1", "Knitting circles")
    before = triples_in(store)
    response = page_upload(client, csv_bytes(rows), "practices.csv", "submit", "?lang=sv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    table = page[page.index('id="sheet-problems"'):]
    # the columns as the file names them (an English one here), the messages in the reader's language
    assert "<td>2</td><td>Country</td>" in table and "<td>3</td><td>Uses method 1</td>" in table
    assert "”Knitting circles” är inte ett av valen" in table and "Filen sparades inte" in page
    assert triples_in(store) == before


def test_the_page_checks_then_submits_the_example_as_one_contribution(client):
    data = template_bytes(client, "xlsx", "?example=1")
    checked = page_upload(client, data, "practices.xlsx", "check")
    assert checked.status_code == 200 and 'data-conforms="true"' in checked.get_data(as_text=True)
    submitted = page_upload(client, data, "practices.xlsx", "submit")
    assert submitted.status_code == 202 and 'data-status="pending"' in submitted.get_data(as_text=True)
    assert page_upload(client, b"not a workbook", "practices.xlsx", "check").status_code == 400
    assert page_upload(client, b"", "notes.txt", "check").status_code == 400


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (Debian's libreoffice-calc-nogui) not installed")
def test_libreoffice_reads_the_xlsx_back_with_its_lists(client, tmp_path):
    (tmp_path / "t.xlsx").write_bytes(template_bytes(client, "xlsx", "?example=1"))
    for target in ("csv", "ods"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                        "--convert-to", target, "--outdir", str(tmp_path), str(tmp_path / "t.xlsx")],
                       check=True, capture_output=True, timeout=180)
    ours = csv_rows(template_bytes(client, "csv", "?example=1"))
    assert csv_rows((tmp_path / "t.csv").read_bytes())[:2] == ours  # the first sheet: headings and the example
    with zipfile.ZipFile(tmp_path / "t.ods") as ods:
        content = ods.read("content.xml").decode("utf-8")
    assert content.count("<table:content-validation ") >= 30 and "cell-content-is-in-list([$Lists." in content


def test_the_headings_are_made_once_per_language_and_store_content():
    """A file's headings (every column a file may use, in every language) are made once, not per upload; a write
    (here: an organisation added, which is a new choice in the lists) makes them anew, and the new one is read."""
    own = open_store("memory")
    first = spreadsheet.headings_for(own, "en")
    assert spreadsheet.headings_for(own, "en") is first
    assert spreadsheet.headings_for(own, "sv") is not first
    new = "https://w3id.org/sikg/id/organisation/headings-cache-test"
    own.update(f"INSERT DATA {{ GRAPH <https://w3id.org/sikg/graph/test> {{ <{new}> a "
               "<https://w3id.org/sikg/ontology#Organisation> ; "
               '<http://www.w3.org/2000/01/rdf-schema#label> "Headings Cache Test Org"@en } }')
    again = spreadsheet.headings_for(own, "en")
    assert again is not first
    operated_by = again.column("Operated by 1")
    assert spreadsheet._norm("Headings Cache Test Org") in again.labels(operated_by)
    assert spreadsheet._norm("Headings Cache Test Org") not in first.labels(operated_by)
