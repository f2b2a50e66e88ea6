"""代办 on pages: a grid member files an application for a household of their grid; the village
leader records the home check, the result with its reason, and completes it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditLog
from monitoring.models import RiskClue, SelfApplication
from monitoring.tests.factories import make_household

pytestmark = pytest.mark.django_db


def _file(client, household, **extra):
    applicant = household.members.get()
    data = {
        "applicant": applicant.pk,
        "phone": "13800001111",
        "matter": "medical",
        "description": "户主住院，自付费用高",
        "risk_types": ["illness"],
        "consent": "on",
        **extra,
    }
    return client.post(f"/monitoring/households/{household.pk}/applications/new/", data)


def test_a_member_files_and_the_village_decides_and_completes(grid_tree, client):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert f"/monitoring/households/{household.pk}/applications/new/" in page
    form = client.get(f"/monitoring/households/{household.pk}/applications/new/")
    assert household.members.get().id_masked in form.content.decode()
    response = _file(client, household)
    application = SelfApplication.objects.get()
    assert (
        response.status_code == 302
        and response.url == f"/monitoring/applications/{application.pk}/"
    )
    assert (application.channel, application.status) == ("proxy", "received")
    assert application.applicant_id_hash == household.members.get().id_hash
    assert application.filed_by == grid_tree.g1_member
    # The member starts the home check; the result is the leader's.
    client.post(f"/monitoring/applications/{application.pk}/verify/")
    application.refresh_from_db()
    assert application.status == "verifying"
    detail = client.get(f"/monitoring/applications/{application.pk}/").content.decode()
    assert "ap-result-save" not in detail and "由村网格长录入结果" in detail
    response = client.post(
        f"/monitoring/applications/{application.pk}/result/",
        {"eligible": "1", "reason": "核实属实"},
        follow=True,
    )
    assert "村网格长" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "verifying"

    client.force_login(grid_tree.v1_leader)
    response = client.post(
        f"/monitoring/applications/{application.pk}/result/", {"eligible": "1"}, follow=True
    )
    assert "须填写结果理由" in response.content.decode()
    client.post(
        f"/monitoring/applications/{application.pk}/result/",
        {"eligible": "1", "reason": "住院费用属实，纳入研判"},
    )
    application.refresh_from_db()
    assert (application.status, application.eligible) == ("decided", True)
    assert RiskClue.objects.get(household=household).risk_type == "illness"
    detail = client.get(f"/monitoring/applications/{application.pk}/").content.decode()
    assert "住院费用属实，纳入研判" in detail and "ap-complete-ask" in detail
    client.post(f"/monitoring/applications/{application.pk}/complete/")
    application.refresh_from_db()
    assert application.status == "completed" and application.completed_at
    assert set(
        AuditLog.objects.filter(object_type="monitoring.selfapplication").values_list(
            "action", flat=True
        )
    ) == {"application.submit", "application.verify", "application.result", "application.complete"}


def test_a_refused_application_keeps_what_was_typed(grid_tree, client):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    response = _file(client, household, consent="", description="家中房屋漏雨")
    page = response.content.decode()
    assert response.status_code == 200
    assert "承诺授权" in page and "家中房屋漏雨" in page
    assert not SelfApplication.objects.exists()


def test_an_applicant_from_another_household_or_grid_is_refused(grid_tree, client):
    household = make_household(grid_tree.g1)
    other = make_household(grid_tree.g4)
    client.force_login(grid_tree.g1_member)
    response = _file(client, household, applicant=other.members.get().pk)
    assert response.status_code == 200  # not one of the choices
    assert not SelfApplication.objects.exists()
    assert client.get(f"/monitoring/households/{other.pk}/applications/new/").status_code == 404


def test_the_village_list_puts_open_ones_first_with_pinned_queries(grid_tree, client):
    client.force_login(grid_tree.g1_member)
    for _ in range(4):
        _file(client, make_household(grid_tree.g1))
    first = SelfApplication.objects.order_by("id").first()
    client.force_login(grid_tree.v1_leader)
    client.post(f"/monitoring/applications/{first.pk}/verify/")
    client.post(
        f"/monitoring/applications/{first.pk}/result/", {"eligible": "0", "reason": "收入稳定"}
    )
    client.post(f"/monitoring/applications/{first.pk}/complete/")
    url = f"/monitoring/grids/{grid_tree.v1.code}/applications/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url).content.decode()
    # session, user, scope, the node, count, the page
    assert len(ctx.captured_queries) == 6
    assert page.index(f"/monitoring/applications/{first.pk}/") == max(
        page.index(f"/monitoring/applications/{a.pk}/") for a in SelfApplication.objects.all()
    )
    only_done = client.get(url, {"status": "completed"}).content.decode()
    assert only_done.count("/monitoring/applications/") == 1
