"""Monitoring cases: the monitoring line, the risk-elimination rules, and case transitions.

Cases open and close only through a county-confirmed village review
(``monitoring.reviews.services.review_confirm``, which calls ``case_open`` / ``case_eliminate`` /
``case_note`` here inside its transaction). The county may roll an elimination back
(``case_rollback``).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.services import audit_record, snapshot
from grids.models import GridNode
from grids.scoping import user_scope
from households.models import LabourCapacity, Person, PersonStatus
from monitoring import hooks
from monitoring.cases.models import (
    CaseAction,
    CaseEvent,
    CaseState,
    EliminationMethod,
    MonitoringCase,
    MonitoringLine,
)
from monitoring.choices import risk_type_labels
from monitoring.common import is_county
from monitoring.discovery.models.clues import OPEN_STATES, RiskClue
from monitoring.discovery.models.visits import CHECKS, Visit

_FIELDS = ("state", "eliminated_on", "elimination_method", "category", "risk_types")

#: Labour capacities that count as "able to work" (弱或半劳动力 included).
ABLE_TO_WORK = (LabourCapacity.ORDINARY, LabourCapacity.SKILLED, LabourCapacity.WEAK)


def monitoring_line(*, code: str, year: int) -> MonitoringLine | None:
    """The line that applies to a grid ``code`` in ``year``.

    The most specific area (longest ``area_code`` prefix of ``code``) wins; within it, the line
    of ``year`` or else the latest earlier year (a province publishes the new line during the
    year: until it is entered, last year's line applies). None when nothing is configured.
    """
    prefixes = [code[:n] for n in range(1, len(code) + 1)]
    lines = list(
        MonitoringLine.objects.filter(area_code__in=prefixes, year__lte=year).order_by(
            "-year", "area_code"
        )
    )
    if not lines:
        return None
    longest = max(len(line.area_code) for line in lines)
    return next(line for line in lines if len(line.area_code) == longest)


_LINE_FIELDS = ("year", "area_code", "area_name", "yuan")


def line_owner_codes(actor) -> list[str] | None:
    """The county codes whose lines ``actor`` keeps (None: every line, a superuser).

    A line of a county (or of an area inside it: its code starts with the county's) belongs
    to that county's administrators; a line of a larger area (a province's ``53``) is the
    deployment's, kept by deployment administrators only."""
    scope = user_scope(actor)
    if scope.unrestricted:
        return None
    trees = sorted(scope.administered_trees)
    return list(
        GridNode.objects.filter(tree_id__in=trees, parent__isnull=True).values_list(
            "code", flat=True
        )
    )


def may_keep_line(actor, area_code: str) -> bool:
    codes = line_owner_codes(actor)
    return codes is None or any((area_code or "").startswith(code) for code in codes)


@transaction.atomic
def monitoring_line_save(*, actor, line: MonitoringLine) -> MonitoringLine:
    """Create or correct a monitoring line (监测范围), audited; see ``line_owner_codes``."""
    if not may_keep_line(actor, line.area_code):
        raise PermissionDenied(
            _(
                "监测范围 {code} 不属于您管理的县；省、州等上级地区的监测范围由系统管理员维护。"
            ).format(code=line.area_code)
        )
    before = None
    if line.pk:
        old = MonitoringLine.objects.select_for_update().get(pk=line.pk)
        if not may_keep_line(actor, old.area_code):
            raise PermissionDenied(_("该监测范围不属于您管理的县。"))
        before = snapshot(old, _LINE_FIELDS)
    line.full_clean()
    line.save()
    audit_record(
        actor=actor,
        action="monitoring_line.change" if before else "monitoring_line.create",
        obj=line,
        before=before,
        after=snapshot(line, _LINE_FIELDS),
    )
    return line


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months (clamped to the month's last day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in range(day.day, 27, -1):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    return datetime.date(year, month, min(day.day, 28))


def elimination_refusals(
    case: MonitoringCase,
    method: str,
    *,
    income_12m: Decimal | None,
    on_date: datetime.date | None = None,
) -> list[str]:
    """Every reason (Chinese, saying what is missing) why ``case`` may not be eliminated now.

    Checked when the village proposes the elimination and again when the county confirms it:
    the way is known; per-person income (``income_12m`` / active members) above the year's
    monitoring line for the household's area; at least ``ELIMINATION_MIN_MONTHS`` since
    identification; at least one member able to work (otherwise the household stays
    monitored); the last visit found food, clothing, education, medical care, housing and water
    secure; no open clue (new risk); and every check registered in ``monitoring.hooks`` (the
    assistance plan's measures for ``assistance``).
    """
    on_date = on_date or timezone.localdate()
    household = case.household
    reasons: list[str] = []
    if case.state != CaseState.MONITORING:
        return [_("该户当前不是监测中的对象，不能风险消除。")]
    if method not in EliminationMethod.values:
        return [_("请选择消除方式：帮扶消除或自然消除。")]

    members = list(
        Person.objects.filter(household=household, status=PersonStatus.ACTIVE).values_list(
            "labour_capacity", flat=True
        )
    )
    line = monitoring_line(code=household.grid.code, year=on_date.year)
    if line is None:
        reasons.append(
            _(
                "未配置 {year} 年及以前适用于该地区（{code}）的监测范围，请县级管理员先录入。"
            ).format(year=on_date.year, code=household.grid.code[:6])
        )
    elif income_12m is None:
        reasons.append(_("请填写近12个月家庭纯收入。"))
    elif not members:
        reasons.append(_("该户没有在册成员，无法计算人均纯收入。"))
    else:
        per_person = (Decimal(income_12m) / len(members)).quantize(Decimal("0.01"))
        if per_person <= line.yuan:
            reasons.append(
                _(
                    "人均纯收入 {income} 元未高于 {year} 年监测范围 {line} 元"
                    "（近12个月 {total} 元 ÷ {n} 人）。"
                ).format(
                    income=per_person,
                    year=line.year,
                    line=line.yuan,
                    total=income_12m,
                    n=len(members),
                )
            )
    months = settings.ELIMINATION_MIN_MONTHS
    earliest = add_months(case.identified_on, months)
    if on_date < earliest:
        reasons.append(
            _("识别纳入（{start}）未满 {months} 个月，{earliest} 起方可风险消除。").format(
                start=case.identified_on, months=months, earliest=earliest
            )
        )
    if members and not any(capacity in ABLE_TO_WORK for capacity in members):
        reasons.append(_("该户无劳动能力成员，不标注风险消除，继续监测帮扶。"))
    last = (
        Visit.objects.filter(household=household, visited_on__lte=on_date)
        .order_by("-visited_on", "-id")
        .first()
    )
    if last is None:
        reasons.append(_("没有走访记录：须入户核实“两不愁三保障”和饮水安全。"))
    elif last.at_risk_checks:
        labels = "、".join(str(CHECKS[name][0]) for name in last.at_risk_checks)
        reasons.append(
            _("最近一次走访（{day}）发现未保障：{labels}。").format(
                day=last.visited_on, labels=labels
            )
        )
    open_risks = list(
        RiskClue.objects.filter(household=household, state__in=OPEN_STATES).values_list(
            "risk_type", flat=True
        )
    )
    if open_risks:
        reasons.append(
            _("该户有未处理的风险线索（{risks}），存在新风险，不能风险消除。").format(
                risks="、".join(risk_type_labels(open_risks))
            )
        )
    reasons.extend(hooks.elimination_refusals(case, method))
    return reasons


def _event(case, *, action, from_state, actor, on_date, reason=""):
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state,
        on_date=on_date,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )


def case_open(*, actor, item, on_date: datetime.date) -> MonitoringCase:
    """Open a case for a confirmed inclusion (识别纳入). Called inside ``review_confirm``."""
    household = item.household
    try:
        with transaction.atomic():
            case = MonitoringCase.objects.create(
                household=household,
                category=item.category,
                risk_types=list(item.risk_types),
                identified_on=on_date,
                income_12m=item.income_12m,
                spending_12m=item.spending_12m,
                opened_by_item=item,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "items": _("农户 {number} 已是监测中的对象，不能再次纳入。").format(
                    number=household.number
                )
            }
        ) from exc
    _event(
        case,
        action=CaseAction.IDENTIFY,
        from_state="",
        actor=actor,
        on_date=on_date,
        reason=_("{review} 研判纳入").format(review=str(item.review)),
    )
    audit_record(
        actor=actor,
        action="case.identify",
        obj=case,
        after=snapshot(case, _FIELDS),
        tree_id=household.grid.tree_id,
    )
    return case


def case_eliminate(*, actor, case, method, on_date, reason="") -> MonitoringCase:
    """Close a case (风险消除); the caller has locked it and checked the rules."""
    before = snapshot(case, _FIELDS)
    case.state = CaseState.ELIMINATED
    case.eliminated_on = on_date
    case.elimination_method = method
    case.save(update_fields=["state", "eliminated_on", "elimination_method", "updated_at"])
    _event(
        case,
        action=CaseAction.ELIMINATE,
        from_state=before["state"],
        actor=actor,
        on_date=on_date,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="case.eliminate",
        obj=case,
        before=before,
        after=snapshot(case, _FIELDS),
        reason=reason,
        tree_id=case.household.grid.tree_id,
    )
    return case


def case_note(*, actor, case, on_date, reason) -> MonitoringCase:
    """Record a confirmed "keep monitoring" decision (with the measures to adjust)."""
    _event(
        case,
        action=CaseAction.UPDATE,
        from_state=case.state,
        actor=actor,
        on_date=on_date,
        reason=reason,
    )
    return case


@transaction.atomic
def case_rollback(*, actor, case: MonitoringCase, reason: str, on_date=None) -> MonitoringCase:
    """Roll an elimination back (风险消除回退): the county only; a reason is required.

    The case returns to ``monitoring``; its history keeps the elimination and the rollback.
    Refused when the household has been identified again meanwhile (a newer open case).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("风险消除回退须填写理由。")})
    case = (
        MonitoringCase.objects.select_for_update().select_related("household__grid").get(pk=case.pk)
    )
    if not is_county(actor, case.household.grid.tree_id):
        raise PermissionDenied(_("只有县级网格人员可以回退风险消除。"))
    if case.state != CaseState.ELIMINATED:
        last = case.events.select_related("actor").order_by("-created_at", "-id").first()
        who = (last.actor.get_full_name() or last.actor.username) if last and last.actor else "—"
        raise Conflict(
            _("该监测对象当前为“{state}”（{who} 于 {day} 操作），不能回退。").format(
                state=case.get_state_display(), who=who, day=last.on_date if last else "—"
            )
        )
    if (
        MonitoringCase.objects.filter(household=case.household, state=CaseState.MONITORING)
        .exclude(pk=case.pk)
        .exists()
    ):
        raise ValidationError(
            {"reason": _("该户已重新识别为新的监测对象，不能回退此前的风险消除。")}
        )
    before = snapshot(case, _FIELDS)
    case.state = CaseState.MONITORING
    case.eliminated_on = None
    case.elimination_method = ""
    case.save(update_fields=["state", "eliminated_on", "elimination_method", "updated_at"])
    _event(
        case,
        action=CaseAction.ROLLBACK,
        from_state=before["state"],
        actor=actor,
        on_date=on_date or timezone.localdate(),
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="case.rollback",
        obj=case,
        before=before,
        after=snapshot(case, _FIELDS),
        reason=reason,
        tree_id=case.household.grid.tree_id,
    )
    return case
