"""Risk clues (风险线索): one inbox for visits, self-applications and department screening."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from households.models import Household
from monitoring.choices import RiskType
from monitoring.discovery.models.applications import SelfApplication
from monitoring.discovery.models.visits import Visit


class ClueSource(models.TextChoices):
    VISIT = "visit", _("走访排查")
    APPLICATION = "application", _("农户自主申报")
    DEPARTMENT = "department", _("部门筛查预警")


class ClueState(models.TextChoices):
    NEW = "new", _("待核实")
    VERIFYING = "verifying", _("核实中")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("已排除")


OPEN_STATES = (ClueState.NEW, ClueState.VERIFYING)


class RiskClue(models.Model):
    """A sign that a household may fall (back) into poverty for one risk type, until decided."""

    scope_path = "household__grid"

    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.CASCADE, related_name="risk_clues"
    )
    risk_type = models.CharField(_("风险类型"), max_length=20, choices=RiskType.choices)
    source = models.CharField(
        _("首次来源"), max_length=12, choices=ClueSource.choices, help_text=_("最早发现的渠道")
    )
    found_on = models.DateField(_("发现日期"))
    verify_by = models.DateField(_("入户核实期限"))
    decide_by = models.DateField(_("办结期限"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ClueState.choices, default=ClueState.NEW
    )
    decision_reason = models.TextField(_("处理意见"), blank=True)
    # Indexed only where set (below): an open clue has none, and the monthly comparison opens
    # thousands at once.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    verifying_since = models.DateTimeField(_("开始核实时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险线索")
        verbose_name_plural = _("风险线索")
        ordering = ["decide_by", "id"]
        constraints = [
            # A second signal for the same household and risk merges into the open clue.
            models.UniqueConstraint(
                fields=["household", "risk_type"],
                condition=Q(state__in=["new", "verifying"]),
                name="monitoring_riskclue_one_open_per_household_risk",
            ),
            models.CheckConstraint(
                condition=~Q(state="dismissed") | ~Q(decision_reason=""),
                name="monitoring_riskclue_dismiss_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ClueState.values), name="monitoring_riskclue_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(verify_by__gte=models.F("found_on"))
                & Q(decide_by__gte=models.F("found_on")),
                name="monitoring_riskclue_deadlines_after_found",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "decide_by"], name="monitoring_clue_state_due_idx"),
            models.Index(
                fields=["decided_by"],
                condition=Q(decided_by__isnull=False),
                name="monitoring_clue_decided_by_idx",
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.get_risk_type_display()} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ClueEvidence(models.Model):
    """One signal behind a clue: which channel saw it, its reference and what was seen."""

    scope_path = "clue__household__grid"

    clue = models.ForeignKey(
        RiskClue, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="evidence"
    )
    source = models.CharField(_("来源"), max_length=12, choices=ClueSource.choices)
    reference = models.CharField(_("来源编号"), max_length=100, blank=True)
    note = models.TextField(_("情况说明"), blank=True)
    found_on = models.DateField(_("发现日期"))
    # Each row comes from one channel, so at most one of these is set: indexed only where set
    # (a department's evidence, the bulk of the rows, has neither).
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("走访记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clue_evidence",
        db_index=False,
    )
    application = models.ForeignKey(
        SelfApplication,
        verbose_name=_("自主申报"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clue_evidence",
        db_index=False,
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("线索依据")
        verbose_name_plural = _("线索依据")
        ordering = ["clue_id", "id"]
        indexes = [
            models.Index(
                fields=["visit"], condition=Q(visit__isnull=False), name="monitoring_evidence_visit"
            ),
            models.Index(
                fields=["application"],
                condition=Q(application__isnull=False),
                name="monitoring_evidence_app",
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.reference}".strip()
