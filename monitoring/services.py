"""Every write of the monitoring app: visits, self-applications, clues, reviews and cases."""

from monitoring.cases.services import case_rollback, elimination_refusals, monitoring_line
from monitoring.discovery.services.applications import (
    application_complete,
    application_record_result,
    application_start_verifying,
    application_submit,
)
from monitoring.discovery.services.clues import (
    clue_confirm,
    clue_dismiss,
    clue_raise,
    clue_start_verifying,
    deadlines,
)
from monitoring.discovery.services.visits import visit_record
from monitoring.reviews.services import (
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
