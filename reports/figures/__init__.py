"""The roll-up of any subtree: ``county_figures(user=, grid=, month=)``.

The figures are composed from providers, one per figure group of a lower app (``grids.py``,
``households.py``, ``monitoring.py``). A figure whose app has not landed yet is left out, never
invented: ``PENDING`` names it and the app it waits for. When that app lands, add a provider
module here and append it to ``PROVIDERS``.
"""

import datetime

from django.utils import timezone

from grids.models import GridNode

from . import assistance, grids, households, monitoring
from .base import FigureContext, Provider, rate

__all__ = [
    "PENDING",
    "PROVIDERS",
    "FigureContext",
    "Provider",
    "children_figures",
    "county_figures",
    "figure_keys",
    "rate",
]

#: Figure groups in output order.
PROVIDERS: list[Provider] = [
    grids.GRIDS,
    grids.MEMBERS,
    households.HOUSEHOLDS,
    monitoring.APPLICATIONS,
    households.CROWDED,
    monitoring.CLUES,
    monitoring.COVERAGE,
    monitoring.CASES,
    monitoring.REVIEWS_OVERDUE,
    assistance.MEASURES,
    assistance.PLANS_OVERDUE,
]

#: Keys of the issue that wait for an app that does not exist yet (key → what it needs).
PENDING: dict[str, str] = {}


def figure_keys() -> list[str]:
    """Every key ``county_figures`` returns besides ``grid`` and ``month``."""
    return [key for provider in PROVIDERS for key in provider.keys]


def _context(user, grid, month, today):
    today = today or timezone.localdate()
    month = (month or today).replace(day=1)
    return FigureContext(user=user, node=grid, month=month, today=today)


def _compute(ctx, buckets) -> dict:
    out = {b.pk: {} for b in buckets}
    for provider in PROVIDERS:
        for pk, values in provider.compute(ctx, buckets).items():
            out[pk].update(values)
    return out


def county_figures(
    *,
    user,
    grid: GridNode,
    month: datetime.date | None = None,
    today: datetime.date | None = None,
) -> dict:
    """The figures of ``grid``'s subtree as ``user`` sees it, for the month holding ``month``.

    Stock figures (grids, households, applications, clues) count what exists now; ``month``
    selects the visits behind ``blind_spots`` and ``migrants_uncontacted`` (its quarter).
    ``today`` decides what is overdue (default: the local date). One or two queries per
    figure group, whatever the size of the subtree. The caller has checked that ``grid`` is
    visible to ``user``.
    """
    ctx = _context(user, grid, month, today)
    figures = {
        "grid": {"code": grid.code, "name": grid.name, "level": grid.level},
        "month": ctx.month.strftime("%Y-%m"),
    }
    figures.update(_compute(ctx, [grid])[grid.pk])
    return figures


def children_figures(
    *,
    user,
    grid: GridNode,
    children,
    month: datetime.date | None = None,
    today: datetime.date | None = None,
) -> dict:
    """``{child.pk: figures}`` for each of ``grid``'s ``children``, set-based (same query count
    as ``county_figures``, however many children)."""
    children = list(children)
    if not children:
        return {}
    return _compute(_context(user, grid, month, today), children)
