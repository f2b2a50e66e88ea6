"""Every write of the monitoring app: visits, self-applications and clue transitions."""

from .applications import (
    application_complete,
    application_record_result,
    application_start_verifying,
    application_submit,
)
from .clues import clue_confirm, clue_dismiss, clue_raise, clue_start_verifying, deadlines
from .visits import visit_record

__all__ = [
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
