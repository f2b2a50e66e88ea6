"""Figures of the tree itself: grids and grid people per level."""

from django.db.models import Count, Q

from grids.models import Level

from .. import selectors
from .base import Provider, grouped

LEVELS = [level.value for level in Level]


def _grids(ctx, buckets):
    nodes = selectors.subtree_nodes(user=ctx.user, node=ctx.node)
    rows = grouped(nodes, "", buckets, **{lv: Count("pk", filter=Q(level=lv)) for lv in LEVELS})
    return {pk: {"grids": {lv: row[lv] for lv in LEVELS}} for pk, row in rows.items()}


def _members(ctx, buckets):
    assignments = selectors.subtree_assignments(user=ctx.user, node=ctx.node)
    rows = grouped(
        assignments,
        "grid",
        buckets,
        **{lv: Count("pk", filter=Q(grid__level=lv)) for lv in LEVELS},
    )
    return {pk: {"grid_members": {lv: row[lv] for lv in LEVELS}} for pk, row in rows.items()}


GRIDS = Provider(name="grids", keys=("grids",), compute=_grids, links={"grids": "grid"})
MEMBERS = Provider(name="grid_members", keys=("grid_members",), compute=_members)
