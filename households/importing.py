"""Import households with their members from xlsx or csv: validate all, then write all.

Format (the template from ``build_template``): one row per person, the household columns
repeated on each row of the household (only the first row of a household must fill them; later
rows may leave them blank, and what they do fill must agree). See ``docs/households.md``.

Two passes over the file, so memory stays bounded by compact per-household and per-ID data,
never by spreadsheet objects:

1. *Validate*: stream the rows, parse each into a small tuple, remember per household one tuple
   and per person only the 32-byte ID hash; then check against the database in chunks (grid
   codes, capacity under row locks, household numbers, IDs already registered). Every problem
   becomes a ``RowError(row, column, message)``.
2. *Write* (only when pass 1 found nothing and this is not a dry run): read back the parsed
   rows that pass 1 spooled to a temporary file (hash, ciphertext and mask only, never the
   clear number; parsing the spreadsheet is most of the cost, so it is done once) and
   ``bulk_create`` households and persons in bounded batches, inside the same transaction that
   holds the grid locks. Any error rolls everything back: all or nothing.
"""

import csv
import datetime
import os
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.services import audit_record
from grids.models import GridNode, Level

from . import bulkwrite, idnumbers, rules, services, textfiles, xlsxreader
from .idstore import encrypt_canonical, hash_canonical
from .models import (
    Health,
    Household,
    HouseholdStatus,
    LabourCapacity,
    Person,
    PersonStatus,
    Relation,
    Schooling,
    SocialAssistance,
)

#: Rows per write (one COPY or bulk INSERT); bounds the memory of pass 2.
BATCH_SIZE = 5000
#: The report keeps this many errors in full and counts the rest (bounded memory).
MAX_REPORTED_ERRORS = 1000
_CHUNK = 500  # IN-list size for database checks


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # a file-format constant (the Chinese template header), not a UI string
    household: bool = False
    required: bool = False


# The template's headers. They are part of the file format, so they are fixed Chinese text and
# not translated: a file filled in under one UI language must import under another.
COLUMNS = [
    Column("number", "户编号", household=True, required=True),
    Column("grid_code", "组网格编码", household=True, required=True),
    Column("household_type", "户类型", household=True, required=True),
    Column("address", "住址", household=True),
    Column("phone", "户联系电话", household=True),
    Column("platform_registered", "纳入政府救助平台", household=True),
    Column("platform_registered_on", "纳入平台日期", household=True),
    Column("contact_name", "监测联系人", household=True),
    Column("contact_phone", "监测联系人电话", household=True),
    Column("name", "姓名", required=True),
    Column("id_number", "身份证号", required=True),
    Column("relation", "与户主关系", required=True),
    Column("ethnicity", "民族"),
    Column("health", "健康状况"),
    Column("disability_grade", "残疾等级"),
    Column("labour_capacity", "劳动能力"),
    Column("schooling", "在校情况"),
    Column("medical_insurance", "基本医疗保险"),
    Column("pension_insurance", "基本养老保险"),
    Column("social_assistance", "低保特困"),
    Column("migrant_place", "务工地点"),
    Column("migrant_months", "年务工月数"),
]
HEADERS = [c.header for c in COLUMNS]
_BY_KEY = {c.key: c for c in COLUMNS}
HOUSEHOLD_KEYS = [c.key for c in COLUMNS if c.household]

_CHOICES = rules.HOUSEHOLD_CHOICES | rules.PERSON_CHOICES
# Spellings people actually type besides the labels and the English codes.
_ALIASES = {
    "schooling": {
        "小学": "primary",
        "初中": "junior",
        "高中": "senior",
        "中职": "vocational",
        "大专": "college",
        "大学": "college",
        "本科": "college",
        "大专及以上": "college",
        "不在校": "not_in_school",
    },
    "disability_grade": {"1级": "1", "2级": "2", "3级": "3", "4级": "4"},
    "relation": {
        "本人": "head",
        "妻子": "spouse",
        "丈夫": "spouse",
        "儿子": "child",
        "女儿": "child",
        "儿媳": "child_in_law",
        "女婿": "child_in_law",
        "孙子": "grandchild",
        "孙女": "grandchild",
        "父亲": "parent",
        "母亲": "parent",
    },
    "social_assistance": {"": "none", "否": "none", "特困": "tekun"},
    "labour_capacity": {"弱劳动力": "weak", "半劳动力": "weak"},
}
_TRUE = {"是", "y", "yes", "true", "1", "已纳入", "有", "参加", "已参加"}
_FALSE = {"否", "n", "no", "false", "0", "未纳入", "无", "未参加", "不参加"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _choice_map(key):
    choices = _CHOICES[key]
    mapping = {str(label): value for value, label in choices.choices}
    mapping.update({value: value for value in choices.values})
    mapping.update(_ALIASES.get(key, {}))
    return mapping


_CHOICE_MAPS = {key: _choice_map(key) for key in _CHOICES}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self):
        if self.row:
            return _("第 {row} 行【{column}】：{message}").format(
                row=self.row, column=self.column, message=self.message
            )
        return _("【{column}】：{message}").format(column=self.column, message=self.message)


@dataclass
class ImportReport:
    dry_run: bool
    households: int = 0
    persons: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, str(message)))

    def summary(self) -> str:
        if not self.ok:
            return _("发现 {count} 处错误，未写入任何数据。请按错误清单改正后重新导入。").format(
                count=self.error_count
            )
        if self.written:
            return _("已导入 {households} 户、{persons} 人。").format(
                households=self.households, persons=self.persons
            )
        return _("预检通过：可导入 {households} 户、{persons} 人（未写入）。").format(
            households=self.households, persons=self.persons
        )

    def as_dict(self):
        return {
            "dry_run": self.dry_run,
            "written": self.written,
            "households": self.households,
            "persons": self.persons,
            "error_count": self.error_count,
            "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: e.row)],
            "summary": self.summary(),
        }


class ImportFileError(Exception):
    """The file cannot be read at all (wrong type, corrupt, no header row)."""


# --- Reading ------------------------------------------------------------------------------


def read_rows(source, filename: str) -> Iterator[tuple[int, tuple]]:
    """Yield ``(row_number, values)`` of the first sheet (xlsx) or the csv file (UTF-8, GB18030
    or UTF-16; ``households.textfiles``).

    Shared with the department batch upload (``comparison.uploads``); an unreadable file raises
    ``ImportFileError`` with a Chinese message."""
    ext = os.path.splitext(filename or "")[1].lower()
    if hasattr(source, "seek"):
        source.seek(0)
    if ext == ".xlsx":
        try:
            yield from xlsxreader.iter_rows(source)
        except xlsxreader.XlsxError as exc:
            raise ImportFileError(
                exc.user_message or _("无法读取 xlsx 文件，请确认文件未损坏。")
            ) from exc
    elif ext == ".csv":
        raw = source if hasattr(source, "read") else open(source, "rb")  # noqa: SIM115
        try:
            try:
                text = textfiles.open_text(raw)
            except textfiles.EncodingError as exc:
                raise ImportFileError(str(exc)) from None
            number = 0
            try:
                for number, values in enumerate(csv.reader(text), start=1):  # noqa: B007
                    yield number, tuple(values)
            except csv.Error as exc:
                raise ImportFileError(
                    _(
                        "CSV 文件第 {row} 行无法读取（{reason}）；请在 Excel 中重新另存为 CSV。"
                    ).format(row=number + 1, reason=exc)
                ) from None
            finally:
                text.detach()
        finally:
            if raw is not source:
                raw.close()
    else:
        raise ImportFileError(_("只支持 .xlsx 和 .csv 文件。"))


_EXCEL_DAY_ZERO = datetime.date(1899, 12, 30)


def _is_serial(value) -> bool:
    """A number that can be an Excel date serial (1900-03-01 .. 9999-12-31); a larger whole
    number such as 20240501 is read as text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return 61 <= value < 2958466


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- Parsing one row ------------------------------------------------------------------------


class _Row:
    """Parses the cells of one row, collecting errors against the report."""

    __slots__ = ("report", "row", "values", "index")

    def __init__(self, report, row, values, index):
        self.report, self.row, self.values, self.index = report, row, values, index

    def raw(self, key):
        i = self.index.get(key)
        if i is None or i >= len(self.values):
            return None
        return self.values[i]

    def error(self, key, message):
        self.report.add(self.row, _BY_KEY[key].header, message)

    def text(self, key, *, required=False, max_length=100):
        value = _text(self.raw(key))
        if required and not value:
            self.error(key, _("必填，不能为空"))
        elif len(value) > max_length:
            self.error(key, _("不能超过 {n} 个字").format(n=max_length))
            value = value[:max_length]
        return value

    def choice(self, key, *, required=False, default=None):
        value = _text(self.raw(key))
        if not value:
            if required:
                self.error(key, _("必填，不能为空"))
            return default
        code = _CHOICE_MAPS[key].get(value)
        if code is None:
            options = "、".join(str(label) for label in _CHOICES[key].labels)
            self.error(
                key,
                _("“{value}”不是有效的选项，可填：{options}").format(value=value, options=options),
            )
        return code

    def boolean(self, key, *, default=None):
        value = self.raw(key)
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if not text:
            return default
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.error(key, _("“{value}”无法识别，请填“是”或“否”").format(value=text))
        return default

    def date(self, key):
        value = self.raw(key)
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            parsed = value
        elif _is_serial(value):
            # A date typed into a General cell: Excel keeps the serial (days since 1899-12-30).
            parsed = _EXCEL_DAY_ZERO + datetime.timedelta(days=int(value))
        else:
            text = _text(value)
            if not text:
                return None
            parsed = None
            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
            if parsed is None:
                self.error(
                    key, _("日期“{value}”无法识别，请按 2024-05-01 的格式填写").format(value=text)
                )
                return None
        if parsed > timezone.localdate():
            self.error(key, _("日期 {date} 晚于今天").format(date=parsed.isoformat()))
        return parsed

    def months(self, key):
        value = _text(self.raw(key))
        if not value:
            return 0
        try:
            months = int(float(value))
        except ValueError:
            months = -1
        if not 0 <= months <= 12:
            self.error(key, _("应为 0 到 12 之间的整数，实为“{value}”").format(value=value))
            return 0
        return months

    def id_number(self, key):
        value = self.raw(key)
        if isinstance(value, float):
            self.error(
                key,
                _("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”后重新填写"),
            )
            return None
        try:
            return idnumbers.normalize(_text(value))
        except idnumbers.IdNumberError as exc:
            self.error(key, exc.message)
            return None


def _parse(report, row, values, index):
    """``(household_tuple, person_tuple, id_number)`` of one row; errors go to ``report``."""
    r = _Row(report, row, values, index)
    registered_on = r.date("platform_registered_on")
    household = (
        r.text("number", required=True, max_length=32),
        r.text("grid_code", max_length=32),
        r.choice("household_type"),
        r.text("address", max_length=200),
        r.text("phone", max_length=20),
        r.boolean("platform_registered"),
        registered_on,
        r.text("contact_name", max_length=50),
        r.text("contact_phone", max_length=20),
    )
    health = r.choice("health", default=Health.HEALTHY)
    grade = r.choice("disability_grade", default="")
    problem = rules.person_errors({"health": health, "disability_grade": grade})
    if "disability_grade" in problem:
        r.error("disability_grade", problem["disability_grade"])
    person = (
        r.text("name", required=True, max_length=50),
        r.choice("relation", required=True),
        r.text("ethnicity", max_length=20),
        health,
        grade,
        r.choice("labour_capacity", default=LabourCapacity.NONE),
        r.choice("schooling", default=Schooling.NOT_IN_SCHOOL),
        r.boolean("medical_insurance", default=True),
        r.boolean("pension_insurance", default=False),
        r.choice("social_assistance", default=SocialAssistance.NONE),
        r.text("migrant_place", max_length=100),
        r.months("migrant_months"),
    )
    id_number = r.id_number("id_number")
    return household, person, id_number


_H_NUMBER, _H_GRID, _H_TYPE = 0, 1, 2
_H_REGISTERED, _H_REGISTERED_ON = 5, 6
_P_NAME, _P_RELATION = 0, 1


@dataclass
class _HouseholdEntry:
    row: int
    data: tuple
    heads: int = 0
    head_name: str = ""
    members: int = 0


def header_name(value) -> str:
    """A header cell as the template names it: marks of a required column (``户编号*``,
    ``户编号（必填）``) and every kind of space dropped."""
    text = "".join(_text(value).split())
    for mark in ("（必填）", "(必填)", "*", "＊"):
        text = text.replace(mark, "")
    return text


#: How many rows from the top may come before the header row (a title, a note).
HEADER_SEARCH_ROWS = 10


def _header_index(values) -> tuple[dict, list[str]]:
    """``(index by key, missing required headers)`` of a candidate header row."""
    seen = {}
    for i, value in enumerate(values or ()):
        name = header_name(value)
        if name and name not in seen:
            seen[name] = i
    index = {c.key: seen[c.header] for c in COLUMNS if c.header in seen}
    missing = [c.header for c in COLUMNS if c.required and c.key not in index]
    return index, missing


def _data_rows(source, filename, report):
    """``(row_number, values, index)`` for every non-blank data row, after the header row.

    The header row is the first of the top ``HEADER_SEARCH_ROWS`` rows that names at least two
    of the template's required columns (a title row above it is skipped). Not found, or found
    without some required columns, is one error that says which row was read and what was
    expected."""
    index = None
    first = None
    for number, values in read_rows(source, filename):
        if index is None:
            if not any(_text(v) for v in values):
                if number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if first is None:
                first = (number, values)
            candidate, missing = _header_index(values)
            required = sum(1 for c in COLUMNS if c.required)
            if required - len(missing) >= 2:
                if missing:
                    report.add(
                        number,
                        _("表头"),
                        _("第 {row} 行（表头）缺少必填列：{columns}；请使用导入模板").format(
                            row=number, columns="、".join(missing)
                        ),
                    )
                    return
                index = candidate
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(_text(v) for v in values):
            continue
        yield number, values, index
    if index is None:
        if first is None:
            raise ImportFileError(_("文件是空的：第一行应为表头。"))
        seen = "、".join(_text(v) for v in first[1] if _text(v))[:120]
        report.add(
            first[0],
            _("表头"),
            _(
                "没有找到表头：前 {n} 行中没有一行包含“{expected}”等必填列；"
                "读到的第 {row} 行是“{seen}”。请使用导入模板，表头放在数据之上"
            ).format(
                n=HEADER_SEARCH_ROWS,
                expected="、".join(c.header for c in COLUMNS if c.required),
                row=first[0],
                seen=seen,
            ),
        )


# --- Pass 1: validate -----------------------------------------------------------------------


def _chunks(items, size=_CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _validate(source, filename, report, *, actor, lock, spooling=True):
    households: dict[str, _HouseholdEntry] = {}
    digests: dict[bytes, int] = {}  # ID hash -> first row
    # Pass 2 reads the parsed rows back from this spool instead of reading the file again
    # (reading, parsing and protecting the IDs is most of the cost). It holds no clear ID
    # number: only the hash, the ciphertext and the mask, computed once here.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by import_households

    for row, values, index in _data_rows(source, filename, report):
        hh, person, id_number = _parse(report, row, values, index)
        number = hh[_H_NUMBER]
        digest = None
        if id_number:
            digest = bytes.fromhex(hash_canonical(id_number))
            first = digests.get(digest)
            if first is not None:
                report.add(
                    row,
                    _BY_KEY["id_number"].header,
                    _("身份证号 {masked} 与第 {first} 行重复").format(
                        masked=idnumbers.mask(id_number), first=first
                    ),
                )
            else:
                digests[digest] = row
        if spooling and report.ok and number:  # after an error nothing is written: stop
            pickle.dump(
                (
                    number,
                    person,
                    digest.hex(),
                    encrypt_canonical(id_number),
                    idnumbers.mask(id_number),
                    *rules.identity(id_number),
                ),
                spool,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        report.persons += 1
        if not number:
            continue
        entry = households.get(number)
        if entry is None:
            if not hh[_H_GRID]:
                report.add(row, _BY_KEY["grid_code"].header, _("本户第一行必须填写组网格编码"))
            type_index = index["household_type"]
            if not _text(values[type_index] if type_index < len(values) else None):
                report.add(row, _BY_KEY["household_type"].header, _("本户第一行必须填写户类型"))
            entry = households[number] = _HouseholdEntry(row=row, data=hh)
        else:
            for i, key in enumerate(HOUSEHOLD_KEYS):
                if hh[i] not in ("", None) and hh[i] != entry.data[i]:
                    report.add(
                        row,
                        _BY_KEY[key].header,
                        _("与本户第 {first} 行填写的不一致").format(first=entry.row),
                    )
        entry.members += 1
        if person[_P_RELATION] == Relation.HEAD:
            entry.heads += 1
            entry.head_name = person[_P_NAME]
        if hh[_H_REGISTERED] is False:
            problem = rules.household_errors(
                {"platform_registered": False, "platform_registered_on": hh[_H_REGISTERED_ON]}
            )
            if "platform_registered_on" in problem:
                report.add(
                    row,
                    _BY_KEY["platform_registered_on"].header,
                    problem["platform_registered_on"],
                )

    report.households = len(households)
    for number, entry in households.items():
        problem = rules.head_count_error(number, entry.heads)
        if problem:
            report.add(entry.row, _BY_KEY["relation"].header, problem)
    grids = _check_database(report, households, digests, actor=actor, lock=lock)
    return households, grids, spool


def _check_database(report, households, digests, *, actor, lock):
    """Check grid codes, capacity, household numbers and IDs against the database."""
    by_grid = defaultdict(list)
    for number, entry in households.items():
        if entry.data[_H_GRID]:
            by_grid[entry.data[_H_GRID]].append((entry.row, number))
    column_grid = _BY_KEY["grid_code"].header

    grids = {}
    base = (
        GridNode.objects.all()
        if actor is None
        else GridNode.objects.visible_to(actor, action="change")
    )
    for codes in _chunks(sorted(by_grid)):
        qs = base.filter(code__in=codes).order_by("pk")
        if lock:
            qs = qs.select_for_update()
        for pk, code, level, name, village_group, tree_id in qs.values_list(
            "pk", "code", "level", "name", "village_group", "tree_id"
        ):
            grids[code] = (pk, level, name, village_group, tree_id)
    counts = rules.active_counts([g[0] for g in grids.values() if g[1] == Level.GROUP])
    limit = rules.hard_limit()
    for code, rows in by_grid.items():
        grid = grids.get(code)
        if grid is None:
            for row, _number in rows:
                report.add(
                    row,
                    column_grid,
                    _("组网格编码 {code} 不存在或不在您的管辖范围内").format(code=code),
                )
            continue
        pk, level, name, _vg, _tree = grid
        if level != Level.GROUP:
            for row, _number in rows:
                report.add(
                    row,
                    column_grid,
                    _("网格 {name}（{code}）是{level}，农户只能登记在组网格上").format(
                        name=name, code=code, level=Level(level).label
                    ),
                )
            continue
        existing = counts.get(pk, 0)
        problem = rules.room_error(name, existing, len(rows))
        if problem:
            for row, number in sorted(rows)[max(0, limit - existing) :]:
                report.add(
                    row,
                    column_grid,
                    _("{problem}户 {number} 放不下。").format(problem=problem, number=number),
                )

    for number in sorted(rules.numbers_taken(sorted(households))):
        report.add(
            households[number].row,
            _BY_KEY["number"].header,
            rules.number_unavailable(number),
        )
    for hexdigest in sorted(rules.id_hashes_taken(d.hex() for d in digests)):
        report.add(
            digests[bytes.fromhex(hexdigest)],
            _BY_KEY["id_number"].header,
            _("该身份证号不可用，请核对（导入只用于新增人员）。"),
        )
    return grids


# --- Pass 2: write ---------------------------------------------------------------------------


def _spooled(spool):
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


_HOUSEHOLD_FIELDS = [
    "number",
    "grid_id",
    "village_group",
    "household_type",
    "address",
    "phone",
    "platform_registered",
    "platform_registered_on",
    "contact_name",
    "contact_phone",
    "head_name",
    "status",
]
# The spooled person tuple (see ``_parse``) sits between the protected number and the status.
_PERSON_FIELDS = [
    "household_id",
    "id_hash",
    "id_encrypted",
    "id_masked",
    "sex",
    "birth_date",
    *rules.PERSON_EDITABLE,  # ``_parse`` builds the person tuple in this order
    "status",
    "joined_on",
]


def _write(spool, households, grids):
    """Insert the spooled rows: households first (their keys), then their members, in
    batches of ``BATCH_SIZE`` rows (``bulkwrite``: COPY on PostgreSQL)."""
    today = timezone.localdate()
    pks: dict[str, int] = {}
    pending: dict[str, tuple] = {}
    people: list[tuple] = []

    def flush_households():
        if pending:
            new = bulkwrite.insert(
                Household, _HOUSEHOLD_FIELDS, list(pending.values()), return_pks=True
            )
            pks.update(zip(pending, new, strict=True))
            pending.clear()

    def flush_people():
        flush_households()
        bulkwrite.insert(Person, _PERSON_FIELDS, [(pks[row[0]], *row[1:]) for row in people])
        people.clear()

    for number, person, id_hash, id_encrypted, id_masked, sex, born in _spooled(spool):
        if number not in pks and number not in pending:
            entry = households[number]
            data = entry.data
            grid_pk, _level, _name, village_group, _tree = grids[data[_H_GRID]]
            registered = bool(data[_H_REGISTERED])
            pending[number] = (
                number,
                grid_pk,
                village_group,
                data[_H_TYPE],
                data[3],  # address
                data[4],  # phone
                registered,
                data[_H_REGISTERED_ON] if registered else None,
                data[7],  # contact name
                data[8],  # contact phone
                entry.head_name,
                HouseholdStatus.ACTIVE.value,
            )
        people.append(
            (number, id_hash, id_encrypted, id_masked, sex, born, *person)
            + (PersonStatus.ACTIVE.value, today)
        )
        if len(pending) >= BATCH_SIZE:
            flush_households()
        if len(people) >= BATCH_SIZE:
            flush_people()
    flush_people()


def import_households(
    source, *, filename: str, actor=None, dry_run: bool = False, before_commit=None
) -> ImportReport:
    """Validate the whole file and, when it is clean and not a dry run, write it all.

    ``source`` is a path or a binary file object (read twice); ``filename`` gives the type.
    ``actor`` None (the management command) means no scope restriction; otherwise grid codes
    outside the actor's subtrees read as unknown. Raises ``ImportFileError`` for unreadable
    files; every row problem is in the returned report. Raises ``PermissionDenied`` unless
    ``actor`` may import (county and township leaders): the rule is checked here, whatever
    the entry point.

    ``before_commit(report)`` is called inside the write transaction once everything is
    written: a job marks itself done there, so its rows and its "done" commit together.
    """
    if actor is not None:
        services.require_importer(actor)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        households, grids, spool = _validate(
            source, filename, report, actor=actor, lock=not dry_run, spooling=not dry_run
        )
        try:
            if not report.ok or dry_run:
                return report
            try:
                with transaction.atomic():
                    _write(spool, households, grids)
            except IntegrityError:
                # A concurrent writer registered one of these IDs or numbers after the check.
                report.add(
                    0, _("文件"), _("导入期间数据被他人修改（户编号或身份证号冲突），请重新导入")
                )
                return report
        finally:
            spool.close()
        report.written = True
        trees = defaultdict(int)
        for entry in households.values():
            trees[grids[entry.data[_H_GRID]][4]] += 1
        for tree_id, count in sorted(trees.items()):
            root = GridNode.objects.get(tree_id=tree_id, parent__isnull=True)
            audit_record(
                actor=actor,
                action="household.import",
                obj=root,
                tree_id=tree_id,
                after={
                    "file": os.path.basename(filename),
                    "households": count,
                    "persons_in_file": report.persons,
                },
            )
        if before_commit is not None:
            before_commit(report)
    return report


# --- Template ------------------------------------------------------------------------------

_EXAMPLES = {
    "number": "5334231000010101001",
    "grid_code": "5334231000010101",
    "household_type": "一般农户",
    "platform_registered": "是",
    "platform_registered_on": "2024-03-01",
    "relation": "户主",
    "ethnicity": "傈僳族",
    "health": "健康",
    "labour_capacity": "普通劳动力",
    "schooling": "非在校",
    "medical_insurance": "是",
    "pension_insurance": "是",
    "social_assistance": "无",
    "migrant_months": "0",
}


def build_template(stream) -> None:
    """Write the import template (xlsx with Chinese headers and a sheet of notes) to ``stream``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "农户成员"
    ws.append(HEADERS)
    bold = Font(bold=True)
    required = PatternFill("solid", fgColor="FDE2E1")
    for i, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        if column.required:
            cell.fill = required
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        # Text format: Excel would otherwise turn 18-digit ID numbers into rounded numbers.
        for row in range(2, 2002):
            ws.cell(row=row, column=i).number_format = "@"
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("填写说明")
    notes.append([_("列"), _("是否必填"), _("说明"), _("示例")])
    for column in COLUMNS:
        if column.key in _CHOICES:
            text = _("可填：{options}").format(
                options="、".join(str(label) for label in _CHOICES[column.key].labels)
            )
        elif column.key in ("platform_registered", "medical_insurance", "pension_insurance"):
            text = _("填“是”或“否”")
        elif column.key == "platform_registered_on":
            text = _("日期，如 2024-03-01")
        elif column.key == "migrant_months":
            text = _("0 到 12 的整数")
        elif column.key == "id_number":
            text = _("18 位身份证号（15 位旧号自动转换），末位 x 可小写")
        else:
            text = ""
        if column.household:
            text = (text + " " + _("（户信息：同一户每行重复，至少第一行填写）")).strip()
        notes.append(
            [
                column.header,
                _("必填") if column.required else _("选填"),
                text,
                _EXAMPLES.get(column.key, ""),
            ]
        )
    notes.append([])
    notes.append([_("一行一名成员；同一户的成员户编号相同；每户须有且只有一名户主。")])
    notes.append([_("任何一行有错，整个文件都不会写入；请按错误清单改正后重新导入。")])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 80
    wb.save(stream)
