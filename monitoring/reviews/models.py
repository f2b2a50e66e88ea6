"""The monthly village review (每月综合研判) and its decisions.

A village holds one review per month. The village leader lists one decision per household
(propose monitoring, propose risk elimination, keep monitoring, dismiss the clues), submits it;
the township leader approves it or returns it with a reason; the county confirms it, and only
that confirmation changes cases and clues (``monitoring.reviews.services``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from grids.models import GridNode
from households.models import Household
from monitoring.cases.models import CaseCategory, EliminationMethod, MonitoringCase


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待乡镇审核")
    RETURNED = "returned", _("已退回，待修改")
    APPROVED = "approved", _("乡镇已审核，待县级审定")
    CONFIRMED = "confirmed", _("县级已审定")


#: States in which the village may still change the review.
EDITABLE_STATES = (ReviewState.DRAFT, ReviewState.RETURNED)


class Decision(models.TextChoices):
    INCLUDE = "include", _("拟纳入监测对象")
    ELIMINATE = "eliminate", _("拟风险消除")
    KEEP = "keep", _("继续监测")
    DISMISS = "dismiss", _("排除线索")


class VillageReview(models.Model):
    """One village's monthly review (每月综合研判): the meeting and its decisions."""

    scope_path = "village"

    village = models.ForeignKey(
        GridNode,
        verbose_name=_("村"),
        on_delete=models.PROTECT,
        related_name="reviews",
        limit_choices_to={"level": "village"},
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    meeting_on = models.DateField(_("研判会日期"), null=True, blank=True)
    attendance = models.TextField(_("参会人员"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("乡镇审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("乡镇审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("县级审定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("县级审定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("每月综合研判")
        verbose_name_plural = _("每月综合研判")
        ordering = ["-month", "village__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "month"], name="monitoring_review_one_per_village_month"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReviewState.values), name="monitoring_review_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""),
                name="monitoring_review_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed") | Q(confirmed_at__isnull=False),
                name="monitoring_review_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(notice_start__isnull=True)
                | Q(notice_end__isnull=True)
                | Q(notice_end__gte=models.F("notice_start")),
                name="monitoring_review_notice_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "month"], name="monitoring_review_state_idx"),
        ]

    def __str__(self):
        return f"{self.village.name} {self.month:%Y-%m}"


class ReviewItem(models.Model):
    """One household's decision in a village review."""

    scope_path = "household__grid"

    review = models.ForeignKey(
        VillageReview, verbose_name=_("研判"), on_delete=models.CASCADE, related_name="items"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.PROTECT, related_name="review_items"
    )
    #: The open case the decision is about (eliminate / keep), set when the item is built.
    case = models.ForeignKey(
        MonitoringCase,
        verbose_name=_("监测对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_items",
    )
    #: The open clues (ids) the decision answers, as they were when the item was built.
    clue_ids = models.JSONField(_("对应线索"), default=list, blank=True)
    decision = models.CharField(_("研判意见"), max_length=10, choices=Decision.choices, blank=True)
    category = models.CharField(
        _("监测对象类别"), max_length=10, choices=CaseCategory.choices, blank=True
    )
    risk_types = models.JSONField(_("风险类型"), default=list, blank=True)
    income_12m = models.DecimalField(
        _("近12个月家庭纯收入（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    spending_12m = models.DecimalField(
        _("近12个月合规自付支出（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    method = models.CharField(
        _("消除方式"), max_length=12, choices=EliminationMethod.choices, blank=True
    )
    evidence = models.TextField(_("消除依据"), blank=True)
    note = models.TextField(_("说明（调整措施、排除理由）"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("研判事项")
        verbose_name_plural = _("研判事项")
        ordering = ["review_id", "household__number"]
        constraints = [
            # One decision per household in a review.
            models.UniqueConstraint(
                fields=["review", "household"], name="monitoring_reviewitem_one_per_household"
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Decision.values),
                name="monitoring_reviewitem_decision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(decision="include") | ~Q(category=""),
                name="monitoring_reviewitem_include_has_category",
            ),
            models.CheckConstraint(
                condition=~Q(decision="eliminate") | Q(method__in=EliminationMethod.values),
                name="monitoring_reviewitem_eliminate_has_method",
            ),
            models.CheckConstraint(
                condition=~Q(decision="dismiss") | ~Q(note=""),
                name="monitoring_reviewitem_dismiss_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.get_decision_display() or '—'}"
