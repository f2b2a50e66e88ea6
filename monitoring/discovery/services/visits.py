"""Recording a visit, and the clues a visit that sees risk raises."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import audit_record
from households.models import Household
from monitoring.choices import RiskType
from monitoring.common import clean_risk_types, require_in_scope
from monitoring.discovery.models.visits import CHECKS, CheckResult, IncomeChange, Visit, VisitMode
from monitoring.discovery.services.clues import clue_raise


def visit_risks(visit: Visit) -> list[str]:
    """The risk types a visit raises: those seen, plus those implied by at-risk checks.

    Food or clothing at risk without any named risk type becomes 其他 (other).
    """
    risks = list(visit.risk_types)
    for name in visit.at_risk_checks:
        implied = CHECKS[name][1]
        if implied == RiskType.OTHER and risks:
            continue
        if implied not in risks:
            risks.append(implied)
    return risks


@transaction.atomic
def visit_record(
    *,
    actor,
    household: Household,
    visited_on: datetime.date,
    mode: str = VisitMode.IN_PERSON,
    checks: dict | None = None,
    income_change: str = IncomeChange.STABLE,
    income_note: str = "",
    member_changes: str = "",
    risk_types=None,
    notes: str = "",
) -> Visit:
    """Record a visit by ``actor`` (a grid person over the household); raise clues on risk.

    Every at-risk check and every risk type seen opens a clue (or merges into the open one for
    that household and risk type), with the visit as evidence.
    """
    household = Household.objects.select_related("grid").get(pk=household.pk)
    require_in_scope(actor, household)
    errors = {}
    if visited_on > timezone.localdate():
        errors["visited_on"] = _("走访日期不能晚于今天。")
    if mode not in VisitMode.values:
        errors["mode"] = _("方式应为 in_person（入户）或 phone（电话）。")
    if income_change not in IncomeChange.values:
        errors["income_change"] = _("收入变化应为 up、stable 或 down。")
    checks = checks or {}
    for name, value in checks.items():
        if name not in CHECKS:
            errors[name] = _("未知的检查项。")
        elif value not in CheckResult.values:
            errors[name] = _("应为 secure（有保障）或 at_risk（有风险）。")
    try:
        risk_types = clean_risk_types(risk_types)
    except ValidationError as exc:
        errors.update({k: v[0].messages[0] for k, v in exc.error_dict.items()})
    if errors:
        raise ValidationError(errors)

    visit = Visit.objects.create(
        household=household,
        visitor=actor,
        visited_on=visited_on,
        mode=mode,
        income_change=income_change,
        income_note=income_note,
        member_changes=member_changes,
        risk_types=risk_types,
        notes=notes,
        **{name: checks.get(name, CheckResult.SECURE) for name in CHECKS},
    )
    audit_record(
        actor=actor,
        action="visit.record",
        obj=visit,
        after={
            "mode": mode,
            "visited_on": visited_on,
            "at_risk": visit.at_risk_checks,
            "risk_types": risk_types,
        },
        tree_id=household.grid.tree_id,
    )
    seen = "、".join(str(CHECKS[name][0]) for name in visit.at_risk_checks)
    for risk in visit_risks(visit):
        clue_raise(
            actor=actor,
            household=household,
            risk_type=risk,
            source="visit",
            reference=f"visit:{visit.pk}",
            note=(_("走访发现风险：{checks}").format(checks=seen) if seen else "") or notes[:200],
            found_on=visited_on,
            visit=visit,
            check_scope=False,
        )
    return visit
