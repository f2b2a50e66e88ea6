"""Files a county really sends: every CSV encoding, absurd xlsx, Excel's numbers, title rows."""

import csv
import io
import zipfile

import pytest

from households.importing import HEADERS, ImportFileError, import_households, read_rows
from households.models import Household
from households.tests.test_importing import good_rows

pytestmark = pytest.mark.django_db


def _csv_bytes(rows, encoding, *, bom=b""):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    for values in rows:
        writer.writerow([values.get(h, "") for h in HEADERS])
    return bom + text.getvalue().encode(encoding)


def _file(data, name="households.csv"):
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8-sig", b""),
        ("gb18030", b""),
        ("gbk", b""),
        ("utf-16", b""),  # Python writes the BOM
        ("gbk", b"\xef\xbb\xbf"),  # an editor put a UTF-8 BOM in front of a GBK file
    ],
)
def test_every_accepted_csv_encoding_imports(grid_tree, encoding, bom):
    data = _csv_bytes(good_rows(grid_tree), encoding, bom=bom)
    report = import_households(_file(data), filename="a.csv")
    assert report.ok and report.written, report.errors
    assert set(Household.objects.values_list("number", flat=True)) == {"A1", "A2"}


def test_a_character_across_the_64_kib_boundary_is_read(grid_tree):
    rows = good_rows(grid_tree)
    # Pad the address so that the file passes 64 KiB with a three-byte character astride it.
    base = _csv_bytes(rows, "utf-8")
    head = len(base.split(b"\n", 1)[0]) + 1
    pad = 65536 - head - 40
    rows[0]["住址"] = "甲" * (pad // 3 + 1) + "乙乙"
    data = _csv_bytes(rows, "utf-8")
    assert len(data) > 65536
    values = [v for _n, row in read_rows(_file(data), "a.csv") for v in row]
    assert any("乙乙" in str(v) for v in values)


def test_an_unreadable_encoding_says_what_to_do(grid_tree):
    data = b"\xff\xfe\x00" + bytes(range(128, 256)) * 3  # neither UTF-16 nor anything else
    with pytest.raises(ImportFileError, match="编码"):
        import_households(_file(data), filename="a.csv")
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_households(_file(b"\x81\x30" + bytes([0x80] * 50)), filename="a.csv")


def _sheet_xlsx(sheet_xml: str) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    buffer.seek(0)
    buffer.name = "a.xlsx"
    return buffer


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_an_xlsx_declaring_row_ten_million_is_refused_at_once(grid_tree):
    sheet = (
        f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>户编号</t></is></c></row>'
        '<row r="10000000"><c r="A10000000" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with pytest.raises(ImportFileError, match="行数上限"):
        import_households(_sheet_xlsx(sheet), filename="a.xlsx")


def test_an_xlsx_cell_beyond_the_last_column_is_refused(grid_tree):
    sheet = (
        f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'
        '<row r="1"><c r="ZZZZZZ1" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with pytest.raises(ImportFileError, match="列数上限"):
        import_households(_sheet_xlsx(sheet), filename="a.xlsx")


def test_gaps_between_rows_cost_no_memory(grid_tree):
    sheet = (
        f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>b</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    rows = read_rows(_sheet_xlsx(sheet), "a.xlsx")
    assert next(rows) == (1, ("a",))
    *gaps, last = rows
    assert last == (1000000, ("b",)) and len(gaps) == 999998 and gaps[0] == (2, ())


def test_an_id_number_excel_turned_into_a_number_is_explained(grid_tree):
    rows = good_rows(grid_tree)
    rows[0]["身份证号"] = "5.32932E+17"
    data = _csv_bytes(rows, "utf-8")
    report = import_households(_file(data), filename="a.csv")
    assert not report.ok
    message = next(e.message for e in report.errors if e.column == "身份证号")
    assert "科学计数法" in message and "文本" in message and "位" not in message.split("，")[0][-3:]


def test_a_title_row_above_the_headers_is_skipped(grid_tree):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["维西县农户信息导入表（2026 年）"])
    writer.writerow([])
    writer.writerow([f"{h}*" if h in ("户编号", "姓名") else h for h in HEADERS])
    for values in good_rows(grid_tree):
        writer.writerow([values.get(h, "") for h in HEADERS])
    report = import_households(_file(text.getvalue().encode("utf-8")), filename="a.csv")
    assert report.ok and report.written, report.errors


def test_no_header_row_is_one_error_naming_the_row_read(grid_tree):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["编号", "名字", "证件"])
    writer.writerow(["A1", "和文华", "x"])
    report = import_households(_file(text.getvalue().encode("utf-8")), filename="a.csv")
    assert len(report.errors) == 1
    message = report.errors[0].message
    assert "没有找到表头" in message and "第 1 行是“编号、名字、证件”" in message
    assert "户编号" in message


def test_department_upload_reads_the_same_encodings_and_explains_numbers(grid_tree):
    from comparison.uploads import read_records

    body = "身份证号,信号代码,取值\r\n5.32932E+17,oop_cost,8000\r\n"
    for encoding in ("utf-16", "gb18030", "utf-8-sig"):
        records = read_records(_file(body.encode(encoding), "d.csv"), "d.csv")
        assert records == [{"id_number": "5.32932E+17", "signal": "oop_cost", "value": "8000"}]
    from households import idnumbers

    with pytest.raises(idnumbers.IdNumberError, match="科学计数法"):
        idnumbers.normalize("5.32932E+17")
