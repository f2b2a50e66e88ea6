"""Figures of assistance: measures for households whose risk is not eliminated, overdue plans."""

from django.db.models import Count, Q

from assistance.models import MeasureCategory, MeasureState

from .. import selectors
from .base import Provider, grouped


def _measures(ctx, buckets):
    measures = selectors.subtree_open_case_measures(user=ctx.user, node=ctx.node)
    implemented = Q(state=MeasureState.IMPLEMENTED)
    aggregates = {
        "planned": Count("pk"),
        "implemented": Count("pk", filter=implemented),
    }
    aggregates |= {
        f"cat_{c}": Count("pk", filter=implemented & Q(category=c)) for c in MeasureCategory.values
    }
    rows = grouped(measures, "plan__case__household__grid", buckets, **aggregates)
    return {
        pk: {
            "measures_planned": row["planned"],
            "measures_implemented": row["implemented"],
            "measures_implemented_by_category": {
                c: row[f"cat_{c}"] for c in MeasureCategory.values
            },
        }
        for pk, row in rows.items()
    }


def _plans_overdue(ctx, buckets):
    overdue = selectors.subtree_overdue_plans(user=ctx.user, node=ctx.node, today=ctx.today)
    rows = grouped(overdue, "household__grid", buckets, n=Count("pk"))
    return {pk: {"plans_overdue": row["n"]} for pk, row in rows.items()}


MEASURES = Provider(
    name="measures",
    keys=("measures_planned", "measures_implemented", "measures_implemented_by_category"),
    compute=_measures,
)
PLANS_OVERDUE = Provider(
    name="plans_overdue",
    keys=("plans_overdue",),
    compute=_plans_overdue,
    links={"plans_overdue": "plans_overdue"},
)
