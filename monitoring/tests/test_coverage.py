"""Coverage (blind spots and migrant-work contact) on a hand-made fixture, and completion rate."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.discovery import selectors
from monitoring.models import Visit
from monitoring.tests.factories import make_household

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2026, 5, 1)


def _visit(household, user, day, mode="in_person"):
    return Visit.objects.create(household=household, visitor=user, visited_on=day, mode=mode)


@pytest.fixture
def county(grid_tree):
    t = grid_tree
    h = {
        "g1_seen": make_household(t.g1),
        "g1_phone_only": make_household(t.g1),
        "g1_last_month": make_household(t.g1),
        "g2_seen": make_household(t.g2),
        "g3_none": make_household(t.g3),
        "g4_none": make_household(t.g4),
        "g1_gone": make_household(t.g1, status="moved_out"),
        # Migrant-work households (a member away > 0 months):
        "g2_migrant_phoned_april": make_household(t.g2, migrant_months=8),
        "g2_migrant_never": make_household(t.g2, migrant_months=10),
        "g3_migrant_march": make_household(t.g3, migrant_months=6),
    }
    user = t.superuser
    _visit(h["g1_seen"], user, datetime.date(2026, 5, 3))
    _visit(h["g1_phone_only"], user, datetime.date(2026, 5, 10), mode="phone")
    _visit(h["g1_last_month"], user, datetime.date(2026, 4, 30))
    _visit(h["g2_seen"], user, datetime.date(2026, 5, 31))
    _visit(h["g2_migrant_phoned_april"], user, datetime.date(2026, 4, 2), mode="phone")
    _visit(h["g3_migrant_march"], user, datetime.date(2026, 3, 31), mode="phone")
    return h


def _numbers(qs):
    return {h.number for h in qs}


def test_blind_spots_grouped_by_group_grid(grid_tree, county):
    result = selectors.coverage(user=grid_tree.county, node=grid_tree.c, month=MONTH)
    rows = {r["grid__code"]: (r["total"], r["blind"]) for r in result["groups"]}
    assert rows == {
        grid_tree.g1.code: (3, 2),  # phone-only and last month's visit do not count
        grid_tree.g2.code: (3, 2),
        grid_tree.g3.code: (2, 2),
        grid_tree.g4.code: (1, 1),
    }
    blind = _numbers(result["blind_spots"])
    assert county["g1_seen"].number not in blind and county["g1_gone"].number not in blind
    assert county["g1_phone_only"].number in blind
    summary = selectors.coverage_summary(result["groups"])
    assert summary["households"] == 9 and summary["blind"] == 7 and summary["grids_behind"] == 4


def test_migrant_households_need_contact_in_the_quarter(grid_tree, county):
    result = selectors.coverage(user=grid_tree.county, node=grid_tree.c, month=MONTH)
    assert result["quarter"] == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    # April phone call counts for Q2; a March call belongs to Q1.
    assert _numbers(result["migrant_uncontacted"]) == {
        county["g2_migrant_never"].number,
        county["g3_migrant_march"].number,
    }


def test_coverage_of_a_village_and_scope(grid_tree, county):
    result = selectors.coverage(user=grid_tree.v1_leader, node=grid_tree.v1, month=MONTH)
    assert {r["grid__code"] for r in result["groups"]} == {grid_tree.g1.code, grid_tree.g2.code}
    # Asking for a subtree outside one's scope yields nothing.
    result = selectors.coverage(user=grid_tree.v1_leader, node=grid_tree.v3, month=MONTH)
    assert list(result["groups"]) == [] and not result["blind_spots"].exists()


def test_coverage_is_set_based(grid_tree, county):
    user = grid_tree.county
    user.__dict__.pop("_grid_scope_cache", None)
    with CaptureQueriesContext(connection) as ctx:
        result = selectors.coverage(user=user, node=grid_tree.c, month=MONTH)
        list(result["groups"])
        list(result["blind_spots"])
        list(result["migrant_uncontacted"])
    assert len(ctx.captured_queries) == 4  # scope + three set-based queries


def test_completion_rate(grid_tree):
    from monitoring import services
    from monitoring.tests.factories import new_id_number

    for i in range(4):
        number = new_id_number()
        make_household(grid_tree.g1, head_id=number)
        app, _ = services.application_submit(
            actor=grid_tree.v1_leader,
            channel="proxy",
            applicant_name="甲",
            applicant_id_number=number,
            phone="1",
            matter="living",
            description="困难",
            consent=True,
        )
        if i < 3:
            services.application_start_verifying(actor=grid_tree.v1_leader, application=app)
            services.application_record_result(
                actor=grid_tree.v1_leader, application=app, eligible=False, reason="不符合"
            )
            services.application_complete(actor=grid_tree.v1_leader, application=app)
    rate = selectors.application_completion(user=grid_tree.t1_leader, node=grid_tree.t1)
    assert rate == {"filed": 4, "completed": 3, "rate": 75.0}
    assert (
        selectors.application_completion(user=grid_tree.v3_leader, node=grid_tree.v3)["filed"] == 0
    )
