"""Concurrent writes on PostgreSQL: the row locks let exactly one transition win."""

import pytest
from django.core.exceptions import ValidationError

from assistance import services
from assistance.models import AssistancePlan, Measure
from core.exceptions import Conflict
from core.testing import run_together
from monitoring.tests.factories import make_case, make_household

from .factories import make_measure, make_plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    """Sorted outcomes: "ok", or the refusal's class name (anything else fails the test)."""
    outcomes = []
    for o in run_together(*calls):
        if isinstance(o, Exception) and not isinstance(o, (ValidationError, Conflict)):
            raise o
        outcomes.append(type(o).__name__ if isinstance(o, Exception) else "ok")
    return sorted(outcomes)


def test_implemented_and_cancelled_at_once_one_wins(grid_tree):
    measure = make_measure(grid_tree, make_plan(grid_tree))
    outcomes = _race(
        lambda: services.measure_set_state(
            actor=grid_tree.v1_leader,
            measure=measure,
            state="implemented",
            on_date="2026-03-01",
            evidence="凭证",
        ),
        lambda: services.measure_set_state(
            actor=grid_tree.g1_member, measure=measure, state="cancelled", reason="重复"
        ),
    )
    assert outcomes == ["ValidationError", "ok"]
    assert Measure.objects.get(pk=measure.pk).state in ("implemented", "cancelled")


def test_two_plans_for_one_case_at_once_one_wins(grid_tree):
    case = make_case(make_household(grid_tree.g1))

    def create(name):
        return lambda: services.plan_create(
            actor=grid_tree.v1_leader, case=case, contact_name=name, contact_phone="1"
        )

    assert _race(create("甲"), create("乙")) == ["Conflict", "ok"]
    assert AssistancePlan.objects.filter(case=case).count() == 1
