"""Self-applications (农户自主申报): filed by the household, by a grid member or the government."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from households.models import Household


class Channel(models.TextChoices):
    PLATFORM = "platform", _("农户通过救助平台申报")
    PROXY = "proxy", _("网格员代办")
    GOVERNMENT = "government", _("政府托举")


class Matter(models.TextChoices):
    LIVING = "living", _("生活")
    EMPLOYMENT = "employment", _("就业")
    EDUCATION = "education", _("教育")
    MEDICAL = "medical", _("医疗")
    HOUSING = "housing", _("住房")
    WATER = "water", _("饮水")


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    VERIFYING = "verifying", _("核实中")
    DECIDED = "decided", _("已出结果")
    COMPLETED = "completed", _("已办结")


class SelfApplication(models.Model):
    """A household's request for help, tracked from receipt to completion (办结)."""

    scope_path = "household__grid"

    household = models.ForeignKey(
        Household,
        verbose_name=_("农户"),
        on_delete=models.PROTECT,
        related_name="self_applications",
    )
    channel = models.CharField(_("申报渠道"), max_length=12, choices=Channel.choices)
    platform_id = models.CharField(
        _("平台申报编号"),
        max_length=64,
        blank=True,
        help_text=_("救助平台自己的申报编号；同一渠道内唯一，重复提交返回原记录。"),
    )
    applicant_name = models.CharField(_("申请人姓名"), max_length=50)
    # The applicant's ID number is kept only as its keyed hash (matching) and masked form.
    applicant_id_hash = models.CharField(_("申请人身份证号摘要"), max_length=64, db_index=True)
    applicant_id_masked = models.CharField(_("申请人身份证号（脱敏）"), max_length=18)
    phone = models.CharField(_("联系电话"), max_length=20)
    matter = models.CharField(_("申报事项"), max_length=12, choices=Matter.choices)
    description = models.TextField(_("困难情况"))
    risk_types = models.JSONField(_("风险类型"), default=list, blank=True)
    consent = models.BooleanField(_("已签署承诺授权"), default=False)
    consent_at = models.DateTimeField(_("承诺授权时间"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.RECEIVED,
    )
    eligible = models.BooleanField(_("符合条件"), null=True, blank=True)
    result_reason = models.TextField(_("结果及理由（反馈申请人）"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受理时间"))
    decided_at = models.DateTimeField(_("出结果时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("自主申报")
        verbose_name_plural = _("自主申报")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "platform_id"],
                condition=~Q(platform_id=""),
                name="monitoring_selfapplication_platform_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(consent=True), name="monitoring_selfapplication_consent_given"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values),
                name="monitoring_selfapplication_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "verifying"])
                | (Q(eligible__isnull=False) & ~Q(result_reason="")),
                name="monitoring_selfapplication_result_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="monitoring_app_status_idx"),
        ]

    def __str__(self):
        return f"{self.applicant_name} {self.get_matter_display()} ({self.get_status_display()})"
