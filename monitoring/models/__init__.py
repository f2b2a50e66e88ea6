"""Monitoring data: visits, self-applications and the risk clues they raise."""

from .applications import ApplicationStatus, Channel, Matter, SelfApplication
from .choices import MAX_RISK_TYPES, RiskType, risk_type_labels
from .clues import OPEN_STATES, ClueEvidence, ClueSource, ClueState, RiskClue
from .visits import CHECKS, CheckResult, IncomeChange, Visit, VisitMode

__all__ = [
    "CHECKS",
    "MAX_RISK_TYPES",
    "OPEN_STATES",
    "ApplicationStatus",
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
