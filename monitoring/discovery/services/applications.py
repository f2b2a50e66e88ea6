"""Self-applications: submit (idempotent by the platform's id), verify, decide, complete."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.services import audit_record
from core.transitions import transition
from grids.scoping import user_scope
from households import idnumbers
from households.models import Household, Person, PersonStatus
from monitoring.choices import RiskType
from monitoring.common import clean_risk_types, require_in_scope, require_leader
from monitoring.discovery.models.applications import (
    ApplicationStatus,
    Channel,
    Matter,
    SelfApplication,
)
from monitoring.discovery.services.clues import clue_raise

_FIELDS = ("status", "eligible", "result_reason")
_PLATFORM_ID_TAKEN = gettext_lazy("该平台申报编号不可用，请核对。")


def _find_household(actor, id_hash: str) -> Household:
    """The household of the member holding the applicant's ID number, looked up through the
    actor's scope: a number registered outside it answers exactly like an unknown one."""
    person = (
        Person.objects.visible_to(actor)
        .select_related("household__grid")
        .filter(id_hash=id_hash)
        .first()
    )
    if person is None:
        raise ValidationError(
            {
                "applicant_id_number": _(
                    "未找到该身份证号对应的农户家庭成员，请核对号码或先登记农户。"
                )
            }
        )
    return person.household


@transaction.atomic
def application_submit(
    *,
    actor,
    channel: str,
    applicant_name: str = "",
    applicant_id_number: str = "",
    phone: str,
    matter: str,
    description: str,
    consent: bool,
    consent_at: datetime.datetime | None = None,
    risk_types=None,
    platform_id: str = "",
    applicant: Person | None = None,
) -> tuple[SelfApplication, bool]:
    """File a self-application; returns ``(application, created)``.

    The applicant is named by ID number (the platform, an API client) or, on the 代办 page,
    as a registered member of a household (``applicant``, looked up through the actor's
    scope), whose number the system already holds.

    Idempotent by ``(channel, platform_id)``: a resubmission returns the existing row unchanged.
    The household is the one whose member holds the applicant's ID number (matched by hash); the
    number itself is kept only hashed and masked. Nothing is written when any field is wrong.
    """
    platform_id = (platform_id or "").strip()
    if channel in Channel.values and platform_id:
        existing = (
            SelfApplication.objects.select_related("household__grid")
            .filter(channel=channel, platform_id=platform_id)
            .first()
        )
        if existing is not None:
            if not user_scope(actor).covers(existing.household.grid):
                # Unique across the deployment, but whose it is stays unsaid.
                raise ValidationError({"platform_id": _PLATFORM_ID_TAKEN})
            return existing, False

    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("申报渠道应为 platform、proxy 或 government。")
    elif channel == Channel.PLATFORM and not platform_id:
        errors["platform_id"] = _("通过救助平台申报须提供平台申报编号。")
    if applicant is not None:
        applicant = (
            Person.objects.visible_to(actor)
            .select_related("household__grid")
            .filter(pk=applicant.pk, status=PersonStatus.ACTIVE)
            .first()
        )
        if applicant is None:
            errors["applicant"] = _("申请人应为本户在册的家庭成员。")
        else:
            applicant_name = applicant_name or applicant.name
    if not (applicant_name or "").strip():
        errors["applicant_name"] = _("请填写申请人姓名。")
    if not (phone or "").strip():
        errors["phone"] = _("请填写联系电话。")
    if matter not in Matter.values:
        errors["matter"] = _("申报事项应为 {choices} 之一。").format(
            choices="、".join(Matter.values)
        )
    if not (description or "").strip():
        errors["description"] = _("请描述困难情况。")
    if consent is not True:
        errors["consent"] = _("须经申请人签署承诺授权（consent 为 true）后方可受理。")
    id_hash = id_masked = None
    if applicant is not None:
        id_hash, id_masked = applicant.id_hash, applicant.id_masked
    elif "applicant" not in errors:
        try:
            id_hash = idnumbers.hash_id(applicant_id_number or "")
            id_masked = idnumbers.mask(idnumbers.normalize(applicant_id_number))
        except idnumbers.IdNumberError as exc:
            errors["applicant_id_number"] = str(exc)
    try:
        risk_types = clean_risk_types(risk_types)
    except ValidationError as exc:
        errors.update({k: v[0].messages[0] for k, v in exc.error_dict.items()})
    if errors:
        raise ValidationError(errors)
    household = applicant.household if applicant is not None else _find_household(actor, id_hash)

    now = timezone.now()
    try:
        with transaction.atomic():
            application = SelfApplication.objects.create(
                household=household,
                channel=channel,
                platform_id=platform_id,
                applicant_name=applicant_name.strip(),
                applicant_id_hash=id_hash,
                applicant_id_masked=id_masked,
                phone=phone.strip(),
                matter=matter,
                description=description.strip(),
                risk_types=risk_types,
                consent=True,
                consent_at=consent_at or now,
                filed_by=actor if getattr(actor, "pk", None) else None,
                received_at=now,
            )
    except IntegrityError:
        # The same platform id arrived twice at once: the other request won, return its row.
        existing = (
            SelfApplication.objects.select_related("household__grid")
            .filter(channel=channel, platform_id=platform_id)
            .first()
        )
        if existing is None:
            raise
        if not user_scope(actor).covers(existing.household.grid):
            raise ValidationError({"platform_id": _PLATFORM_ID_TAKEN}) from None
        return existing, False
    audit_record(
        actor=actor,
        action="application.submit",
        obj=application,
        after={"channel": channel, "platform_id": platform_id, "matter": matter},
        tree_id=household.grid.tree_id,
    )
    return application, True


def _locked(application):
    return (
        SelfApplication.objects.select_for_update()
        .select_related("household__grid")
        .get(pk=application.pk)
    )


def _move(*, actor, application, allowed, to, action, what, leader_only, reason="", **fields):
    def authorize(locked):
        if leader_only:
            require_leader(actor, locked.household, what=what)
        else:
            require_in_scope(actor, locked.household)

    def apply(locked):
        for name, value in fields.items():
            setattr(locked, name, value)

    return transition(
        application,
        actor=actor,
        lock=_locked,
        authorize=authorize,
        allowed=allowed,
        to=to,
        apply=apply,
        state_field="status",
        action=action,
        fields=_FIELDS,
        tree_id=lambda a: a.household.grid.tree_id,
        noun=_("申报"),
        what=what,
        reason=reason,
    )


@transaction.atomic
def application_start_verifying(*, actor, application: SelfApplication) -> SelfApplication:
    """Begin checking the application (a grid person over the household)."""
    return _move(
        actor=actor,
        application=application,
        allowed=[ApplicationStatus.RECEIVED],
        to=ApplicationStatus.VERIFYING,
        action="application.verify",
        what=_("开始核实"),
        leader_only=False,
    )


@transaction.atomic
def application_record_result(
    *, actor, application: SelfApplication, eligible: bool, reason: str
) -> SelfApplication:
    """Record the result with the reason fed back to the applicant; eligible raises clues."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("须填写结果理由（将反馈给申请人）。")})
    application = _move(
        actor=actor,
        application=application,
        allowed=[ApplicationStatus.VERIFYING],
        to=ApplicationStatus.DECIDED,
        action="application.result",
        what=_("录入结果"),
        leader_only=True,
        reason=reason,
        eligible=bool(eligible),
        result_reason=reason,
        decided_at=timezone.now(),
    )
    if application.eligible:
        for risk in application.risk_types or [RiskType.OTHER]:
            clue_raise(
                actor=actor,
                household=application.household,
                risk_type=risk,
                source="application",
                reference=application.platform_id or f"application:{application.pk}",
                note=application.description[:500],
                application=application,
                check_scope=False,
            )
    return application


@transaction.atomic
def application_complete(*, actor, application: SelfApplication) -> SelfApplication:
    """Close the application (办结) once its result was fed back."""
    return _move(
        actor=actor,
        application=application,
        allowed=[ApplicationStatus.DECIDED],
        to=ApplicationStatus.COMPLETED,
        action="application.complete",
        what=_("办结"),
        leader_only=True,
        completed_at=timezone.now(),
    )
