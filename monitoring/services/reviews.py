"""The monthly village review (每月综合研判): compose, submit, approve/return, confirm.

States: ``draft → submitted → approved → confirmed``, or ``submitted → returned → (edited)
→ submitted``. Every transition locks the review row (``select_for_update``), re-checks the
state after the lock, checks the actor's role (``monitoring.permissions``) and writes the audit
log. When the state is no longer the one the transition starts from (someone acted first), the
caller gets ``core.exceptions.Conflict`` naming who did what and when, and nothing changes.
Only the county's confirmation changes cases and clues, all in its one transaction.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.services import audit_record, snapshot
from grids.models import GridNode, Level
from grids.selectors import in_subtree
from households.models import Household

from ..models import (
    EDITABLE_STATES,
    MAX_RISK_TYPES,
    OPEN_STATES,
    CaseCategory,
    CaseState,
    ClueState,
    Decision,
    EliminationMethod,
    MonitoringCase,
    ReviewItem,
    ReviewState,
    RiskClue,
    VillageReview,
)
from ..permissions import is_county, is_township_leader, is_village_leader
from .cases import case_eliminate, case_note, case_open, elimination_refusals
from .common import clean_risk_types

_FIELDS = ("state", "return_reason")
MEETING_FIELDS = ("meeting_on", "attendance", "minutes", "notice_start", "notice_end")
ITEM_FIELDS = (
    "decision",
    "category",
    "risk_types",
    "income_12m",
    "spending_12m",
    "method",
    "evidence",
    "note",
)


# -- helpers ------------------------------------------------------------------------------
def _name(user_id) -> str:
    if not user_id:
        return "—"
    user = get_user_model().objects.filter(pk=user_id).first()
    return (user.get_full_name() or user.username) if user else "—"


def holder(review) -> tuple[str | None, str, str]:
    """Who acted last on ``review``: (user id field value, their act, when) for messages."""
    state = review.state
    if state == ReviewState.SUBMITTED:
        return review.submitted_by_id, _("提交"), review.submitted_at
    if state == ReviewState.APPROVED:
        return review.reviewed_by_id, _("审核通过"), review.reviewed_at
    if state == ReviewState.RETURNED:
        return review.reviewed_by_id, _("退回"), review.reviewed_at
    if state == ReviewState.CONFIRMED:
        return review.confirmed_by_id, _("审定"), review.confirmed_at
    return review.created_by_id, _("创建"), review.created_at


def _conflict(review, what) -> Conflict:
    user_id, act, at = holder(review)
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "—"
    return Conflict(
        _("该研判已由 {who} 于 {when} {act}，当前为“{state}”，您的“{what}”未生效。").format(
            who=_name(user_id), when=when, act=act, state=review.get_state_display(), what=what
        )
    )


def _locked(review) -> VillageReview:
    """The review row, locked, with its village (read after the lock: the state is current)."""
    locked = VillageReview.objects.select_for_update().get(pk=review.pk)
    locked.village = GridNode.objects.get(pk=locked.village_id)
    return locked


def _audit(actor, action, review, before, reason=""):
    audit_record(
        actor=actor,
        action=action,
        obj=review,
        before=before,
        after=snapshot(review, _FIELDS),
        reason=reason,
        tree_id=review.village.tree_id,
    )


def _require_village_leader(actor, review, what):
    if not is_village_leader(actor, review.village):
        raise PermissionDenied(
            _("只有 {village} 的村级网格长可以{what}。").format(
                village=review.village.name, what=what
            )
        )


def _require_editable(actor, review, what):
    _require_village_leader(actor, review, what)
    if review.state not in EDITABLE_STATES:
        raise _conflict(review, what)


def month_start(value) -> datetime.date:
    """The first day of the month holding ``value`` (a date or ``YYYY-MM``)."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.strptime(value[:7], "%Y-%m").date()
        except ValueError:
            raise ValidationError({"month": _("月份格式应为 YYYY-MM。")}) from None
    return value.replace(day=1)


# -- compose ------------------------------------------------------------------------------
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
    month = month_start(month)
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


def _items(review):
    return list(review.items.select_related("household__grid", "case").order_by("household_id"))


def _notice_errors(review, items) -> dict:
    errors = {}
    for name, label in (
        ("meeting_on", _("请填写研判会日期。")),
        ("attendance", _("请填写参会人员。")),
        ("minutes", _("请填写会议记录。")),
    ):
        if not getattr(review, name):
            errors[name] = [label]
    decisions = {item.decision for item in items}
    needed = 0
    if Decision.INCLUDE in decisions:
        needed = settings.REVIEW_NOTICE_DAYS_INCLUDE
    if Decision.ELIMINATE in decisions:
        needed = max(needed, settings.REVIEW_NOTICE_DAYS_ELIMINATE)
    if needed:
        if not (review.notice_start and review.notice_end):
            errors["notice_start"] = [_("有拟纳入或拟消除的农户，须填写公示起止日期。")]
        else:
            days = (review.notice_end - review.notice_start).days + 1
            if days < needed:
                errors["notice_end"] = [
                    _(
                        "公示期 {days} 天，不少于 {needed} 天（纳入 {inc} 天，消除 {eli} 天）。"
                    ).format(
                        days=days,
                        needed=needed,
                        inc=settings.REVIEW_NOTICE_DAYS_INCLUDE,
                        eli=settings.REVIEW_NOTICE_DAYS_ELIMINATE,
                    )
                ]
    return errors


# -- transitions --------------------------------------------------------------------------
@transaction.atomic
def review_submit(*, actor, review: VillageReview) -> VillageReview:
    """Submit to the township (the village leader; from draft or returned)."""
    review = _locked(review)
    _require_editable(actor, review, _("提交"))
    items = _items(review)
    errors = _notice_errors(review, items)
    item_messages = [
        _("{number} {head}：{msg}").format(
            number=i.household.number, head=i.household.head_name, msg=m
        )
        for i in items
        for m in item_errors(i)
    ]
    if item_messages:
        errors["items"] = item_messages
    if errors:
        raise ValidationError(errors)
    before = snapshot(review, _FIELDS)
    review.state = ReviewState.SUBMITTED
    review.submitted_by = actor
    review.submitted_at = timezone.now()
    review.return_reason = ""
    review.save()
    _audit(actor, "review.submit", review, before)
    return review


def _require_township(actor, review, what):
    if not is_township_leader(actor, review.village):
        raise PermissionDenied(
            _("只有 {village} 所在乡镇的网格长可以{what}。").format(
                village=review.village.name, what=what
            )
        )
    if review.state != ReviewState.SUBMITTED:
        raise _conflict(review, what)


@transaction.atomic
def review_approve(*, actor, review: VillageReview) -> VillageReview:
    """Approve a submitted review (the township leader over the village)."""
    review = _locked(review)
    _require_township(actor, review, _("审核通过"))
    before = snapshot(review, _FIELDS)
    review.state = ReviewState.APPROVED
    review.reviewed_by = actor
    review.reviewed_at = timezone.now()
    review.save()
    _audit(actor, "review.approve", review, before)
    return review


def _require_may_return(actor, review):
    """Raise unless ``actor`` may return ``review`` in its current state."""
    what = _("退回")
    state, village = review.state, review.village
    township = is_township_leader(actor, village)
    county = is_county(actor, village.tree_id)
    if (state == ReviewState.SUBMITTED and township) or (state == ReviewState.APPROVED and county):
        return
    if county and state == ReviewState.SUBMITTED:
        raise PermissionDenied(_("已提交的研判由乡镇审核或退回；县级可退回乡镇已审核通过的研判。"))
    if county or township:
        raise _conflict(review, what)  # someone acted first, or it is not at this step
    _require_township(actor, review, what)


@transaction.atomic
def review_return(*, actor, review: VillageReview, reason: str) -> VillageReview:
    """Return a review to the village with a reason: a submitted one by the township leader
    over the village, an approved one (not yet confirmed) by county staff, who disagree with
    what the village proposes and the township let through."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回须填写理由，说明需要修改什么。")})
    review = _locked(review)
    _require_may_return(actor, review)
    before = snapshot(review, _FIELDS)
    review.state = ReviewState.RETURNED
    review.reviewed_by = actor
    review.reviewed_at = timezone.now()
    review.return_reason = reason
    review.save()
    _audit(actor, "review.return", review, before, reason)
    return review


def _decide_clues(actor, ids, *, state, reason, tree_id):
    if not ids:
        return 0
    clues = list(RiskClue.objects.select_for_update().filter(pk__in=ids, state__in=OPEN_STATES))
    now = timezone.now()
    for clue in clues:
        before = {"state": clue.state}
        clue.state = state
        clue.decision_reason = reason
        clue.decided_by = actor
        clue.decided_at = now
        audit_record(
            actor=actor,
            action="clue.confirm" if state == ClueState.CONFIRMED else "clue.dismiss",
            obj=clue,
            before=before,
            after={"state": state},
            reason=reason,
            tree_id=tree_id,
        )
    RiskClue.objects.bulk_update(clues, ["state", "decision_reason", "decided_by", "decided_at"])
    return len(clues)


@transaction.atomic
def review_confirm(*, actor, review: VillageReview, on_date=None) -> VillageReview:
    """Confirm an approved review (the county) and apply every decision, all or nothing.

    Inclusions open cases (and confirm the clues they answer); eliminations are checked again
    against every rule and close their cases; "keep" records the adjustment and confirms new
    clues; dismissals dismiss the clues. Any refusal rolls everything back.
    """
    review = _locked(review)
    what = _("审定")
    if not is_county(actor, review.village.tree_id):
        raise PermissionDenied(_("只有县级网格人员（非部门账号）可以审定研判。"))
    if review.state != ReviewState.APPROVED:
        raise _conflict(review, what)
    on_date = on_date or timezone.localdate()
    tree_id = review.village.tree_id
    items = _items(review)
    case_ids = [i.case_id for i in items if i.case_id]
    locked_cases = {
        c.pk: c
        for c in MonitoringCase.objects.select_for_update(of=("self",))
        .select_related("household__grid")
        .filter(pk__in=case_ids)
    }
    problems = []
    for item in items:
        if item.case_id:
            item.case = locked_cases[item.case_id]
        if item.decision == Decision.KEEP and item.case.state != CaseState.MONITORING:
            problems.append(
                _("{number} {head}：该户已不是监测中的对象，请重新研判。").format(
                    number=item.household.number, head=item.household.head_name
                )
            )
        if item.decision == Decision.ELIMINATE:
            for msg in elimination_refusals(
                item.case, item.method, income_12m=item.income_12m, on_date=on_date
            ):
                problems.append(
                    _("{number} {head}：{msg}").format(
                        number=item.household.number, head=item.household.head_name, msg=msg
                    )
                )
    if problems:
        raise ValidationError({"items": problems})
    label = str(review)
    for item in items:
        if item.decision == Decision.INCLUDE:
            case_open(actor=actor, item=item, on_date=on_date)
            _decide_clues(
                actor,
                item.clue_ids,
                state=ClueState.CONFIRMED,
                reason=_("{review} 研判纳入监测").format(review=label),
                tree_id=tree_id,
            )
        elif item.decision == Decision.ELIMINATE:
            case_eliminate(
                actor=actor,
                case=item.case,
                method=item.method,
                on_date=on_date,
                reason=item.evidence,
            )
        elif item.decision == Decision.KEEP:
            if item.note or item.clue_ids:
                case_note(actor=actor, case=item.case, on_date=on_date, reason=item.note)
            _decide_clues(
                actor,
                item.clue_ids,
                state=ClueState.CONFIRMED,
                reason=_("{review} 研判：继续监测，{note}").format(review=label, note=item.note),
                tree_id=tree_id,
            )
        elif item.decision == Decision.DISMISS:
            _decide_clues(
                actor, item.clue_ids, state=ClueState.DISMISSED, reason=item.note, tree_id=tree_id
            )
    before = snapshot(review, _FIELDS)
    review.state = ReviewState.CONFIRMED
    review.confirmed_by = actor
    review.confirmed_at = timezone.now()
    review.save()
    _audit(actor, "review.confirm", review, before)
    return review


def review_confirm_batch(*, actor, reviews, on_date=None) -> list[tuple[VillageReview, str]]:
    """Confirm several reviews, each in its own transaction.

    One village's refusal (an elimination that no longer holds, a race) must not hold back the
    other villages, so each review commits or rolls back alone. Returns ``(review, error)``
    pairs; ``error`` is ``""`` for a confirmed review.
    """
    results = []
    for review in reviews:
        try:
            review = review_confirm(actor=actor, review=review, on_date=on_date)
        except ValidationError as exc:
            results.append((review, "；".join(exc.messages)))
        except (PermissionDenied, Conflict) as exc:
            results.append((review, str(exc)))
        else:
            results.append((review, ""))
    return results
