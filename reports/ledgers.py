"""Ledgers (台账) as xlsx for a subtree, in the user's scope, ID numbers masked per role.

Each ledger is a ``Ledger`` in ``LEDGERS``: a title, Chinese headers and a row generator over
the same selector as the figures: households (one row per member), monitoring cases (one row
per household episode, with its plan's warnings), assistance measures, and monthly village
reviews (one row per household decision).

ID numbers: every ledger shows the masked form that the households app stores. Only a user with
``households.view_full_id_number`` who asks for it (``full_ids``) gets whole numbers, decrypted
row by row while the file is written, and one audit row records that export. The workbook is
``write_only`` and rows come from ``iterator()``, so memory stays flat for a whole county.
"""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core.services import audit_record
from grids.models import GridNode
from households import idnumbers
from households import selectors as household_selectors
from households.models import Person, PersonStatus, Relation
from households.services import REVEAL_PERMISSION
from monitoring.models import risk_type_labels

from . import selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Ledger:
    title: object
    headers: tuple
    #: ``rows(user, node, id_number)`` yields tuples; ``id_number(person)`` gives the ID column.
    rows: Callable


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def _grid_names(grid: GridNode) -> tuple[str, str]:
    village = grid.parent
    township = village.parent if village is not None else None
    return (township.name if township else "", village.name if village else "")


def household_ledger_rows(user, node, id_number):
    """One row per active member of the subtree's active households (the households figure)."""
    households = selectors.subtree_households(user=user, node=node).order_by().values("pk")
    persons = (
        household_selectors.person_list(user=user)
        .filter(household__in=households, status=PersonStatus.ACTIVE)
        .select_related("household__grid__parent__parent")
        .order_by("household__grid__lft", "household__number", "pk")
    )
    for p in persons.iterator(chunk_size=2000):
        h = p.household
        township, village = _grid_names(h.grid)
        yield (
            township,
            village,
            h.grid.name,
            h.grid.code,
            h.number,
            h.head_name,
            h.get_household_type_display(),
            _yes(h.platform_registered),
            h.phone,
            h.contact_name,
            p.name,
            p.get_relation_display(),
            id_number(p),
            p.get_sex_display(),
            p.birth_date,
            p.get_health_display(),
            p.get_labour_capacity_display(),
            _yes(p.medical_insurance),
            p.get_social_assistance_display(),
        )


def _head_person(field: str):
    """The active head's ``field`` of the row's household (one correlated subquery)."""
    heads = Person.objects.filter(
        household=OuterRef("household"), relation=Relation.HEAD, status=PersonStatus.ACTIVE
    ).order_by("pk")
    return Subquery(heads.values(field)[:1])


def _active_members():
    members = (
        Person.objects.filter(household=OuterRef("household"), status=PersonStatus.ACTIVE)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(members, output_field=IntegerField())


def case_ledger_rows(user, node, id_number):
    """One row per monitoring case (监测对象, each household episode) of the subtree."""
    cases = (
        selectors.subtree_cases(user=user, node=node)
        .select_related("household__grid__parent__parent")
        .annotate(
            head_id_masked=_head_person("id_masked"),
            head_id_encrypted=_head_person("id_encrypted"),
            members_active=_active_members(),
        )
        .order_by("household__grid__lft", "household__number", "identified_on", "pk")
    )
    warnings = selectors.subtree_plan_warnings(user=user, node=node)
    for c in cases.iterator(chunk_size=2000):
        h = c.household
        township, village = _grid_names(h.grid)
        head = SimpleNamespace(id_masked=c.head_id_masked or "", id_encrypted=c.head_id_encrypted)
        per_person = (
            (c.income_12m / c.members_active).quantize(Decimal("0.01"))
            if c.income_12m is not None and c.members_active
            else None
        )
        yield (
            township,
            village,
            h.grid.name,
            h.number,
            h.head_name,
            id_number(head) if c.head_id_masked else "",
            h.get_household_type_display(),
            c.members_active or 0,
            c.get_category_display(),
            "、".join(risk_type_labels(c.risk_types)),
            c.identified_on,
            c.income_12m,
            per_person,
            c.spending_12m,
            c.get_state_display(),
            c.get_elimination_method_display(),
            c.eliminated_on,
            h.contact_name,
            h.contact_phone,
            "；".join(w.message for w in warnings.get(c.pk, ())),
        )


def measure_ledger_rows(user, node, id_number):
    """One row per assistance measure of the subtree's cases (no personal data beyond the
    household number and head)."""
    measures = (
        selectors.subtree_measures(user=user, node=node)
        .select_related("plan__case__household__grid__parent__parent", "department")
        .order_by("plan__case__household__grid__lft", "plan__case__household__number", "pk")
    )
    for m in measures.iterator(chunk_size=2000):
        case = m.plan.case
        h = case.household
        township, village = _grid_names(h.grid)
        yield (
            township,
            village,
            h.grid.name,
            h.number,
            h.head_name,
            case.get_category_display(),
            case.get_state_display(),
            m.get_category_display(),
            m.get_kind_display(),
            m.department.name if m.department else "",
            m.description,
            m.amount,
            m.planned_on,
            m.get_state_display(),
            m.implemented_on,
            m.reason,
        )


def _day(value):
    """A datetime as the local date (xlsx has no time zones), a date as it is."""
    return timezone.localdate(value) if value is not None else None


def review_ledger_rows(user, node, id_number):
    """One row per household decision of the subtree's monthly village reviews (每月综合研判)."""
    items = (
        selectors.subtree_review_items(user=user, node=node)
        .select_related("review__village__parent", "household__grid")
        .order_by("-review__month", "review__village__code", "household__number", "pk")
    )
    for item in items.iterator(chunk_size=2000):
        review, h = item.review, item.household
        yield (
            review.month.strftime("%Y-%m"),
            review.village.parent.name if review.village.parent else "",
            review.village.name,
            review.get_state_display(),
            review.meeting_on,
            review.notice_start,
            review.notice_end,
            _day(review.submitted_at),
            _day(review.reviewed_at),
            _day(review.confirmed_at),
            review.return_reason,
            h.grid.name,
            h.number,
            h.head_name,
            item.get_decision_display(),
            item.get_category_display(),
            "、".join(risk_type_labels(item.risk_types)),
            item.income_12m,
            item.spending_12m,
            item.get_method_display(),
            item.note,
        )


LEDGERS = {
    "households": Ledger(
        title=gettext_lazy("农户台账"),
        headers=(
            "乡镇",
            "村（社区）",
            "组网格",
            "组网格编码",
            "户编号",
            "户主",
            "户类型",
            "注册政府救助平台",
            "联系电话",
            "监测联系人",
            "成员姓名",
            "与户主关系",
            "身份证号",
            "性别",
            "出生日期",
            "健康状况",
            "劳动能力",
            "基本医疗保险",
            "低保/特困",
        ),
        rows=household_ledger_rows,
    ),
    "cases": Ledger(
        title=gettext_lazy("监测对象台账"),
        headers=(
            "乡镇",
            "村（社区）",
            "组网格",
            "户编号",
            "户主",
            "户主身份证号",
            "户类型",
            "家庭人口",
            "监测对象类别",
            "风险类型",
            "识别日期",
            "近12个月家庭纯收入（元）",
            "人均纯收入（元）",
            "合规自付支出（元）",
            "状态",
            "消除方式",
            "风险消除日期",
            "监测联系人",
            "联系电话",
            "帮扶方案预警",
        ),
        rows=case_ledger_rows,
    ),
    "measures": Ledger(
        title=gettext_lazy("帮扶措施台账"),
        headers=(
            "乡镇",
            "村（社区）",
            "组网格",
            "户编号",
            "户主",
            "监测对象类别",
            "监测状态",
            "措施类别",
            "具体措施",
            "责任部门",
            "措施内容",
            "金额（元）",
            "计划落实日期",
            "状态",
            "落实日期",
            "未落实或取消原因",
        ),
        rows=measure_ledger_rows,
    ),
    "reviews": Ledger(
        title=gettext_lazy("每月综合研判台账"),
        headers=(
            "月份",
            "乡镇",
            "村（社区）",
            "研判状态",
            "研判会日期",
            "公示开始",
            "公示结束",
            "村提交日期",
            "乡镇审核日期",
            "县级审定日期",
            "退回理由",
            "组网格",
            "户编号",
            "户主",
            "研判意见",
            "监测对象类别",
            "风险类型",
            "近12个月家庭纯收入（元）",
            "近12个月合规自付支出（元）",
            "消除方式",
            "说明",
        ),
        rows=review_ledger_rows,
    ),
}


def _masked(person) -> str:
    return person.id_masked


def _decrypted(person) -> str:
    return idnumbers.decrypt(person.id_encrypted)


def write_ledger(*, user, node: GridNode, key: str, full_ids: bool = False):
    """The ledger ``key`` of ``node``'s subtree as an xlsx temporary file at its start.

    ``full_ids`` needs ``households.view_full_id_number`` (``PermissionDenied`` otherwise) and
    writes an audit row; without it every ID number is the stored masked form.
    """
    ledger = LEDGERS[key]
    id_number = _masked
    if full_ids:
        if not user.has_perm(REVEAL_PERMISSION):
            raise PermissionDenied(_("您没有查看完整身份证号的权限。"))
        with transaction.atomic():
            audit_record(
                actor=user,
                action="ledger.export_full_ids",
                obj=node,
                tree_id=node.tree_id,
                after={"ledger": key},
                reason=_("导出含完整身份证号的台账"),
            )
        id_number = _decrypted
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(ledger.title))
    ws.append([str(ledger.title), node.name, node.code])
    ws.append(list(ledger.headers))
    for row in ledger.rows(user, node, id_number):
        ws.append(row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    wb.save(out)
    out.seek(0)
    return out
