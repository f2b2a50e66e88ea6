"""Reference data: what is the deployment's only its administrators change; what is a
county's its administrators keep in the admin, scoped, and no other county's."""

import pytest

from comparison.catalogue import ensure_catalogue
from comparison.models import Signal
from core.models import AuditLog
from grids.models import Department
from monitoring.models import MonitoringLine

pytestmark = pytest.mark.django_db


def _admin_client(client, user):
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_a_county_admin_reads_departments_but_cannot_rename_them(grid_tree, client):
    dept = Department.objects.get(code="yibao")
    c = _admin_client(client, grid_tree.county)
    url = f"/admin/grids/department/{dept.pk}/change/"
    assert c.get(url).status_code == 200  # read-only view
    response = c.post(url, {"code": "yibao", "name": "改名"})
    assert response.status_code == 403
    dept.refresh_from_db()
    assert dept.name != "改名"
    assert c.post("/admin/grids/department/add/", {"code": "x", "name": "新"}).status_code == 403


def test_the_deployment_admin_renames_a_department(grid_tree, client):
    dept = Department.objects.get(code="yibao")
    client.force_login(grid_tree.superuser)
    response = client.post(
        f"/admin/grids/department/{dept.pk}/change/", {"code": "yibao", "name": "医疗保障局"}
    )
    assert response.status_code == 302
    dept.refresh_from_db()
    assert dept.name == "医疗保障局"


def test_county_admin_keeps_own_county_lines_not_a_provinces(grid_tree, client):
    c = _admin_client(client, grid_tree.county)
    form = {"year": "2026", "area_name": "测试县", "yuan": "9100"}
    response = c.post("/admin/monitoring/monitoringline/add/", {**form, "area_code": "533423"})
    assert response.status_code == 302, response.content.decode()[:500]
    line = MonitoringLine.objects.get(area_code="533423", year=2026)
    assert AuditLog.objects.filter(
        action="monitoring_line.create", object_id=str(line.pk), actor=grid_tree.county
    ).exists()
    response = c.post("/admin/monitoring/monitoringline/add/", {**form, "area_code": "53"})
    assert response.status_code == 403
    assert not MonitoringLine.objects.filter(area_code="53", year=2026).exists()
    province = MonitoringLine.objects.create(area_code="53", year=2025, yuan=8700)
    page = c.get(f"/admin/monitoring/monitoringline/{province.pk}/change/")
    assert page.status_code == 200 and 'name="yuan"' not in page.content.decode()


def test_county_admin_sees_and_changes_only_their_countys_catalogue(
    grid_tree, other_county, client
):
    ensure_catalogue(grid_tree.c)
    ensure_catalogue(other_county.d)
    mine = Signal.objects.filter(county=grid_tree.c).first()
    theirs = Signal.objects.filter(county=other_county.d).first()
    c = _admin_client(client, grid_tree.county)
    listing = c.get("/admin/comparison/signal/").content.decode()
    assert f"/admin/comparison/signal/{mine.pk}/change/" in listing
    assert f"/admin/comparison/signal/{theirs.pk}/change/" not in listing
    assert c.get(f"/admin/comparison/signal/{theirs.pk}/change/").status_code == 302  # "not found"
    assert c.get(f"/admin/comparison/signal/{mine.pk}/change/").status_code == 200


def test_audit_log_in_the_admin_reads_names_not_codes(grid_tree, client):
    from monitoring import services
    from monitoring.tests.factories import make_household

    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="illness", source="visit"
    )
    services.clue_dismiss(actor=grid_tree.v1_leader, clue=clue, reason="核实无风险")
    c = _admin_client(client, grid_tree.county)
    page = c.get("/admin/core/auditlog/").content.decode()
    assert "风险线索 · 排除" in page and ">clue.dismiss<" not in page


def test_county_admin_keeps_their_countys_accounts_only(grid_tree, other_county, client):
    c = _admin_client(client, grid_tree.county)
    listing = c.get("/admin/auth/user/").content.decode()
    assert f"/admin/auth/user/{grid_tree.g1_member.pk}/change/" in listing
    assert f"/admin/auth/user/{other_county.member.pk}/change/" not in listing
    assert f"/admin/auth/user/{grid_tree.superuser.pk}/change/" not in listing
    theirs = c.get(f"/admin/auth/user/{other_county.member.pk}/change/")
    assert theirs.status_code == 302  # "does not exist"
    page = c.get(f"/admin/auth/user/{grid_tree.g1_member.pk}/change/").content.decode()
    assert 'name="first_name"' in page and 'name="is_superuser"' not in page
    assert 'name="groups"' not in page


def test_county_admin_resets_a_password_and_creates_an_account(grid_tree, client):
    from django.contrib.auth import get_user_model

    c = _admin_client(client, grid_tree.county)
    member = grid_tree.g1_member
    response = c.post(
        f"/admin/auth/user/{member.pk}/password/",
        {"password1": "Xin-mima-2026!", "password2": "Xin-mima-2026!"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Xin-mima-2026!")
    response = c.post(
        "/admin/auth/user/add/",
        {
            "username": "new-member",
            "usable_password": "true",
            "password1": "Chu-shi-2026!",
            "password2": "Chu-shi-2026!",
        },
    )
    created = get_user_model().objects.get(username="new-member")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/grids/gridassignment/add/?user={created.pk}")
    assert not created.is_superuser and not created.is_staff


def test_a_cross_county_admin_write_is_refused_and_changes_nothing(grid_tree, other_county, client):
    from assistance.models import SuggestionRule

    ensure_catalogue(other_county.d)
    theirs = Signal.objects.filter(county=other_county.d).first()
    before = Signal.objects.filter(pk=theirs.pk).values().get()
    c = _admin_client(client, grid_tree.county)
    response = c.post(
        f"/admin/comparison/signal/{theirs.pk}/change/",
        {"name": "改名", "code": theirs.code, "department": theirs.department_id},
    )
    assert response.status_code == 302 and "/admin/" in response["Location"]
    assert Signal.objects.filter(pk=theirs.pk).values().get() == before
    count = SuggestionRule.objects.count()
    response = c.post(
        "/admin/assistance/suggestionrule/add/",
        {
            "county": other_county.d.pk,
            "risk_type": "illness",
            "category": "health",
            "kind": "medical_assistance",
            "active": "on",
            "order": "1",
        },
    )
    assert response.status_code == 200  # the form refuses the other county
    assert SuggestionRule.objects.count() == count
    line_count = MonitoringLine.objects.count()
    response = c.post(
        "/admin/monitoring/monitoringline/add/",
        {"year": "2026", "area_code": other_county.d.code, "area_name": "另一县", "yuan": "1"},
    )
    assert response.status_code == 403 and MonitoringLine.objects.count() == line_count


def test_an_unplaced_operator_account_is_not_a_county_admins(grid_tree, make_user, client):
    operator = make_user("operator")
    operator.is_staff = True
    operator.save()
    plain = make_user("plain-new")
    c = _admin_client(client, grid_tree.county)
    listing = c.get("/admin/auth/user/").content.decode()
    assert f"/admin/auth/user/{plain.pk}/change/" in listing
    assert f"/admin/auth/user/{operator.pk}/change/" not in listing
    response = c.post(
        f"/admin/auth/user/{operator.pk}/password/",
        {"password1": "Jie-guan-2026!", "password2": "Jie-guan-2026!"},
    )
    assert response.status_code in (302, 403, 404)
    operator.refresh_from_db()
    assert not operator.check_password("Jie-guan-2026!")


def test_account_list_queries_do_not_grow_with_accounts(grid_tree, make_user, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grids import services
    from grids.models import Role

    c = _admin_client(client, grid_tree.county)
    counts = []
    for n in (3, 12):
        for i in range(n):
            user = make_user(f"m{n}-{i}")
            services.assignment_create(
                actor=grid_tree.superuser, user=user, grid=grid_tree.g2, role=Role.MEMBER
            )
        c.get("/admin/auth/user/")
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/admin/auth/user/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
