"""People on grids over time: posts start and end, the work passes on, a gap shows."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grids import selectors, services
from grids.models import GridAssignment
from grids.scoping import user_scope

pytestmark = pytest.mark.django_db


def _post(user):
    return GridAssignment.objects.get(user=user, ended_on__isnull=True)


def test_an_ended_post_gives_no_scope_and_stays_in_the_record(grid_tree):
    post = _post(grid_tree.g1_member)
    services.assignment_end(actor=grid_tree.v1_leader, assignment=post, reason="调离")
    assert not user_scope(grid_tree.g1_member, fresh=True).grants
    post.refresh_from_db()
    assert post.ended_on == timezone.localdate() and post.end_reason == "调离"


def test_without_a_successor_the_grid_is_unattended(grid_tree):
    before = set(selectors.unattended_grids(user=grid_tree.county, node=grid_tree.c))
    services.assignment_end(
        actor=grid_tree.v1_leader, assignment=_post(grid_tree.g1_member), reason="调离"
    )
    after = set(selectors.unattended_grids(user=grid_tree.county, node=grid_tree.c))
    assert after - before == {grid_tree.g1}


def test_a_successor_takes_the_same_post_from_the_day_it_ended(grid_tree, make_user):
    successor = make_user("s1")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    new = services.assignment_end(
        actor=grid_tree.county,
        assignment=_post(grid_tree.v1_leader),
        ended_on=yesterday,
        reason="退休",
        successor=successor,
    )
    assert (new.grid, new.role, new.started_on) == (grid_tree.v1, "leader", yesterday)
    assert user_scope(successor, fresh=True).leads(grid_tree.v1)
    assert grid_tree.v1 not in selectors.unattended_grids(user=grid_tree.county, node=grid_tree.c)


def test_ending_records_the_open_work_handed_over(grid_tree, make_user):
    from core.models import AuditLog
    from monitoring import services as monitoring
    from monitoring.tests.factories import make_household

    household = make_household(grid_tree.g1)
    monitoring.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="illness", source="visit"
    )
    services.assignment_end(
        actor=grid_tree.v1_leader,
        assignment=_post(grid_tree.g1_member),
        reason="调离",
        successor=make_user("s2"),
    )
    row = AuditLog.objects.get(action="assignment.end")
    assert row.after["successor"] == "s2"
    assert sum(row.after["open_work"].values()) >= 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ended_on": timezone.localdate() + datetime.timedelta(days=1)}, "ended_on"),
        ({"ended_on": datetime.date(2000, 1, 1)}, "ended_on"),
        ({"reason": ""}, "reason"),
    ],
)
def test_bad_end_is_refused_with_what_to_fix(grid_tree, change, field):
    args = {"reason": "调离", **change}
    with pytest.raises(ValidationError) as exc:
        services.assignment_end(
            actor=grid_tree.v1_leader, assignment=_post(grid_tree.g1_member), **args
        )
    assert field in exc.value.error_dict
    assert _post(grid_tree.g1_member).ended_on is None


def test_a_person_may_come_back_to_a_grid_they_left(grid_tree):
    post = _post(grid_tree.g1_member)
    services.assignment_end(actor=grid_tree.v1_leader, assignment=post, reason="调离")
    services.assignment_create(
        actor=grid_tree.v1_leader, user=grid_tree.g1_member, grid=grid_tree.g1, role="member"
    )
    assert GridAssignment.objects.filter(user=grid_tree.g1_member).count() == 2
