"""Writes owned by ``core``: the audit record."""

from django.db import models

from .models import AuditLog


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def audit_record(
    *, actor, action: str, obj, before=None, after=None, reason: str = "", tree_id=None
) -> AuditLog:
    """Write one audit row for ``action`` on ``obj``.

    Called by every service that changes something, inside the service's transaction, so the
    change and its record commit or roll back together. ``before``/``after`` are plain dicts of
    the fields that matter; personal data must already be masked by the caller.
    """
    if tree_id is None:
        tree_id = getattr(obj, "tree_id", None)
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        tree_id=tree_id,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason or "",
    )


def snapshot(obj, fields) -> dict:
    """The values of ``fields`` on ``obj`` as a dict, for ``before``/``after``."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}
