"""Composing a review: open it with the village's open clues and cases, add households,
record the meeting and one decision per household (checked as it is entered)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.months import parse_month
from core.services import audit_record, snapshot
from grids.models import GridNode, Level
from grids.selectors import in_subtree
from households.models import Household
from monitoring.cases.models import CaseCategory, CaseState, EliminationMethod, MonitoringCase
from monitoring.cases.services import elimination_refusals
from monitoring.choices import MAX_RISK_TYPES
from monitoring.common import clean_risk_types, is_village_leader
from monitoring.discovery.models.clues import OPEN_STATES, RiskClue
from monitoring.reviews.models import Decision, ReviewItem, VillageReview
from monitoring.reviews.services.base import (
    ITEM_FIELDS,
    MEETING_FIELDS,
    _locked,
    _require_editable,
)


def _build_items(review, actor=None) -> int:
    """Add an item for every household of the village with open clues or an open case that
    is not on the review yet; returns how many were added (set-based: three reads, one insert).
    """
    village = review.village
    clues: dict[int, list[tuple[int, str]]] = {}
    for household_id, clue_id, risk in RiskClue.objects.filter(
        state__in=OPEN_STATES, **in_subtree("household__grid", village)
    ).values_list("household_id", "id", "risk_type"):
        clues.setdefault(household_id, []).append((clue_id, risk))
    cases = dict(
        MonitoringCase.objects.filter(
            state=CaseState.MONITORING, **in_subtree("household__grid", village)
        ).values_list("household_id", "id")
    )
    present = set(review.items.values_list("household_id", flat=True))
    rows = []
    for household_id in sorted((set(clues) | set(cases)) - present):
        found = clues.get(household_id, [])
        case_id = cases.get(household_id)
        rows.append(
            ReviewItem(
                review=review,
                household_id=household_id,
                case_id=case_id,
                clue_ids=[c for c, _r in found],
                risk_types=list(dict.fromkeys(r for _c, r in found))[:MAX_RISK_TYPES],
                decision=Decision.KEEP if case_id and not found else "",
                updated_by=actor if getattr(actor, "pk", None) else None,
            )
        )
    ReviewItem.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def review_create(*, actor, village: GridNode, month) -> VillageReview:
    """Open the village's review of ``month``, listing its open clues and open cases.

    The village leader only; one review per village and month (a database constraint).
    """
    month = parse_month(month)
    if village.level != Level.VILLAGE:
        raise ValidationError({"village": _("研判须在村级网格进行。")})
    if not is_village_leader(actor, village):
        raise PermissionDenied(
            _("只有 {village} 的村级网格长可以发起研判。").format(village=village.name)
        )
    try:
        with transaction.atomic():
            review = VillageReview.objects.create(village=village, month=month, created_by=actor)
    except IntegrityError:
        raise ValidationError(
            {
                "month": _("{village} {month} 的研判已存在，请打开它继续填写。").format(
                    village=village.name, month=month.strftime("%Y-%m")
                )
            }
        ) from None
    review.village = village
    added = _build_items(review, actor)
    audit_record(
        actor=actor,
        action="review.create",
        obj=review,
        after={"state": review.state, "items": added},
        tree_id=village.tree_id,
    )
    return review


@transaction.atomic
def review_refresh(*, actor, review: VillageReview) -> int:
    """Add households whose clues or cases appeared since the review was opened."""
    review = _locked(review)
    _require_editable(actor, review, _("刷新研判名单"))
    added = _build_items(review, actor)
    if added:
        audit_record(
            actor=actor,
            action="review.refresh",
            obj=review,
            after={"items_added": added},
            tree_id=review.village.tree_id,
        )
    return added


@transaction.atomic
def review_item_add(*, actor, review: VillageReview, household: Household) -> ReviewItem:
    """Put a household of the village on the review (one found at the meeting itself)."""
    review = _locked(review)
    _require_editable(actor, review, _("添加农户"))
    household = Household.objects.select_related("grid").get(pk=household.pk)
    village = review.village
    grid = household.grid
    if not (grid.tree_id == village.tree_id and village.lft <= grid.lft <= village.rght):
        raise ValidationError({"household": _("该户不在本村。")})
    if review.items.filter(household=household).exists():
        raise ValidationError({"household": _("该户已在本次研判名单中。")})
    case = MonitoringCase.objects.filter(household=household, state=CaseState.MONITORING).first()
    clues = list(
        RiskClue.objects.filter(household=household, state__in=OPEN_STATES).values_list(
            "id", "risk_type"
        )
    )
    item = ReviewItem.objects.create(
        review=review,
        household=household,
        case=case,
        clue_ids=[c for c, _r in clues],
        risk_types=list(dict.fromkeys(r for _c, r in clues))[:MAX_RISK_TYPES],
        updated_by=actor,
    )
    audit_record(
        actor=actor,
        action="review.item_add",
        obj=item,
        after={"household": household.number},
        tree_id=village.tree_id,
    )
    return item


@transaction.atomic
def review_update(*, actor, review: VillageReview, **fields) -> VillageReview:
    """Change the meeting record (date, attendance, minutes) and the notice dates."""
    review = _locked(review)
    _require_editable(actor, review, _("修改研判"))
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("不能修改：{f}").format(f="、".join(sorted(unknown)))})
    before = snapshot(review, MEETING_FIELDS)
    for name, value in fields.items():
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    if review.notice_start and review.notice_end and review.notice_end < review.notice_start:
        raise ValidationError({"notice_end": _("公示结束日期不能早于开始日期。")})
    review.save()
    audit_record(
        actor=actor,
        action="review.update",
        obj=review,
        before=before,
        after=snapshot(review, MEETING_FIELDS),
        tree_id=review.village.tree_id,
    )
    return review


def item_errors(item: ReviewItem, *, on_date=None) -> list[str]:
    """What is missing or wrong in one decision (Chinese), checked on entry and on submit."""
    errors: list[str] = []
    decision = item.decision
    case = item.case
    if not decision:
        return [_("请选择研判意见。")]
    if decision == Decision.INCLUDE:
        if case is not None and case.state == CaseState.MONITORING:
            errors.append(_("该户已是监测对象，请选择“继续监测”或“拟风险消除”。"))
        if item.category not in CaseCategory.values:
            errors.append(_("请选择监测对象类别。"))
        if not item.risk_types:
            errors.append(_("请至少选择一项风险类型。"))
        if item.income_12m is None or item.income_12m < 0:
            errors.append(_("请填写近12个月家庭纯收入（元）。"))
        if item.spending_12m is None or item.spending_12m < 0:
            errors.append(_("请填写近12个月合规自付支出（元）。"))
    elif decision == Decision.ELIMINATE:
        if case is None or case.state != CaseState.MONITORING:
            errors.append(_("该户不是监测中的对象，不能拟风险消除。"))
        elif item.method not in EliminationMethod.values:
            errors.append(_("请选择消除方式：帮扶消除或自然消除。"))
        else:
            if not item.evidence.strip():
                errors.append(_("请填写风险消除的依据（入户核实情况、收入、措施落实）。"))
            errors.extend(
                elimination_refusals(case, item.method, income_12m=item.income_12m, on_date=on_date)
            )
    elif decision == Decision.KEEP:
        if case is None or case.state != CaseState.MONITORING:
            errors.append(_("该户不是监测中的对象，不能选择“继续监测”。"))
        elif item.clue_ids and not item.note.strip():
            errors.append(_("该户有新的风险线索，请说明需调整的帮扶措施。"))
    elif decision == Decision.DISMISS:
        if not item.clue_ids:
            errors.append(_("该户没有待处理的风险线索可排除。"))
        if not item.note.strip():
            errors.append(_("排除线索须填写理由。"))
    return errors


@transaction.atomic
def review_item_set(*, actor, item: ReviewItem, **fields) -> ReviewItem:
    """Record (or change) one household's decision while the review is editable."""
    review = _locked(item.review)
    _require_editable(actor, review, _("修改研判意见"))
    item = (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related("household__grid", "case")
        .get(pk=item.pk)
    )
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("不能修改：{f}").format(f="、".join(sorted(unknown)))})
    before = snapshot(item, ITEM_FIELDS)
    decision = fields.get("decision", item.decision) or ""
    if decision and decision not in Decision.values:
        raise ValidationError({"decision": _("未知的研判意见“{d}”。").format(d=decision)})
    if "risk_types" in fields:
        fields["risk_types"] = clean_risk_types(fields["risk_types"])
    for name in ("income_12m", "spending_12m"):
        if fields.get(name) in ("", None):
            fields[name] = None if name in fields else getattr(item, name)
        else:
            try:
                fields[name] = Decimal(str(fields[name]))
            except ArithmeticError:
                raise ValidationError({name: _("请填写金额（元）。")}) from None
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    # Fields of another decision are cleared, so the record says one thing only.
    if item.decision != Decision.INCLUDE:
        item.category = ""
    if item.decision != Decision.ELIMINATE:
        item.method = ""
        item.evidence = ""
    errors = item_errors(item)
    if errors:
        raise ValidationError({"decision": errors})
    item.updated_by = actor
    item.save()
    audit_record(
        actor=actor,
        action="review.item_set",
        obj=item,
        before=before,
        after=snapshot(item, ITEM_FIELDS),
        tree_id=review.village.tree_id,
    )
    return item
