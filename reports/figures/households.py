"""Figures of the household registry: households covered, the relief platform, crowded grids."""

from django.db.models import Count, Q

from .. import selectors
from .base import Provider, bucket_of, grouped, rate


def _households(ctx, buckets):
    households = selectors.subtree_households(user=ctx.user, node=ctx.node)
    rows = grouped(
        households,
        "grid",
        buckets,
        households=Count("pk"),
        platform_registered=Count("pk", filter=Q(platform_registered=True)),
    )
    return {
        pk: {
            "households": row["households"],
            "platform_registered": row["platform_registered"],
            "platform_registration_rate": rate(row["platform_registered"], row["households"]),
        }
        for pk, row in rows.items()
    }


def _crowded(ctx, buckets):
    # One query: only the group grids past the soft limit come back (HAVING), then counted per
    # bucket in Python. The same queryset is the list behind the figure.
    soft, hard = selectors.soft_limit(), selectors.hard_limit()
    out = {b.pk: {"group_grids_over_10": 0, "group_grids_over_20": 0} for b in buckets}
    for row in selectors.crowded_group_grids(user=ctx.user, node=ctx.node, over=soft):
        pk = bucket_of(row["grid__lft"], buckets)
        if pk is None:
            continue
        out[pk]["group_grids_over_10"] += 1
        if row["households"] > hard:
            out[pk]["group_grids_over_20"] += 1
    return out


HOUSEHOLDS = Provider(
    name="households",
    keys=("households", "platform_registered", "platform_registration_rate"),
    compute=_households,
    links={"households": "households", "platform_registered": "households"},
)
CROWDED = Provider(
    name="crowded",
    keys=("group_grids_over_10", "group_grids_over_20"),
    compute=_crowded,
    links={"group_grids_over_10": "crowded", "group_grids_over_20": "crowded"},
)
