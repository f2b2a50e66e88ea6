"""The monthly village review (每月综合研判): compose, submit, approve/return, confirm.

States: ``draft → submitted → approved → confirmed``; a submitted review may be returned by
the township and an approved one by the county: ``→ returned → (edited) → submitted``.
Every transition goes through ``core.transitions.transition``: it locks the review row
(``select_for_update``), checks the actor's role (``monitoring.common``, asked of the one scope
``grids.scoping``), re-checks the state after the lock and writes the audit log. When the
state is no longer the one the transition starts from (someone acted first), the caller gets
``core.exceptions.Conflict`` naming who did what and when, and nothing changes. Only the
county's confirmation changes cases and clues, all in its one transaction.

Modules: ``base`` (lock, conflict, audit, role checks), ``compose`` (open, items, meeting),
``transitions`` (submit, approve, return), ``confirmation`` (confirm, batch).
"""

from monitoring.reviews.services.base import ITEM_FIELDS, MEETING_FIELDS, holder
from monitoring.reviews.services.compose import (
    item_errors,
    review_create,
    review_item_add,
    review_item_set,
    review_refresh,
    review_update,
)
from monitoring.reviews.services.confirmation import review_confirm, review_confirm_batch
from monitoring.reviews.services.transitions import review_approve, review_return, review_submit

__all__ = [
    "ITEM_FIELDS",
    "MEETING_FIELDS",
    "holder",
    "item_errors",
    "review_approve",
    "review_confirm",
    "review_confirm_batch",
    "review_create",
    "review_item_add",
    "review_item_set",
    "review_refresh",
    "review_return",
    "review_submit",
    "review_update",
]
