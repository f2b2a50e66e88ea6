"""The streaming xlsx reader gives the values openpyxl gives, and reads what Excel writes."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from households import idnumbers, xlsxreader
from households.importing import HEADERS, ImportFileError, import_households
from households.models import Household, Person
from households.tests.factories import synthetic_id

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _trimmed(values):
    values = list(values)
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def _openpyxl_rows(data: bytes):
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [_trimmed(v) for v in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _ours(data: bytes):
    return [_trimmed(values) for _n, values in xlsxreader.iter_rows(io.BytesIO(data))]


SAMPLE = [
    ["户编号", "电话", "身份证号", "数字号", "日期", "时间", "是否", "月数", None, "末列"],
    ["A1", 13812345678, "53342319900101123X", 533423199001011, datetime.date(2024, 3, 1)],
    [None, None, None, 5.33423199001011e17, datetime.datetime(2024, 5, 1, 8, 30), None, True],
    [],
    ["和文华", "0887-1234567", "x", 0, None, None, False, 6.5, None, "尾"],
]


@pytest.mark.parametrize("write_only", [False, True], ids=["shared-strings", "inline-strings"])
def test_values_match_openpyxl(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("表") if write_only else wb.active
    for row in SAMPLE:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()

    ours = _ours(data)
    assert ours == _openpyxl_rows(data)
    assert ours[1][1] == 13812345678 and str(ours[1][1]) == "13812345678"
    assert ours[1][3] == 533423199001011
    assert isinstance(ours[2][3], float)  # what Excel rounded stays a float
    assert ours[1][4] == datetime.datetime(2024, 3, 1)  # date-formatted number → datetime
    assert ours[3] == ()  # the empty row keeps its place


def _xlsx(sheets, *, strings=None, styles=None, date1904=False, workbook_order=None):
    """A minimal hand-made xlsx: ``sheets`` maps part name → sheetData XML."""
    names = list(sheets)
    order = workbook_order or names
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="r1" Target="xl/workbook.xml" '
            f'Type="{REL}/officeDocument"/></Relationships>',
        )
        rels = [
            f'<Relationship Id="s{i}" Type="{REL}/worksheet" Target="worksheets/{name}"/>'
            for i, name in enumerate(names)
        ]
        if strings is not None:
            rels.append(f'<Relationship Id="ss" Type="{REL}/sharedStrings" Target="strings.xml"/>')
        if styles is not None:
            rels.append(f'<Relationship Id="st" Type="{REL}/styles" Target="/xl/styles.xml"/>')
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>',
        )
        sheet_tags = "".join(
            f'<sheet name="{name}" sheetId="{i + 1}" r:id="s{names.index(name)}"/>'
            for i, name in enumerate(order)
        )
        pr = '<workbookPr date1904="1"/>' if date1904 else ""
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}'
            f"<sheets>{sheet_tags}</sheets></workbook>",
        )
        for name, data in sheets.items():
            z.writestr(
                f"xl/worksheets/{name}",
                f'<worksheet xmlns="{MAIN}"><sheetData>{data}</sheetData></worksheet>',
            )
        if strings is not None:
            z.writestr("xl/strings.xml", f'<sst xmlns="{MAIN}">{strings}</sst>')
        if styles is not None:
            z.writestr("xl/styles.xml", f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>')
    return buffer.getvalue()


def test_what_excel_writes_rich_text_sparse_rows_and_cells():
    strings = (
        "<si><t>户主</t></si>"
        # rich text runs are joined; the phonetic guide (rPh) is not part of the value
        '<si><r><t>和</t></r><r><rPr><b/></rPr><t xml:space="preserve">文华 </t></r>'
        '<rPh sb="0" eb="1"><t>he</t></rPh></si>'
    )
    styles = (
        '<numFmts count="1"><numFmt numFmtId="176" '
        'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
        '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="14"/></cellXfs>'
    )
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
        # rows 2 and 3 are absent; cells without a reference follow each other
        '<row r="4"><c t="inlineStr"><is><t>内联</t></is></c><c s="1"><v>45352</v></c>'
        '<c s="2"><v>45353</v></c><c><v>45352</v></c><c t="str"><v>公式结果</v></c>'
        '<c t="e"><v>#N/A</v></c><c t="b"><v>1</v></c><c t="inlineStr"/>'
        # a program (not Excel) may write an 18-digit whole number: it stays exact
        "<c><v>533423199001011234</v></c>"
        # a formula's cached result is the value; indentation around inline text is not text
        "<c><f>SUM(A1:A2)</f><v>3</v></c>"
        '<c t="inlineStr">\n  <is>\n    <t>缩进</t>\n  </is>\n</c></row>'
        # a row element without a number follows the previous row
        '<row><c t="inlineStr"><is><t>第五行</t></is></c></row>'
    )
    rows = list(
        xlsxreader.iter_rows(
            io.BytesIO(_xlsx({"sheet1.xml": sheet}, strings=strings, styles=styles))
        )
    )
    assert [n for n, _v in rows] == [1, 2, 3, 4, 5]
    assert rows[0][1] == ("户主", None, "和文华 ")
    assert rows[1][1] == () and rows[2][1] == ()
    assert rows[3][1] == (
        "内联",
        datetime.datetime(2024, 3, 1),
        datetime.datetime(2024, 3, 2),
        45352,  # a General cell keeps the serial; the import reads it as a date
        "公式结果",
        "#N/A",
        True,
        None,
        533423199001011234,
        3,
        "缩进",
    )
    assert rows[4][1] == ("第五行",)


def test_first_sheet_follows_the_workbook_order_and_1904_dates():
    data = _xlsx(
        {
            "a.xml": '<row r="1"><c t="inlineStr"><is><t>A</t></is></c></row>',
            "b.xml": '<row r="1"><c s="1"><v>1</v></c></row>',
        },
        styles='<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>',
        date1904=True,
        workbook_order=["b.xml", "a.xml"],
    )
    assert list(xlsxreader.iter_rows(io.BytesIO(data))) == [(1, (datetime.datetime(1904, 1, 2),))]


@pytest.mark.parametrize(
    "data",
    [b"not a zip", _xlsx({"sheet1.xml": '<row r="1"><c><v>1</v></c>'})],
    ids=["not-zip", "broken-xml"],
)
@pytest.mark.django_db
def test_unreadable_files_are_refused(data):
    with pytest.raises(xlsxreader.XlsxError):
        list(xlsxreader.iter_rows(io.BytesIO(data)))
    with pytest.raises(ImportFileError):
        import_households(io.BytesIO(data), filename="a.xlsx")


@pytest.mark.django_db
def test_numbers_and_dates_as_excel_stores_them_import_exactly(grid_tree):
    """Phones typed as numbers and dates as serials or date-formatted cells come through as
    the text and dates they are."""
    head_id, spouse_id = synthetic_id(), synthetic_id()
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    base = {"户编号": "N1", "组网格编码": grid_tree.g1.code, "户类型": "一般农户"}
    rows = [
        {
            **base,
            "姓名": "甲",
            "身份证号": head_id,
            "与户主关系": "户主",
            "户联系电话": 13812345678,
            "纳入政府救助平台": "是",
            "纳入平台日期": 45352,
        },
        {
            **base,
            "姓名": "乙",
            "身份证号": spouse_id,
            "与户主关系": "配偶",
            "纳入平台日期": datetime.date(2024, 3, 1),
        },
    ]
    for values in rows:
        ws.append([values.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)

    report = import_households(buffer, filename="n.xlsx")

    assert report.ok and report.written, [str(e) for e in report.errors]
    household = Household.objects.get(number="N1")
    assert household.phone == "13812345678"
    assert household.platform_registered_on == datetime.date(2024, 3, 1)
    assert Person.objects.filter(household=household).count() == 2
    assert Person.objects.filter(id_hash=idnumbers.hash_id(head_id)).exists()
