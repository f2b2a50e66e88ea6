"""Import: all or nothing, every kind of bad row reported with row, column and reason."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from core.models import AuditLog
from households import idnumbers
from households.importing import HEADERS, build_template, import_households
from households.models import Household, Person
from households.tests.factories import HouseholdFactory, household_with_members, synthetic_id

pytestmark = pytest.mark.django_db


def member(number, grid, name, relation="户主", **extra):
    row = {
        "户编号": number,
        "组网格编码": grid.code,
        "户类型": "脱贫户",
        "纳入政府救助平台": "是",
        "纳入平台日期": "2024-03-01",
        "姓名": name,
        "身份证号": synthetic_id(),
        "与户主关系": relation,
        "民族": "傈僳族",
        "健康状况": "健康",
        "劳动能力": "普通劳动力",
        "在校情况": "非在校",
        "基本医疗保险": "是",
        "基本养老保险": "否",
        "低保特困": "无",
        "年务工月数": "6",
        "务工地点": "昆明",
    }
    row.update(extra)
    return row


def good_rows(tree):
    return [
        member("A1", tree.g1, "和文华"),
        member("A1", tree.g1, "李秀英", "配偶", **{"户类型": "", "组网格编码": ""}),
        member("A2", tree.g2, "杨春", 身份证号=synthetic_id().lower()),
        member("A2", tree.g2, "杨小", "子女", 在校情况="小学", 劳动能力="无劳动力"),
    ]


def snapshot_db():
    return (
        Household.objects.count(),
        Person.objects.count(),
        AuditLog.objects.filter(action__startswith="household.import").count(),
    )


def test_clean_xlsx_is_written_with_ids_protected(grid_tree, xlsx_file):
    rows = good_rows(grid_tree)
    report = import_households(xlsx_file(rows), filename="a.xlsx", actor=grid_tree.t1_leader)
    assert report.ok and report.written, report.errors
    assert (report.households, report.persons) == (2, 4)
    a1 = Household.objects.get(number="A1")
    assert a1.head_name == "和文华" and a1.platform_registered
    assert a1.platform_registered_on == datetime.date(2024, 3, 1)
    assert a1.household_type == "lifted" and a1.members.count() == 2
    child = Person.objects.get(name="杨小")
    assert child.schooling == "primary" and child.labour_capacity == "none"
    lower = rows[2]["身份证号"]
    assert Person.objects.filter(id_hash=idnumbers.hash_id(lower.upper())).exists()
    log = AuditLog.objects.get(action="household.import")
    assert log.after["households"] == 2 and log.actor == grid_tree.t1_leader


def test_gbk_csv_imports_too(grid_tree, csv_file):
    report = import_households(csv_file(good_rows(grid_tree), encoding="gb18030"), filename="a.csv")
    assert report.ok and report.written, report.errors
    assert Household.objects.filter(number__in=["A1", "A2"]).count() == 2


def test_dry_run_writes_nothing(grid_tree, xlsx_file):
    report = import_households(xlsx_file(good_rows(grid_tree)), filename="a.xlsx", dry_run=True)
    assert report.ok and not report.written and report.households == 2
    assert snapshot_db() == (0, 0, 0)


def test_every_kind_of_bad_row_is_reported_and_nothing_is_written(grid_tree, xlsx_file, settings):
    settings.GRID_GROUP_HARD_LIMIT = 3
    for i in range(3):
        HouseholdFactory(grid=grid_tree.g3, number=f"FULL{i}")
    existing = household_with_members(grid_tree.g2, members=1, number="OLD1")
    existing_id = idnumbers.decrypt(existing.members.get().id_encrypted)
    good = synthetic_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    dup = synthetic_id()
    rows = [
        member("B1", grid_tree.g1, "正常"),  # row 2: fine
        member("B2", grid_tree.g1, "校验位", 身份证号=bad_check),  # 3
        member("B3", grid_tree.g1, "重复甲", 身份证号=dup),  # 4
        member("B3", grid_tree.g1, "重复乙", "子女", 身份证号=dup),  # 5: duplicate in file
        member("B4", grid_tree.g1, "已登记", 身份证号=existing_id),  # 6: duplicate with DB
        member("B5", grid_tree.g1, "没网格", 组网格编码="999999"),  # 7: unknown grid code
        member("B6", grid_tree.v1, "村级"),  # 8: not a group grid
        member("B7", grid_tree.g3, "满了"),  # 9: grid over the limit
        member("B8", grid_tree.g1, "无户主", "子女"),  # 10: missing head
        member("B9", grid_tree.g1, "坏日期", 纳入平台日期="2024-13-45"),  # 11
        member("B10", grid_tree.g1, "坏选项", 健康状况="很好", 户类型="富裕户"),  # 12
        member("OLD1", grid_tree.g1, "旧户号"),  # 13: household number exists
        member("B11", grid_tree.g1, "月数", 年务工月数="15"),  # 14
        member("B12", grid_tree.g4, "越权"),  # 15: outside the t1 leader's scope
    ]
    before = snapshot_db()
    report = import_households(xlsx_file(rows), filename="bad.xlsx", actor=grid_tree.t1_leader)
    assert not report.ok and not report.written
    assert snapshot_db() == before
    found = {(e.row, e.column) for e in report.errors}
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert (3, "身份证号") in found and "校验位" in messages[(3, "身份证号")]
    assert (5, "身份证号") in found and "第 4 行重复" in messages[(5, "身份证号")]
    assert (6, "身份证号") in found and "不可用" in messages[(6, "身份证号")]
    assert (7, "组网格编码") in found and "不存在" in messages[(7, "组网格编码")]
    assert (8, "组网格编码") in found and "组网格" in messages[(8, "组网格编码")]
    assert (9, "组网格编码") in found and "上限" in messages[(9, "组网格编码")]
    assert (10, "与户主关系") in found and "没有户主" in messages[(10, "与户主关系")]
    assert (11, "纳入平台日期") in found and "无法识别" in messages[(11, "纳入平台日期")]
    assert (12, "健康状况") in found and "不是有效的选项" in messages[(12, "健康状况")]
    assert (12, "户类型") in found
    assert (13, "户编号") in found and "不可用" in messages[(13, "户编号")]
    assert (14, "年务工月数") in found
    assert (15, "组网格编码") in found
    assert 2 not in {e.row for e in report.errors}
    # reasons never carry a whole ID number
    for e in report.errors:
        for number in (good, bad_check, dup, existing_id):
            assert number not in e.message


def test_missing_required_column_is_reported(grid_tree, xlsx_file):
    headers = [h for h in HEADERS if h != "身份证号"]
    report = import_households(xlsx_file([], headers=headers), filename="a.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(1, "表头")]
    assert "缺少必填列：身份证号" in report.errors[0].message


def test_numeric_id_cell_is_explained(grid_tree):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADERS)
    row = member("C1", grid_tree.g1, "数字")
    row["身份证号"] = 5.33423199001011e17
    wb.active.append([row.get(h, "") for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = import_households(buffer, filename="a.xlsx")
    assert any("文本" in e.message for e in report.errors)


def test_unknown_file_type_is_refused():
    from households.importing import ImportFileError

    with pytest.raises(ImportFileError):
        import_households(io.BytesIO(b"x"), filename="a.pdf")


def test_template_has_the_chinese_headers_and_notes():
    buffer = io.BytesIO()
    build_template(buffer)
    buffer.seek(0)
    wb = load_workbook(buffer)
    assert [c.value for c in wb.worksheets[0][1]] == HEADERS
    assert wb.worksheets[1].title == "填写说明"


def test_command_imports_and_dry_runs(grid_tree, tmp_path, xlsx_file):
    path = tmp_path / "h.xlsx"
    path.write_bytes(xlsx_file(good_rows(grid_tree)).getvalue())
    call_command("import_households", str(path), "--dry-run")
    assert Household.objects.count() == 0
    call_command("import_households", str(path))
    assert Household.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("import_households", str(path))  # second time: numbers and IDs exist
    assert Household.objects.count() == 2
