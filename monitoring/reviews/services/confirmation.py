"""The county's confirmation: every decision applied to cases and clues in one transaction
(one review), or each review in its own (a batch)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from monitoring.cases.models import CaseState, MonitoringCase
from monitoring.cases.services import case_eliminate, case_note, case_open, elimination_refusals
from monitoring.common import is_county
from monitoring.discovery.models.clues import ClueState
from monitoring.discovery.services.clues import clues_decide_many
from monitoring.reviews.models import Decision, ReviewState, VillageReview
from monitoring.reviews.services.base import _items, _step


@transaction.atomic
def review_confirm(*, actor, review: VillageReview, on_date=None) -> VillageReview:
    """Confirm an approved review (the county) and apply every decision, all or nothing.

    Inclusions open cases (and confirm the clues they answer); eliminations are checked again
    against every rule and close their cases; "keep" records the adjustment and confirms new
    clues; dismissals dismiss the clues. Any refusal rolls everything back.
    """
    on_date = on_date or timezone.localdate()

    def authorize(locked):
        if not is_county(actor, locked.village.tree_id):
            raise PermissionDenied(_("只有县级网格人员（非部门账号）可以审定研判。"))

    def apply(locked):
        tree_id = locked.village.tree_id
        items = _items(locked)
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
        label = str(locked)
        for item in items:
            if item.decision == Decision.INCLUDE:
                case_open(actor=actor, item=item, on_date=on_date)
                clues_decide_many(
                    actor=actor,
                    ids=item.clue_ids,
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
                clues_decide_many(
                    actor=actor,
                    ids=item.clue_ids,
                    state=ClueState.CONFIRMED,
                    reason=_("{review} 研判：继续监测，{note}").format(
                        review=label, note=item.note
                    ),
                    tree_id=tree_id,
                )
            elif item.decision == Decision.DISMISS:
                clues_decide_many(
                    actor=actor,
                    ids=item.clue_ids,
                    state=ClueState.DISMISSED,
                    reason=item.note,
                    tree_id=tree_id,
                )
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()

    return _step(
        review,
        actor=actor,
        what=_("审定"),
        authorize=authorize,
        allowed=[ReviewState.APPROVED],
        to=ReviewState.CONFIRMED,
        action="review.confirm",
        apply=apply,
    )


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
