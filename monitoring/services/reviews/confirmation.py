"""The county's confirmation: every decision applied to cases and clues in one transaction
(one review), or each review in its own (a batch)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.services import audit_record, snapshot

from ...models import (
    OPEN_STATES,
    CaseState,
    ClueState,
    Decision,
    MonitoringCase,
    ReviewState,
    RiskClue,
    VillageReview,
)
from ...permissions import is_county
from ..cases import case_eliminate, case_note, case_open, elimination_refusals
from .base import (
    _FIELDS,
    _audit,
    _conflict,
    _items,
    _locked,
)


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
