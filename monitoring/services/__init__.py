"""Every write of the monitoring app: visits, self-applications, clues, reviews and cases."""

from .applications import (
    application_complete,
    application_record_result,
    application_start_verifying,
    application_submit,
)
from .cases import case_rollback, elimination_refusals, monitoring_line
from .clues import clue_confirm, clue_dismiss, clue_raise, clue_start_verifying, deadlines
from .reviews import (
    review_approve,
    review_confirm,
    review_confirm_batch,
    review_create,
    review_item_add,
    review_item_set,
    review_refresh,
    review_return,
    review_submit,
    review_update,
)
from .visits import visit_record

__all__ = [
    "case_rollback",
    "elimination_refusals",
    "monitoring_line",
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
    "application_complete",
    "application_record_result",
    "application_start_verifying",
    "application_submit",
    "clue_confirm",
    "clue_dismiss",
    "clue_raise",
    "clue_start_verifying",
    "deadlines",
    "visit_record",
]
