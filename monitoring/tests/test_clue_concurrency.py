"""A clue raised while its household moves to another group grid (PostgreSQL)."""

import pytest

from core.testing import run_together
from households import services as household_services
from monitoring import services
from monitoring.models import RiskClue
from monitoring.tests.factories import make_household

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_clue_raised_while_the_household_moves_lands_on_the_moved_household(grid_tree):
    household = make_household(grid_tree.g1)
    for _ in range(5):  # several rounds: the two writers meet in either order
        outcomes = run_together(
            lambda: household_services.household_move(
                actor=grid_tree.v1_leader,
                household=household,
                grid=grid_tree.g2 if household.grid_id == grid_tree.g1.pk else grid_tree.g1,
            ),
            lambda: services.clue_raise(
                actor=grid_tree.v1_leader,
                household=household,
                risk_type="illness",
                source="visit",
                note="走访发现",
            ),
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        household.refresh_from_db()
    clue = RiskClue.objects.get(household=household)  # merged: one open clue, five signals
    assert clue.evidence.count() == 5
