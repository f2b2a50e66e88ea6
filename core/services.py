"""Writes owned by ``core``: the audit record."""

import json

from django.db import models

from . import audit_chain
from .models import AuditLog
from .request_context import current_address


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
    return audit_write(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj),
        tree_id=tree_id,
        before=before,
        after=after,
        reason=reason,
    )


def audit_write(
    *,
    actor,
    action: str,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    tree_id=None,
    before=None,
    after=None,
    reason: str = "",
    address: str | None = None,
) -> AuditLog:
    """Append one audit row (with its keyed content hash); it is chained after commit.

    ``actor_name`` keeps the account name: the row outlives the account. ``address`` defaults
    to the current request's client address.
    """
    actor = actor if getattr(actor, "pk", None) else None
    row = AuditLog(
        actor=actor,
        actor_name=actor.get_username()[:150] if actor else "",
        address=current_address() if address is None else (address or ""),
        action=str(action),
        object_type=str(object_type),
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:200],
        tree_id=tree_id,
        before=_roundtrip(_jsonable(before)),
        after=_roundtrip(_jsonable(after)),
        reason=str(reason or ""),
    )
    row.row_mac = audit_chain.row_mac(row)
    row.save(force_insert=True)
    audit_chain.seal_after_commit()
    return row


def _roundtrip(value):
    # What the JSON column gives back (floats, key order) is what the hash must cover.
    return None if value is None else json.loads(json.dumps(value))


def snapshot(obj, fields) -> dict:
    """The values of ``fields`` on ``obj`` as a dict, for ``before``/``after``."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}
