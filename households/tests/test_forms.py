"""Pages that write: register one household on a group grid, add a member to a household.

Both go through the services (rules, locks, audit); service errors land on the form's fields in
Chinese; pages are scoped (404 outside, 403 for readers who may not write) and their query
counts are pinned.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditLog
from grids import services as grid_services
from grids.models import Role
from households import idnumbers
from households.models import Household, HouseholdStatus, Person, PersonStatus, Relation
from households.tests.factories import HouseholdFactory, household_with_members, synthetic_id

pytestmark = pytest.mark.django_db


def _new_household(grid_tree, **extra):
    data = {
        "number": "G1-NEW",
        "household_type": "lifted",
        "address": "一村1组8号",
        "phone": "13812345678",
        "platform_registered": "on",
        "platform_registered_on": "2024-03-01",
        "name": "和永福",
        "id_number": synthetic_id(),
        "health": "healthy",
        "labour_capacity": "ordinary",
        "schooling": "not_in_school",
        "medical_insurance": "on",
        "social_assistance": "none",
        "migrant_months": "0",
    }
    data.update(extra)
    return data


def _new_member(**extra):
    data = {
        "name": "和小花",
        "id_number": synthetic_id(birth=datetime.date(2000, 5, 1), sex="female"),
        "relation": "child_in_law",
        "reason": "marriage_in",
        "health": "healthy",
        "labour_capacity": "ordinary",
        "schooling": "not_in_school",
        "social_assistance": "none",
        "migrant_months": "",
    }
    data.update(extra)
    return data


def _queries(client, url):
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


def _village_member(grid_tree, make_user):
    """Sees the village's households but keeps none (a member above the group grids)."""
    user = make_user("v1member")
    grid_services.assignment_create(
        actor=grid_tree.superuser, user=user, grid=grid_tree.v1, role=Role.MEMBER
    )
    return user


# --- Register a household -------------------------------------------------------------------


def test_group_grid_list_offers_registration_to_its_writers_only(grid_tree, client, make_user):
    url = f"/households/?grid={grid_tree.g1.code}"
    for user in (grid_tree.v1_leader, grid_tree.g1_member):
        client.force_login(user)
        assert "/households/new/?grid=" + grid_tree.g1.code in client.get(url).content.decode()
    client.force_login(_village_member(grid_tree, make_user))
    assert "/households/new/" not in client.get(url).content.decode()
    client.force_login(grid_tree.v1_leader)  # a village's list: no single grid to register on
    body = client.get(f"/households/?grid={grid_tree.v1.code}").content.decode()
    assert "/households/new/" not in body


def test_registration_page_query_count_is_pinned_and_flat(grid_tree, client):
    client.force_login(grid_tree.g1_member)
    url = f"/households/new/?grid={grid_tree.g1.code}"
    counts = []
    for total in (3, 15):
        Household.objects.all().delete()
        for _ in range(total):
            HouseholdFactory(grid=grid_tree.g1)
        n, response = _queries(client, url)
        counts.append(n)
        assert response.context["active"] == total
    # session, user, scope (also answers "may write"), grid by code, active count
    assert counts == [5, 5], counts


def test_registering_creates_household_and_head_through_the_service(grid_tree, client):
    client.force_login(grid_tree.g1_member)
    data = _new_household(grid_tree)
    response = client.post(f"/households/new/?grid={grid_tree.g1.code}", data)

    household = Household.objects.get(number="G1-NEW")
    assert response.status_code == 302 and response.url == f"/households/{household.pk}/"
    assert household.grid == grid_tree.g1 and household.household_type == "lifted"
    assert household.head_name == "和永福" and household.phone == "13812345678"
    assert household.platform_registered_on == datetime.date(2024, 3, 1)
    head = household.members.get()
    assert head.relation == Relation.HEAD and head.medical_insurance and not head.pension_insurance
    assert head.id_hash == idnumbers.hash_id(data["id_number"])
    assert data["id_number"] not in head.id_encrypted + head.id_masked
    actions = set(
        AuditLog.objects.filter(actor=grid_tree.g1_member)
        .exclude(action__startswith="auth.")  # the login itself is recorded too
        .values_list("action", flat=True)
    )
    assert actions == {"household.create", "person.add"}
    page = client.get(response.url).content.decode()
    assert "已在" in page and idnumbers.mask(data["id_number"]) in page
    assert data["id_number"] not in page


def test_registration_errors_are_on_their_fields_in_chinese_and_nothing_is_written(
    grid_tree, client
):
    HouseholdFactory(grid=grid_tree.g2, number="TAKEN")
    client.force_login(grid_tree.v1_leader)
    url = f"/households/new/?grid={grid_tree.g1.code}"
    good = synthetic_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    cases = [
        ({"id_number": bad_check}, "id_number", "校验位"),
        ({"id_number": good[:10]}, "id_number", "18"),
        ({"number": "TAKEN"}, "number", "不可用"),
        ({"platform_registered": ""}, "platform_registered_on", "未纳入"),
        ({"name": ""}, "name", "必填"),
        ({"migrant_months": "13"}, "migrant_months", "12"),
        ({"health": "chronic", "disability_grade": "2"}, "disability_grade", "残疾"),
    ]
    before = (Household.objects.count(), Person.objects.count(), AuditLog.objects.count())
    for extra, field, words in cases:
        response = client.post(url, _new_household(grid_tree, **extra))
        assert response.status_code == 200, extra
        errors = response.context["form"].errors
        assert field in errors and words in " ".join(errors[field]), (extra, errors)
        assert f'id="id_{field}_error"' in response.content.decode()
    assert (Household.objects.count(), Person.objects.count(), AuditLog.objects.count()) == before
    # a wrong ID number is reported together with the other fields' errors
    response = client.post(url, _new_household(grid_tree, id_number=bad_check, number=""))
    assert {"id_number", "number"} <= set(response.context["form"].errors)


def test_a_full_grid_says_so_and_refuses(grid_tree, client, settings):
    settings.GRID_GROUP_HARD_LIMIT = 2
    HouseholdFactory(grid=grid_tree.g1)
    client.force_login(grid_tree.v1_leader)
    url = f"/households/new/?grid={grid_tree.g1.code}"
    assert 'id="household-form"' in client.get(url).content.decode()

    HouseholdFactory(grid=grid_tree.g1)
    body = client.get(url).content.decode()
    assert "不能再登记" in body and 'id="household-form"' not in body
    response = client.post(url, _new_household(grid_tree))  # a form kept open meanwhile
    assert "上限" in " ".join(response.context["form"].non_field_errors())
    assert Household.objects.filter(grid=grid_tree.g1).count() == 2


def test_registration_is_scoped(grid_tree, client, make_user):
    client.force_login(grid_tree.v1_leader)
    assert client.get(f"/households/new/?grid={grid_tree.g4.code}").status_code == 404
    assert client.get(f"/households/new/?grid={grid_tree.v1.code}").status_code == 404  # no group
    assert client.get("/households/new/?grid=nope").status_code == 404
    client.force_login(grid_tree.g1_member)  # sees only its own group grid
    response = client.post(f"/households/new/?grid={grid_tree.g2.code}", _new_household(grid_tree))
    assert response.status_code == 404
    client.force_login(_village_member(grid_tree, make_user))
    response = client.post(f"/households/new/?grid={grid_tree.g1.code}", _new_household(grid_tree))
    assert response.status_code == 403
    assert not Household.objects.exists()


# --- Add a member ---------------------------------------------------------------------------


def test_household_page_offers_adding_a_member_to_writers_of_active_households(
    grid_tree, client, make_user
):
    household = household_with_members(grid_tree.g1, members=1)
    client.force_login(grid_tree.g1_member)
    assert (
        f"/households/{household.pk}/members/new/"
        in client.get(f"/households/{household.pk}/").content.decode()
    )
    client.force_login(_village_member(grid_tree, make_user))
    body = client.get(f"/households/{household.pk}/").content.decode()
    assert "/members/new/" not in body
    Household.objects.filter(pk=household.pk).update(status=HouseholdStatus.DISSOLVED)
    client.force_login(grid_tree.g1_member)
    assert "/members/new/" not in client.get(f"/households/{household.pk}/").content.decode()


def test_member_page_query_count_is_pinned_and_flat(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    counts = []
    for members in (3, 30):
        household = household_with_members(grid_tree.g1, members=members)
        n, _response = _queries(client, f"/households/{household.pk}/members/new/")
        counts.append(n)
    # session, user, scope (also answers "may write"), household (+grid, parent)
    assert counts == [4, 4], counts


def test_adding_a_member_goes_through_the_service_and_is_audited(grid_tree, client):
    household = household_with_members(grid_tree.g1, members=1, head_name="和文华")
    client.force_login(grid_tree.g1_member)
    data = _new_member()
    response = client.post(f"/households/{household.pk}/members/new/", data)

    assert response.status_code == 302 and response.url == f"/households/{household.pk}/"
    person = Person.objects.get(id_hash=idnumbers.hash_id(data["id_number"]))
    assert person.household == household and person.status == PersonStatus.ACTIVE
    assert person.relation == "child_in_law" and person.joined_reason == "marriage_in"
    assert person.sex == "female" and person.birth_date == datetime.date(2000, 5, 1)
    assert person.joined_on == datetime.date.today() and person.migrant_months == 0
    log = AuditLog.objects.get(action="person.add", object_id=str(person.pk))
    assert log.actor == grid_tree.g1_member and log.reason == "婚入"
    assert data["id_number"] not in str(log.after)
    assert "已将 和小花 添加为" in client.get(response.url).content.decode()


def test_member_errors_are_on_their_fields_and_nothing_is_written(grid_tree, client):
    household = household_with_members(grid_tree.g1, members=1)
    other = household_with_members(grid_tree.g2, members=1)
    taken = idnumbers.decrypt(other.members.get().id_encrypted)
    client.force_login(grid_tree.v1_leader)
    url = f"/households/{household.pk}/members/new/"
    adult = synthetic_id(birth=datetime.date(1990, 1, 1))
    cases = [
        ({"id_number": taken}, "id_number", "不可用"),
        ({"id_number": adult, "reason": "birth"}, "reason", "一岁以内"),
        ({"id_number": "53342319900230123X"}, "id_number", "日期"),
        ({"relation": "head"}, "relation", "有效"),  # the head is not chosen here
        ({"joined_on": "2024-02-30"}, "joined_on", "日期"),
    ]
    before = (Person.objects.count(), AuditLog.objects.count())
    for extra, field, words in cases:
        response = client.post(url, _new_member(**extra))
        assert response.status_code == 200, extra
        errors = response.context["form"].errors
        assert field in errors and words in " ".join(errors[field]), (extra, errors)
    assert (Person.objects.count(), AuditLog.objects.count()) == before


def test_member_page_is_scoped_and_closed_households_take_nobody(grid_tree, client, make_user):
    outside = household_with_members(grid_tree.g4, members=1)
    household = household_with_members(grid_tree.g1, members=1)
    client.force_login(grid_tree.v1_leader)
    assert client.get(f"/households/{outside.pk}/members/new/").status_code == 404
    assert client.post(f"/households/{outside.pk}/members/new/", _new_member()).status_code == 404
    client.force_login(_village_member(grid_tree, make_user))
    url = f"/households/{household.pk}/members/new/"
    assert client.post(url, _new_member()).status_code == 403
    Household.objects.filter(pk=household.pk).update(status=HouseholdStatus.MOVED_OUT)
    client.force_login(grid_tree.v1_leader)
    response = client.post(url, _new_member())
    assert response.status_code == 200 and "不能再添加成员" in response.content.decode()
    assert Person.objects.count() == 2
