"""Overdue lists per level: clues past decision, reviews not submitted, approvals waiting."""

import datetime

import pytest
from django.utils import timezone

from monitoring import services
from monitoring.models import VillageReview
from monitoring.reviews import selectors as sel
from monitoring.tests.factories import make_household

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)


def _now(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_clues_past_their_decision_date(grid_tree):
    old = make_household(grid_tree.g1)
    fresh = make_household(grid_tree.g1)
    services.clue_raise(
        actor=grid_tree.superuser,
        household=old,
        risk_type="illness",
        source="visit",
        found_on=DAY - datetime.timedelta(days=20),
    )
    services.clue_raise(
        actor=grid_tree.superuser,
        household=fresh,
        risk_type="illness",
        source="visit",
        found_on=DAY - datetime.timedelta(days=3),
    )
    rows = sel.overdue_clues(user=grid_tree.t1_leader, node=grid_tree.t1, today=DAY)
    assert [c.household_id for c in rows] == [old.pk]
    assert not sel.overdue_clues(user=grid_tree.v3_leader, node=grid_tree.v3, today=DAY).exists()


def test_villages_not_submitted_after_the_deadline_day(grid_tree, settings):
    settings.REVIEW_SUBMIT_DAY = 25
    VillageReview.objects.create(
        village=grid_tree.v1, month=DAY.replace(day=1), state="submitted", submitted_at=_now(DAY)
    )
    VillageReview.objects.create(village=grid_tree.v2, month=DAY.replace(day=1), state="draft")
    villages, month = sel.villages_not_submitted(user=grid_tree.county, node=grid_tree.c, today=DAY)
    assert month == datetime.date(2026, 11, 1)
    assert {v.code for v in villages} == {grid_tree.v2.code, grid_tree.v3.code}
    # Per level: the township sees only its own villages.
    villages, _m = sel.villages_not_submitted(
        user=grid_tree.t1_leader, node=grid_tree.t1, today=DAY
    )
    assert [v.code for v in villages] == [grid_tree.v2.code]
    # Before this month's deadline, last month is the one that is due.
    villages, month = sel.villages_not_submitted(
        user=grid_tree.county, node=grid_tree.c, today=DAY.replace(day=10)
    )
    assert month == datetime.date(2026, 10, 1) and villages.count() == 3


def test_approvals_and_confirmations_waiting_past_their_days(grid_tree, settings):
    settings.REVIEW_APPROVAL_DAYS = 5
    settings.REVIEW_CONFIRM_DAYS = 10
    month = DAY.replace(day=1)
    late = VillageReview.objects.create(
        village=grid_tree.v1,
        month=month,
        state="submitted",
        submitted_at=_now(DAY, 0) - datetime.timedelta(days=6),
    )
    VillageReview.objects.create(
        village=grid_tree.v2,
        month=month,
        state="submitted",
        submitted_at=_now(DAY) - datetime.timedelta(days=2),
    )
    waiting = VillageReview.objects.create(
        village=grid_tree.v3,
        month=month,
        state="approved",
        submitted_at=_now(DAY) - datetime.timedelta(days=20),
        reviewed_at=_now(DAY) - datetime.timedelta(days=11),
    )
    lists = sel.overdue(user=grid_tree.county, node=grid_tree.c, now=_now(DAY))
    assert [r.pk for r in lists["approvals_waiting"]] == [late.pk]
    assert [r.pk for r in lists["confirmations_waiting"]] == [waiting.pk]
    lists = sel.overdue(user=grid_tree.t1_leader, node=grid_tree.t1, now=_now(DAY))
    assert [r.pk for r in lists["approvals_waiting"]] == [late.pk]
    assert not lists["confirmations_waiting"].exists()


def test_overdue_page(grid_tree, client):
    client.force_login(grid_tree.t1_leader)
    response = client.get(f"/monitoring/grids/{grid_tree.t1.code}/overdue/")
    assert response.status_code == 200 and "超期事项" in response.content.decode()
    client.force_login(grid_tree.v3_leader)
    assert client.get(f"/monitoring/grids/{grid_tree.t1.code}/overdue/").status_code == 404
