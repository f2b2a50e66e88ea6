"""Monitoring data: visits, self-applications, the risk clues they raise, and cases."""

from monitoring.cases.models import (
    CaseAction,
    CaseCategory,
    CaseEvent,
    CaseState,
    EliminationMethod,
    MonitoringCase,
    MonitoringLine,
)
from monitoring.choices import MAX_RISK_TYPES, RiskType, risk_type_labels
from monitoring.discovery.models.applications import (
    ApplicationStatus,
    Channel,
    Matter,
    SelfApplication,
)
from monitoring.discovery.models.clues import (
    OPEN_STATES,
    ClueEvidence,
    ClueSource,
    ClueState,
    RiskClue,
)
from monitoring.discovery.models.visits import CHECKS, CheckResult, IncomeChange, Visit, VisitMode
from monitoring.reviews.models import (
    EDITABLE_STATES,
    Decision,
    ReviewItem,
    ReviewState,
    VillageReview,
)

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
