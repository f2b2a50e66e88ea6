"""Recording a visit, and the clues a visit that sees risk raises."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import audit_record
from households.models import Household
from households.photos import photo_attach
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


CLIENT_KEY = re.compile(r"[A-Za-z0-9-]{8,64}")


def _replayed(actor, client_key):
    visit = Visit.objects.filter(visitor=actor, client_key=client_key).first()
    if visit is not None:
        visit.replayed = True
        visit.raised = []
    return visit


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
    client_key: str = "",
    photos=(),
) -> Visit:
    """Record a visit by ``actor`` (a grid person over the household); raise clues on risk.

    Every at-risk check and every risk type seen opens a clue (or merges into the open one for
    that household and risk type), with the visit as evidence.

    ``client_key`` makes the call idempotent: the visit this visitor already recorded with the
    same key is returned (``visit.replayed`` is True) and nothing is written — a double tap,
    a resubmitted form or an offline phone sending again (its photos came with the first).

    ``photos`` are prepared photos (``households.photos.photo_prepare``), stored with the visit.
    """
    household = Household.objects.select_related("grid").get(pk=household.pk)
    require_in_scope(actor, household)
    client_key = (client_key or "").strip()
    errors = {}
    if client_key and not CLIENT_KEY.fullmatch(client_key):
        errors["client_key"] = _("提交标识应为 8 到 64 位字母、数字或连字符。")
    elif client_key:
        earlier = _replayed(actor, client_key)
        if earlier is not None:
            return earlier
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

    try:
        with transaction.atomic():
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
                client_key=client_key,
                **{name: checks.get(name, CheckResult.SECURE) for name in CHECKS},
            )
    except IntegrityError:
        # The same key arrived twice at once: the other request recorded it.
        earlier = _replayed(actor, client_key) if client_key else None
        if earlier is None:
            raise
        return earlier
    visit.replayed = False
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
    # What the visit raised, for the message after it: (clue, created) per risk type.
    visit.raised = []
    for risk in visit_risks(visit):
        raised = clue_raise(
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
        visit.raised.append(raised)
    # Last: files are not transactional, so nothing that could still fail comes after them.
    visit.photos_stored = photo_attach(
        actor=actor, household=household, subject=f"visit:{visit.pk}", photos=photos
    )
    return visit
