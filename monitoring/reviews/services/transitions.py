"""The review's way up: submitted by the village, approved or returned by the township; an
approved review returned by the county."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.common import is_county, is_township_leader
from monitoring.reviews.models import EDITABLE_STATES, Decision, ReviewState, VillageReview
from monitoring.reviews.services.base import (
    _conflict,
    _items,
    _require_editable,
    _step,
)
from monitoring.reviews.services.compose import item_errors


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


@transaction.atomic
def review_submit(*, actor, review: VillageReview) -> VillageReview:
    """Submit to the township (the village leader; from draft or returned)."""
    what = _("提交")

    def apply(locked):
        items = _items(locked)
        errors = _notice_errors(locked, items)
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
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        locked.return_reason = ""

    return _step(
        review,
        actor=actor,
        what=what,
        authorize=lambda r: _require_editable(actor, r, what),
        allowed=EDITABLE_STATES,
        to=ReviewState.SUBMITTED,
        action="review.submit",
        apply=apply,
    )


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
    what = _("审核通过")

    def apply(locked):
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()

    return _step(
        review,
        actor=actor,
        what=what,
        authorize=lambda r: _require_township(actor, r, what),
        allowed=[ReviewState.SUBMITTED],
        to=ReviewState.APPROVED,
        action="review.approve",
        apply=apply,
    )


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

    def apply(locked):
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.return_reason = reason

    return _step(
        review,
        actor=actor,
        what=_("退回"),
        authorize=lambda r: _require_may_return(actor, r),
        allowed=[ReviewState.SUBMITTED, ReviewState.APPROVED],
        to=ReviewState.RETURNED,
        action="review.return",
        apply=apply,
        reason=reason,
    )
