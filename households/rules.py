"""The rulebook of households and their members, in one place.

Every entry point that writes households or persons — the services (pages, API, admin), the
importer, the forms and the serializers — takes its field lists from the spec below and its
checks from the functions below, so a rule changes once:

- the spec: which fields a household and a person have, which a user may write, which the
  audit records, and their choices;
- per row: :func:`household_errors`, :func:`person_errors`, :func:`identity` (sex and birth
  date come from the ID number, never typed), :func:`head_count_error`, :func:`room_error`;
- set-based, for many rows at once (one query per chunk, not per row):
  :func:`numbers_taken`, :func:`id_hashes_taken`, :func:`active_counts`.

The functions return messages (field → text); raising, locking and collecting stay with the
caller (a service raises ``ValidationError``, the importer adds rows to its report).
"""

import datetime

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _

from . import idnumbers
from .models import (
    DisabilityGrade,
    Health,
    Household,
    HouseholdStatus,
    HouseholdType,
    LabourCapacity,
    Person,
    Relation,
    Schooling,
    SocialAssistance,
)

# -- the spec ---------------------------------------------------------------------------------

#: What a user writes about a household (the number first; the grid is chosen apart).
HOUSEHOLD_EDITABLE = (
    "number",
    "household_type",
    "address",
    "phone",
    "platform_registered",
    "platform_registered_on",
    "contact_name",
    "contact_phone",
)
#: The household's details besides its number (the registration form's second part).
HOUSEHOLD_DETAILS = HOUSEHOLD_EDITABLE[1:]
#: What the audit records of a household.
HOUSEHOLD_AUDIT = (
    "number",
    "grid_id",
    "village_group",
    "address",
    "household_type",
    "head_name",
    "phone",
    "platform_registered",
    "platform_registered_on",
    "contact_name",
    "contact_phone",
    "status",
)
#: What a user writes about a person (sex and birth date come from the ID number).
PERSON_EDITABLE = (
    "name",
    "relation",
    "ethnicity",
    "health",
    "disability_grade",
    "labour_capacity",
    "schooling",
    "medical_insurance",
    "pension_insurance",
    "social_assistance",
    "migrant_place",
    "migrant_months",
)
#: A person's details besides the relation (chosen apart on the forms).
PERSON_DETAILS = tuple(f for f in PERSON_EDITABLE if f != "relation")
#: What the audit records of a person: the masked number only, never the hash or ciphertext.
PERSON_AUDIT = (
    "household_id",
    "name",
    "id_masked",
    "relation",
    "sex",
    "birth_date",
    "ethnicity",
    "health",
    "disability_grade",
    "labour_capacity",
    "schooling",
    "medical_insurance",
    "pension_insurance",
    "social_assistance",
    "migrant_place",
    "migrant_months",
    "status",
    "joined_reason",
    "joined_on",
    "left_reason",
    "left_on",
)
HOUSEHOLD_CHOICES = {"household_type": HouseholdType}
PERSON_CHOICES = {
    "relation": Relation,
    "health": Health,
    "disability_grade": DisabilityGrade,
    "labour_capacity": LabourCapacity,
    "schooling": Schooling,
    "social_assistance": SocialAssistance,
}
#: Person defaults where a row or a form leaves a field out.
PERSON_DEFAULTS = {
    "relation": Relation.OTHER,
    "health": Health.HEALTHY,
    "disability_grade": "",
    "labour_capacity": LabourCapacity.NONE,
    "schooling": Schooling.NOT_IN_SCHOOL,
    "medical_insurance": True,
    "pension_insurance": False,
    "social_assistance": SocialAssistance.NONE,
    "migrant_place": "",
    "migrant_months": 0,
    "ethnicity": "",
}


# Values unique in the whole deployment are refused with one neutral wording, whoever holds them
# and wherever: the answer never says whose value it is or in which county.
def number_unavailable(number: str) -> str:
    return _("户编号 {number} 不可用，请核对。").format(number=number)


def id_unavailable(masked: str) -> str:
    return _("身份证号 {masked} 不可用，请核对。").format(masked=masked)


def hard_limit() -> int:
    """Active households a group grid may hold at most."""
    return settings.GRID_GROUP_HARD_LIMIT


# -- one row ----------------------------------------------------------------------------------


def household_errors(data: dict) -> dict[str, str]:
    """What is wrong in the household fields given in ``data`` (field → message)."""
    errors = {}
    if "number" in data and not data["number"]:
        errors["number"] = _("户编号不能为空。")
    if "household_type" in data and data["household_type"] not in HouseholdType.values:
        errors["household_type"] = _("户类型应为脱贫户、一般农户或脱贫不享受政策户。")
    if data.get("platform_registered_on") and not data.get("platform_registered"):
        errors["platform_registered_on"] = _("未纳入政府救助平台的户不能填写纳入日期。")
    return errors


def choice_error(field: str, value) -> str | None:
    """The message for a value outside a person field's choices (None when it is fine)."""
    choices = PERSON_CHOICES[field]
    if value in choices.values:
        return None
    return _("“{value}”不是有效的{field}，可选：{options}。").format(
        value=value,
        field=Person._meta.get_field(field).verbose_name,
        options="、".join(str(label) for label in choices.labels),
    )


def person_errors(data: dict) -> dict[str, str]:
    """What is wrong in the person fields given in ``data`` (field → message)."""
    errors = {}
    for field in PERSON_CHOICES:
        value = data.get(field)
        if value is None or (value == "" and field == "disability_grade"):
            continue
        message = choice_error(field, value)
        if message:
            errors[field] = message
    if "name" in data and not data["name"]:
        errors["name"] = _("姓名不能为空。")
    if data.get("disability_grade") and data.get("health", Health.HEALTHY) != Health.DISABLED:
        errors["disability_grade"] = _("只有健康状况为“残疾”时才填写残疾等级。")
    months = data.get("migrant_months")
    if months is not None and not 0 <= int(months) <= 12:
        errors["migrant_months"] = _("年务工月数应在 0 到 12 之间。")
    return errors


def identity(number: str) -> tuple[str, datetime.date]:
    """``(sex, birth date)`` of a normalised, valid ID number: never typed, always derived."""
    return idnumbers.sex(number), idnumbers.birth_date(number)


def head_count_error(number: str, heads: int) -> str | None:
    """A household has exactly one head (户主)."""
    if heads == 0:
        return _("户 {number} 没有户主：须有一名成员的“与户主关系”为“户主”。").format(number=number)
    if heads > 1:
        return _("户 {number} 有 {count} 名户主，只能有一名。").format(number=number, count=heads)
    return None


def room_error(grid_name: str, existing: int, adding: int = 1) -> str | None:
    """A group grid holds at most ``hard_limit()`` active households."""
    limit = hard_limit()
    if existing + adding <= limit:
        return None
    if adding == 1:
        return _("组网格 {name} 已有 {count} 户，达到 {limit} 户上限，不能再增加。").format(
            name=grid_name, count=existing, limit=limit
        )
    return _("组网格 {name} 已有 {existing} 户，又新增 {new} 户，超过 {limit} 户上限。").format(
        name=grid_name, existing=existing, new=adding, limit=limit
    )


# -- many rows at once --------------------------------------------------------------------------

_CHUNK = 500  # IN-list size


def _chunks(items):
    items = list(items)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def numbers_taken(numbers, *, exclude_pk=None) -> set[str]:
    """Which of the household ``numbers`` are registered already (unique in the deployment)."""
    taken = set()
    for chunk in _chunks(numbers):
        qs = Household.objects.filter(number__in=chunk)
        if exclude_pk:
            qs = qs.exclude(pk=exclude_pk)
        taken.update(qs.values_list("number", flat=True))
    return taken


def id_hashes_taken(hashes, *, exclude_pk=None) -> set[str]:
    """Which of the ID hashes (hex) belong to a registered person already."""
    taken = set()
    for chunk in _chunks(hashes):
        qs = Person.objects.filter(id_hash__in=chunk)
        if exclude_pk:
            qs = qs.exclude(pk=exclude_pk)
        taken.update(qs.values_list("id_hash", flat=True))
    return taken


def active_counts(grid_ids) -> dict[int, int]:
    """Active households per group grid (grids without any are absent)."""
    counts = {}
    for chunk in _chunks(grid_ids):
        counts.update(
            Household.objects.filter(grid_id__in=chunk, status=HouseholdStatus.ACTIVE)
            .order_by()
            .values_list("grid_id")
            .annotate(n=Count("pk"))
        )
    return counts
