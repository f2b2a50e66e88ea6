"""Reads of the assistance app: scoped plans and measures, warnings, the overdue list, figures.

Overdue (``is_overdue``): an open case (risk not eliminated) whose plan has no measure drawn up
and not given up ``ASSISTANCE_MEASURE_DAYS`` days (default 30, about a month) after it was
identified. ``today`` defaults to the local date, so tests move the clock by passing it.
"""

import datetime

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.utils import timezone

from grids.models import GridNode
from grids.scoping import user_scope
from grids.selectors import in_subtree
from households.models import Person, PersonStatus
from monitoring.models import CaseState, MonitoringCase

from .models import (
    ANSWERING_STATES,
    FINAL_STATES,
    AssistancePlan,
    Measure,
    MeasureCategory,
    MeasureState,
)
from .rules import ABLE_CAPACITIES, warnings_for


def measure_days() -> int:
    """Days after identification by which a case's plan must hold a measure (setting)."""
    return settings.ASSISTANCE_MEASURE_DAYS


def overdue_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Cases identified before this date must have a measure by now."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=measure_days())


def _able_to_work(household_ref: str):
    return Exists(
        Person.objects.filter(
            household_id=OuterRef(household_ref),
            status=PersonStatus.ACTIVE,
            labour_capacity__in=ABLE_CAPACITIES,
        )
    )


def _has_answering_measure(case_ref: str):
    return Exists(
        Measure.objects.filter(plan__case_id=OuterRef(case_ref), state__in=ANSWERING_STATES)
    )


def overdue_expression(today: datetime.date | None = None, *, prefix: str = ""):
    """True for an open case identified more than the setting's days ago without a measure.

    ``prefix`` is the path to the case (``""`` on cases, ``"case__"`` on plans).
    """
    case_ref = f"{prefix}id" if prefix else "pk"
    return Case(
        When(
            Q(**{f"{prefix}state": CaseState.MONITORING})
            & Q(**{f"{prefix}identified_on__lt": overdue_cutoff(today)})
            & ~_has_answering_measure(case_ref),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def plan_list(*, user, today: datetime.date | None = None):
    """The plans ``user`` may see (grid people only), with case, household, grid and measures
    loaded, annotated ``able_to_work`` and ``is_overdue``."""
    return (
        AssistancePlan.objects.visible_to(user)
        .select_related("case__household__grid")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("department"))
        )
        .annotate(
            able_to_work=_able_to_work("case__household_id"),
            is_overdue=overdue_expression(today, prefix="case__"),
        )
    )


def plan_warnings(plan) -> list:
    """The warnings of a plan loaded by ``plan_list`` (measures prefetched)."""
    return warnings_for(
        plan.case.risk_types, plan.measures.all(), able_to_work=getattr(plan, "able_to_work", False)
    )


def measure_list(*, user):
    """The measures ``user`` may see: grid people by subtree, department staff their own
    department's across the county. Loads what a measure shows: household number, head name
    and village (the grid's parent), nothing more."""
    return Measure.objects.visible_to(user).select_related(
        "plan__case__household__grid__parent", "department"
    )


def open_case_measures(*, user):
    """The measures ``user`` may see that count in the figures: drawn up (not cancelled) for
    households whose risk is not eliminated (the case is open)."""
    return (
        Measure.objects.visible_to(user)
        .filter(plan__case__state=CaseState.MONITORING)
        .exclude(state=MeasureState.CANCELLED)
    )


def department_measures(*, user, state: str | None = None):
    """The measures of the departments ``user`` works for (the department's own list)."""
    qs = measure_list(user=user).filter(department__isnull=False)
    if not user.is_superuser:
        qs = qs.filter(department_id__in=sorted(user_scope(user).departments))
    if state == "open":
        qs = qs.exclude(state__in=FINAL_STATES)
    elif state:
        qs = qs.filter(state=state)
    # Open first, the longest overdue (the earliest planned) at the top; then what is done.
    return qs.annotate(
        done=Case(When(state__in=FINAL_STATES, then=Value(1)), default=Value(0))
    ).order_by("done", "planned_on", "id")


def case_plan_list(*, user, node: GridNode | None = None, today: datetime.date | None = None):
    """Open cases ``user`` may see (in ``node``'s subtree), with their plan's state of play:
    ``has_plan``, ``measure_count`` (drawn up, not given up), ``able_to_work``, ``is_overdue``.
    The ledger reads warnings from these with ``case_warnings``."""
    qs = MonitoringCase.objects.visible_to(user).filter(state=CaseState.MONITORING)
    if node is not None:
        qs = qs.filter(**in_subtree("household__grid", node))
    return (
        qs.select_related("household__grid__parent", "plan")
        .annotate(
            measure_count=Count(
                "plan__measures", filter=Q(plan__measures__state__in=ANSWERING_STATES)
            ),
            able_to_work=_able_to_work("household_id"),
            is_overdue=overdue_expression(today),
        )
        .order_by("identified_on", "id")
    )


def overdue_cases(*, user, node: GridNode, today: datetime.date | None = None):
    """Open cases of a subtree whose plan has no measure a month after identification."""
    return case_plan_list(user=user, node=node, today=today).filter(is_overdue=True)


def case_warnings(cases) -> dict[int, list]:
    """Warnings for many cases at once (two queries): ``{case_id: [PlanWarning, ...]}``.

    ``cases`` is a list of cases annotated ``able_to_work`` (as ``case_plan_list`` gives).
    """
    cases = list(cases)
    rows = Measure.objects.filter(plan__case_id__in=[c.pk for c in cases]).values_list(
        "plan__case_id", "category", "state"
    )
    by_case: dict[int, list] = {}
    for case_id, category, state in rows:
        by_case.setdefault(case_id, []).append((category, state))
    return {
        c.pk: warnings_for(
            c.risk_types, by_case.get(c.pk, []), able_to_work=getattr(c, "able_to_work", False)
        )
        for c in cases
    }


def measure_figures(*, cases=None, node: GridNode | None = None) -> dict:
    """Measures of open cases (risk not eliminated): drawn up, implemented, implemented by
    category. ``cases`` narrows to a queryset of cases, ``node`` to a subtree. One query.

    "Drawn up" counts every measure not cancelled.
    """
    qs = Measure.objects.filter(plan__case__state=CaseState.MONITORING).exclude(
        state=MeasureState.CANCELLED
    )
    if cases is not None:
        qs = qs.filter(plan__case__in=cases)
    if node is not None:
        qs = qs.filter(**in_subtree("plan__case__household__grid", node))
    implemented = Q(state=MeasureState.IMPLEMENTED)
    agg = qs.aggregate(
        planned=Count("pk"),
        implemented=Count("pk", filter=implemented),
        **{
            f"cat_{c.value}": Count("pk", filter=implemented & Q(category=c.value))
            for c in MeasureCategory
        },
    )
    return {
        "planned": agg["planned"],
        "implemented": agg["implemented"],
        "implemented_by_category": {c.value: agg[f"cat_{c.value}"] for c in MeasureCategory},
    }
