"""Assistance endpoints: the scope contract, and what a department account may see and do."""

import datetime

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from assistance.models import AssistancePlan, Measure
from core.testing import ScopedEndpointContract
from monitoring.tests.factories import make_case, make_household, make_person

from .factories import department, make_measure, make_plan


class TestPlanEndpointContract(ScopedEndpointContract):
    url = "/api/v1/plans/"
    model = AssistancePlan
    # session, user, OTP device, scope, count, page (case/household/grid joined, able/overdue
    # annotated), measures with their departments
    list_queries = 7

    def make(self, tree, grid_key):
        plan = make_plan(tree, grid_key)
        make_measure(tree, plan)
        return plan

    reference_field = "case"

    def create_payload(self, tree, grid_key):
        case = make_case(make_household(getattr(tree, grid_key)))
        return {"case": case.pk, "contact_name": "越权", "contact_phone": "1"}

    def update_payload(self, obj):
        return {"contact_name": "越权修改"}


class TestMeasureEndpointContract(ScopedEndpointContract):
    url = "/api/v1/measures/"
    model = Measure
    # session, user, OTP device, scope, count, page (plan/case/household/grid/village/department
    # joined)
    list_queries = 6

    def make(self, tree, grid_key):
        return make_measure(tree, make_plan(tree, grid_key))

    reference_field = "plan"

    def create_payload(self, tree, grid_key):
        plan = make_plan(tree, grid_key)
        return {"plan": plan.pk, "category": "health", "kind": "medical_assistance"}

    def update_payload(self, obj):
        return {"amount": "999.00"}


pytestmark = pytest.mark.django_db


@pytest.fixture
def dept_client(grid_tree):
    """The 医保 department's integration client, with a knox token as issued in production."""
    _, token = AuthToken.objects.create(grid_tree.dept)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def two_measures(grid_tree):
    """One plan in G1 with a 医保 measure and a 民政 measure."""
    household = make_household(grid_tree.g1)
    make_person(household, relation="spouse", name="病人甲", health="serious")
    plan = make_plan(grid_tree, case=make_case(household, risk_types=["illness"]))
    own = make_measure(grid_tree, plan, dept="yibao", description="资助参保")
    other = make_measure(grid_tree, plan, kind="dibao", dept="minzheng", description="低保金")
    return plan, own, other


def test_department_token_lists_only_its_own_measures_across_the_county(
    grid_tree, dept_client, two_measures
):
    _, own, other = two_measures
    far = make_measure(grid_tree, make_plan(grid_tree, "g4"), dept="yibao")  # another township

    rows = dept_client.get("/api/v1/measures/").json()["results"]

    assert {r["id"] for r in rows} == {own.pk, far.pk}
    assert dept_client.get(f"/api/v1/measures/{other.pk}/").status_code == 404


def test_department_sees_only_what_a_measure_needs_of_the_household(
    grid_tree, dept_client, two_measures
):
    plan, own, _ = two_measures
    row = dept_client.get(f"/api/v1/measures/{own.pk}/").json()
    household = plan.case.household

    assert row["household"] == {
        "id": household.pk,
        "number": household.number,
        "head_name": household.head_name,
        "village": {
            "id": grid_tree.v1.pk,
            "code": grid_tree.v1.code,
            "name": grid_tree.v1.name,
            "level": "village",
        },
    }
    text = str(row)
    for person in household.members.all():
        assert person.id_masked not in text and person.name not in text
    assert "低保金" not in text and "serious" not in text


def test_department_reads_no_plan_household_person_or_case(grid_tree, dept_client, two_measures):
    plan, _, _ = two_measures
    household = plan.case.household
    person = household.members.first()
    for url, pk in (
        ("/api/v1/plans/", plan.pk),
        ("/api/v1/households/", household.pk),
        ("/api/v1/persons/", person.pk),
    ):
        listing = dept_client.get(url)
        assert listing.status_code == 200, (url, listing.content)
        assert listing.json()["count"] == 0, url
        assert dept_client.get(f"{url}{pk}/").status_code == 404, url
    assert dept_client.get(f"/api/v1/plans/{plan.pk}/suggestions/").status_code == 404


def test_department_marks_its_measure_implemented_with_its_token(
    grid_tree, dept_client, two_measures
):
    _, own, _ = two_measures
    response = dept_client.post(
        f"/api/v1/measures/{own.pk}/state/",
        {"state": "implemented", "implemented_on": "2026-03-05", "evidence": "参保名单第12页"},
        format="json",
    )
    assert response.status_code == 200, response.content
    own.refresh_from_db()
    assert own.state == "implemented" and own.implemented_on == datetime.date(2026, 3, 5)
    assert own.evidence == "参保名单第12页"


def test_department_cannot_change_another_departments_measure(grid_tree, dept_client, two_measures):
    _, _, other = two_measures
    before = Measure.objects.filter(pk=other.pk).values().get()

    state = dept_client.post(
        f"/api/v1/measures/{other.pk}/state/",
        {"state": "implemented", "implemented_on": "2026-03-05", "evidence": "x"},
        format="json",
    )
    patch = dept_client.patch(f"/api/v1/measures/{other.pk}/", {"amount": "1"}, format="json")

    assert state.status_code == 404 and patch.status_code == 404
    assert Measure.objects.filter(pk=other.pk).values().get() == before


def test_department_cannot_edit_add_cancel_or_delete_even_its_own(
    grid_tree, dept_client, two_measures
):
    plan, own, _ = two_measures
    before = Measure.objects.filter(pk=own.pk).values().get()
    count = Measure.objects.count()

    patch = dept_client.patch(f"/api/v1/measures/{own.pk}/", {"amount": "1"}, format="json")
    cancel = dept_client.post(
        f"/api/v1/measures/{own.pk}/state/", {"state": "cancelled", "reason": "x"}, format="json"
    )
    delete = dept_client.delete(f"/api/v1/measures/{own.pk}/")
    create = dept_client.post(
        "/api/v1/measures/",
        {"plan": plan.pk, "category": "health", "kind": "medical_assistance"},
        format="json",
    )

    assert (patch.status_code, cancel.status_code, delete.status_code) == (403, 403, 405)
    assert create.status_code == 400 and "plan" in create.json()["errors"]
    assert Measure.objects.filter(pk=own.pk).values().get() == before
    assert Measure.objects.count() == count


def test_grid_member_draws_up_plan_and_adds_suggested_measure(grid_tree, api):
    household = make_household(grid_tree.g1)
    make_person(household, relation="spouse", medical_insurance=False)
    case = make_case(household, risk_types=["drinking_water"])
    client = api.as_user(grid_tree.g1_member)

    created = client.post(
        "/api/v1/plans/",
        {"case": case.pk, "contact_name": "和丽芳", "contact_phone": "13700000000"},
        format="json",
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    assert {w["code"] for w in created.json()["warnings"]} == {"risk_drinking_water"}

    suggestions = client.get(f"/api/v1/plans/{plan_id}/suggestions/").json()
    kinds = {row["kind"]: row for row in suggestions}
    assert {"water_supply", "medical_insurance_subsidy"} <= set(kinds)

    added = client.post(
        f"/api/v1/plans/{plan_id}/add-suggested/",
        {"rule": kinds["medical_insurance_subsidy"]["rule"]},
        format="json",
    )
    assert added.status_code == 201, added.content
    plan = client.get(f"/api/v1/plans/{plan_id}/").json()
    assert [m["kind"] for m in plan["measures"]] == ["medical_insurance_subsidy"]
    assert {w["code"] for w in plan["warnings"]} == {"risk_drinking_water", "no_development"}
    assert Measure.objects.get().department == department("yibao")


def test_bad_measure_payload_is_400_in_chinese_and_writes_nothing(grid_tree, api):
    plan = make_plan(grid_tree)
    client = api.as_user(grid_tree.v1_leader)
    response = client.post(
        "/api/v1/measures/",
        {"plan": plan.pk, "category": "nope", "kind": "dibao", "amount": "-5"},
        format="json",
    )
    assert response.status_code == 400
    assert {"category", "amount"} <= set(response.json()["errors"])
    assert not Measure.objects.exists()


def test_implemented_without_evidence_is_400(grid_tree, api):
    measure = make_measure(grid_tree, make_plan(grid_tree))
    response = api.as_user(grid_tree.v1_leader).post(
        f"/api/v1/measures/{measure.pk}/state/",
        {"state": "implemented", "implemented_on": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 400 and "evidence" in response.json()["errors"]
    measure.refresh_from_db()
    assert measure.state == "planned"


def test_department_cannot_change_or_create_plans(grid_tree, dept_client, two_measures):
    plan, _, _ = two_measures
    case = make_case(make_household(grid_tree.g2))
    before = AssistancePlan.objects.filter(pk=plan.pk).values().get()

    patch = dept_client.patch(f"/api/v1/plans/{plan.pk}/", {"contact_name": "x"}, format="json")
    create = dept_client.post(
        "/api/v1/plans/",
        {"case": case.pk, "contact_name": "x", "contact_phone": "1"},
        format="json",
    )

    assert patch.status_code == 404
    assert create.status_code == 400 and "case" in create.json()["errors"]
    assert AssistancePlan.objects.filter(pk=plan.pk).values().get() == before
    assert not AssistancePlan.objects.filter(case=case).exists()


def test_measure_list_filters(grid_tree, api, two_measures):
    plan, own, other = two_measures
    client = api.as_user(grid_tree.v1_leader)

    def ids(query):
        return {r["id"] for r in client.get(f"/api/v1/measures/?{query}").json()["results"]}

    assert ids(f"department={department('minzheng').pk}") == {other.pk}
    assert ids("kind=medical_insurance_subsidy") == {own.pk}
    assert ids("category=comprehensive_security") == {own.pk, other.pk}
    assert ids("state=implemented") == set()
    assert ids(f"plan={plan.pk}") == {own.pk, other.pk}
    plans = client.get(f"/api/v1/plans/?case={plan.case_id}").json()["results"]
    assert [p["id"] for p in plans] == [plan.pk]
