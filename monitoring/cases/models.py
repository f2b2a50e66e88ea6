"""Monitoring cases (监测对象): one row per household episode, and its history of transitions.

A case opens when the county confirms a village review's proposal to monitor a household
(identification, 识别) and stays ``monitoring`` until the county confirms a risk elimination
(风险消除, 帮扶消除 or 自然消除). An elimination can be rolled back (风险消除回退): the case
returns to ``monitoring`` and its history keeps the rollback. A household whose risk returns
after elimination is identified again as a new case. Every change is a ``CaseEvent``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from households.models import Household


class CaseCategory(models.TextChoices):
    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class CaseState(models.TextChoices):
    MONITORING = "monitoring", _("监测中（风险未消除）")
    ELIMINATED = "eliminated", _("风险已消除")


class EliminationMethod(models.TextChoices):
    ASSISTANCE = "assistance", _("帮扶消除")
    NATURAL = "natural", _("自然消除")


class CaseAction(models.TextChoices):
    IDENTIFY = "identify", _("识别纳入")
    ELIMINATE = "eliminate", _("风险消除")
    ROLLBACK = "rollback", _("风险消除回退")
    UPDATE = "update", _("调整监测信息")


class MonitoringCase(models.Model):
    """A household under monitoring for one episode (识别 → 风险消除)."""

    scope_path = "household__grid"

    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.PROTECT, related_name="cases"
    )
    category = models.CharField(_("监测对象类别"), max_length=10, choices=CaseCategory.choices)
    risk_types = models.JSONField(_("风险类型"), default=list, help_text=_("最多五项"))
    identified_on = models.DateField(_("识别日期"))
    income_12m = models.DecimalField(
        _("近12个月家庭纯收入（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    spending_12m = models.DecimalField(
        _("近12个月合规自付支出（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=CaseState.choices, default=CaseState.MONITORING
    )
    eliminated_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    elimination_method = models.CharField(
        _("消除方式"), max_length=12, choices=EliminationMethod.choices, blank=True
    )
    note = models.TextField(_("备注"), blank=True)
    #: The review decision that opened the case (None for cases recorded before reviews).
    opened_by_item = models.OneToOneField(
        "monitoring.ReviewItem",
        verbose_name=_("纳入依据（研判事项）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opened_case",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测对象")
        verbose_name_plural = _("监测对象")
        ordering = ["-identified_on", "-id"]
        constraints = [
            # One episode at a time: a household is never monitored twice at once.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(state="monitoring"),
                name="monitoring_case_one_open_per_household",
            ),
            models.CheckConstraint(
                condition=Q(state__in=CaseState.values), name="monitoring_case_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=CaseCategory.values),
                name="monitoring_case_category_valid",
            ),
            # Eliminated ⇔ the date and the way are recorded.
            models.CheckConstraint(
                condition=(
                    Q(state="monitoring", eliminated_on__isnull=True, elimination_method="")
                    | (
                        Q(state="eliminated", eliminated_on__isnull=False)
                        & Q(elimination_method__in=EliminationMethod.values)
                    )
                ),
                name="monitoring_case_elimination_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "category"], name="monitoring_case_state_cat_idx"),
        ]

    def __str__(self):
        return f"{self.household} {self.get_category_display()} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state == CaseState.MONITORING


class CaseEvent(models.Model):
    """One transition in a case's history: who, when, from which state to which, and why."""

    scope_path = "case__household__grid"

    case = models.ForeignKey(
        MonitoringCase, verbose_name=_("监测对象"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=12, choices=CaseAction.choices)
    from_state = models.CharField(_("原状态"), max_length=12, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=CaseState.choices)
    on_date = models.DateField(_("生效日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("原因"), blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测对象变动记录")
        verbose_name_plural = _("监测对象变动记录")
        ordering = ["case_id", "created_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.get_action_display()} {self.on_date}"


class MonitoringLine(models.Model):
    """The monitoring line (监测范围) of one year for an area: yuan per person per year.

    ``area_code`` is a prefix of grid codes (administrative division codes): ``"53"`` is Yunnan,
    ``"533423"`` one county. The longest prefix wins, then the latest year not after the year
    asked (see ``services.cases.monitoring_line``). Reference data shared by every county.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    area_code = models.CharField(
        _("地区代码前缀"), max_length=12, help_text=_("行政区划代码前缀，如 53 为云南省")
    )
    area_name = models.CharField(_("地区名称"), max_length=50, blank=True)
    yuan = models.DecimalField(_("监测范围（元/人/年）"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("监测范围（收入线）")
        verbose_name_plural = _("监测范围（收入线）")
        ordering = ["area_code", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "area_code"], name="monitoring_line_one_per_year_area"
            ),
            models.CheckConstraint(condition=Q(yuan__gt=0), name="monitoring_line_positive"),
        ]

    def __str__(self):
        return f"{self.area_name or self.area_code} {self.year}: {self.yuan}"
