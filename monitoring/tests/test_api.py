"""Monitoring endpoints: the scope contract, the platform endpoint, clue transitions."""

import datetime
import itertools

import pytest
from django.utils import timezone
from knox.models import AuthToken

from core.testing import ScopedEndpointContract
from monitoring import services
from monitoring.models import RiskClue, SelfApplication, Visit
from monitoring.tests.factories import make_household, new_id_number

_seq = itertools.count(1)


def _today():
    return timezone.localdate()


class TestVisitEndpointContract(ScopedEndpointContract):
    url = "/api/v1/visits/"
    model = Visit
    # session, user, OTP device, scope (assignments), count, page with household/grid/visitor joined
    list_queries = 6

    def make(self, tree, grid_key):
        household = make_household(getattr(tree, grid_key))
        return services.visit_record(actor=tree.superuser, household=household, visited_on=_today())

    reference_field = "household"
    audit_create = "visit.record"

    def create_payload(self, tree, grid_key):
        household = make_household(getattr(tree, grid_key))
        return {"household": household.pk, "visited_on": str(_today()), "housing": "at_risk"}

    def update_payload(self, obj):
        return {"notes": "越权修改"}


class TestApplicationEndpointContract(ScopedEndpointContract):
    url = "/api/v1/applications/"
    model = SelfApplication
    # session, user, OTP device, scope, count, page with household/grid joined
    list_queries = 6

    def make(self, tree, grid_key):
        number = new_id_number()
        make_household(getattr(tree, grid_key), head_id=number)
        application, _ = services.application_submit(
            actor=tree.superuser, **_payload(number, platform_id=f"P{next(_seq)}")
        )
        return application

    reference_field = "applicant_id_number"
    audit_create = "application.submit"

    def missing_reference(self, tree):
        return new_id_number()  # valid, registered nowhere

    def create_payload(self, tree, grid_key):
        number = new_id_number()
        make_household(getattr(tree, grid_key), head_id=number)
        return _payload(number, platform_id=f"P{next(_seq)}")

    def update_payload(self, obj):
        return {"phone": "110"}


class TestClueEndpointContract(ScopedEndpointContract):
    url = "/api/v1/clues/"
    model = RiskClue
    # session, user, OTP device, scope, count, page with household/grid joined, evidence prefetch
    list_queries = 7

    def make(self, tree, grid_key):
        household = make_household(getattr(tree, grid_key))
        clue, _ = services.clue_raise(
            actor=tree.superuser, household=household, risk_type="illness", source="department"
        )
        return clue

    reference_field = "household"

    def create_payload(self, tree, grid_key):
        household = make_household(getattr(tree, grid_key))
        return {"household": household.pk, "risk_type": "illness", "note": "越权"}

    def update_payload(self, obj):
        return {"state": "dismissed"}


def _payload(id_number, **extra):
    data = {
        "channel": "platform",
        "platform_id": "JZ-2026-0001",
        "applicant_name": "和文华",
        "applicant_id_number": id_number,
        "phone": "13800000000",
        "matter": "medical",
        "description": "户主住院，自付费用高",
        "risk_types": ["illness"],
        "consent": True,
    }
    data.update(extra)
    return data


pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(grid_tree, api):
    """The relief platform's client: a county-level account with a knox token."""
    from rest_framework.test import APIClient

    _, token = AuthToken.objects.create(grid_tree.county)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_platform_submission_is_idempotent_by_platform_id(grid_tree, platform):
    number = new_id_number()
    household = make_household(grid_tree.g1, head_id=number)

    first = platform.post("/api/v1/applications/", _payload(number), format="json")
    again = platform.post("/api/v1/applications/", _payload(number), format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    application = SelfApplication.objects.get()
    assert application.household == household and application.status == "received"
    assert (
        application.applicant_id_masked.endswith(number[-4:])
        and "*" in application.applicant_id_masked
    )
    assert number not in str(first.json())
    assert application.consent and application.consent_at


def test_same_platform_id_in_another_channel_is_another_application(grid_tree, platform):
    number = new_id_number()
    make_household(grid_tree.g1, head_id=number)
    platform.post("/api/v1/applications/", _payload(number), format="json")
    response = platform.post(
        "/api/v1/applications/", _payload(number, channel="proxy"), format="json"
    )
    assert response.status_code == 201
    assert SelfApplication.objects.count() == 2


def test_bad_payload_gives_field_errors_in_chinese_and_writes_nothing(grid_tree, platform):
    make_household(grid_tree.g1)
    response = platform.post(
        "/api/v1/applications/",
        {
            "channel": "platform",
            "platform_id": "JZ-9",
            "applicant_name": "",
            "applicant_id_number": "53342319800101123",
            "matter": "lottery",
            "description": "困难",
            "risk_types": ["illness", "nope"],
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"applicant_name", "matter", "phone", "risk_types"} <= set(errors)
    assert SelfApplication.objects.count() == 0


def test_invalid_id_number_and_missing_consent_are_field_errors(grid_tree, platform):
    response = platform.post(
        "/api/v1/applications/",
        _payload("533423198001011230", consent=False),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "校验位" in errors["applicant_id_number"][0]
    assert "承诺授权" in errors["consent"][0]
    assert SelfApplication.objects.count() == 0


def test_unknown_applicant_is_a_field_error(grid_tree, platform):
    response = platform.post("/api/v1/applications/", _payload(new_id_number()), format="json")
    assert response.status_code == 400
    assert "未找到" in response.json()["errors"]["applicant_id_number"][0]
    assert SelfApplication.objects.count() == 0


def test_application_lifecycle_over_api_raises_clue_when_eligible(grid_tree, api):
    number = new_id_number()
    household = make_household(grid_tree.g1, head_id=number)
    client = api.as_user(grid_tree.v1_leader)
    app_id = client.post(
        "/api/v1/applications/", _payload(number, channel="proxy", platform_id=""), format="json"
    ).json()["id"]
    base = f"/api/v1/applications/{app_id}/"

    assert client.post(base + "result/", {"eligible": True, "reason": "x"}).status_code == 400
    assert client.post(base + "start-verifying/").json()["status"] == "verifying"
    data = client.post(base + "result/", {"eligible": True, "reason": "情况属实"}).json()
    assert data["status"] == "decided" and data["eligible"] is True
    assert client.post(base + "complete/").json()["status"] == "completed"

    clue = RiskClue.objects.get(household=household)
    assert clue.risk_type == "illness" and clue.source == "application"


def test_clue_actions_over_api(grid_tree, api):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="housing", source="visit"
    )
    base = f"/api/v1/clues/{clue.pk}/"
    member = api.as_user(grid_tree.g1_member)
    assert member.post(base + "start-verifying/").json()["state"] == "verifying"
    assert member.post(base + "dismiss/", {"reason": "x"}).status_code == 403
    leader = api.as_user(grid_tree.v1_leader)
    response = leader.post(base + "dismiss/", {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    data = leader.post(base + "dismiss/", {"reason": "已核实无风险"}).json()
    assert data["state"] == "dismissed" and data["decision_reason"] == "已核实无风险"
    assert api.as_user(grid_tree.v3_leader).post(base + "confirm/").status_code == 404


def test_visit_over_api_raises_clue_and_merges_second_report(grid_tree, api):
    household = make_household(grid_tree.g1)
    client = api.as_user(grid_tree.g1_member)
    payload = {"household": household.pk, "visited_on": str(_today()), "water": "at_risk"}
    assert client.post("/api/v1/visits/", payload, format="json").status_code == 201
    response = client.post(
        "/api/v1/clues/",
        {"household": household.pk, "risk_type": "drinking_water", "reference": "水利-2026-03"},
        format="json",
    )
    assert response.status_code == 200  # merged, not created
    data = response.json()
    assert [e["source"] for e in data["evidence"]] == ["visit", "department"]
    assert RiskClue.objects.filter(household=household).count() == 1


def test_clue_list_shows_overdue(grid_tree, api):
    household = make_household(grid_tree.g1)
    services.clue_raise(
        actor=grid_tree.v1_leader,
        household=household,
        risk_type="illness",
        source="department",
        found_on=_today() - datetime.timedelta(days=30),
    )
    rows = api.as_user(grid_tree.v1_leader).get("/api/v1/clues/").json()["results"]
    assert rows[0]["is_overdue"] is True


def test_visit_in_scope_cannot_be_edited(grid_tree, api):
    household = make_household(grid_tree.g1)
    visit = services.visit_record(
        actor=grid_tree.g1_member, household=household, visited_on=_today()
    )
    response = api.as_user(grid_tree.v1_leader).patch(
        f"/api/v1/visits/{visit.pk}/", {"notes": "x"}, format="json"
    )
    assert response.status_code == 405


# -- the registration oracle is closed ----------------------------------------------------------


def test_application_with_id_registered_elsewhere_answers_byte_for_byte_like_unknown(
    grid_tree, api
):
    """A group grid member cannot tell an ID number registered in another township from one
    registered nowhere: same status, same body."""
    elsewhere = new_id_number()
    make_household(grid_tree.g4, head_id=elsewhere)  # township T2
    client = api.as_user(grid_tree.g1_member)  # township T1

    a = client.post("/api/v1/applications/", _payload(elsewhere, platform_id="P-A"), format="json")
    b = client.post(
        "/api/v1/applications/", _payload(new_id_number(), platform_id="P-A"), format="json"
    )

    assert a.status_code == b.status_code == 400
    assert a.content == b.content
    assert "applicant_id_number" in a.json()["errors"]
    assert not SelfApplication.objects.exists()


def test_application_reusing_a_platform_id_of_another_township_names_nobody(grid_tree, api):
    """The platform id is unique in the deployment; another scope's id is refused with a
    neutral answer that shows neither its household nor its village."""
    theirs = new_id_number()
    household = make_household(grid_tree.g4, head_id=theirs)
    services.application_submit(actor=grid_tree.superuser, **_payload(theirs, platform_id="P-9"))
    mine = new_id_number()
    make_household(grid_tree.g1, head_id=mine)

    response = api.as_user(grid_tree.g1_member).post(
        "/api/v1/applications/", _payload(mine, platform_id="P-9"), format="json"
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert household.number not in body and grid_tree.g4.name not in body
    assert list(response.json()["errors"]) == ["platform_id"]
    assert SelfApplication.objects.count() == 1
