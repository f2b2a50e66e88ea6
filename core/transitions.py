"""One way to move a row from one state to another: lock → check → change → audit.

Clues, self-applications, village reviews and measures all change state the same way, and this
helper is that way, so none of them can forget a step:

1. ``lock(obj)`` re-reads the row ``SELECT … FOR UPDATE`` (with what the checks need), so the
   state checked is the state changed;
2. ``authorize(locked)`` raises ``PermissionDenied`` unless the actor may act (the role rule
   asked of the one scope, ``grids.scoping``);
3. the current value of ``state_field`` must be one of ``allowed``, else ``refused(locked)``
   is raised (by default a field error "…当前为“X”，不能…"; a review names who acted first);
4. the state becomes ``to`` and ``apply(locked)`` sets the rest; the row is saved;
5. one audit row records actor, action, ``before``/``after`` of ``fields`` and the reason.

The caller owns the transaction (services are ``@transaction.atomic``).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .services import audit_record, snapshot


def transition(
    obj,
    *,
    actor,
    lock,
    allowed,
    to=None,
    action: str,
    fields,
    tree_id,
    authorize=None,
    apply=None,
    state_field: str = "state",
    noun: str = "",
    what: str = "",
    refused=None,
    reason: str = "",
):
    """Move ``obj`` to ``to`` (see the module docstring); returns the locked, saved row.

    ``tree_id`` is the county tree of the audit row: a number, or a function of the row.
    """
    locked = lock(obj)
    if authorize is not None:
        authorize(locked)
    current = getattr(locked, state_field)
    if current not in allowed:
        if refused is not None:
            raise refused(locked)
        shown = getattr(locked, f"get_{state_field}_display")()
        raise ValidationError(
            {
                state_field: _("{noun}当前为“{state}”，不能{what}。").format(
                    noun=noun, state=shown, what=what
                )
            }
        )
    before = snapshot(locked, fields)
    if to is not None:
        setattr(locked, state_field, to)
    if apply is not None:
        apply(locked)
    locked.save()
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        before=before,
        after=snapshot(locked, fields),
        reason=reason,
        tree_id=tree_id(locked) if callable(tree_id) else tree_id,
    )
    return locked
