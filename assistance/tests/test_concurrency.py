"""Concurrent writes on PostgreSQL: the row locks let exactly one transition win."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from assistance import services
from assistance.models import AssistancePlan, Measure
from core.exceptions import Conflict
from monitoring.tests.factories import make_case, make_household

from .factories import make_measure, make_plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except (ValidationError, Conflict) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
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
