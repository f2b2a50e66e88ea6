"""Two people acting on the same review at once (PostgreSQL row locks): one wins, one is told."""

import datetime

import pytest
from django.utils import timezone

from core.exceptions import Conflict
from core.models import AuditLog
from core.testing import run_together
from grids import services as grid_services
from grids.models import Role
from monitoring import services
from monitoring.models import MonitoringCase, ReviewState, RiskClue, VillageReview
from monitoring.tests.factories import make_household

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _submitted(tree):
    today = timezone.localdate()
    household = make_household(tree.g1)
    services.clue_raise(
        actor=tree.superuser, household=household, risk_type="illness", source="department"
    )
    review = services.review_create(actor=tree.v1_leader, village=tree.v1, month=today)
    services.review_item_set(
        actor=tree.v1_leader,
        item=review.items.get(),
        decision="include",
        category="marginal",
        risk_types=["illness"],
        income_12m="9000",
        spending_12m="30000",
    )
    services.review_update(
        actor=tree.v1_leader,
        review=review,
        meeting_on=today,
        attendance="村两委",
        minutes="研判",
        notice_start=today,
        notice_end=today + datetime.timedelta(days=6),
    )
    return services.review_submit(actor=tree.v1_leader, review=review)


def _second_county_staff(tree, make_user):
    """Another county staff member (besides ``tree.county``), assigned at the county root."""
    other = make_user("county2", first_name="县乡村振兴局")
    grid_services.assignment_create(actor=tree.superuser, user=other, grid=tree.c, role=Role.MEMBER)
    return other


def _race(*actions):
    """ "ok" for each action that went through, else what it raised."""
    return ["ok" if not isinstance(o, Exception) else o for o in run_together(*actions)]


def test_approve_and_return_at_once_one_wins_the_other_gets_a_conflict(grid_tree, make_user):
    review = _submitted(grid_tree)
    deputy = make_user("t1b", first_name="副镇长")
    grid_services.assignment_create(
        actor=grid_tree.superuser, user=deputy, grid=grid_tree.t1, role=Role.LEADER
    )
    results = _race(
        lambda: services.review_approve(actor=grid_tree.t1_leader, review=review),
        lambda: services.review_return(actor=deputy, review=review, reason="请补充收入证明"),
    )
    assert sorted(r == "ok" for r in results) == [False, True], results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, Conflict), loser
    review.refresh_from_db()
    winner = grid_tree.t1_leader if review.state == ReviewState.APPROVED else deputy
    assert winner.first_name in str(loser)
    assert review.reviewed_by == winner
    # Exactly one township decision was recorded.
    assert AuditLog.objects.filter(action__in=["review.approve", "review.return"]).count() == 1


def test_two_county_confirmations_at_once_open_one_case(grid_tree, make_user):
    review = _submitted(grid_tree)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    other = _second_county_staff(grid_tree, make_user)
    results = _race(
        lambda: services.review_confirm(actor=grid_tree.county, review=review),
        lambda: services.review_confirm(actor=other, review=review),
    )
    assert sorted(r == "ok" for r in results) == [False, True], results
    assert isinstance(next(r for r in results if r != "ok"), Conflict)
    assert MonitoringCase.objects.count() == 1
    assert VillageReview.objects.get().state == ReviewState.CONFIRMED
    assert RiskClue.objects.get().state == "confirmed"
    assert AuditLog.objects.filter(action="case.identify").count() == 1


def test_county_confirmation_and_return_at_once_one_wins(grid_tree, make_user):
    review = _submitted(grid_tree)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    other = _second_county_staff(grid_tree, make_user)
    results = _race(
        lambda: services.review_confirm(actor=grid_tree.county, review=review),
        lambda: services.review_return(actor=other, review=review, reason="请补充支出票据"),
    )
    assert sorted(r == "ok" for r in results) == [False, True], results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, Conflict), loser
    review.refresh_from_db()
    if review.state == ReviewState.CONFIRMED:
        assert MonitoringCase.objects.count() == 1 and grid_tree.county.first_name in str(loser)
    else:
        assert review.state == ReviewState.RETURNED and not MonitoringCase.objects.exists()
        assert other.first_name in str(loser)
    assert AuditLog.objects.filter(action__in=["review.confirm", "review.return"]).count() == 1
