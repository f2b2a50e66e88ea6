"""The demo county's assistance step: the article's figures come out of the data."""

import datetime
import itertools

import pytest

from assistance import demo, selectors
from assistance.models import AssistancePlan, Measure
from core.seeding import SeedContext
from households.models import Household, Person
from monitoring.models import MonitoringCase

pytestmark = pytest.mark.django_db

_seq = itertools.count()
RISKS = [["illness"], ["housing", "illness"], ["drinking_water"], ["schooling"], ["lack_of_labour"]]


def _open_cases(tree, count, *, eliminated=0):
    """``count`` open (and ``eliminated`` closed) cases on new households, inserted in bulk;
    every other household has a member able to work."""
    grids = [tree.g1, tree.g2, tree.g3, tree.g4]
    total = count + eliminated
    batch = next(_seq)
    households = Household.objects.bulk_create(
        Household(number=f"S{batch}-{i:05d}", grid=grids[i % 4], head_name=f"户主{i}")
        for i in range(total)
    )
    households = list(Household.objects.filter(number__startswith=f"S{batch}-").order_by("number"))
    Person.objects.bulk_create(
        Person(
            household=h,
            name=f"户主{i}",
            id_hash=f"seedtest-{batch}-{i}",
            id_encrypted="x",
            id_masked="5334************",
            relation="head",
            sex="male",
            birth_date=datetime.date(1970, 1, 1),
            labour_capacity="ordinary" if i % 2 == 0 else "lost",
        )
        for i, h in enumerate(households)
    )
    day = datetime.date(2026, 1, 5)
    MonitoringCase.objects.bulk_create(
        MonitoringCase(
            household=h,
            category="marginal",
            risk_types=RISKS[i % len(RISKS)],
            identified_on=day,
            **(
                {
                    "state": "eliminated",
                    "eliminated_on": day.replace(month=6),
                    "elimination_method": "assistance",
                }
                if i >= count
                else {}
            ),
        )
        for i, h in enumerate(households)
    )


def _seed(tree):
    ctx = SeedContext(
        code=tree.c.code,
        name=tree.c.name,
        seed=7,
        scale=1,
        demo_logins=False,
        log=lambda _m: None,
        state={"tree_id": tree.c.tree_id},
    )
    demo.seed_assistance(ctx)


def test_article_figures_at_366_open_cases(grid_tree, django_assert_num_queries):
    _open_cases(grid_tree, 366, eliminated=40)

    _seed(grid_tree)

    with django_assert_num_queries(1):
        figures = selectors.measure_figures(node=grid_tree.c)
    assert figures["planned"] == 1510
    assert figures["implemented"] == 1053
    by = figures["implemented_by_category"]
    assert (by["industry"], by["employment"], by["comprehensive_security"]) == (71, 63, 919)
    # Every case has its plan; eliminated cases' measures are all implemented and not counted.
    assert AssistancePlan.objects.count() == 406
    closed = Measure.objects.filter(plan__case__state="eliminated")
    assert closed.count() == 80 and not closed.exclude(state="implemented").exists()
    # Nobody is overdue, and risks are answered.
    assert not selectors.overdue_cases(
        user=grid_tree.county, node=grid_tree.c, today=datetime.date(2026, 11, 1)
    ).exists()
    cases = list(selectors.case_plan_list(user=grid_tree.county, node=grid_tree.c))
    warned = [c for c, ws in selectors.case_warnings(cases).items() if ws]
    assert warned == []


def test_figures_scale_with_the_open_cases_and_narrow_to_a_subtree(grid_tree):
    _open_cases(grid_tree, 100)
    _seed(grid_tree)

    figures = selectors.measure_figures(node=grid_tree.c)
    assert figures["planned"] == round(1510 * 100 / 366)
    assert figures["implemented_by_category"]["comprehensive_security"] == round(919 * 100 / 366)
    t1 = selectors.measure_figures(node=grid_tree.t1)
    t2 = selectors.measure_figures(node=grid_tree.t2)
    assert t1["planned"] + t2["planned"] == figures["planned"] and t2["planned"] > 0
    cases = MonitoringCase.objects.filter(household__grid=grid_tree.g4)
    assert selectors.measure_figures(cases=cases) == t2


def test_seed_is_deterministic_and_purge_removes_it(grid_tree):
    _open_cases(grid_tree, 30, eliminated=5)
    _seed(grid_tree)
    first = list(
        Measure.objects.order_by("plan__case_id", "id").values_list(
            "plan__case_id", "kind", "state", "planned_on"
        )
    )
    demo.purge_assistance(grid_tree.c.tree_id)
    assert not AssistancePlan.objects.exists() and not Measure.objects.exists()
    _seed(grid_tree)
    again = list(
        Measure.objects.order_by("plan__case_id", "id").values_list(
            "plan__case_id", "kind", "state", "planned_on"
        )
    )
    assert again == first
