"""The plan page, a department's measure list and the overdue list: content, actions, queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistance.models import AssistancePlan, Measure, SuggestionRule
from monitoring.tests.factories import make_case, make_household, make_person

from .factories import make_measure, make_plan

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response


def test_plan_page_shows_warnings_and_suggestions_and_adds_one_in_a_tap(grid_tree, client):
    household = make_household(grid_tree.g1)
    make_person(household, relation="spouse", medical_insurance=False)
    plan = make_plan(grid_tree, case=make_case(household, risk_types=["housing"]))
    client.force_login(grid_tree.g1_member)
    url = f"/assistance/households/{household.pk}/plan/"

    body = client.get(url).content.decode()
    assert "因安全住房：没有住房安全或搬迁措施" in body
    assert "危房改造" in body and "医保参保资助" in body

    rule = SuggestionRule.objects.get(county=None, risk_type="housing")
    response = client.post(f"/assistance/plans/{plan.pk}/suggested/", {"rule": rule.pk})
    assert response.status_code == 302
    measure = Measure.objects.get(plan=plan)
    assert measure.kind == "house_renovation" and measure.department.code == "zhujian"
    assert "因安全住房：没有住房安全" not in client.get(url).content.decode()


def test_plan_page_marks_a_measure_implemented_with_date_and_evidence(grid_tree, client):
    plan = make_plan(grid_tree)
    measure = make_measure(grid_tree, plan)
    client.force_login(grid_tree.v1_leader)
    client.post(
        f"/assistance/measures/{measure.pk}/state/",
        {"state": "implemented", "implemented_on": "2026-03-03", "evidence": "缴费凭证"},
    )
    measure.refresh_from_db()
    assert measure.state == "implemented" and measure.implemented_on == datetime.date(2026, 3, 3)


def test_plan_page_draws_up_a_plan(grid_tree, client):
    household = make_household(grid_tree.g1)
    case = make_case(household)
    client.force_login(grid_tree.g1_member)
    assert (
        "制定帮扶计划"
        in client.get(f"/assistance/households/{household.pk}/plan/").content.decode()
    )
    client.post(
        f"/assistance/households/{household.pk}/plan/create/",
        {"contact_name": "杨志强", "contact_phone": "13600000000", "drawn_up_on": "2026-02-01"},
    )
    assert AssistancePlan.objects.get(case=case).contact_name == "杨志强"


def test_plan_page_of_another_village_is_not_found(grid_tree, client):
    plan = make_plan(grid_tree, "g3")
    client.force_login(grid_tree.v1_leader)
    url = f"/assistance/households/{plan.case.household_id}/plan/"
    assert client.get(url).status_code == 404
    client.force_login(grid_tree.dept)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [3, 12])
def test_plan_page_query_count_is_pinned(grid_tree, client, count):
    plan = make_plan(grid_tree)
    for _ in range(count):
        make_measure(grid_tree, plan, category="health", kind="other")
    client.force_login(grid_tree.g1_member)
    n, _ = _queries(client, f"/assistance/households/{plan.case.household_id}/plan/")
    # session, user, household, case, scope, plan (annotated), measures, person rows for the
    # suggestions, county id, rules, the measures' photos, plus the form's department choices
    assert n == 12


def test_department_list_shows_own_measures_and_updates_state(grid_tree, client):
    plan = make_plan(grid_tree)
    own = make_measure(grid_tree, plan, dept="yibao", description="医保资助A")
    make_measure(grid_tree, plan, kind="dibao", dept="minzheng", description="民政低保B")
    client.force_login(grid_tree.dept)

    body = client.get("/assistance/department/measures/").content.decode()
    assert "医保资助A" in body and "民政低保B" not in body
    assert plan.case.household.number in body and grid_tree.v1.name in body
    assert 'value="cancelled"' not in body  # a department does not cancel

    client.post(
        f"/assistance/measures/{own.pk}/state/",
        {
            "state": "implemented",
            "implemented_on": "2026-03-04",
            "evidence": "名单",
            "next": "/assistance/department/measures/",
        },
    )
    own.refresh_from_db()
    assert own.state == "implemented"


def test_department_page_listed_on_department_home(grid_tree, client):
    client.force_login(grid_tree.dept)
    assert "/assistance/department/measures/" in client.get("/").content.decode()


def test_department_list_query_count_flat(grid_tree, client):
    client.force_login(grid_tree.dept)
    counts = []
    for total in (3, 30):
        Measure.objects.all().delete()
        for i in range(total):
            make_measure(grid_tree, make_plan(grid_tree, ["g1", "g3", "g4"][i % 3]))
        n, response = _queries(client, "/assistance/department/measures/")
        assert response.content.decode().count("as-measure") == total
        counts.append(n)
    # session, user, scope, count, page (plan/case/household/grid/village/department joined),
    # the page's photos
    assert counts == [6, 6]


def test_overdue_list_of_a_township(grid_tree, client):
    old = datetime.date(2025, 1, 1)
    late = make_case(make_household(grid_tree.g1), identified_on=old)
    empty_plan = make_plan(grid_tree, "g3", identified_on=old)
    make_measure(grid_tree, make_plan(grid_tree, "g2", identified_on=old))
    elsewhere = make_case(make_household(grid_tree.g4), identified_on=old)
    client.force_login(grid_tree.t1_leader)

    n, response = _queries(client, f"/assistance/grids/{grid_tree.t1.code}/overdue/")
    body = response.content.decode()

    assert late.household.number in body and empty_plan.case.household.number in body
    assert elsewhere.household.number not in body
    assert body.count("mon-late") == 2
    # session, user, scope, node, cases (annotated), figures
    assert n == 6
    assert client.get(f"/assistance/grids/{grid_tree.t2.code}/overdue/").status_code == 404


def test_department_list_puts_open_measures_first_and_filters_open(grid_tree, client):
    from assistance import services

    plan = make_plan(grid_tree)
    done = make_measure(grid_tree, plan, planned_on=datetime.date(2026, 1, 5))
    services.measure_set_state(
        actor=grid_tree.superuser,
        measure=done,
        state="implemented",
        on_date=datetime.date(2026, 1, 20),
        evidence="发放凭证",
    )
    late = make_measure(grid_tree, plan, planned_on=datetime.date(2026, 2, 1))
    later = make_measure(grid_tree, plan, planned_on=datetime.date(2026, 3, 1))
    client.force_login(grid_tree.dept)
    page = client.get("/assistance/department/measures/").content.decode()
    order = [page.index(f"/assistance/measures/{m.pk}/state/") for m in (late, later)]
    assert order == sorted(order)
    assert page.index("发放凭证") > order[-1]  # what is done comes after
    only_open = client.get("/assistance/department/measures/?state=open").content.decode()
    assert only_open.count("as-measure") == 2


def test_a_measure_implemented_with_a_photo_only(grid_tree, client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from households.models import Photo

    plan = make_plan(grid_tree)
    measure = make_measure(grid_tree, plan)
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 90, 200)).save(out, "JPEG")
    client.force_login(grid_tree.dept)  # the department implements it
    response = client.post(
        f"/assistance/measures/{measure.pk}/state/",
        {
            "state": "implemented",
            "implemented_on": "2026-02-10",
            "photos": [SimpleUploadedFile("凭证.jpg", out.getvalue())],
        },
        follow=True,
    )
    assert "措施状态已更新" in response.content.decode()
    measure.refresh_from_db()
    assert measure.state == "implemented"
    assert "附落实照片 1 张" in measure.evidence
    photo = Photo.objects.get()
    assert photo.subject == f"measure:{measure.pk}"
    # The department sees its measure's photo; the page shows it.
    assert client.get(f"/photos/{photo.pk}/thumb.jpg").status_code == 200
    page = client.get("/assistance/department/measures/").content.decode()
    assert f"/photos/{photo.pk}/thumb.jpg" in page
