"""Every figure against the hand-counted county of ``conftest.py``; flat query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistance.models import MeasureCategory
from grids import services as grid_services
from grids.models import Level
from reports import selectors
from reports.figures import PENDING, children_figures, county_figures, figure_keys

from .conftest import MONTH, TODAY, add_households_everywhere

pytestmark = pytest.mark.django_db


def _by_category(**counts):
    return {c: counts.get(c, 0) for c in MeasureCategory.values}


def _figures(user, grid):
    return county_figures(user=user, grid=grid, month=MONTH, today=TODAY)


COUNTY = {
    "grid": {"code": "533423", "name": "测试县", "level": "county"},
    "month": "2026-05",
    "grids": {"county": 1, "township": 2, "village": 3, "group": 4},
    "grid_members": {"county": 2, "township": 1, "village": 2, "group": 1},
    "households": 38,
    "platform_registered": 6,
    "platform_registration_rate": 15.79,
    "applications": 4,
    "applications_completed": 3,
    "application_completion_rate": 75.0,
    "group_grids_over_10": 2,
    "group_grids_over_20": 1,
    "clues_by_source": {"visit": 2, "application": 1, "department": 1},
    "clues_by_state": {"new": 1, "verifying": 1, "confirmed": 1, "dismissed": 1},
    "clues_open": 2,
    "clues_overdue": 1,
    "blind_spots": 24,
    "migrants_uncontacted": 1,
    "cases_unresolved": 3,
    "cases_by_category": {"unstable": 1, "marginal": 1, "sudden": 1},
    "cases_by_state": {"monitoring": 3, "eliminated": 2},
    "cases_eliminated_by_method": {"assistance": 1, "natural": 1},
    "reviews_overdue": {"not_submitted": 1, "approvals_waiting": 1, "confirmations_waiting": 1},
    "measures_planned": 3,
    "measures_implemented": 2,
    "measures_implemented_by_category": _by_category(industry=1, comprehensive_security=1),
    "plans_overdue": 2,
}

T1 = {
    "grids": {"county": 0, "township": 1, "village": 2, "group": 3},
    "grid_members": {"county": 0, "township": 1, "village": 1, "group": 1},
    "households": 35,
    "platform_registered": 5,
    "platform_registration_rate": 14.29,
    "applications": 3,
    "applications_completed": 2,
    "application_completion_rate": 66.67,
    "group_grids_over_10": 2,
    "group_grids_over_20": 1,
    "clues_by_source": {"visit": 2, "application": 1, "department": 0},
    "clues_by_state": {"new": 1, "verifying": 1, "confirmed": 0, "dismissed": 1},
    "clues_open": 2,
    "clues_overdue": 1,
    "blind_spots": 24,
    "migrants_uncontacted": 1,
    "cases_unresolved": 2,
    "cases_by_category": {"unstable": 1, "marginal": 1, "sudden": 0},
    "cases_by_state": {"monitoring": 2, "eliminated": 1},
    "cases_eliminated_by_method": {"assistance": 1, "natural": 0},
    "reviews_overdue": {"not_submitted": 0, "approvals_waiting": 1, "confirmations_waiting": 0},
    "measures_planned": 3,
    "measures_implemented": 2,
    "measures_implemented_by_category": _by_category(industry=1, comprehensive_security=1),
    "plans_overdue": 1,
}

T2 = {
    "grids": {"county": 0, "township": 1, "village": 1, "group": 1},
    "grid_members": {"county": 0, "township": 0, "village": 1, "group": 0},
    "households": 3,
    "platform_registered": 1,
    "platform_registration_rate": 33.33,
    "applications": 1,
    "applications_completed": 1,
    "application_completion_rate": 100.0,
    "group_grids_over_10": 0,
    "group_grids_over_20": 0,
    "clues_by_source": {"visit": 0, "application": 0, "department": 1},
    "clues_by_state": {"new": 0, "verifying": 0, "confirmed": 1, "dismissed": 0},
    "clues_open": 0,
    "clues_overdue": 0,
    "blind_spots": 0,
    "migrants_uncontacted": 0,
    "cases_unresolved": 1,
    "cases_by_category": {"unstable": 0, "marginal": 0, "sudden": 1},
    "cases_by_state": {"monitoring": 1, "eliminated": 1},
    "cases_eliminated_by_method": {"assistance": 0, "natural": 1},
    "reviews_overdue": {"not_submitted": 1, "approvals_waiting": 0, "confirmations_waiting": 1},
    "measures_planned": 0,
    "measures_implemented": 0,
    "measures_implemented_by_category": _by_category(),
    "plans_overdue": 1,
}

V1 = {
    "grids": {"county": 0, "township": 0, "village": 1, "group": 2},
    "grid_members": {"county": 0, "township": 0, "village": 1, "group": 1},
    "households": 14,
    "platform_registered": 5,
    "platform_registration_rate": 35.71,
    "applications": 3,
    "applications_completed": 2,
    "application_completion_rate": 66.67,
    "group_grids_over_10": 1,
    "group_grids_over_20": 0,
    "clues_by_source": {"visit": 1, "application": 1, "department": 0},
    "clues_by_state": {"new": 1, "verifying": 1, "confirmed": 0, "dismissed": 0},
    "clues_open": 2,
    "clues_overdue": 1,
    "blind_spots": 3,
    "migrants_uncontacted": 1,
    "cases_unresolved": 2,
    "cases_by_category": {"unstable": 1, "marginal": 1, "sudden": 0},
    "cases_by_state": {"monitoring": 2, "eliminated": 0},
    "cases_eliminated_by_method": {"assistance": 0, "natural": 0},
    "reviews_overdue": {"not_submitted": 0, "approvals_waiting": 0, "confirmations_waiting": 0},
    "measures_planned": 3,
    "measures_implemented": 2,
    "measures_implemented_by_category": _by_category(industry=1, comprehensive_security=1),
    "plans_overdue": 1,
}


def _strip(figures):
    return {k: v for k, v in figures.items() if k not in ("grid", "month")}


def test_county_figures_match_hand_count(stats_tree):
    t = stats_tree.tree
    assert _figures(t.county, t.c) == COUNTY


@pytest.mark.parametrize(("key", "expected"), [("t1", T1), ("t2", T2), ("v1", V1)])
def test_subtree_figures_match_hand_count(stats_tree, key, expected):
    t = stats_tree.tree
    assert _strip(_figures(t.county, getattr(t, key))) == expected


def test_rate_is_none_without_denominator(stats_tree):
    t = stats_tree.tree
    figures = _figures(t.county, t.v2)  # no applications in 二村
    assert figures["applications"] == 0
    assert figures["application_completion_rate"] is None
    assert figures["platform_registration_rate"] == 0.0


def test_children_figures_equal_each_childs_own_figures(stats_tree):
    t = stats_tree.tree
    children = [t.t1, t.t2]
    table = children_figures(user=t.county, grid=t.c, children=children, month=MONTH, today=TODAY)
    assert table[t.t1.pk] == T1
    assert table[t.t2.pk] == T2
    villages = children_figures(
        user=t.county, grid=t.t1, children=[t.v1, t.v2], month=MONTH, today=TODAY
    )
    assert villages[t.v1.pk] == V1
    assert villages[t.v2.pk] == _strip(_figures(t.county, t.v2))


def test_figures_agree_with_the_lists_behind_them(stats_tree):
    t = stats_tree.tree
    user, node = t.t1_leader, t.t1
    figures = _figures(user, node)
    assert figures["households"] == selectors.subtree_households(user=user, node=node).count()
    assert (
        figures["platform_registered"]
        == selectors.subtree_households(user=user, node=node)
        .filter(platform_registered=True)
        .count()
    )
    assert figures["applications"] == selectors.subtree_applications(user=user, node=node).count()
    assert (
        figures["blind_spots"]
        == selectors.subtree_blind_spots(user=user, node=node, month=MONTH).count()
    )
    crowded = list(selectors.crowded_group_grids(user=user, node=node, over=10))
    assert [r["grid__code"] for r in crowded] == [t.g1.code, t.g3.code]
    assert figures["group_grids_over_10"] == len(crowded)


def test_village_leader_figures_equal_county_view_of_the_village(stats_tree):
    t = stats_tree.tree
    assert _strip(_figures(t.v1_leader, t.v1)) == V1
    # The group member sees only their group grid.
    assert _figures(t.g1_member, t.g1)["households"] == 12


def test_figures_keys_are_the_documented_ones(stats_tree):
    t = stats_tree.tree
    assert list(_figures(t.county, t.c)) == ["grid", "month", *figure_keys()]
    assert not set(PENDING) & set(figure_keys())


def _count_queries(user, node):
    user = type(user).objects.get(pk=user.pk)  # a fresh user: the scope is loaded inside
    with CaptureQueriesContext(connection) as ctx:
        _figures(user, node)
    return len(ctx.captured_queries)


#: scope (1) + grids, members, households, applications, crowded, clues, blind spots, migrants,
#: cases, reviews not submitted, approvals and confirmations waiting, measures, overdue plans.
FIGURE_QUERIES = 15


def test_figures_query_count_is_flat_in_households_and_grids(stats_tree):
    t = stats_tree.tree
    small = _count_queries(t.county, t.c)
    add_households_everywhere(t, 9)
    village = grid_services.grid_create(
        actor=t.superuser, code="533423200002", name="四村", level=Level.VILLAGE, parent=t.t2
    )
    for i in range(5):
        grid_services.grid_create(
            actor=t.superuser,
            code=f"53342320000201{i:02d}",
            name=f"四村第{i}网格",
            level=Level.GROUP,
            parent=village,
            village_group="第1村民小组",
        )
    t.c.refresh_from_db()
    large = _count_queries(t.county, t.c)
    assert small == large == FIGURE_QUERIES
    assert _figures(t.county, t.c)["grids"]["group"] == 9
    assert _figures(t.county, t.c)["households"] == 38 + 36


def test_children_figures_query_count_does_not_grow_with_children(stats_tree):
    t = stats_tree.tree
    with CaptureQueriesContext(connection) as two:
        children_figures(user=t.superuser, grid=t.c, children=[t.t1, t.t2], month=MONTH)
    with CaptureQueriesContext(connection) as four:
        children_figures(
            user=t.superuser, grid=t.t1, children=[t.g1, t.g2, t.g3], month=MONTH, today=TODAY
        )
    assert len(two.captured_queries) == len(four.captured_queries) == FIGURE_QUERIES - 1
