"""One test per filter of the monitoring endpoints (visits, applications, clues, reviews,
review items, cases)."""

import datetime
import itertools

import pytest
from django.utils import timezone

from core.testing import assert_filter
from monitoring.models import ReviewItem, RiskClue, SelfApplication, VillageReview

from .factories import make_case, make_household, make_visit

pytestmark = pytest.mark.django_db
_seq = itertools.count(1)


def _client(tree, api):
    return api.as_user(tree.superuser)


@pytest.mark.parametrize(
    "param, value, match, other",
    [
        ("mode", "phone", {"mode": "phone"}, {"mode": "in_person"}),
        ("visited_on", "2026-09-03", {"visited_on": datetime.date(2026, 9, 3)}, {}),
    ],
)
def test_visit_filter(grid_tree, api, param, value, match, other):
    a = make_visit(make_household(grid_tree.g1), **match)
    b = make_visit(make_household(grid_tree.g1), **other)
    assert_filter(
        _client(grid_tree, api), "/api/v1/visits/", {param: value}, includes=[a.pk], excludes=[b.pk]
    )


def test_visit_household_filter(grid_tree, api):
    here, there = make_household(grid_tree.g1), make_household(grid_tree.g1)
    a, b = make_visit(here), make_visit(there)
    assert_filter(
        _client(grid_tree, api),
        "/api/v1/visits/",
        {"household": here.pk},
        includes=[a.pk],
        excludes=[b.pk],
    )


def _application(household, **fields):
    values = {
        "channel": "platform",
        "platform_id": f"F-{next(_seq)}",
        "applicant_name": "和文华",
        "applicant_id_hash": "x" * 64,
        "applicant_id_masked": "533423********0011",
        "phone": "13800000000",
        "matter": "medical",
        "description": "自付费用高",
        "consent": True,
        "consent_at": timezone.now(),
        "received_at": timezone.now(),
    }
    values.update(fields)
    return SelfApplication.objects.create(household=household, **values)


@pytest.mark.parametrize(
    "param, value, match, other",
    [
        ("status", "verifying", {"status": "verifying"}, {"status": "received"}),
        ("channel", "proxy", {"channel": "proxy"}, {"channel": "platform"}),
        ("matter", "housing", {"matter": "housing"}, {"matter": "medical"}),
    ],
)
def test_application_filter(grid_tree, api, param, value, match, other):
    a = _application(make_household(grid_tree.g1), **match)
    b = _application(make_household(grid_tree.g1), **other)
    assert_filter(
        _client(grid_tree, api),
        "/api/v1/applications/",
        {param: value},
        includes=[a.pk],
        excludes=[b.pk],
    )


def test_application_household_filter(grid_tree, api):
    here = make_household(grid_tree.g1)
    a, b = _application(here), _application(make_household(grid_tree.g1))
    assert_filter(
        _client(grid_tree, api),
        "/api/v1/applications/",
        {"household": here.pk},
        includes=[a.pk],
        excludes=[b.pk],
    )


def _clue(household, **fields):
    today = timezone.localdate()
    values = {
        "risk_type": "illness",
        "source": "visit",
        "found_on": today,
        "verify_by": today,
        "decide_by": today,
    }
    values.update(fields)
    return RiskClue.objects.create(household=household, **values)


@pytest.mark.parametrize(
    "param, value, match, other",
    [
        ("state", "verifying", {"state": "verifying"}, {"state": "new"}),
        ("risk_type", "housing", {"risk_type": "housing"}, {"risk_type": "illness"}),
        ("source", "department", {"source": "department"}, {"source": "visit"}),
    ],
)
def test_clue_filter(grid_tree, api, param, value, match, other):
    a = _clue(make_household(grid_tree.g1), **match)
    b = _clue(make_household(grid_tree.g1), **other)
    assert_filter(
        _client(grid_tree, api), "/api/v1/clues/", {param: value}, includes=[a.pk], excludes=[b.pk]
    )


def test_clue_household_filter(grid_tree, api):
    here = make_household(grid_tree.g1)
    a, b = _clue(here), _clue(make_household(grid_tree.g1))
    assert_filter(
        _client(grid_tree, api),
        "/api/v1/clues/",
        {"household": here.pk},
        includes=[a.pk],
        excludes=[b.pk],
    )


def _review(village, month, **fields):
    return VillageReview.objects.create(village=village, month=month, **fields)


def test_review_filters_state_grid_month(grid_tree, api):
    client = _client(grid_tree, api)
    sept, octo = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)
    a = _review(grid_tree.v1, sept, state="submitted")
    b = _review(grid_tree.v3, octo)
    assert_filter(
        client, "/api/v1/reviews/", {"state": "submitted"}, includes=[a.pk], excludes=[b.pk]
    )
    assert_filter(
        client, "/api/v1/reviews/", {"grid": grid_tree.t1.code}, includes=[a.pk], excludes=[b.pk]
    )
    assert_filter(
        client, "/api/v1/reviews/", {"month": "2026-10"}, includes=[b.pk], excludes=[a.pk]
    )
    assert_filter(
        client, "/api/v1/reviews/", {"month": "2026-13"}, includes=[], excludes=[a.pk, b.pk]
    )


def test_review_item_filters_review_decision_household(grid_tree, api):
    client = _client(grid_tree, api)
    review = _review(grid_tree.v1, datetime.date(2026, 9, 1))
    other_review = _review(grid_tree.v1, datetime.date(2026, 10, 1))
    h1, h2 = make_household(grid_tree.g1), make_household(grid_tree.g2)
    a = ReviewItem.objects.create(
        review=review, household=h1, decision="dismiss", note="核实无风险"
    )
    b = ReviewItem.objects.create(review=other_review, household=h2)
    url = "/api/v1/review-items/"
    assert_filter(client, url, {"review": review.pk}, includes=[a.pk], excludes=[b.pk])
    assert_filter(client, url, {"decision": "dismiss"}, includes=[a.pk], excludes=[b.pk])
    assert_filter(client, url, {"household": h2.pk}, includes=[b.pk], excludes=[a.pk])


def test_case_filters(grid_tree, api):
    client = _client(grid_tree, api)
    here, there = make_household(grid_tree.g1), make_household(grid_tree.g3)
    a = make_case(here, category="sudden")
    b = make_case(
        there,
        category="marginal",
        state="eliminated",
        eliminated_on=datetime.date(2026, 6, 1),
        elimination_method="natural",
    )
    url = "/api/v1/cases/"
    assert_filter(client, url, {"state": "eliminated"}, includes=[b.pk], excludes=[a.pk])
    assert_filter(client, url, {"category": "sudden"}, includes=[a.pk], excludes=[b.pk])
    assert_filter(client, url, {"elimination_method": "natural"}, includes=[b.pk], excludes=[a.pk])
    assert_filter(client, url, {"household": here.pk}, includes=[a.pk], excludes=[b.pk])
    assert_filter(client, url, {"grid": grid_tree.v1.code}, includes=[a.pk], excludes=[b.pk])
