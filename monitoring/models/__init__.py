"""Monitoring data: visits, self-applications, the risk clues they raise, and cases."""

from .applications import ApplicationStatus, Channel, Matter, SelfApplication
from .cases import (
    CaseAction,
    CaseCategory,
    CaseEvent,
    CaseState,
    EliminationMethod,
    MonitoringCase,
)
from .choices import MAX_RISK_TYPES, RiskType, risk_type_labels
from .clues import OPEN_STATES, ClueEvidence, ClueSource, ClueState, RiskClue
from .reviews import (
    EDITABLE_STATES,
    Decision,
    MonitoringLine,
    ReviewItem,
    ReviewState,
    VillageReview,
)
from .visits import CHECKS, CheckResult, IncomeChange, Visit, VisitMode

__all__ = [
    "EDITABLE_STATES",
    "Decision",
    "MonitoringLine",
    "ReviewItem",
    "ReviewState",
    "VillageReview",
    "CHECKS",
    "MAX_RISK_TYPES",
    "OPEN_STATES",
    "ApplicationStatus",
    "CaseAction",
    "CaseCategory",
    "CaseEvent",
    "CaseState",
    "EliminationMethod",
    "MonitoringCase",
    "Channel",
    "CheckResult",
    "ClueEvidence",
    "ClueSource",
    "ClueState",
    "IncomeChange",
    "Matter",
    "RiskClue",
    "RiskType",
    "SelfApplication",
    "Visit",
    "VisitMode",
    "risk_type_labels",
]
