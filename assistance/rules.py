"""The rules of assistance that read a case: member conditions, "缺什么补什么" suggestions, the
warnings where a plan does not answer its risks, and the risk-elimination check.

Pure functions over plain values where possible (``warnings_for``), so the plan page, the API,
the ledger and the elimination check give the same answer.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import (
    Health,
    LabourCapacity,
    Person,
    PersonStatus,
    Schooling,
    SocialAssistance,
)
from monitoring.models import RiskType

from .models import (
    ANSWERING_STATES,
    DEVELOPMENT_CATEGORIES,
    MeasureCategory,
    MeasureState,
    MemberCondition,
    SuggestionRule,
)

ABLE_CAPACITIES = (LabourCapacity.ORDINARY, LabourCapacity.SKILLED)
NON_COMPULSORY = (Schooling.SENIOR, Schooling.VOCATIONAL, Schooling.COLLEGE)

#: Risk type → the categories of which one (answering) measure answers it.
RISK_ANSWERS = {
    RiskType.ILLNESS: (
        MeasureCategory.HEALTH,
        MeasureCategory.COMPREHENSIVE_SECURITY,
        MeasureCategory.SOCIAL,
    ),
    RiskType.HOUSING: (MeasureCategory.HOUSING, MeasureCategory.RELOCATION),
    RiskType.DRINKING_WATER: (MeasureCategory.WATER,),
    RiskType.SCHOOLING: (MeasureCategory.COMPULSORY_EDUCATION, MeasureCategory.OTHER_EDUCATION),
}


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def member_matches(person, condition: str, today: datetime.date) -> bool:
    """Whether one active member meets a ``MemberCondition``."""
    age = _age(person.birth_date, today)
    if condition == MemberCondition.NO_MEDICAL_INSURANCE:
        return not person.medical_insurance
    if condition == MemberCondition.NO_PENSION_INSURANCE:
        return (
            16 <= age <= 59
            and not person.pension_insurance
            and person.schooling
            not in (
                *NON_COMPULSORY,
                Schooling.JUNIOR,
            )
        )
    if condition == MemberCondition.DIBAO:
        return person.social_assistance == SocialAssistance.DIBAO
    if condition == MemberCondition.TEKUN:
        return person.social_assistance == SocialAssistance.TEKUN
    if condition == MemberCondition.COMPULSORY_SCHOOL_AGE:
        return 6 <= age <= 15 or person.schooling in (
            Schooling.PRIMARY,
            Schooling.JUNIOR,
            Schooling.DROPOUT,
        )
    if condition == MemberCondition.NON_COMPULSORY_STUDENT:
        return person.schooling in NON_COMPULSORY
    if condition == MemberCondition.SERIOUS_OR_CHRONIC_ILLNESS:
        return person.health in (Health.SERIOUS, Health.CHRONIC)
    if condition == MemberCondition.DISABLED:
        return person.health == Health.DISABLED
    if condition == MemberCondition.ABLE_TO_WORK:
        return person.labour_capacity in ABLE_CAPACITIES
    return False


def household_able_to_work(household_id: int) -> bool:
    """A household able to work: an active member with ordinary or skilled labour capacity."""
    return Person.objects.filter(
        household_id=household_id,
        status=PersonStatus.ACTIVE,
        labour_capacity__in=ABLE_CAPACITIES,
    ).exists()


# -- warnings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanWarning:
    code: str
    message: str


def warnings_for(risk_types, measures, *, able_to_work: bool) -> list[PlanWarning]:
    """Where a plan does not answer its case's risks.

    ``measures`` are ``(category, state)`` pairs (or objects with those attributes); only
    measures drawn up and not given up (planned, in progress, implemented) answer a risk.
    """
    categories = set()
    for m in measures:
        category, state = (m.category, m.state) if hasattr(m, "category") else m
        if state in ANSWERING_STATES:
            categories.add(category)
    found = []
    labels = dict(RiskType.choices)
    texts = {
        RiskType.ILLNESS: _("因病：没有健康、保障或社会帮扶措施。"),
        RiskType.HOUSING: _("因安全住房：没有住房安全或搬迁措施。"),
        RiskType.DRINKING_WATER: _("因安全饮水：没有饮水安全措施。"),
        RiskType.SCHOOLING: _("因学：没有教育措施。"),
    }
    for risk, answers in RISK_ANSWERS.items():
        if risk in (risk_types or []) and not categories.intersection(answers):
            found.append(
                PlanWarning(code=f"risk_{risk}", message=str(texts.get(risk, labels[risk])))
            )
    if able_to_work and categories and not categories.intersection(DEVELOPMENT_CATEGORIES):
        found.append(
            PlanWarning(
                code="no_development",
                message=_(
                    "家庭有劳动能力，但只有保障类措施，没有产业、就业、金融或公益岗位等开发式帮扶措施。"
                ),
            )
        )
    return found


# -- suggestions ("缺什么补什么") ------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    rule_id: int
    category: str
    kind: str
    department_id: int | None
    department_name: str
    because: str

    @property
    def category_label(self):
        return MeasureCategory(self.category).label

    @property
    def kind_label(self):
        from .models import MeasureKind

        return MeasureKind(self.kind).label


def rules_for_county(county_id: int | None) -> list[SuggestionRule]:
    """The active rules of a county: the defaults, replaced by the county's own rules with the
    same risk type, member condition and kind (an inactive county rule switches one off)."""
    rows = (
        SuggestionRule.objects.filter(Q(county__isnull=True) | Q(county_id=county_id))
        .select_related("department")
        .order_by("order", "id")
    )
    chosen: dict[tuple, SuggestionRule] = {}
    for rule in rows:
        key = (rule.risk_type, rule.member_condition, rule.kind)
        if key not in chosen or rule.county_id is not None:
            chosen[key] = rule
    return sorted((r for r in chosen.values() if r.active), key=lambda r: (r.order, r.pk))


def suggest_measures(
    case, *, today: datetime.date | None = None, existing=None
) -> list[Suggestion]:
    """Measures the rules suggest for ``case`` from its risk types and its active members.

    A kind the plan already holds (drawn up, not given up) is not suggested again; ``existing``
    may pass the plan's measures to save a query.
    """
    today = today or timezone.localdate()
    household = case.household
    members = list(household.members.filter(status=PersonStatus.ACTIVE).order_by("id"))
    county_id = _county_id(household.grid)
    if existing is None:
        plan = getattr(case, "plan", None) if _has_plan(case) else None
        existing = list(plan.measures.all()) if plan else []
    held = {m.kind for m in existing if m.state in ANSWERING_STATES}
    risk_labels = dict(RiskType.choices)
    out: list[Suggestion] = []
    seen = set()
    for rule in rules_for_county(county_id):
        if rule.risk_type and rule.risk_type not in (case.risk_types or []):
            continue
        who = []
        if rule.member_condition:
            who = [p.name for p in members if member_matches(p, rule.member_condition, today)]
            if not who:
                continue
        if rule.kind in held or rule.kind in seen:
            continue
        seen.add(rule.kind)
        because = []
        if rule.risk_type:
            because.append(str(risk_labels[rule.risk_type]))
        if rule.member_condition:
            because.append(
                "{cond}（{names}）".format(
                    cond=MemberCondition(rule.member_condition).label, names="、".join(who)
                )
            )
        out.append(
            Suggestion(
                rule_id=rule.pk,
                category=rule.category,
                kind=rule.kind,
                department_id=rule.department_id,
                department_name=rule.department.name if rule.department else "",
                because="；".join(because),
            )
        )
    return out


def _has_plan(case) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        case.plan  # noqa: B018 - reading the reverse one-to-one
    except ObjectDoesNotExist:
        return False
    return True


def _county_id(grid) -> int | None:
    """The county root of ``grid``'s tree (one query, by tree and level)."""
    from grids.models import GridNode, Level

    return (
        GridNode.objects.filter(tree_id=grid.tree_id, level=Level.COUNTY)
        .values_list("pk", flat=True)
        .first()
    )


# -- risk elimination by assistance -----------------------------------------------------------


def elimination_check(case, method: str) -> list[str]:
    """Registered in ``monitoring.hooks``: reasons why ``case`` may not be eliminated *by
    assistance* (帮扶消除) yet. Natural elimination is not this app's concern."""
    if method != "assistance":
        return []
    from .models import AssistancePlan

    plan = AssistancePlan.objects.filter(case_id=case.pk).first()
    if plan is None:
        return [_("尚未制定帮扶计划，不能按帮扶消除风险。")]
    measures = list(plan.measures.exclude(state=MeasureState.CANCELLED))
    if not measures:
        return [_("帮扶计划中没有帮扶措施，不能按帮扶消除风险。")]
    reasons = []
    pending = [m for m in measures if m.state != MeasureState.IMPLEMENTED]
    if pending:
        reasons.append(
            _("还有 {n} 项措施未落实：{names}。").format(
                n=len(pending), names="、".join(str(m.get_kind_display()) for m in pending)
            )
        )
    if household_able_to_work(case.household_id) and not any(
        m.state == MeasureState.IMPLEMENTED and m.category in DEVELOPMENT_CATEGORIES
        for m in measures
    ):
        reasons.append(
            _("家庭有劳动能力，须至少落实一项产业、就业、金融或公益岗位等开发式帮扶措施。")
        )
    return reasons
