"""Endpoints of reviews, review items and cases: scope contract, transitions, may_* flags."""

import datetime
import itertools

import pytest
from django.utils import timezone

from core.testing import ScopedEndpointContract
from monitoring import services
from monitoring.models import MonitoringCase, ReviewItem, ReviewState, VillageReview
from monitoring.tests.factories import make_case, make_household, make_line, make_visit

_months = itertools.count(0)
VILLAGE_OF = {"g1": "v1", "g2": "v1", "g3": "v2", "g4": "v3"}
TODAY = timezone.localdate()


def _next_month():
    n = next(_months)
    return f"{2000 + n // 12}-{n % 12 + 1:02d}"


def _review(tree, grid_key, month=None):
    village = getattr(tree, VILLAGE_OF[grid_key])
    return services.review_create(
        actor=tree.superuser, village=village, month=month or _next_month()
    )


class TestReviewEndpointContract(ScopedEndpointContract):
    url = "/api/v1/reviews/"
    model = VillageReview
    # session, user, OTP device, scope (also answers the may_* flags), count, page (village,
    # township, actors joined, items counted)
    list_queries = 6

    def make(self, tree, grid_key):
        return _review(tree, grid_key)

    reference_field = "village"
    audit_create = "review.create"

    def missing_reference(self, tree):
        return "NO-SUCH-CODE"

    def writer(self, tree):
        return tree.v1_leader

    def create_payload(self, tree, grid_key):
        return {"village": getattr(tree, VILLAGE_OF[grid_key]).code, "month": _next_month()}

    def update_payload(self, obj):
        return {"minutes": "越权修改"}


class TestReviewItemEndpointContract(ScopedEndpointContract):
    url = "/api/v1/review-items/"
    model = ReviewItem
    # session, user, OTP device, scope, count, page (review, village, household, grid, case joined)
    list_queries = 6

    def make(self, tree, grid_key):
        review = _review(tree, grid_key)
        household = make_household(getattr(tree, grid_key))
        return services.review_item_add(actor=tree.superuser, review=review, household=household)

    reference_field = "household"

    def writer(self, tree):
        return tree.v1_leader

    def create_payload(self, tree, grid_key):
        review = _review(tree, grid_key)
        return {"review": review.pk, "household": make_household(getattr(tree, grid_key)).pk}

    def update_payload(self, obj):
        return {
            "decision": "include",
            "category": "sudden",
            "risk_types": ["illness"],
            "income_12m": "6000",
            "spending_12m": "20000",
        }


class TestCaseEndpointContract(ScopedEndpointContract):
    url = "/api/v1/cases/"
    model = MonitoringCase
    writable = False
    # session, user, OTP device, scope (also answers may_rollback), count, page (household, grid
    # joined), events prefetch
    list_queries = 7

    def make(self, tree, grid_key):
        return make_case(make_household(getattr(tree, grid_key)))


pytestmark = pytest.mark.django_db


def _compose_via_api(tree, api):
    household = make_household(tree.g1)
    services.clue_raise(
        actor=tree.superuser, household=household, risk_type="housing", source="visit"
    )
    client = api.as_user(tree.v1_leader)
    response = client.post(
        "/api/v1/reviews/",
        {"village": tree.v1.code, "month": TODAY.strftime("%Y-%m")},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["may_edit"] and body["may_submit"] and not body["may_approve"]
    (item,) = body["items"]
    assert item["household"]["number"] == household.number and item["may_edit"]
    response = client.patch(
        f"/api/v1/review-items/{item['id']}/",
        {
            "decision": "include",
            "category": "marginal",
            "risk_types": ["housing"],
            "income_12m": "12000",
            "spending_12m": "3000",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    response = client.patch(
        f"/api/v1/reviews/{body['id']}/",
        {
            "meeting_on": str(TODAY),
            "attendance": "村两委、驻村工作队",
            "minutes": "研判本月线索",
            "notice_start": str(TODAY),
            "notice_end": str(TODAY + datetime.timedelta(days=6)),
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    return body["id"], household


def test_whole_path_over_the_api_with_what_each_user_may_do(grid_tree, api):
    review_id, household = _compose_via_api(grid_tree, api)
    url = f"/api/v1/reviews/{review_id}/"

    response = api.as_user(grid_tree.v1_leader).post(url + "submit/")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    assert not response.json()["may_edit"]

    body = api.as_user(grid_tree.t1_leader).get(url).json()
    assert body["may_approve"] and body["may_return"] and not body["may_confirm"]
    response = api.as_user(grid_tree.t1_leader).post(url + "return/", {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = api.as_user(grid_tree.t1_leader).post(url + "return/", {"reason": "收入偏低需核实"})
    assert response.json()["state"] == "returned"

    assert api.as_user(grid_tree.v1_leader).post(url + "submit/").status_code == 200
    assert api.as_user(grid_tree.t1_leader).post(url + "approve/").status_code == 200
    assert api.as_user(grid_tree.t1_leader).get(url).json()["may_confirm"] is False
    assert api.as_user(grid_tree.county).get(url).json()["may_confirm"] is True
    response = api.as_user(grid_tree.county).post(url + "confirm/")
    assert response.status_code == 200 and response.json()["state"] == "confirmed"

    case = MonitoringCase.objects.get(household=household)
    cases = api.as_user(grid_tree.v1_leader).get(f"/api/v1/cases/?grid={grid_tree.v1.code}")
    assert [c["id"] for c in cases.json()["results"]] == [case.pk]
    assert cases.json()["results"][0]["events"][0]["action"] == "identify"


def test_second_approval_answers_409_naming_who_acted(grid_tree, api):
    review_id, _h = _compose_via_api(grid_tree, api)
    url = f"/api/v1/reviews/{review_id}/"
    api.as_user(grid_tree.v1_leader).post(url + "submit/")
    assert api.as_user(grid_tree.t1_leader).post(url + "approve/").status_code == 200
    # The township has decided: its own leader cannot take the approval back.
    response = api.as_user(grid_tree.t1_leader).post(url + "return/", {"reason": "晚了"})
    assert response.status_code == 409
    assert "t1" in response.json()["detail"] and response.json()["errors"] == {}
    assert VillageReview.objects.get().state == ReviewState.APPROVED


def test_wrong_role_is_403_and_nothing_changes(grid_tree, api):
    review_id, _h = _compose_via_api(grid_tree, api)
    url = f"/api/v1/reviews/{review_id}/"
    assert api.as_user(grid_tree.t1_leader).post(url + "submit/").status_code == 403
    # A group grid member does not see the village's review at all.
    assert api.as_user(grid_tree.g1_member).post(url + "submit/").status_code == 404
    assert api.as_user(grid_tree.v3_leader).post(url + "submit/").status_code == 404
    assert VillageReview.objects.get().state == ReviewState.DRAFT


def test_item_with_bad_decision_is_400_with_reasons(grid_tree, api):
    review_id, _h = _compose_via_api(grid_tree, api)
    item = ReviewItem.objects.get()
    response = api.as_user(grid_tree.v1_leader).patch(
        f"/api/v1/review-items/{item.pk}/", {"decision": "eliminate", "method": "natural"}
    )
    assert response.status_code == 400
    assert "decision" in response.json()["errors"]
    item.refresh_from_db()
    assert item.decision == "include"


def test_batch_confirmation_reports_each_review(grid_tree, api):
    review_id, _h = _compose_via_api(grid_tree, api)
    url = f"/api/v1/reviews/{review_id}/"
    api.as_user(grid_tree.v1_leader).post(url + "submit/")
    api.as_user(grid_tree.t1_leader).post(url + "approve/")
    draft = _review(grid_tree, "g3")
    outside = 999999
    response = api.as_user(grid_tree.county).post(
        "/api/v1/reviews/confirm-batch/", {"ids": [review_id, draft.pk, outside]}, format="json"
    )
    assert response.status_code == 200
    errors = {row["id"]: row["error"] for row in response.json()["results"]}
    assert errors[review_id] == "" and errors[draft.pk] and errors[outside]
    assert VillageReview.objects.get(pk=review_id).state == ReviewState.CONFIRMED
    assert VillageReview.objects.get(pk=draft.pk).state == ReviewState.DRAFT


def test_rollback_over_the_api_is_for_the_county(grid_tree, api):
    make_line()
    household = make_household(grid_tree.g1)
    make_visit(household, visited_on=TODAY)
    case = make_case(household, identified_on=TODAY - datetime.timedelta(days=400))
    case.state, case.eliminated_on, case.elimination_method = "eliminated", TODAY, "natural"
    case.save()
    url = f"/api/v1/cases/{case.pk}/rollback/"
    assert (
        api.as_user(grid_tree.v1_leader).get(f"/api/v1/cases/{case.pk}/").json()["may_rollback"]
        is False
    )
    assert api.as_user(grid_tree.t1_leader).post(url, {"reason": "x"}).status_code == 403
    assert api.as_user(grid_tree.v3_leader).post(url, {"reason": "x"}).status_code == 404
    response = api.as_user(grid_tree.county).post(url, {"reason": "收入核实有误"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "monitoring"
    assert [e["action"] for e in response.json()["events"]] == ["identify", "rollback"]
