"""Concurrent writes on PostgreSQL: the capacity rule holds when two people act at once.

Each service locks the target group grid's row (``select_for_update``) and counts under the
lock, so the second writer waits, counts again and is refused. Without the lock both would
count 19 and the grid would end with 21 households.
"""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from core.models import AuditLog
from core.testing import run_together
from households import services
from households.models import Household, HouseholdStatus, Person, PersonStatus
from households.tests.factories import HouseholdFactory, household_with_members, synthetic_id

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _fill(grid, count):
    for i in range(count):
        HouseholdFactory(grid=grid, number=f"{grid.code}-{i:02d}")


def _active(grid):
    return Household.objects.filter(grid=grid, status=HouseholdStatus.ACTIVE).count()


def _one_refused_for_capacity(outcomes):
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError), refused[0]
    message = " ".join(refused[0].message_dict["grid"])
    assert "上限" in message and str(settings.GRID_GROUP_HARD_LIMIT) in message


def test_two_adds_to_a_grid_with_one_place_left_let_exactly_one_in(grid_tree):
    limit = settings.GRID_GROUP_HARD_LIMIT
    _fill(grid_tree.g1, limit - 1)

    def add(number, actor):
        return lambda: services.household_create(
            actor=actor,
            grid=grid_tree.g1,
            number=number,
            head={"name": "和" + number, "id_number": synthetic_id()},
        )

    outcomes = run_together(add("R-A", grid_tree.v1_leader), add("R-B", grid_tree.g1_member))

    _one_refused_for_capacity(outcomes)
    assert _active(grid_tree.g1) == limit
    winner = next(o for o in outcomes if isinstance(o, Household))
    assert Household.objects.filter(number__in=["R-A", "R-B"]).get() == winner
    assert Person.objects.filter(household__number__in=["R-A", "R-B"]).count() == 1
    assert AuditLog.objects.filter(action="household.create").count() == 1


def test_an_add_and_a_move_into_the_last_place_let_exactly_one_in(grid_tree):
    limit = settings.GRID_GROUP_HARD_LIMIT
    _fill(grid_tree.g2, limit - 1)
    mover = household_with_members(grid_tree.g1, members=2, number="MOVER")

    outcomes = run_together(
        lambda: services.household_create(
            actor=grid_tree.v1_leader,
            grid=grid_tree.g2,
            number="NEW",
            head={"name": "和新", "id_number": synthetic_id()},
        ),
        lambda: services.household_move(
            actor=grid_tree.v1_leader, household=mover, grid=grid_tree.g2
        ),
    )

    _one_refused_for_capacity(outcomes)
    assert _active(grid_tree.g2) == limit
    mover.refresh_from_db()
    moved = mover.grid_id == grid_tree.g2.pk
    assert moved != Household.objects.filter(number="NEW").exists()


def test_a_member_added_while_the_household_moves_lands_in_the_moved_household(grid_tree):
    household = household_with_members(grid_tree.g1, members=2, number="BUSY")

    outcomes = run_together(
        lambda: services.person_add(
            actor=grid_tree.v1_leader,
            household=household,
            id_number=synthetic_id(),
            name="和新成员",
            relation="child",
            reason="moved_in",
        ),
        lambda: services.household_move(
            actor=grid_tree.v1_leader, household=household, grid=grid_tree.g2
        ),
    )

    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    household.refresh_from_db()
    assert household.grid_id == grid_tree.g2.pk
    assert household.village_group == grid_tree.g2.village_group
    assert household.members.filter(status=PersonStatus.ACTIVE).count() == 3
    assert set(
        AuditLog.objects.filter(action__in=["person.add", "household.move"]).values_list(
            "action", flat=True
        )
    ) == {"person.add", "household.move"}
