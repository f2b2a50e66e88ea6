"""Services: capacity, members over time, ID numbers as personal data, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.models import AuditLog
from households import idnumbers, services
from households.idstore import protect, protect_canonical
from households.models import (
    Household,
    HouseholdStatus,
    Person,
    PersonStatus,
    Relation,
)
from households.tests.factories import HouseholdFactory, household_with_members, synthetic_id

pytestmark = pytest.mark.django_db


def _head(id_number=None, name="和永福"):
    return {"name": name, "id_number": id_number or synthetic_id()}


def _create(tree, grid, number, actor=None, **kwargs):
    return services.household_create(
        actor=actor or tree.county, grid=grid, number=number, head=_head(), **kwargs
    )


def test_protect_canonical_matches_the_public_functions(settings):
    number = synthetic_id()
    fast, slow = protect_canonical(number), protect(number)
    assert fast.hash == slow.hash == idnumbers.hash_id(number)
    assert fast.masked == slow.masked == idnumbers.mask(number)
    assert idnumbers.decrypt(fast.encrypted) == number


def test_create_registers_household_with_head_and_audits_masked(grid_tree):
    number = synthetic_id()
    household = services.household_create(
        actor=grid_tree.v1_leader,
        grid=grid_tree.g1,
        number="H-1",
        head={"name": "和永福", "id_number": number.lower()},
        household_type="lifted",
    )
    head = household.members.get()
    assert household.head_name == "和永福" and household.village_group == grid_tree.g1.village_group
    assert head.relation == Relation.HEAD and head.birth_date == idnumbers.birth_date(number)
    assert head.id_masked == idnumbers.mask(number)
    logs = AuditLog.objects.filter(action__in=["household.create", "person.add"])
    assert logs.count() == 2
    for log in logs:
        assert number not in str(log.before) + str(log.after)


def test_the_21st_household_is_refused(grid_tree, settings):
    settings.GRID_GROUP_HARD_LIMIT = 20
    for i in range(20):
        HouseholdFactory(grid=grid_tree.g1, number=f"F{i}")
    with pytest.raises(ValidationError) as exc:
        _create(grid_tree, grid_tree.g1, "H-21")
    assert "20 户上限" in str(exc.value)
    assert Household.objects.filter(grid=grid_tree.g1).count() == 20
    assert not Person.objects.exists()


def test_closed_households_do_not_count_against_capacity(grid_tree, settings):
    settings.GRID_GROUP_HARD_LIMIT = 2
    HouseholdFactory(grid=grid_tree.g1)
    HouseholdFactory(grid=grid_tree.g1, status=HouseholdStatus.MOVED_OUT)
    assert _create(grid_tree, grid_tree.g1, "H-ok").pk


def test_households_only_on_group_grids(grid_tree):
    with pytest.raises(ValidationError) as exc:
        _create(grid_tree, grid_tree.v1, "H-v")
    assert "组网格" in str(exc.value)


def test_duplicate_id_number_is_refused(grid_tree):
    number = synthetic_id()
    services.household_create(
        actor=grid_tree.county, grid=grid_tree.g1, number="A", head=_head(number)
    )
    with pytest.raises(ValidationError):
        services.household_create(
            actor=grid_tree.county, grid=grid_tree.g2, number="B", head=_head(number)
        )
    assert not Household.objects.filter(number="B").exists()


def test_bad_check_digit_says_so(grid_tree):
    number = synthetic_id()
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.household_create(
            actor=grid_tree.county, grid=grid_tree.g1, number="A", head=_head(bad)
        )
    assert "校验位" in str(exc.value)


def test_outsiders_and_sibling_members_cannot_write(grid_tree):
    with pytest.raises(PermissionDenied):
        _create(grid_tree, grid_tree.g4, "X", actor=grid_tree.t1_leader)
    with pytest.raises(PermissionDenied):
        _create(grid_tree, grid_tree.g4, "X", actor=grid_tree.dept)  # department member at C
    assert _create(grid_tree, grid_tree.g1, "Y", actor=grid_tree.g1_member).pk  # own group


def test_move_holds_target_capacity_and_is_audited(grid_tree, settings):
    settings.GRID_GROUP_HARD_LIMIT = 1
    household = household_with_members(grid_tree.g1)
    HouseholdFactory(grid=grid_tree.g2)
    with pytest.raises(ValidationError):
        services.household_move(actor=grid_tree.county, household=household, grid=grid_tree.g2)
    settings.GRID_GROUP_HARD_LIMIT = 20
    moved = services.household_move(
        actor=grid_tree.county, household=household, grid=grid_tree.g3, reason="搬家"
    )
    assert moved.grid_id == grid_tree.g3.pk
    log = AuditLog.objects.get(action="household.move")
    assert log.before["grid_id"] == grid_tree.g1.pk and log.after["grid_id"] == grid_tree.g3.pk


def test_birth_marriage_death_and_moving_out_keep_history(grid_tree):
    household = household_with_members(grid_tree.g1, members=2)
    head = household.members.get(relation=Relation.HEAD)
    baby_id = synthetic_id(birth=datetime.date.today() - datetime.timedelta(days=30))
    baby = services.person_add(
        actor=grid_tree.g1_member,
        household=household,
        id_number=baby_id,
        name="新生",
        relation=Relation.CHILD,
        reason="birth",
    )
    assert baby.joined_reason == "birth" and baby.joined_on == datetime.date.today()

    # the head dies: another member must take over
    spouse = household.members.exclude(pk__in=[head.pk, baby.pk]).get()
    with pytest.raises(ValidationError):
        services.person_remove(actor=grid_tree.county, person=head, reason="death")
    services.person_remove(actor=grid_tree.county, person=head, reason="death", new_head=spouse)
    head.refresh_from_db()
    spouse.refresh_from_db()
    household.refresh_from_db()
    assert head.status == PersonStatus.DECEASED and spouse.relation == Relation.HEAD
    assert household.head_name == spouse.name

    # marriage out, then in to another household: the same row moves with the same number
    services.person_remove(actor=grid_tree.county, person=baby, reason="marriage_out")
    other = household_with_members(grid_tree.g2, members=1)
    again = services.person_add(
        actor=grid_tree.county,
        household=other,
        id_number=baby_id,
        name="新生",
        relation=Relation.SPOUSE,
        reason="marriage_in",
    )
    assert again.pk == baby.pk and again.household_id == other.pk and again.is_active
    # the deceased head stays in the first household; the moved person's path is in the audit
    assert Person.objects.filter(household=household).count() == 2
    assert AuditLog.objects.filter(action="person.remove").count() == 2
    moved = AuditLog.objects.filter(action="person.add", object_id=str(baby.pk)).first()
    assert moved.before["household_id"] == household.pk
    assert moved.after["household_id"] == other.pk


def test_deceased_person_cannot_be_registered_again(grid_tree):
    household = household_with_members(grid_tree.g1, members=2)
    member = household.members.exclude(relation=Relation.HEAD).get()
    services.person_remove(actor=grid_tree.county, person=member, reason="death")
    with pytest.raises(ValidationError):
        services.person_add(
            actor=grid_tree.county,
            household=household,
            id_number=idnumbers.decrypt(member.id_encrypted),
            name="x",
            relation=Relation.CHILD,
            reason="moved_in",
        )


def test_second_head_is_refused(grid_tree):
    household = household_with_members(grid_tree.g1, members=1)
    with pytest.raises(ValidationError):
        services.person_add(
            actor=grid_tree.county,
            household=household,
            id_number=synthetic_id(),
            name="二号",
            relation=Relation.HEAD,
        )


def test_update_corrects_id_number_and_rederives_birth(grid_tree):
    household = household_with_members(grid_tree.g1, members=2)
    member = household.members.exclude(relation=Relation.HEAD).get()
    new = synthetic_id(birth=datetime.date(1990, 2, 3), sex="female")
    services.person_update(actor=grid_tree.county, person=member, id_number=new, health="chronic")
    member.refresh_from_db()
    assert member.birth_date == datetime.date(1990, 2, 3) and member.sex == "female"
    assert member.id_hash == idnumbers.hash_id(new) and member.health == "chronic"


def test_reveal_needs_permission_and_is_audited(grid_tree, revealer):
    household = household_with_members(grid_tree.g1, members=1)
    person = household.members.get()
    with pytest.raises(PermissionDenied):
        services.person_reveal_id(actor=grid_tree.v1_leader, person=person)
    assert not AuditLog.objects.filter(action="person.reveal_id").exists()

    number = services.person_reveal_id(actor=revealer, person=person, reason="核对")
    assert idnumbers.hash_id(number) == person.id_hash
    log = AuditLog.objects.get(action="person.reveal_id")
    assert log.actor == revealer and log.after == {"id_masked": person.id_masked}
    assert number not in str(log.after) + log.object_repr


def test_reveal_outside_scope_reads_as_absent(grid_tree, revealer, make_user):
    from django.contrib.auth.models import Permission

    household = household_with_members(grid_tree.g4, members=1)
    outsider = grid_tree.t1_leader
    outsider.user_permissions.add(Permission.objects.get(codename="view_full_id_number"))
    outsider = type(outsider).objects.get(pk=outsider.pk)
    with pytest.raises(Person.DoesNotExist):
        services.person_reveal_id(actor=outsider, person=household.members.get())


def test_id_numbers_never_stored_in_clear(grid_tree):
    numbers = [synthetic_id() for _ in range(3)]
    for i, number in enumerate(numbers):
        services.household_create(
            actor=grid_tree.county, grid=grid_tree.g1, number=f"N{i}", head=_head(number)
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM households_person")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM households_household")
        rows += cursor.fetchall()
        cursor.execute("SELECT before, after, object_repr FROM core_auditlog")
        rows += cursor.fetchall()
    dump = repr(rows)
    for number in numbers:
        assert number not in dump and number[:14] not in dump and number[6:] not in dump
