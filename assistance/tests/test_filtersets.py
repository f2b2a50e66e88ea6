"""One test per filter of the plan and measure endpoints."""

import datetime

import pytest

from core.testing import assert_filter
from monitoring.models import MonitoringCase

from .factories import make_measure, make_plan

pytestmark = pytest.mark.django_db


def test_plan_filters_case_and_case_state(grid_tree, api):
    client = api.as_user(grid_tree.superuser)
    a, b = make_plan(grid_tree, "g1"), make_plan(grid_tree, "g3")
    MonitoringCase.objects.filter(pk=b.case_id).update(
        state="eliminated", eliminated_on=datetime.date(2026, 6, 1), elimination_method="natural"
    )
    assert_filter(client, "/api/v1/plans/", {"case": a.case_id}, includes=[a.pk], excludes=[b.pk])
    assert_filter(
        client, "/api/v1/plans/", {"case__state": "eliminated"}, includes=[b.pk], excludes=[a.pk]
    )


def test_measure_filters(grid_tree, api):
    client = api.as_user(grid_tree.superuser)
    plan, other_plan = make_plan(grid_tree, "g1"), make_plan(grid_tree, "g2")
    a = make_measure(grid_tree, plan)
    b = make_measure(
        grid_tree, other_plan, category="employment", kind="job_placement", dept="renshe"
    )
    b.state = "in_progress"
    b.save(update_fields=["state"])
    url = "/api/v1/measures/"
    assert_filter(client, url, {"state": "in_progress"}, includes=[b.pk], excludes=[a.pk])
    assert_filter(client, url, {"category": "employment"}, includes=[b.pk], excludes=[a.pk])
    assert_filter(
        client, url, {"kind": "medical_insurance_subsidy"}, includes=[a.pk], excludes=[b.pk]
    )
    assert_filter(client, url, {"department": a.department_id}, includes=[a.pk], excludes=[b.pk])
    assert_filter(client, url, {"plan": other_plan.pk}, includes=[b.pk], excludes=[a.pk])
