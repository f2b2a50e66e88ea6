"""A hand-counted county for the figure tests (built on ``grid_tree``).

Households (active unless noted; ``reg`` = registered on the relief platform)::

    T1 / V1 / G1  12 active (3 reg) + 1 moved out   10 visited in May, 1 unvisited has a migrant
    T1 / V1 / G2   2 active (2 reg)                  1 visited in person, 1 by phone
    T1 / V2 / G3  21 active (0 reg)                  none visited
    T2 / V3 / G4   3 active (1 reg)                  all visited

Self-applications: G1 3 (2 completed), G4 1 (completed).
Clues (today 2026-05-10): G1 visit/new overdue; G2 application/verifying; G3 visit/dismissed;
G4 department/confirmed.
Cases: G1 open 边缘 (marginal); G2 open 脱贫不稳定 (unstable); G3 eliminated by assistance;
G4 one eliminated naturally and one open 突发 (sudden).
Plans (identified 2026-01-10, so overdue without a measure by today): G1's case has 3 measures
(industry and comprehensive security implemented, employment planned); G2's case one cancelled
measure (overdue); G3's case had one implemented measure before its elimination (not counted);
G4's open case has no plan (overdue).
Reviews (due month April: today is before the 25th): V1 confirmed April; V2 submitted April on
04-26, not approved after 5 days (approval waiting); V3 has no April review (not submitted) and
its March review approved on 04-01, not confirmed after 10 days (confirmation waiting).
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from assistance.services import measure_set_state
from assistance.tests.factories import implement, make_measure, make_plan
from households.tests.factories import HouseholdFactory, PersonFactory
from monitoring.models import MonitoringCase, RiskClue, SelfApplication, VillageReview, Visit
from monitoring.tests.factories import make_case

MONTH = datetime.date(2026, 5, 1)
TODAY = datetime.date(2026, 5, 10)


def _households(grid, n, registered=0):
    rows = []
    for i in range(n):
        reg = i < registered
        rows.append(
            HouseholdFactory(
                grid=grid,
                platform_registered=reg,
                platform_registered_on=datetime.date(2025, 1, 1) if reg else None,
            )
        )
    return rows


def _application(household, status):
    done = status == "completed"
    now = timezone.now()
    return SelfApplication.objects.create(
        household=household,
        channel="proxy",
        applicant_name=household.head_name,
        applicant_id_hash="x" * 64,
        applicant_id_masked="533423********0011",
        phone="13800000000",
        matter="medical",
        description="看病花费大",
        consent=True,
        consent_at=now,
        received_at=now,
        status=status,
        eligible=True if done else None,
        result_reason="已落实医疗救助" if done else "",
        completed_at=now if done else None,
    )


def _clue(household, risk, source, state, found, **extra):
    return RiskClue.objects.create(
        household=household,
        risk_type=risk,
        source=source,
        state=state,
        found_on=found,
        verify_by=found + datetime.timedelta(days=5),
        decide_by=found + datetime.timedelta(days=15),
        **extra,
    )


def add_households_everywhere(tree, per_grid):
    """More active, unregistered, unvisited households in every group grid (for flat counts)."""
    for grid in (tree.g1, tree.g2, tree.g3, tree.g4):
        _households(grid, per_grid)


@pytest.fixture
def stats_tree(grid_tree):
    t = grid_tree
    g1 = _households(t.g1, 12, registered=3)
    HouseholdFactory(grid=t.g1, status="moved_out")
    g2 = _households(t.g2, 2, registered=2)
    g3 = _households(t.g3, 21)
    g4 = _households(t.g4, 3, registered=1)
    PersonFactory(household=g1[11], migrant_months=6)  # g1[10], g1[11] are not visited

    def visit(h, mode="in_person", day=datetime.date(2026, 5, 3)):
        Visit.objects.create(household=h, visitor=t.g1_member, visited_on=day, mode=mode)

    for h in g1[:10]:
        visit(h)
    visit(g2[0])
    visit(g2[1], mode="phone")
    for h in g4:
        visit(h)
    visit(g3[0], day=datetime.date(2026, 4, 28))  # April: still a blind spot in May

    _application(g1[0], "completed")
    _application(g1[1], "completed")
    _application(g1[2], "received")
    _application(g4[0], "completed")

    found = datetime.date(2026, 5, 1)
    _clue(g1[0], "illness", "visit", "new", found)  # verify_by 05-06 < today: overdue
    _clue(g2[0], "housing", "application", "verifying", datetime.date(2026, 5, 8))
    _clue(g3[0], "other", "visit", "dismissed", found, decision_reason="已核实无风险")
    _clue(g4[0], "drinking_water", "department", "confirmed", datetime.date(2026, 4, 1))

    c1 = make_case(g1[0], category="marginal")
    c2 = make_case(g2[0], category="unstable")
    c3 = make_case(g3[0], category="marginal")
    eliminated = {"state": "eliminated", "eliminated_on": datetime.date(2026, 4, 20)}
    make_case(g4[0], category="unstable", elimination_method="natural", **eliminated)
    make_case(g4[1], category="sudden")

    p1 = make_plan(t, case=c1)
    implement(t, make_measure(t, p1, category="industry", kind="industry_subsidy", dept=None))
    implement(t, make_measure(t, p1))  # comprehensive security (医保参保资助)
    make_measure(t, p1, category="employment", kind="job_placement", dept=None)
    cancelled = make_measure(t, make_plan(t, case=c2))
    measure_set_state(actor=t.superuser, measure=cancelled, state="cancelled", reason="重复录入")
    implement(t, make_measure(t, make_plan(t, case=c3)))
    MonitoringCase.objects.filter(pk=c3.pk).update(elimination_method="assistance", **eliminated)

    def review(village, month, state, **times):
        aware = {
            k: timezone.make_aware(datetime.datetime.combine(v, datetime.time(9)))
            for k, v in times.items()
        }
        return VillageReview.objects.create(village=village, month=month, state=state, **aware)

    april, march = datetime.date(2026, 4, 1), datetime.date(2026, 3, 1)
    submitted = datetime.date(2026, 4, 26)
    review(t.v1, april, "confirmed", submitted_at=submitted, confirmed_at=datetime.date(2026, 5, 2))
    review(t.v2, april, "submitted", submitted_at=submitted)
    review(t.v3, march, "approved", submitted_at=march, reviewed_at=april)
    return SimpleNamespace(tree=t, g1=g1, g2=g2, g3=g3, g4=g4)
