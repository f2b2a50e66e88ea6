"""Every write of the assistance app: plans, measures, their state, and the suggestion rules.

Roles: grid people whose assignment covers the household keep its plan (draw it up, add, edit
and cancel measures, record their state). Department staff may only move the state of their own
department's measures (start, implemented with date and evidence, not implemented with a
reason) and add evidence. Every write is audited and state changes lock the measure row.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.services import audit_record, snapshot
from core.transitions import transition
from grids.models import Department
from grids.scoping import user_scope
from households.photos import photo_attach
from monitoring.models import CaseState, MonitoringCase

from .models import (
    FINAL_STATES,
    REASON_STATES,
    AssistancePlan,
    Measure,
    MeasureCategory,
    MeasureKind,
    MeasureState,
    SuggestionRule,
)

PLAN_FIELDS = ["contact_name", "contact_phone", "contact_unit", "drawn_up_on", "note"]
MEASURE_FIELDS = [
    "category",
    "kind",
    "department",
    "description",
    "amount",
    "planned_on",
]
STATE_FIELDS = ["state", "reason", "implemented_on", "evidence"]
RULE_FIELDS = [
    "county",
    "risk_type",
    "member_condition",
    "category",
    "kind",
    "department",
    "note",
    "active",
    "order",
]

#: Allowed moves of a measure's state.
TRANSITIONS = {
    MeasureState.PLANNED: {
        MeasureState.IN_PROGRESS,
        MeasureState.IMPLEMENTED,
        MeasureState.NOT_IMPLEMENTED,
        MeasureState.CANCELLED,
    },
    MeasureState.IN_PROGRESS: {
        MeasureState.IMPLEMENTED,
        MeasureState.NOT_IMPLEMENTED,
        MeasureState.CANCELLED,
    },
}


# -- who may do what ----------------------------------------------------------------------------


def _require_keeper(actor, household) -> None:
    """Grid people covering the household keep its plan."""
    if not user_scope(actor).covers(household.grid):
        raise PermissionDenied(
            _("只有负责农户 {number} 的网格人员可以维护其帮扶计划。").format(
                number=household.number
            )
        )


def _is_department_of(actor, measure) -> bool:
    return user_scope(actor).works_for(measure.department_id, _tree_id(measure.plan))


def _tree_id(plan) -> int:
    return plan.case.household.grid.tree_id


def _clean_text(value, field, *, required=False, label=""):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写{label}。").format(label=label)})
    return value


def _clean_choice(value, choices, field, label):
    if value not in choices.values:
        raise ValidationError(
            {field: _("未知的{label}“{value}”。").format(label=label, value=value)}
        )
    return value


def _clean_amount(value):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({"amount": _("金额应为数字。")}) from None
    if amount < 0:
        raise ValidationError({"amount": _("金额不能为负数。")})
    return amount


def _clean_date(value, field, label, *, required=True):
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("请填写{label}。").format(label=label)})
        return None
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                {field: _("{label}格式应为 YYYY-MM-DD。").format(label=label)}
            ) from None
    return value


# -- plans ------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor,
    case: MonitoringCase,
    contact_name: str,
    contact_phone: str,
    contact_unit: str = "",
    drawn_up_on: datetime.date | None = None,
    note: str = "",
) -> AssistancePlan:
    """Draw up the plan of an open case (一户一方案); a case has at most one plan."""
    case = (
        MonitoringCase.objects.select_for_update(of=("self",))
        .select_related("household__grid")
        .get(pk=case.pk)
    )
    _require_keeper(actor, case.household)
    if case.state != CaseState.MONITORING:
        raise ValidationError({"case": _("该户风险已消除，不能再制定帮扶计划。")})
    if AssistancePlan.objects.filter(case=case).exists():
        raise Conflict(_("该监测对象已有帮扶计划，请修改原计划。"))
    plan = AssistancePlan(
        case=case,
        contact_name=_clean_text(
            contact_name, "contact_name", required=True, label=_("帮扶联系人")
        ),
        contact_phone=_clean_text(
            contact_phone, "contact_phone", required=True, label=_("联系人电话")
        ),
        contact_unit=_clean_text(contact_unit, "contact_unit"),
        drawn_up_on=_clean_date(drawn_up_on, "drawn_up_on", _("制定日期"), required=False)
        or timezone.localdate(),
        note=(note or "").strip(),
    )
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # pragma: no cover - the case lock prevents it
        raise Conflict(_("该监测对象已有帮扶计划。")) from exc
    audit_record(
        actor=actor,
        action="plan.create",
        obj=plan,
        after=snapshot(plan, PLAN_FIELDS),
        tree_id=case.household.grid.tree_id,
    )
    return plan


@transaction.atomic
def plan_update(*, actor, plan: AssistancePlan, **changes) -> AssistancePlan:
    """Change the contact person, the date drawn up or the note."""
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能修改。") for f in sorted(unknown)})
    plan = (
        AssistancePlan.objects.select_for_update(of=("self",))
        .select_related("case__household__grid")
        .get(pk=plan.pk)
    )
    _require_keeper(actor, plan.case.household)
    before = snapshot(plan, PLAN_FIELDS)
    for field, value in changes.items():
        if field == "contact_name":
            value = _clean_text(value, field, required=True, label=_("帮扶联系人"))
        elif field == "contact_phone":
            value = _clean_text(value, field, required=True, label=_("联系人电话"))
        elif field == "drawn_up_on":
            value = _clean_date(value, field, _("制定日期"))
        else:
            value = (value or "").strip()
        setattr(plan, field, value)
    plan.save()
    audit_record(
        actor=actor,
        action="plan.update",
        obj=plan,
        before=before,
        after=snapshot(plan, PLAN_FIELDS),
        tree_id=_tree_id(plan),
    )
    return plan


# -- measures ---------------------------------------------------------------------------------


def _clean_measure(data: dict) -> dict:
    out = {}
    if "category" in data:
        out["category"] = _clean_choice(
            data["category"], MeasureCategory, "category", _("措施类别")
        )
    if "kind" in data:
        out["kind"] = _clean_choice(data["kind"], MeasureKind, "kind", _("具体措施"))
    if "department" in data:
        department = data["department"]
        if department is not None and not isinstance(department, Department):
            department = Department.objects.filter(pk=department).first()
            if department is None:
                raise ValidationError({"department": _("责任部门不存在。")})
        out["department"] = department
    if "description" in data:
        out["description"] = (data["description"] or "").strip()
    if "amount" in data:
        out["amount"] = _clean_amount(data["amount"])
    if "planned_on" in data:
        out["planned_on"] = _clean_date(data["planned_on"], "planned_on", _("计划落实日期"))
    return out


def _locked_plan(plan) -> AssistancePlan:
    return (
        AssistancePlan.objects.select_for_update(of=("self",))
        .select_related("case__household__grid")
        .get(pk=plan.pk)
    )


@transaction.atomic
def measure_add(
    *,
    actor,
    plan: AssistancePlan,
    category: str,
    kind: str,
    department=None,
    description: str = "",
    amount=None,
    planned_on: datetime.date | None = None,
) -> Measure:
    """Add a measure to the plan of an open case."""
    plan = _locked_plan(plan)
    _require_keeper(actor, plan.case.household)
    if plan.case.state != CaseState.MONITORING:
        raise ValidationError({"plan": _("该户风险已消除，帮扶计划已归档，不能再添加措施。")})
    data = _clean_measure(
        {
            "category": category,
            "kind": kind,
            "department": department,
            "description": description,
            "amount": amount,
            "planned_on": planned_on or timezone.localdate(),
        }
    )
    measure = Measure.objects.create(plan=plan, created_by=_user(actor), **data)
    audit_record(
        actor=actor,
        action="measure.add",
        obj=measure,
        after=snapshot(measure, MEASURE_FIELDS + ["plan"]),
        tree_id=_tree_id(plan),
    )
    return measure


@transaction.atomic
def measure_add_suggested(
    *, actor, plan: AssistancePlan, rule_id: int, planned_on=None, description=""
) -> Measure:
    """Add the measure that a suggestion rule proposes for this case (one tap on the plan
    page); a rule that does not apply to the case (or a kind already held) is refused."""
    from .rules import suggest_measures

    locked = _locked_plan(plan)
    _require_keeper(actor, locked.case.household)
    suggestion = next((s for s in suggest_measures(locked.case) if s.rule_id == int(rule_id)), None)
    if suggestion is None:
        raise ValidationError({"rule": _("该建议不适用于此户，或计划中已有同类措施。")})
    rule = SuggestionRule.objects.select_related("department").get(pk=suggestion.rule_id)
    return measure_add(
        actor=actor,
        plan=locked,
        category=rule.category,
        kind=rule.kind,
        department=rule.department,
        description=description or rule.note,
        planned_on=planned_on,
    )


def _locked_measure(measure) -> Measure:
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("plan__case__household__grid", "department")
        .get(pk=measure.pk)
    )


@transaction.atomic
def measure_update(*, actor, measure: Measure, **changes) -> Measure:
    """Change what a measure is (category, kind, department, description, amount, date) while
    it is still open. Only the plan's keepers may; a department changes state and evidence."""
    unknown = set(changes) - set(MEASURE_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    measure = _locked_measure(measure)
    _require_keeper(actor, measure.plan.case.household)
    if not measure.is_open:
        raise ValidationError(
            {
                "state": _("措施已“{state}”，不能再修改内容。").format(
                    state=measure.get_state_display()
                )
            }
        )
    before = snapshot(measure, MEASURE_FIELDS)
    for field, value in _clean_measure(changes).items():
        setattr(measure, field, value)
    measure.save()
    audit_record(
        actor=actor,
        action="measure.update",
        obj=measure,
        before=before,
        after=snapshot(measure, MEASURE_FIELDS),
        tree_id=_tree_id(measure.plan),
    )
    return measure


@transaction.atomic
def measure_set_state(
    *,
    actor,
    measure: Measure,
    state: str,
    on_date: datetime.date | None = None,
    evidence: str = "",
    reason: str = "",
    photos=(),
) -> Measure:
    """Move a measure along ``planned → in_progress → implemented`` (date and evidence), or to
    ``not_implemented`` / ``cancelled`` (reason). Its department may do all but cancel.

    ``photos`` (prepared, ``households.photos.photo_prepare``) are kept as the measure's
    evidence; photos alone are evidence enough for implementing it."""
    photos = list(photos or [])
    state = _clean_choice(state, MeasureState, "state", _("状态"))
    evidence = (evidence or "").strip()
    reason = (reason or "").strip()

    def authorize(locked):
        if user_scope(actor).covers(locked.plan.case.household.grid):
            return
        if not _is_department_of(actor, locked):
            raise PermissionDenied(_("只能更新本部门负责的措施或本网格农户的措施。"))
        if state == MeasureState.CANCELLED:
            raise PermissionDenied(_("部门不能取消措施；如无法落实，请标记“未落实”并说明原因。"))

    def apply(locked):
        if state == MeasureState.IMPLEMENTED:
            day = _clean_date(on_date, "implemented_on", _("落实日期"))
            if day > timezone.localdate():
                raise ValidationError({"implemented_on": _("落实日期不能晚于今天。")})
            if not evidence and not locked.evidence and not photos:
                raise ValidationError(
                    {"evidence": _("请填写落实佐证（如发放凭证、合同）或附上落实照片。")}
                )
            locked.implemented_on = day
        elif state in REASON_STATES:
            if not reason:
                raise ValidationError({"reason": _("请说明未落实或取消的原因。")})
            locked.reason = reason
        noted = _("附落实照片 {n} 张").format(n=len(photos)) if photos else ""
        if evidence:
            locked.evidence = " ".join(filter(None, [evidence, noted]))
        elif noted:
            locked.evidence = "\n".join(filter(None, [locked.evidence, noted]))

    measure = transition(
        measure,
        actor=actor,
        lock=_locked_measure,
        authorize=authorize,
        allowed={s for s, targets in TRANSITIONS.items() if state in targets},
        to=state,
        apply=apply,
        action=f"measure.{state}",
        fields=STATE_FIELDS,
        tree_id=lambda m: _tree_id(m.plan),
        noun=_("措施"),
        what=_("改为“{target}”").format(target=MeasureState(state).label),
        reason=reason,
    )
    # Last: files are not transactional, so nothing that could still fail comes after them.
    photo_attach(
        actor=actor,
        household=measure.plan.case.household,
        subject=f"measure:{measure.pk}",
        photos=photos,
        department=measure.department,
    )
    return measure


@transaction.atomic
def measure_add_evidence(*, actor, measure: Measure, evidence: str) -> Measure:
    """Add to a measure's evidence (keepers and the responsible department)."""
    measure = _locked_measure(measure)
    if not user_scope(actor).covers(measure.plan.case.household.grid) and not _is_department_of(
        actor, measure
    ):
        raise PermissionDenied(_("只能更新本部门负责的措施或本网格农户的措施。"))
    evidence = _clean_text(evidence, "evidence", required=True, label=_("落实佐证"))
    before = snapshot(measure, ["evidence"])
    measure.evidence = f"{measure.evidence}\n{evidence}".strip()
    measure.save(update_fields=["evidence", "updated_at"])
    audit_record(
        actor=actor,
        action="measure.evidence",
        obj=measure,
        before=before,
        after=snapshot(measure, ["evidence"]),
        tree_id=_tree_id(measure.plan),
    )
    return measure


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# -- suggestion rules (admin) --------------------------------------------------------------


@transaction.atomic
def rule_save(*, actor, rule: SuggestionRule, **values) -> SuggestionRule:
    """Create or change a "缺什么补什么" rule. Defaults (no county) are the superuser's; county
    staff keep their own county's rules (a leader at the county root)."""
    for field, value in values.items():
        setattr(rule, field, value)
    if rule.county_id is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("默认规则只有系统管理员可以修改；请为本县添加规则。"))
    elif not user_scope(actor).administers(rule.county.tree_id):
        raise PermissionDenied(_("只能维护本县的规则（县级管理员）。"))
    if not rule.risk_type and not rule.member_condition:
        raise ValidationError(_("请至少选择风险类型或成员条件之一。"))
    before = None
    if rule.pk:
        before = snapshot(
            SuggestionRule.objects.select_for_update(of=("self",)).get(pk=rule.pk), RULE_FIELDS
        )
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise ValidationError(_("已有相同风险类型、成员条件和措施的规则。")) from None
    audit_record(
        actor=actor,
        action="rule.update" if before else "rule.create",
        obj=rule,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
        tree_id=rule.county.tree_id if rule.county_id else None,
    )
    return rule


__all__ = [
    "FINAL_STATES",
    "measure_add",
    "measure_add_evidence",
    "measure_add_suggested",
    "measure_set_state",
    "measure_update",
    "plan_create",
    "plan_update",
    "rule_save",
]
