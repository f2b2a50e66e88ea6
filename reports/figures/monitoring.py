"""Figures of monitoring: self-applications, risk clues, visit coverage (blind spots), cases."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from monitoring.models import (
    OPEN_STATES,
    ApplicationStatus,
    CaseCategory,
    CaseState,
    ClueSource,
    ClueState,
    EliminationMethod,
)

from .. import selectors
from .base import Provider, grouped, rate


def _applications(ctx, buckets):
    applications = selectors.subtree_applications(user=ctx.user, node=ctx.node)
    rows = grouped(
        applications,
        "household__grid",
        buckets,
        filed=Count("pk"),
        completed=Count("pk", filter=Q(status=ApplicationStatus.COMPLETED)),
    )
    return {
        pk: {
            "applications": row["filed"],
            "applications_completed": row["completed"],
            "application_completion_rate": rate(row["completed"], row["filed"]),
        }
        for pk, row in rows.items()
    }


def _clues(ctx, buckets):
    clues = selectors.subtree_clues(user=ctx.user, node=ctx.node, today=ctx.today)
    aggregates = {f"source_{s}": Count("pk", filter=Q(source=s)) for s in ClueSource.values}
    aggregates |= {f"state_{s}": Count("pk", filter=Q(state=s)) for s in ClueState.values}
    aggregates["open"] = Count("pk", filter=Q(state__in=OPEN_STATES))
    aggregates["overdue"] = Count("pk", filter=Q(is_overdue=True))
    rows = grouped(clues, "household__grid", buckets, **aggregates)
    return {
        pk: {
            "clues_by_source": {s: row[f"source_{s}"] for s in ClueSource.values},
            "clues_by_state": {s: row[f"state_{s}"] for s in ClueState.values},
            "clues_open": row["open"],
            "clues_overdue": row["overdue"],
        }
        for pk, row in rows.items()
    }


def _coverage(ctx, buckets):
    blind = grouped(
        selectors.subtree_blind_spots(user=ctx.user, node=ctx.node, month=ctx.month),
        "grid",
        buckets,
        n=Count("pk"),
    )
    migrants = grouped(
        selectors.subtree_migrants_uncontacted(user=ctx.user, node=ctx.node, month=ctx.month),
        "grid",
        buckets,
        n=Count("pk"),
    )
    return {
        b.pk: {"blind_spots": blind[b.pk]["n"], "migrants_uncontacted": migrants[b.pk]["n"]}
        for b in buckets
    }


def _cases(ctx, buckets):
    cases = selectors.subtree_cases(user=ctx.user, node=ctx.node)
    is_open = Q(state=CaseState.MONITORING)
    aggregates = {
        f"category_{c}": Count("pk", filter=is_open & Q(category=c)) for c in CaseCategory.values
    }
    aggregates |= {f"state_{s}": Count("pk", filter=Q(state=s)) for s in CaseState.values}
    aggregates |= {
        f"method_{m}": Count("pk", filter=Q(state=CaseState.ELIMINATED, elimination_method=m))
        for m in EliminationMethod.values
    }
    rows = grouped(cases, "household__grid", buckets, **aggregates)
    return {
        pk: {
            "cases_unresolved": row[f"state_{CaseState.MONITORING}"],
            "cases_by_category": {c: row[f"category_{c}"] for c in CaseCategory.values},
            "cases_by_state": {s: row[f"state_{s}"] for s in CaseState.values},
            "cases_eliminated_by_method": {m: row[f"method_{m}"] for m in EliminationMethod.values},
        }
        for pk, row in rows.items()
    }


def figure_now(today: datetime.date) -> datetime.datetime:
    """The moment that counts as now for ``today``: the real one, or noon of another day."""
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))


def _reviews_overdue(ctx, buckets):
    now = figure_now(ctx.today)
    args = {"user": ctx.user, "node": ctx.node}
    villages = grouped(
        selectors.subtree_villages_not_submitted(**args, today=ctx.today),
        "",
        buckets,
        n=Count("pk"),
    )
    approvals = grouped(
        selectors.subtree_approvals_waiting(**args, now=now), "village", buckets, n=Count("pk")
    )
    confirmations = grouped(
        selectors.subtree_confirmations_waiting(**args, now=now), "village", buckets, n=Count("pk")
    )
    return {
        b.pk: {
            "reviews_overdue": {
                "not_submitted": villages[b.pk]["n"],
                "approvals_waiting": approvals[b.pk]["n"],
                "confirmations_waiting": confirmations[b.pk]["n"],
            }
        }
        for b in buckets
    }


APPLICATIONS = Provider(
    name="applications",
    keys=("applications", "applications_completed", "application_completion_rate"),
    compute=_applications,
)
CLUES = Provider(
    name="clues",
    keys=("clues_by_source", "clues_by_state", "clues_open", "clues_overdue"),
    compute=_clues,
    links={"clues_open": "clues", "clues_overdue": "clues"},
)
COVERAGE = Provider(
    name="coverage",
    keys=("blind_spots", "migrants_uncontacted"),
    compute=_coverage,
    links={"blind_spots": "coverage", "migrants_uncontacted": "coverage"},
)
CASES = Provider(
    name="cases",
    keys=("cases_unresolved", "cases_by_category", "cases_by_state", "cases_eliminated_by_method"),
    compute=_cases,
)
REVIEWS_OVERDUE = Provider(
    name="reviews_overdue",
    keys=("reviews_overdue",),
    compute=_reviews_overdue,
    links={"reviews_overdue": "overdue"},
)
