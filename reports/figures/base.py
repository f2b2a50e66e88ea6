"""What every figure provider shares: the context, the provider shape and set-based grouping.

A provider computes its figures for a list of *buckets* — grid nodes of one tree whose subtrees
do not overlap: ``[node]`` for a subtree's own figures, or ``node``'s children for the dashboard's
side-by-side table. Either way it runs one grouped query per figure group, so the number of
queries does not grow with households, grids or children.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, IntegerField, Value, When

from grids.models import GridNode


@dataclass(frozen=True)
class FigureContext:
    """Who asks, about which subtree, for which month (and which day counts as today)."""

    user: object
    node: GridNode
    month: datetime.date
    today: datetime.date


@dataclass(frozen=True)
class Provider:
    """A group of figures owned by one lower app, computed together.

    ``compute(ctx, buckets)`` returns ``{bucket.pk: {key: value}}`` with every key of ``keys``
    present for every bucket. ``links`` maps a key to the URL name of the list behind it
    (``(url_name, kind)``; see ``reports.views``).
    """

    name: str
    keys: tuple[str, ...]
    compute: Callable
    links: dict = field(default_factory=dict)


def rate(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` with two decimals (half up); None when empty."""
    if not whole:
        return None
    value = (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return float(value)


def grouped(queryset, prefix: str, buckets, **aggregates) -> dict:
    """Aggregate ``queryset`` once per bucket subtree, in one query.

    ``prefix`` is the path from the queryset's model to its grid node (``""`` for nodes).
    Returns ``{bucket.pk: {name: value}}`` (buckets without rows get their empty aggregate).
    """
    p = f"{prefix}__" if prefix else ""
    queryset = queryset.order_by().prefetch_related(None)
    if len(buckets) == 1:
        # One subtree: a plain aggregate, the queryset is already narrowed to it.
        return {buckets[0].pk: queryset.aggregate(**aggregates)}
    whens = [
        When(**{f"{p}lft__gte": b.lft, f"{p}lft__lte": b.rght}, then=Value(b.pk)) for b in buckets
    ]
    rows = (
        queryset.annotate(_bucket=Case(*whens, default=None, output_field=IntegerField()))
        .filter(_bucket__isnull=False)
        .values("_bucket")
        .annotate(**aggregates)
    )
    empty = queryset.none().aggregate(**aggregates)
    out = {b.pk: dict(empty) for b in buckets}
    for row in rows:
        bucket = row.pop("_bucket")
        out[bucket] = row
    return out


def bucket_of(lft: int, buckets) -> int | None:
    """The bucket whose subtree holds a node with ``lft`` (for rows already fetched)."""
    for b in buckets:
        if b.lft <= lft <= b.rght:
            return b.pk
    return None
