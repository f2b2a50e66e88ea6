"""Risk clues: raise (or merge into the open one), verify, confirm, dismiss."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.services import audit_record, snapshot
from core.transitions import transition
from households.models import Household
from households.photos import photo_attach
from households.services import lock_household_row
from monitoring.choices import RiskType
from monitoring.common import require_in_scope, require_leader
from monitoring.discovery.models.clues import (
    OPEN_STATES,
    ClueEvidence,
    ClueSource,
    ClueState,
    RiskClue,
)

_FIELDS = ("state", "decision_reason", "decided_by_id")


def deadlines(found_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(verify_by, decide_by) for a clue found on ``found_on``, in calendar days from settings."""
    return (
        found_on + datetime.timedelta(days=settings.CLUE_VERIFY_DAYS),
        found_on + datetime.timedelta(days=settings.CLUE_DECIDE_DAYS),
    )


@transaction.atomic
def clue_raise(
    *,
    actor,
    household: Household,
    risk_type: str,
    source: str,
    reference: str = "",
    note: str = "",
    found_on: datetime.date | None = None,
    visit=None,
    application=None,
    check_scope: bool = True,
) -> tuple[RiskClue, bool]:
    """Open a clue for ``household`` and ``risk_type``, or add evidence to the open one.

    Returns ``(clue, created)``. The household row is locked first, so two channels reporting
    the same risk at once serialise here; the conditional unique constraint
    ``monitoring_riskclue_one_open_per_household_risk`` is the last line of defence.
    ``check_scope`` is False only when the calling service has already checked the actor.
    """
    if risk_type not in RiskType.values:
        raise ValidationError({"risk_type": _("未知的风险类型“{code}”。").format(code=risk_type)})
    if source not in ClueSource.values:
        raise ValidationError({"source": _("未知的线索来源“{code}”。").format(code=source)})
    household = lock_household_row(household)
    if check_scope:
        require_in_scope(actor, household)
    found_on = found_on or timezone.localdate()
    clue = (
        RiskClue.objects.select_for_update()
        .filter(household=household, risk_type=risk_type, state__in=OPEN_STATES)
        .first()
    )
    created = clue is None
    if created:
        verify_by, decide_by = deadlines(found_on)
        try:
            with transaction.atomic():
                clue = RiskClue.objects.create(
                    household=household,
                    risk_type=risk_type,
                    source=source,
                    found_on=found_on,
                    verify_by=verify_by,
                    decide_by=decide_by,
                )
        except IntegrityError as exc:  # pragma: no cover - the household lock prevents it
            raise Conflict() from exc
    ClueEvidence.objects.create(
        clue=clue,
        source=source,
        reference=reference[:100],
        note=note,
        found_on=found_on,
        visit=visit,
        application=application,
    )
    audit_record(
        actor=actor,
        action="clue.raise" if created else "clue.merge",
        obj=clue,
        after={"risk_type": risk_type, "source": source, "reference": reference},
        tree_id=household.grid.tree_id,
    )
    return clue, created


# -- the decision rule (once: a leader's decision here, the county's confirmation of a review) ---


def _mark_decided(clue: RiskClue, *, actor, reason: str, at) -> None:
    """What a decided clue records besides its state: why, by whom, when."""
    clue.decision_reason = reason
    clue.decided_by = actor if getattr(actor, "pk", None) else None
    clue.decided_at = at


def decision_action(state: str) -> str:
    """The audit action of deciding a clue into ``state``."""
    return "clue.confirm" if state == ClueState.CONFIRMED else "clue.dismiss"


def clues_decide_many(*, actor, ids, state: str, reason: str, tree_id: int) -> int:
    """Decide the still-open clues among ``ids`` into ``state`` (confirmed or dismissed), each
    with its audit row; set-based (one lock, one update). Returns how many were decided.
    The caller holds the transaction and has checked the actor (the county's confirmation)."""
    if not ids:
        return 0
    clues = list(
        RiskClue.objects.select_for_update()
        .filter(pk__in=ids, state__in=OPEN_STATES)
        .order_by("pk")
    )
    now = timezone.now()
    for clue in clues:
        before = snapshot(clue, _FIELDS)
        clue.state = state
        _mark_decided(clue, actor=actor, reason=reason, at=now)
        audit_record(
            actor=actor,
            action=decision_action(state),
            obj=clue,
            before=before,
            after=snapshot(clue, _FIELDS),
            reason=reason,
            tree_id=tree_id,
        )
    RiskClue.objects.bulk_update(clues, ["state", "decision_reason", "decided_by", "decided_at"])
    return len(clues)


def _locked(clue: RiskClue) -> RiskClue:
    return RiskClue.objects.select_for_update().select_related("household__grid").get(pk=clue.pk)


def _decided_first(locked, what):
    """A clue someone else already decided: 409 naming who and when (like a review), else
    the state error."""
    if locked.state in OPEN_STATES or not locked.decided_at:
        shown = locked.get_state_display()
        return ValidationError(
            {"state": _("线索当前为“{state}”，不能{what}。").format(state=shown, what=what)}
        )
    user = locked.decided_by
    who = (user.get_full_name() or user.get_username()) if user else "—"
    when = timezone.localtime(locked.decided_at).strftime("%Y-%m-%d %H:%M")
    return Conflict(
        _("该线索已由 {who} 于 {when} 处理为“{state}”，您的“{what}”未生效。").format(
            who=who, when=when, state=locked.get_state_display(), what=what
        )
    )


def _transition(*, actor, clue, allowed, to, action, reason="", leader_only=True, what=""):
    def authorize(locked):
        if leader_only:
            require_leader(actor, locked.household, what=what)
        else:
            require_in_scope(actor, locked.household)

    def apply(locked):
        if to == ClueState.VERIFYING:
            locked.verifying_since = timezone.now()
        else:
            _mark_decided(locked, actor=actor, reason=reason, at=timezone.now())

    return transition(
        clue,
        actor=actor,
        lock=_locked,
        authorize=authorize,
        allowed=allowed,
        to=to,
        apply=apply,
        action=action,
        fields=_FIELDS,
        tree_id=lambda c: c.household.grid.tree_id,
        noun=_("线索"),
        what=what,
        refused=lambda locked: _decided_first(locked, what),
        reason=reason,
    )


def _with_photos(actor, clue: RiskClue, photos) -> RiskClue:
    """The photos of the home check (入户核实), kept as the clue's evidence (prepared photos,
    ``households.photos.photo_prepare``); last in the transaction: files are not
    transactional."""
    photo_attach(actor=actor, household=clue.household, subject=f"clue:{clue.pk}", photos=photos)
    return clue


@transaction.atomic
def clue_start_verifying(*, actor, clue: RiskClue, photos=()) -> RiskClue:
    """Start the home check (入户核实): any grid person over the household may do it."""
    clue = _transition(
        actor=actor,
        clue=clue,
        allowed=[ClueState.NEW],
        to=ClueState.VERIFYING,
        action="clue.verify",
        leader_only=False,
        what=_("开始核实"),
    )
    return _with_photos(actor, clue, photos)


@transaction.atomic
def clue_confirm(*, actor, clue: RiskClue, reason: str = "", photos=()) -> RiskClue:
    """Confirm the risk after the home check (a grid leader over the household)."""
    clue = _transition(
        actor=actor,
        clue=clue,
        allowed=list(OPEN_STATES),
        to=ClueState.CONFIRMED,
        action="clue.confirm",
        reason=(reason or "").strip(),
        what=_("确认线索"),
    )
    return _with_photos(actor, clue, photos)


@transaction.atomic
def clue_dismiss(*, actor, clue: RiskClue, reason: str, photos=()) -> RiskClue:
    """Dismiss the clue (排除); a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("排除线索须填写理由。")})
    clue = _transition(
        actor=actor,
        clue=clue,
        allowed=list(OPEN_STATES),
        to=ClueState.DISMISSED,
        action="clue.dismiss",
        reason=reason,
        what=_("排除线索"),
    )
    return _with_photos(actor, clue, photos)
