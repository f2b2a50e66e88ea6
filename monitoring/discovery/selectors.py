"""Reads of the monitoring app: scoped lists, the clue inbox, coverage and completion rate."""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.utils import timezone

from grids.models import GridNode
from grids.selectors import in_subtree
from households.models import Household, HouseholdStatus, Person, PersonStatus
from monitoring.discovery.models.applications import ApplicationStatus, SelfApplication
from monitoring.discovery.models.clues import OPEN_STATES, ClueEvidence, ClueState, RiskClue
from monitoring.discovery.models.visits import Visit, VisitMode


def visit_list(*, user):
    """The visits ``user`` may see, with household, grid and visitor loaded."""
    return Visit.objects.visible_to(user).select_related("household__grid", "visitor")


def application_list(*, user):
    """The self-applications ``user`` may see, with household and grid loaded."""
    return SelfApplication.objects.visible_to(user).select_related("household__grid")


def open_first(applications):
    """Applications still to be handled first (received, verifying, decided), the oldest at
    the top; then the completed ones."""
    done = Case(
        When(status=ApplicationStatus.COMPLETED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return applications.annotate(done=done).order_by("done", "received_at", "id")


def overdue_expression(today: datetime.date):
    """True for an open clue past its deadline: the home check (new) or the decision (open)."""
    return Case(
        When(state=ClueState.NEW, verify_by__lt=today, then=Value(True)),
        When(state__in=OPEN_STATES, decide_by__lt=today, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def clue_list(*, user, today: datetime.date | None = None):
    """The clues ``user`` may see, annotated ``is_overdue`` against ``today`` (local date),
    with household, grid and evidence loaded."""
    today = today or timezone.localdate()
    return (
        RiskClue.objects.visible_to(user)
        .select_related("household__grid")
        .prefetch_related(Prefetch("evidence", queryset=ClueEvidence.objects.order_by("id")))
        .annotate(is_overdue=overdue_expression(today))
    )


def clue_inbox(*, user, node: GridNode, today: datetime.date | None = None, open_only=True):
    """A subtree's clues, overdue first, then by deadline (the village or township inbox)."""
    qs = clue_list(user=user, today=today).filter(**in_subtree("household__grid", node))
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.order_by("-is_overdue", "decide_by", "id")


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the month holding ``month``."""
    first = month.replace(day=1)
    nxt = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, nxt - datetime.timedelta(days=1)


def quarter_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar quarter holding ``month``."""
    first = datetime.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
    last_month = first.replace(month=first.month + 2)
    return first, month_bounds(last_month)[1]


def coverage(*, user, node: GridNode, month: datetime.date):
    """Visit coverage of ``node``'s subtree for the month holding ``month``.

    Returns ``{"groups": [...], "blind_spots": QuerySet, "migrant_uncontacted": QuerySet}``:
    per group grid the active households, those visited in person in the month and those not
    (盲区); and the households with a member working away (``migrant_months`` > 0) that had no
    contact at all (phone or in person) in the quarter. All set-based with ``NOT EXISTS``.
    """
    first, last = month_bounds(month)
    q_first, q_last = quarter_bounds(month)
    visited = Visit.objects.filter(
        household=OuterRef("pk"),
        visited_on__gte=first,
        visited_on__lte=last,
        mode=VisitMode.IN_PERSON,
    )
    contacted = Visit.objects.filter(
        household=OuterRef("pk"), visited_on__gte=q_first, visited_on__lte=q_last
    )
    migrant = Person.objects.filter(
        household=OuterRef("pk"), status=PersonStatus.ACTIVE, migrant_months__gt=0
    )
    households = Household.objects.visible_to(user).filter(
        status=HouseholdStatus.ACTIVE, **in_subtree("grid", node)
    )
    groups = (
        households.values("grid_id", "grid__code", "grid__name", "grid__lft")
        .annotate(
            total=Count("id"),
            blind=Count("id", filter=~Exists(visited)),
        )
        .order_by("grid__lft")
    )
    blind_spots = (
        households.filter(~Exists(visited)).select_related("grid").order_by("grid__lft", "number")
    )
    migrant_uncontacted = (
        households.filter(Exists(migrant), ~Exists(contacted))
        .select_related("grid")
        .order_by("grid__lft", "number")
    )
    return {
        "month": first,
        "quarter": (q_first, q_last),
        "groups": groups,
        "blind_spots": blind_spots,
        "migrant_uncontacted": migrant_uncontacted,
    }


def coverage_summary(groups) -> dict:
    """Totals of the per-group coverage rows (households, visited, blind, behind grids)."""
    rows = list(groups)
    total = sum(r["total"] for r in rows)
    blind = sum(r["blind"] for r in rows)
    return {
        "households": total,
        "visited": total - blind,
        "blind": blind,
        "grids_behind": sum(1 for r in rows if r["blind"]),
        "rate": round(100 * (total - blind) / total, 2) if total else None,
        "rows": rows,
    }


def application_completion(*, user, node: GridNode) -> dict:
    """Self-applications filed and completed (办结) in ``node``'s subtree, with the rate."""
    counts = (
        SelfApplication.objects.visible_to(user)
        .filter(**in_subtree("household__grid", node))
        .aggregate(
            filed=Count("id"), completed=Count("id", filter=Q(status=ApplicationStatus.COMPLETED))
        )
    )
    filed, done = counts["filed"], counts["completed"]
    counts["rate"] = round(100 * done / filed, 2) if filed else None
    return counts
