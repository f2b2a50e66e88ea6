"""Export households and members in the user's scope to xlsx, ID numbers masked.

Exports are always masked, whatever the role: a file leaves the system's audit trail, so the
whole number is only ever revealed one person at a time (``services.person_reveal_id``).
The workbook is ``write_only`` (rows go straight to the zip stream) and the persons are read
with ``iterator()``, so memory stays flat for a whole county.
"""

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook

from . import selectors

# Same layout as the import template (one row per person, household columns repeated), plus
# the statuses; the header texts are the file format, like the template's.
EXPORT_HEADERS = [
    "户编号",
    "组网格编码",
    "组网格",
    "村民小组",
    "户类型",
    "住址",
    "户联系电话",
    "纳入政府救助平台",
    "纳入平台日期",
    "监测联系人",
    "监测联系人电话",
    "户状态",
    "姓名",
    "身份证号",
    "与户主关系",
    "性别",
    "出生日期",
    "民族",
    "健康状况",
    "残疾等级",
    "劳动能力",
    "在校情况",
    "基本医疗保险",
    "基本养老保险",
    "低保特困",
    "务工地点",
    "年务工月数",
    "成员状态",
]


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def export_rows(persons):
    """One tuple per person, masked ID numbers only."""
    for p in persons.iterator(chunk_size=2000):
        h = p.household
        yield (
            h.number,
            h.grid.code,
            h.grid.name,
            h.village_group,
            h.get_household_type_display(),
            h.address,
            h.phone,
            _yes(h.platform_registered),
            h.platform_registered_on,
            h.contact_name,
            h.contact_phone,
            h.get_status_display(),
            p.name,
            p.id_masked,
            p.get_relation_display(),
            p.get_sex_display(),
            p.birth_date,
            p.ethnicity,
            p.get_health_display(),
            p.get_disability_grade_display() if p.disability_grade else "",
            p.get_labour_capacity_display(),
            p.get_schooling_display(),
            _yes(p.medical_insurance),
            _yes(p.pension_insurance),
            p.get_social_assistance_display(),
            p.migrant_place,
            p.migrant_months,
            p.get_status_display(),
        )


def export_households(*, user, households=None):
    """An xlsx of the members of ``households`` (default: every household ``user`` sees),
    as a temporary file positioned at its start."""
    if households is None:
        households = selectors.household_list(user=user, with_member_count=False)
    persons = (
        selectors.person_list(user=user)
        .filter(household__in=households.order_by().values("pk"))
        .order_by("household__number", "pk")
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("农户成员"))
    ws.append(EXPORT_HEADERS)
    for row in export_rows(persons):
        ws.append(row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    wb.save(out)
    out.seek(0)
    return out
