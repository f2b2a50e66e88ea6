"""The hook through which every scoped read is restricted to the user's subtrees.

The rule itself lives in ``grids.scoping`` (it needs the tree); ``core`` only defines where it
plugs in, so that core's own models and base classes can use it without importing upward.
``grids`` registers its implementation in ``GridsConfig.ready()``.
"""

from django.db import models

_restrictor = None


def register(restrictor) -> None:
    """Install ``restrictor(queryset, user, action) -> queryset`` as the one scoping rule."""
    global _restrictor
    _restrictor = restrictor


def restrict(queryset, user, action: str = "view"):
    """``queryset`` filtered to what ``user`` may ``action`` (``view``, ``change``, ``lead``,
    ``administer``); nothing if no rule is installed."""
    if _restrictor is None:  # pragma: no cover - grids is always installed
        return queryset.none()
    return _restrictor(queryset, user, action)


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a model that declares ``scope_path`` (its way to its grid)."""

    def visible_to(self, user, action: str = "view"):
        """Only the rows ``user`` may ``action``: by default, read (the subtrees of their grid
        assignments); ``action="change"`` / ``"lead"`` / ``"administer"`` narrows to where
        they may act (see ``grids.scoping``)."""
        return restrict(self, user, action)
