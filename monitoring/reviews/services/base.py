"""What every step of a review shares: the fields an audit record keeps, the lock, the
conflict that names who acted first, the role checks of the village leader."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.services import audit_record, snapshot
from core.transitions import transition
from grids.models import GridNode
from monitoring.common import is_village_leader
from monitoring.reviews.models import EDITABLE_STATES, ReviewState, VillageReview

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


def _step(review, *, actor, what, authorize, allowed, to, action, apply=None, reason=""):
    """One step of the review's way up, through the one transition helper: lock, role check,
    from-state (else the conflict naming who acted first), change, audit."""
    return transition(
        review,
        actor=actor,
        lock=_locked,
        authorize=authorize,
        allowed=allowed,
        to=to,
        apply=apply,
        action=action,
        fields=_FIELDS,
        tree_id=lambda r: r.village.tree_id,
        refused=lambda r: _conflict(r, what),
        reason=reason,
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


def _items(review):
    return list(review.items.select_related("household__grid", "case").order_by("household_id"))
