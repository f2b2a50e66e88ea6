"""Assistance (帮扶): one plan per monitoring case (一户一方案) and its measures.

A plan belongs to one ``MonitoringCase`` and names the household's contact person (帮扶联系人).
Its measures each have a category (the national list), a concrete kind, the responsible county
department, dates and a state: ``planned → in_progress → implemented``, or ``not_implemented`` /
``cancelled`` with a reason. Department staff see exactly the measures of their department
(``scope_department``); grid people see plans and measures of the households in their subtrees.

``SuggestionRule`` is the "缺什么补什么" table county staff keep in the admin: a risk type and/or
a member condition suggests a category, a kind and a default department.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from grids.models import Department, GridNode
from monitoring.models import MonitoringCase, RiskType


class MeasureCategory(models.TextChoices):
    INDUSTRY = "industry", _("产业")
    EMPLOYMENT = "employment", _("就业")
    FINANCE = "finance", _("金融")
    WELFARE_JOB = "welfare_job", _("公益岗位")
    HOUSING = "housing", _("住房安全")
    WATER = "water", _("饮水安全")
    HEALTH = "health", _("健康")
    COMPULSORY_EDUCATION = "compulsory_education", _("义务教育")
    OTHER_EDUCATION = "other_education", _("其他教育")
    COMPREHENSIVE_SECURITY = "comprehensive_security", _("综合保障")
    SOCIAL = "social", _("社会帮扶")
    RELOCATION = "relocation", _("搬迁")
    LIVING_CONDITIONS = "living_conditions", _("生产生活条件改善")
    INFRASTRUCTURE = "infrastructure", _("基础设施")


#: Development-type help (开发式帮扶): what a household able to work needs besides 综合保障.
DEVELOPMENT_CATEGORIES = frozenset(
    {
        MeasureCategory.INDUSTRY,
        MeasureCategory.EMPLOYMENT,
        MeasureCategory.FINANCE,
        MeasureCategory.WELFARE_JOB,
    }
)


class MeasureKind(models.TextChoices):
    INDUSTRY_SUBSIDY = "industry_subsidy", _("产业奖补")
    JOB_PLACEMENT = "job_placement", _("转移就业")
    SKILLS_TRAINING = "skills_training", _("技能培训")
    WELFARE_JOB = "welfare_job", _("公益性岗位")
    MICROCREDIT = "microcredit", _("小额信贷")
    YULU_PLAN = "yulu_plan", _("雨露计划")
    EDUCATION_GRANT = "education_grant", _("教育资助")
    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困供养")
    MEDICAL_INSURANCE_SUBSIDY = "medical_insurance_subsidy", _("医保参保资助")
    PENSION_SUBSIDY = "pension_subsidy", _("养老保险代缴")
    TEMPORARY_RELIEF = "temporary_relief", _("临时救助")
    DISABILITY_SUBSIDY = "disability_subsidy", _("残疾人补贴")
    DISASTER_RELIEF = "disaster_relief", _("受灾救助")
    MEDICAL_ASSISTANCE = "medical_assistance", _("医疗救助")
    FAMILY_DOCTOR = "family_doctor", _("家庭医生签约")
    HOUSE_RENOVATION = "house_renovation", _("危房改造")
    WATER_SUPPLY = "water_supply", _("饮水工程")
    RELOCATION = "relocation", _("易地搬迁")
    PAIRED_HELP = "paired_help", _("结对帮扶")
    OTHER = "other", _("其他")


class MeasureState(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("实施中")
    IMPLEMENTED = "implemented", _("已落实")
    NOT_IMPLEMENTED = "not_implemented", _("未落实")
    CANCELLED = "cancelled", _("已取消")


#: States of a measure that answers the household's risks (drawn up and not given up).
ANSWERING_STATES = (MeasureState.PLANNED, MeasureState.IN_PROGRESS, MeasureState.IMPLEMENTED)
#: States that end a measure; a reason is recorded for the last two.
FINAL_STATES = (MeasureState.IMPLEMENTED, MeasureState.NOT_IMPLEMENTED, MeasureState.CANCELLED)
REASON_STATES = (MeasureState.NOT_IMPLEMENTED, MeasureState.CANCELLED)


class MemberCondition(models.TextChoices):
    """A condition on the household's active members that a suggestion rule can ask for."""

    NO_MEDICAL_INSURANCE = "no_medical_insurance", _("有成员未参加基本医疗保险")
    NO_PENSION_INSURANCE = "no_pension_insurance", _("有16至59岁成员未参加养老保险")
    DIBAO = "dibao", _("有低保成员")
    TEKUN = "tekun", _("有特困供养成员")
    COMPULSORY_SCHOOL_AGE = "compulsory_school_age", _("有义务教育阶段学生（6至15岁）")
    NON_COMPULSORY_STUDENT = "non_compulsory_student", _("有高中、中职或大专以上在校生")
    SERIOUS_OR_CHRONIC_ILLNESS = "serious_or_chronic_illness", _("有患大病或慢性病成员")
    DISABLED = "disabled", _("有残疾成员")
    ABLE_TO_WORK = "able_to_work", _("有劳动能力（普通或技能劳动力）")


class AssistancePlan(models.Model):
    """The assistance plan of one monitoring case (一户一方案): contact person and measures."""

    scope_path = "case__household__grid"

    case = models.OneToOneField(
        MonitoringCase, verbose_name=_("监测对象"), on_delete=models.PROTECT, related_name="plan"
    )
    contact_name = models.CharField(_("帮扶联系人"), max_length=50)
    contact_phone = models.CharField(_("联系人电话"), max_length=20)
    contact_unit = models.CharField(_("联系人工作单位"), max_length=100, blank=True)
    drawn_up_on = models.DateField(_("制定日期"))
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶计划")
        verbose_name_plural = _("帮扶计划")
        ordering = ["-drawn_up_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(contact_name=""), name="assistance_plan_contact_named"
            ),
        ]

    def __str__(self):
        return str(_("{household} 的帮扶计划")).format(household=self.case.household)


class Measure(models.Model):
    """One assistance measure of a plan, owned by a county department."""

    scope_path = "plan__case__household__grid"
    scope_department = "department"

    plan = models.ForeignKey(
        AssistancePlan,
        verbose_name=_("帮扶计划"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    category = models.CharField(_("措施类别"), max_length=24, choices=MeasureCategory.choices)
    kind = models.CharField(_("具体措施"), max_length=32, choices=MeasureKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
        help_text=_("空表示由乡镇、村落实"),
    )
    description = models.TextField(_("措施内容"), blank=True)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    planned_on = models.DateField(_("计划落实日期"))
    state = models.CharField(
        _("状态"), max_length=16, choices=MeasureState.choices, default=MeasureState.PLANNED
    )
    reason = models.TextField(_("未落实或取消原因"), blank=True)
    implemented_on = models.DateField(_("落实日期"), null=True, blank=True)
    evidence = models.TextField(_("落实佐证"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["plan_id", "planned_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=MeasureState.values), name="assistance_measure_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=MeasureCategory.values),
                name="assistance_measure_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MeasureKind.values), name="assistance_measure_kind_valid"
            ),
            # Implemented ⇔ the date is recorded, with evidence.
            models.CheckConstraint(
                condition=(Q(state="implemented", implemented_on__isnull=False) & ~Q(evidence=""))
                | (~Q(state="implemented") & Q(implemented_on__isnull=True)),
                name="assistance_measure_implemented_recorded",
            ),
            # Not implemented or cancelled ⇔ a reason is given.
            models.CheckConstraint(
                condition=(Q(state__in=REASON_STATES) & ~Q(reason=""))
                | (~Q(state__in=REASON_STATES) & Q(reason="")),
                name="assistance_measure_reason_when_given_up",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="assistance_measure_amount_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "state"], name="assistance_measure_dept_idx"),
            models.Index(fields=["plan", "state"], name="assistance_measure_plan_idx"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES


class SuggestionRule(models.Model):
    """A "缺什么补什么" rule: a risk type and/or a member condition suggests a measure.

    Rules without a county are the defaults every county starts from; a county's own rule with
    the same risk type, member condition and kind replaces the default (inactive: switches it
    off).
    """

    scope_path = "county"

    county = models.ForeignKey(
        GridNode,
        verbose_name=_("适用县"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": "county"},
        help_text=_("空表示默认规则（各县通用）"),
    )
    risk_type = models.CharField(_("风险类型"), max_length=20, choices=RiskType.choices, blank=True)
    member_condition = models.CharField(
        _("成员条件"), max_length=32, choices=MemberCondition.choices, blank=True
    )
    category = models.CharField(_("建议措施类别"), max_length=24, choices=MeasureCategory.choices)
    kind = models.CharField(_("建议具体措施"), max_length=32, choices=MeasureKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("默认责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("措施建议规则")
        verbose_name_plural = _("措施建议规则（缺什么补什么）")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(risk_type="", member_condition=""),
                name="assistance_rule_has_condition",
            ),
            models.CheckConstraint(
                condition=Q(category__in=MeasureCategory.values) & Q(kind__in=MeasureKind.values),
                name="assistance_rule_choices_valid",
            ),
            models.UniqueConstraint(
                fields=["county", "risk_type", "member_condition", "kind"],
                name="assistance_rule_unique_per_county",
            ),
            models.UniqueConstraint(
                fields=["risk_type", "member_condition", "kind"],
                condition=Q(county__isnull=True),
                name="assistance_rule_unique_default",
            ),
        ]

    def __str__(self):
        parts = [
            p for p in (self.get_risk_type_display(), self.get_member_condition_display()) if p
        ]
        return f"{' + '.join(map(str, parts))} → {self.get_kind_display()}"
