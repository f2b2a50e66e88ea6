"""Every write to households and persons: validation, locks, capacity, audit.

Capacity rule: a group grid holds at most ``settings.GRID_GROUP_HARD_LIMIT`` active households.
It is counted while the grid's row is locked (``select_for_update``), so two concurrent adds to
the same grid serialise and cannot make 21. ID numbers appear in audit rows only masked.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.services import audit_record, snapshot
from grids.models import GridNode, Level
from grids.scoping import user_scope

from . import idnumbers, rules
from .idstore import StoredId, protect
from .models import (
    Household,
    HouseholdStatus,
    HouseholdType,
    JoinReason,
    LeaveReason,
    Person,
    PersonStatus,
    Relation,
)

# The spec lives in ``rules``; these names stay for the callers that read them here.
HOUSEHOLD_FIELDS = rules.HOUSEHOLD_AUDIT
HOUSEHOLD_EDITABLE = frozenset(rules.HOUSEHOLD_EDITABLE)
PERSON_FIELDS = rules.PERSON_AUDIT
PERSON_EDITABLE = frozenset(rules.PERSON_EDITABLE)
REVEAL_PERMISSION = "households.view_full_id_number"


# --- Access -------------------------------------------------------------------------------


def can_write(actor, grid: GridNode) -> bool:
    """Leaders of the grid or above, and the group grid's own members, keep its households
    (the scope's ``change`` action)."""
    return user_scope(actor).may("change", grid)


def _require_writer(actor, grid: GridNode) -> None:
    if not can_write(actor, grid):
        raise PermissionDenied(
            _("您不能修改网格 {name} 的农户信息：需要本网格或上级网格的网格长。").format(
                name=grid.name
            )
        )


def can_import(actor) -> bool:
    """County and township leaders (and system administrators) import households."""
    return user_scope(actor).may_import


def require_importer(actor) -> None:
    """Refuse unless ``actor`` may import households (the import checks it itself)."""
    if not can_import(actor):
        raise PermissionDenied(_("只有县级和乡镇网格长可以导入农户。"))


def can_reveal(actor) -> bool:
    return actor.has_perm(REVEAL_PERMISSION)


# --- Capacity -------------------------------------------------------------------------------


def _lock_group_grids(*grids: GridNode) -> dict[int, GridNode]:
    """Lock the rows of ``grids`` (ascending pk: no deadlock) and check they are group grids."""
    locked = {
        g.pk: g
        for g in GridNode.objects.select_for_update()
        .filter(pk__in=[g.pk for g in grids])
        .order_by("pk")
    }
    for grid in locked.values():
        if grid.level != Level.GROUP:
            raise ValidationError(
                {
                    "grid": _("网格 {name} 是{level}；农户只能登记在组网格（四级网格）上。").format(
                        name=grid.name, level=grid.get_level_display()
                    )
                }
            )
    return locked


def _require_room(grid: GridNode) -> None:
    """Refuse when ``grid`` (locked by the caller) already holds the maximum of households."""
    message = rules.room_error(grid.name, rules.active_counts([grid.pk]).get(grid.pk, 0))
    if message:
        raise ValidationError({"grid": message})


# --- Validation -----------------------------------------------------------------------------


def _clean_text(value) -> str:
    return ("" if value is None else str(value)).strip()


def _validate_household(data: dict) -> None:
    errors = rules.household_errors(data)
    if errors:
        raise ValidationError(errors)


def _validate_number_free(number: str, *, exclude_pk=None) -> None:
    if rules.numbers_taken([number], exclude_pk=exclude_pk):
        raise ValidationError({"number": rules.number_unavailable(number)})


def _validate_person(data: dict) -> None:
    errors = rules.person_errors(data)
    if errors:
        raise ValidationError(errors)


def _protect(id_number: str) -> StoredId:
    try:
        return protect(id_number)
    except idnumbers.IdNumberError as exc:
        raise ValidationError({"id_number": exc.message}) from None


def _person_defaults(data: dict) -> dict:
    """Fill the optional person fields with the model defaults."""
    fields = {f: data[f] for f in PERSON_EDITABLE if f in data}
    fields["name"] = _clean_text(fields.get("name"))
    fields.setdefault("relation", Relation.OTHER)
    for text in ("ethnicity", "migrant_place", "disability_grade"):
        fields[text] = _clean_text(fields.get(text))
    return fields


def _save(obj, field: str, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent writer took the key between check and save
        raise ValidationError({field: message}) from exc


def lock_household_row(household: Household) -> Household:
    """The household's row, locked (``FOR UPDATE``), with its grid read after the lock.

    Not ``select_related("grid")`` in the locking query: under READ COMMITTED, PostgreSQL
    re-checks the join for a row that changed while it waited, so a household moved to
    another grid meanwhile would no longer match its old grid row and the query would find
    nothing (``DoesNotExist``); the join would also lock the grid row. A test pins this
    (``test_a_member_added_while_the_household_moves_lands_in_the_moved_household``).
    """
    locked = Household.objects.select_for_update().get(pk=household.pk)
    locked.grid  # noqa: B018 - load the grid now, after the lock: the callers all need it
    return locked


# --- Households -----------------------------------------------------------------------------


@transaction.atomic
def household_create(*, actor, grid: GridNode, number: str, head: dict, **fields) -> Household:
    """Register a household on a group grid together with its head (``head``: person fields
    plus ``id_number``). Refused when the grid already holds the maximum of households."""
    unknown = set(fields) - HOUSEHOLD_EDITABLE
    if unknown:
        raise ValidationError({f: _("该字段不能在此填写。") for f in sorted(unknown)})
    grid = _lock_group_grids(grid)[grid.pk]
    _require_writer(actor, grid)
    number = _clean_text(number)
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    data.setdefault("household_type", HouseholdType.ORDINARY)
    data["number"] = number
    _validate_household(data)
    _validate_number_free(number)
    _require_room(grid)
    household = Household(grid=grid, village_group=grid.village_group, **data)
    _save(household, "number", rules.number_unavailable(number))
    audit_record(
        actor=actor,
        action="household.create",
        obj=household,
        tree_id=grid.tree_id,
        after=snapshot(household, HOUSEHOLD_FIELDS),
    )
    person_add(
        actor=actor,
        household=household,
        reason=JoinReason.REGISTERED,
        **{**head, "relation": Relation.HEAD},
    )
    household.refresh_from_db()
    return household


@transaction.atomic
def household_update(*, actor, household: Household, **changes) -> Household:
    """Change a household's own fields. Its grid changes only through ``household_move``."""
    unknown = set(changes) - HOUSEHOLD_EDITABLE
    if unknown:
        raise ValidationError(
            {f: _("该字段不能在此修改；调整网格请使用“迁移”。") for f in sorted(unknown)}
        )
    household = lock_household_row(household)
    _require_writer(actor, household.grid)
    before = snapshot(household, HOUSEHOLD_FIELDS)
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if "platform_registered" in data and not data["platform_registered"]:
        data.setdefault("platform_registered_on", None)
    merged = {
        "platform_registered": household.platform_registered,
        "platform_registered_on": household.platform_registered_on,
        **data,
    }
    _validate_household(merged)
    if "number" in data and data["number"] != household.number:
        _validate_number_free(data["number"], exclude_pk=household.pk)
    for field, value in data.items():
        setattr(household, field, value)
    _save(household, "number", rules.number_unavailable(household.number))
    audit_record(
        actor=actor,
        action="household.update",
        obj=household,
        tree_id=household.grid.tree_id,
        before=before,
        after=snapshot(household, HOUSEHOLD_FIELDS),
    )
    return household


@transaction.atomic
def household_move(*, actor, household: Household, grid: GridNode, reason: str = "") -> Household:
    """Move a household to another group grid, holding the target grid's capacity rule."""
    household = lock_household_row(household)
    locked = _lock_group_grids(household.grid, grid)
    target = locked[grid.pk]
    _require_writer(actor, household.grid)
    _require_writer(actor, target)
    if target.pk == household.grid_id:
        return household
    if household.status == HouseholdStatus.ACTIVE:
        _require_room(target)
    before = snapshot(household, HOUSEHOLD_FIELDS)
    household.grid = target
    household.village_group = target.village_group
    household.save()
    audit_record(
        actor=actor,
        action="household.move",
        obj=household,
        tree_id=target.tree_id,
        before=before,
        after=snapshot(household, HOUSEHOLD_FIELDS),
        reason=reason,
    )
    return household


@transaction.atomic
def household_close(*, actor, household: Household, status: str, reason: str = "") -> Household:
    """Mark a household as moved out of the county or dissolved; the row and members stay."""
    if status not in (HouseholdStatus.MOVED_OUT, HouseholdStatus.DISSOLVED):
        raise ValidationError({"status": _("只能将农户标记为“整户迁出”或“已注销”。")})
    household = lock_household_row(household)
    _require_writer(actor, household.grid)
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            {
                "status": _("户 {number} 已是“{status}”状态。").format(
                    number=household.number, status=household.get_status_display()
                )
            }
        )
    before = snapshot(household, HOUSEHOLD_FIELDS)
    household.status = status
    household.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="household.close",
        obj=household,
        tree_id=household.grid.tree_id,
        before=before,
        after=snapshot(household, HOUSEHOLD_FIELDS),
        reason=reason,
    )
    return household


# --- Persons --------------------------------------------------------------------------------


def _lock_household(household: Household) -> Household:
    household = lock_household_row(household)
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            _("户 {number} 是“{status}”状态，不能再变更成员。").format(
                number=household.number, status=household.get_status_display()
            )
        )
    return household


def _current_head(household: Household) -> Person | None:
    return Person.objects.filter(
        household=household, relation=Relation.HEAD, status=PersonStatus.ACTIVE
    ).first()


@transaction.atomic
def person_add(
    *,
    actor,
    household: Household,
    id_number: str,
    reason: str = JoinReason.REGISTERED,
    joined_on: datetime.date | None = None,
    **fields,
) -> Person:
    """Add a member (birth, marriage in, moving in, or first registration).

    A person who left another household (marriage, moving) and joins this one keeps their row:
    it moves here and becomes active again, so one ID number stays one person.
    """
    if reason not in JoinReason.values:
        raise ValidationError({"reason": _("加入原因应为建档登记、出生、婚入或迁入。")})
    unknown = set(fields) - PERSON_EDITABLE
    if unknown:
        raise ValidationError({f: _("该字段不能在此填写。") for f in sorted(unknown)})
    household = _lock_household(household)
    _require_writer(actor, household.grid)
    data = _person_defaults(fields)
    _validate_person(data)
    stored = _protect(id_number)
    sex, born = rules.identity(stored.number)
    if reason == JoinReason.BIRTH and (datetime.date.today() - born).days > 366:
        raise ValidationError({"reason": _("“出生”只用于一岁以内新生儿，其他情况请选婚入或迁入。")})
    if data["relation"] == Relation.HEAD and _current_head(household):
        raise ValidationError(
            {"relation": _("户 {number} 已有户主。").format(number=household.number)}
        )

    existing = Person.objects.select_for_update().filter(id_hash=stored.hash).first()
    before = None
    if existing is not None:
        if existing.status != PersonStatus.LEFT:
            raise ValidationError({"id_number": rules.id_unavailable(stored.masked)})
        before = snapshot(existing, PERSON_FIELDS)
        person = existing
    else:
        person = Person(**stored.fields())
    for field, value in data.items():
        setattr(person, field, value)
    person.household = household
    person.sex, person.birth_date = sex, born
    person.status = PersonStatus.ACTIVE
    person.joined_reason = reason
    person.joined_on = joined_on or (
        datetime.date.today() if reason != JoinReason.REGISTERED else None
    )
    person.left_reason, person.left_on = "", None
    _save(
        person,
        "id_number",
        rules.id_unavailable(stored.masked),
    )
    if person.relation == Relation.HEAD:
        Household.objects.filter(pk=household.pk).update(head_name=person.name)
    audit_record(
        actor=actor,
        action="person.add",
        obj=person,
        tree_id=household.grid.tree_id,
        before=before,
        after=snapshot(person, PERSON_FIELDS),
        reason=JoinReason(reason).label,
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, id_number: str | None = None, **changes) -> Person:
    """Correct a member's data; a corrected ID number re-derives sex and birth date."""
    unknown = set(changes) - PERSON_EDITABLE
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    person = Person.objects.select_for_update().get(pk=person.pk)
    household = _lock_household(person.household)
    _require_writer(actor, household.grid)
    before = snapshot(person, PERSON_FIELDS)
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    merged = {**snapshot(person, PERSON_EDITABLE), **data}
    _validate_person(merged)
    if data.get("relation") == Relation.HEAD and person.relation != Relation.HEAD:
        head = _current_head(household)
        if head and head.pk != person.pk:
            raise ValidationError(
                {
                    "relation": _("户 {number} 已有户主 {name}，请先调整原户主的关系。").format(
                        number=household.number, name=head.name
                    )
                }
            )
    for field, value in data.items():
        setattr(person, field, value)
    if id_number:
        stored = _protect(id_number)
        if stored.hash != person.id_hash:
            if rules.id_hashes_taken([stored.hash], exclude_pk=person.pk):
                raise ValidationError({"id_number": rules.id_unavailable(stored.masked)})
            for field, value in stored.fields().items():
                setattr(person, field, value)
            person.sex, person.birth_date = rules.identity(stored.number)
    _save(person, "id_number", rules.id_unavailable(person.id_masked))
    if person.relation == Relation.HEAD and person.is_active:
        Household.objects.filter(pk=household.pk).update(head_name=person.name)
    elif before["relation"] == Relation.HEAD:
        Household.objects.filter(pk=household.pk).update(head_name="")
    audit_record(
        actor=actor,
        action="person.update",
        obj=person,
        tree_id=household.grid.tree_id,
        before=before,
        after=snapshot(person, PERSON_FIELDS),
    )
    return person


@transaction.atomic
def person_remove(
    *,
    actor,
    person: Person,
    reason: str,
    on: datetime.date | None = None,
    new_head: Person | None = None,
) -> Person:
    """A member leaves: death, marriage out or moving out. The row stays with its status.

    When the head leaves and others remain, ``new_head`` (an active member) takes over.
    """
    if reason not in LeaveReason.values:
        raise ValidationError({"reason": _("减少原因应为死亡、婚出或迁出。")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    household = _lock_household(person.household)
    _require_writer(actor, household.grid)
    if not person.is_active:
        raise ValidationError(
            _("{name} 已是“{status}”状态。").format(
                name=person.name, status=person.get_status_display()
            )
        )
    others = Person.objects.filter(household=household, status=PersonStatus.ACTIVE).exclude(
        pk=person.pk
    )
    heir_missing = new_head is None or not others.filter(pk=new_head.pk).exists()
    if person.relation == Relation.HEAD and others.exists() and heir_missing:
        raise ValidationError(
            {
                "new_head": _("{name} 是户主，请指定本户另一名在册成员为新户主。").format(
                    name=person.name
                )
            }
        )
    before = snapshot(person, PERSON_FIELDS)
    person.status = PersonStatus.DECEASED if reason == LeaveReason.DEATH else PersonStatus.LEFT
    person.left_reason = reason
    person.left_on = on or datetime.date.today()
    person.save()
    audit_record(
        actor=actor,
        action="person.remove",
        obj=person,
        tree_id=household.grid.tree_id,
        before=before,
        after=snapshot(person, PERSON_FIELDS),
        reason=LeaveReason(reason).label,
    )
    if person.relation == Relation.HEAD and new_head is not None:
        heir = others.select_for_update().get(pk=new_head.pk)
        heir_before = snapshot(heir, PERSON_FIELDS)
        heir.relation = Relation.HEAD
        heir.save(update_fields=["relation", "updated_at"])
        Household.objects.filter(pk=household.pk).update(head_name=heir.name)
        audit_record(
            actor=actor,
            action="person.update",
            obj=heir,
            tree_id=household.grid.tree_id,
            before=heir_before,
            after=snapshot(heir, PERSON_FIELDS),
            reason=_("原户主{reason}，变更户主").format(reason=LeaveReason(reason).label),
        )
    return person


@transaction.atomic
def person_reveal_id(*, actor, person: Person, reason: str = "") -> str:
    """The whole ID number of ``person`` for a permitted role; every reveal is audited.

    The caller must have found ``person`` through a scoped selector; this re-checks the scope.
    """
    if not can_reveal(actor):
        raise PermissionDenied(_("您没有查看完整身份证号的权限。"))
    person = Person.objects.visible_to(actor).select_related("household__grid").get(pk=person.pk)
    number = idnumbers.decrypt(person.id_encrypted)
    audit_record(
        actor=actor,
        action="person.reveal_id",
        obj=person,
        tree_id=person.household.grid.tree_id,
        after={"id_masked": person.id_masked},
        reason=reason,
    )
    return number
