"""Reads of monitoring cases: the scoped list with history, a subtree's cases, counts."""

from django.db.models import Count, Prefetch, Q

from grids.models import GridNode
from grids.selectors import in_subtree
from monitoring.cases.models import CaseEvent, CaseState, MonitoringCase


def case_list(*, user):
    """The cases ``user`` may see, with household and grid loaded, events prefetched."""
    return (
        MonitoringCase.objects.visible_to(user)
        .select_related("household__grid")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("id"))
        )
    )


def village_cases(*, user, node: GridNode, state: str | None = None):
    """A subtree's cases, open ones first."""
    qs = case_list(user=user).filter(**in_subtree("household__grid", node))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-state", "household__number", "-identified_on")


def case_counts(*, user, node: GridNode) -> dict:
    """Cases of the subtree: open (risk not eliminated) and eliminated by each way."""
    return (
        MonitoringCase.objects.visible_to(user)
        .filter(**in_subtree("household__grid", node))
        .aggregate(
            open=Count("id", filter=Q(state=CaseState.MONITORING)),
            eliminated_assistance=Count(
                "id", filter=Q(state=CaseState.ELIMINATED, elimination_method="assistance")
            ),
            eliminated_natural=Count(
                "id", filter=Q(state=CaseState.ELIMINATED, elimination_method="natural")
            ),
        )
    )
