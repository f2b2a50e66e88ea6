"""Household visits (入户走访) and phone checks (电话排查) by grid people."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from households.models import Household
from monitoring.choices import RiskType


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", _("入户走访")
    PHONE = "phone", _("电话排查")


class CheckResult(models.TextChoices):
    SECURE = "secure", _("有保障")
    AT_RISK = "at_risk", _("有风险")


class IncomeChange(models.TextChoices):
    UP = "up", _("增加")
    STABLE = "stable", _("基本稳定")
    DOWN = "down", _("减少")


#: The six checks of a visit (两不愁三保障 + 饮水安全) and the risk type an at-risk answer raises.
CHECKS = {
    "food": (_("不愁吃"), RiskType.OTHER),
    "clothing": (_("不愁穿"), RiskType.OTHER),
    "education": (_("义务教育有保障"), RiskType.SCHOOLING),
    "medical": (_("基本医疗有保障"), RiskType.ILLNESS),
    "housing": (_("住房安全有保障"), RiskType.HOUSING),
    "water": (_("饮水安全有保障"), RiskType.DRINKING_WATER),
}


def _check_field(label):
    return models.CharField(
        label, max_length=8, choices=CheckResult.choices, default=CheckResult.SECURE
    )


class Visit(models.Model):
    """One contact with a household: in person or by phone, with what was checked and seen."""

    scope_path = "household__grid"

    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.CASCADE, related_name="visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        on_delete=models.PROTECT,
        related_name="monitoring_visits",
    )
    visited_on = models.DateField(_("走访日期"))
    mode = models.CharField(
        _("方式"), max_length=10, choices=VisitMode.choices, default=VisitMode.IN_PERSON
    )
    food = _check_field(CHECKS["food"][0])
    clothing = _check_field(CHECKS["clothing"][0])
    education = _check_field(CHECKS["education"][0])
    medical = _check_field(CHECKS["medical"][0])
    housing = _check_field(CHECKS["housing"][0])
    water = _check_field(CHECKS["water"][0])
    income_change = models.CharField(
        _("收入变化"), max_length=8, choices=IncomeChange.choices, default=IncomeChange.STABLE
    )
    income_note = models.CharField(_("收入变化说明"), max_length=200, blank=True)
    member_changes = models.TextField(_("家庭成员变化"), blank=True)
    # A JSON list of RiskType codes: portable to SQLite and PostgreSQL; validated by the service.
    risk_types = models.JSONField(_("发现的风险类型"), default=list, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    # One tap is one visit: the form (and an offline phone, and an API client) sends a key of
    # its own making; the same key from the same visitor records nothing new.
    client_key = models.CharField(_("提交标识"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=VisitMode.values), name="monitoring_visit_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(income_change__in=IncomeChange.values),
                name="monitoring_visit_income_change_valid",
            ),
            models.UniqueConstraint(
                fields=["visitor", "client_key"],
                condition=~Q(client_key=""),
                name="monitoring_visit_one_per_client_key",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "visited_on"], name="monitoring_visit_hh_date_idx"),
            models.Index(fields=["visited_on"], name="monitoring_visit_date_idx"),
        ]

    def __str__(self):
        return f"{self.household} {self.visited_on} {self.get_mode_display()}"

    @property
    def at_risk_checks(self) -> list[str]:
        """The names of the checks answered 'at risk'."""
        return [name for name in CHECKS if getattr(self, name) == CheckResult.AT_RISK]
