"""Department data comparison (部门数据比对): signal catalogue, rules, batches, runs.

A county keeps its own catalogue of the signals each department sends (``Signal``) and the
rules that turn a signal into a risk clue (``Rule``): thresholds are *local* data that county
staff edit in the admin. A department sends a ``DepartmentBatch`` for a month (in one or more
parts); each ``BatchRecord`` is validated on arrival and stored with its ID number only as keyed
hash + masked form. A ``ComparisonRun`` matches a month's records to persons and applies the
rules in one statement that stages the signals to raise (``RunHit``); its parts (``RunPart``,
one per township — the unit of the Celery group and of restart) write the clues.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from grids.models import Department, GridNode
from monitoring.models import RiskType


class ValueType(models.TextChoices):
    FLAG = "flag", _("是/否（有此情况）")
    NUMBER = "number", _("数值")
    INTEGER = "integer", _("整数")
    CHOICE = "choice", _("选项")


class Operator(models.TextChoices):
    GTE = "gte", _("大于等于")
    GT = "gt", _("大于")
    IN = "in", _("属于所列选项")
    FLAG = "flag", _("出现即预警")


class AppliesTo(models.TextChoices):
    ALL = "all", _("所有农户")
    PRIORITY = "priority", _("脱贫户和监测对象的成员")
    OTHERS = "others", _("其他农户的成员")


class Signal(models.Model):
    """One kind of record a department sends (e.g. 医保: out-of-pocket cost), for one county."""

    scope_path = "county"
    scope_department = "department"

    county = models.ForeignKey(
        GridNode, verbose_name=_("县"), on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="signals"
    )
    code = models.SlugField(_("信号代码"), max_length=40)
    name = models.CharField(_("信号名称"), max_length=100)
    value_type = models.CharField(_("取值类型"), max_length=10, choices=ValueType.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    min_value = models.DecimalField(
        _("最小值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("最大值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    choices = models.CharField(
        _("可选值"),
        max_length=200,
        blank=True,
        help_text=_("选项类型填写，英文逗号分隔，如 A,B,C,D"),
    )
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门预警信号")
        verbose_name_plural = _("部门预警信号")
        ordering = ["department__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "department", "code"], name="comparison_signal_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(value_type__in=ValueType.values),
                name="comparison_signal_value_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(value_type="choice") | ~Q(choices=""),
                name="comparison_signal_choice_has_choices",
            ),
        ]

    def __str__(self):
        return f"{self.department.name} · {self.name}"

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.split(",") if c.strip()]


class Rule(models.Model):
    """When a signal's value raises a clue of which risk type, and for whose households."""

    scope_path = "signal__county"

    signal = models.ForeignKey(
        Signal, verbose_name=_("信号"), on_delete=models.CASCADE, related_name="rules"
    )
    risk_type = models.CharField(_("风险类型"), max_length=20, choices=RiskType.choices)
    operator = models.CharField(_("条件"), max_length=6, choices=Operator.choices)
    threshold = models.DecimalField(
        _("阈值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    values = models.CharField(
        _("预警选项"), max_length=200, blank=True, help_text=_("条件为“属于所列选项”时填写，如 C,D")
    )
    applies_to = models.CharField(
        _("适用农户"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL
    )
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("比对规则")
        verbose_name_plural = _("比对规则")
        ordering = ["signal_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(operator__in=Operator.values), name="comparison_rule_operator_valid"
            ),
            models.CheckConstraint(
                condition=Q(applies_to__in=AppliesTo.values),
                name="comparison_rule_applies_to_valid",
            ),
            models.CheckConstraint(
                condition=~Q(operator__in=["gte", "gt"]) | Q(threshold__isnull=False),
                name="comparison_rule_threshold_set",
            ),
            models.CheckConstraint(
                condition=~Q(operator="in") | ~Q(values=""), name="comparison_rule_values_set"
            ),
        ]

    def __str__(self):
        return f"{self.signal} → {self.get_risk_type_display()}"


class BatchState(models.TextChoices):
    RECEIVING = "receiving", _("接收中")
    COMPLETE = "complete", _("已接收完整")


class DepartmentBatch(models.Model):
    """A department's data for one month, identified by (county, department, month, batch id).

    Sending the same batch again replaces its records (the row and its id stay).
    """

    scope_path = "county"
    scope_department = "department"

    county = models.ForeignKey(
        GridNode, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="batches"
    )
    month = models.DateField(_("数据月份"), help_text=_("当月 1 日"))
    batch_id = models.CharField(_("部门批次号"), max_length=40)
    parts_total = models.PositiveIntegerField(_("分片总数"), default=1)
    parts_received = models.JSONField(_("已收分片"), default=list)
    state = models.CharField(
        _("状态"), max_length=10, choices=BatchState.choices, default=BatchState.RECEIVING
    )
    version = models.PositiveIntegerField(_("版本"), default=1, help_text=_("每次重新报送加 1"))
    records_total = models.PositiveIntegerField(_("记录数"), default=0)
    records_invalid = models.PositiveIntegerField(_("有误记录数"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("首次报送时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门数据批次")
        verbose_name_plural = _("部门数据批次")
        ordering = ["-month", "department__code", "batch_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "department", "month", "batch_id"],
                name="comparison_batch_natural_key",
            ),
            models.CheckConstraint(
                condition=Q(state__in=BatchState.values), name="comparison_batch_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(parts_total__gte=1), name="comparison_batch_parts_positive"
            ),
        ]

    def __str__(self):
        return f"{self.department.name} {self.month:%Y-%m} {self.batch_id}"

    @property
    def records_valid(self) -> int:
        return self.records_total - self.records_invalid


class BatchRecord(models.Model):
    """One record of a batch as received: masked ID, hashed ID, signal, value, and errors."""

    scope_path = "batch__county"
    scope_department = "batch__department"

    batch = models.ForeignKey(
        DepartmentBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="records"
    )
    part = models.PositiveIntegerField(_("分片号"))
    number = models.PositiveIntegerField(_("分片内序号"))
    # Not indexed: the run hash-joins records to persons; an index would only slow the match.
    id_hash = models.CharField(_("身份证号摘要"), max_length=64, blank=True)
    id_masked = models.CharField(_("身份证号（脱敏）"), max_length=40, blank=True)
    signal = models.ForeignKey(
        Signal,
        verbose_name=_("信号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signal_code = models.CharField(_("信号代码（原文）"), max_length=40, blank=True)
    value_number = models.DecimalField(
        _("数值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_text = models.CharField(_("选项值"), max_length=40, blank=True)
    reference = models.CharField(_("部门记录编号"), max_length=60, blank=True)
    valid = models.BooleanField(_("校验通过"), default=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    # Written by the monthly run (set-based), only where it changes: no person of the county
    # has this ID number. The department's report lists these records.
    unmatched = models.BooleanField(_("未在户籍库中找到"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("批次记录")
        verbose_name_plural = _("批次记录")
        ordering = ["batch_id", "part", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "part", "number"], name="comparison_record_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(valid=False) | ~Q(id_hash=""), name="comparison_record_valid_has_hash"
            ),
        ]

    def __str__(self):
        return f"{self.batch} #{self.part}-{self.number}"


class RunState(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("比对中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_RUN_STATES = (RunState.PENDING, RunState.RUNNING)


class ComparisonRun(models.Model):
    """One monthly comparison of a county: progress, and its summary when done."""

    scope_path = "county"

    county = models.ForeignKey(
        GridNode, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("数据月份"))
    found_on = models.DateField(_("线索发现日期"), help_text=_("本次比对产生线索的发现日期"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RunState.choices, default=RunState.PENDING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    matched_at = models.DateTimeField(_("匹配完成时间"), null=True, blank=True)
    parts_total = models.PositiveIntegerField(_("乡镇分片数"), default=0)
    parts_done = models.PositiveIntegerField(_("已完成分片"), default=0)
    summary = models.JSONField(_("汇总"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The last sign of life of the run's tasks (staged, a part done): a run silent longer than
    # COMPARISON_STALL_SECONDS is resumed by the sweeper, at most COMPARISON_MAX_RESUMES times.
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    resumes = models.PositiveSmallIntegerField(_("自动继续次数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("比对任务")
        verbose_name_plural = _("比对任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One run of a month at a time; done runs stay as history.
            models.UniqueConstraint(
                fields=["county", "month"],
                condition=Q(state__in=["pending", "running"]),
                name="comparison_run_one_active_per_month",
            ),
            models.CheckConstraint(
                condition=Q(state__in=RunState.values), name="comparison_run_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(parts_done__lte=models.F("parts_total")),
                name="comparison_run_parts_done_le_total",
            ),
        ]

    def __str__(self):
        return f"{self.county.name} {self.month:%Y-%m} {self.get_state_display()}"

    @property
    def progress(self) -> int:
        """Percent done: staging counts as one step, each township part as one more."""
        if self.state == RunState.DONE:
            return 100
        steps = self.parts_total + 1
        done = (1 if self.matched_at else 0) + self.parts_done
        return int(100 * done / steps) if self.parts_total else (50 if self.matched_at else 0)


class RunPart(models.Model):
    """One township's share of a run: done once, in one transaction with its clues."""

    scope_path = "township"

    run = models.ForeignKey(
        ComparisonRun, verbose_name=_("比对任务"), on_delete=models.CASCADE, related_name="parts"
    )
    township = models.ForeignKey(
        GridNode, verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+"
    )
    done = models.BooleanField(_("已完成"), default=False)
    counts = models.JSONField(_("计数"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("乡镇分片")
        verbose_name_plural = _("乡镇分片")
        ordering = ["run_id", "township__code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "township"], name="comparison_part_unique"),
        ]

    def __str__(self):
        return f"{self.run} · {self.township.name}"


class RunHit(models.Model):
    """A signal the run will raise: a matched record that fired a rule, with the household and
    township it was matched to. Written set-based by the run's staging statement, read by its
    parts (which may run in other transactions, on other workers); kept as the run's record of
    what fired.

    Plain integer columns instead of foreign keys for the ids: the rows are written in one
    statement from rows just read under the run's lock, and a constraint check per row would
    cost more than the row itself. The run is a real foreign key column without a database
    constraint for the same reason; the rows go with their run (Django's cascade).
    """

    scope_path = "run__county"

    run = models.ForeignKey(
        ComparisonRun,
        verbose_name=_("比对任务"),
        on_delete=models.CASCADE,
        related_name="hits",
        db_constraint=False,
        db_index=False,
    )
    record_id = models.BigIntegerField(_("批次记录"))
    rule_id = models.BigIntegerField(_("规则"))
    household_id = models.BigIntegerField(_("农户"))
    township_id = models.BigIntegerField(_("乡镇"))
    department_id = models.BigIntegerField(_("部门"))
    risk_type = models.CharField(_("风险类型"), max_length=20, choices=RiskType.choices)
    reference = models.CharField(_("线索证据编号"), max_length=100)
    note = models.TextField(_("说明"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("比对命中")
        verbose_name_plural = _("比对命中")
        indexes = [models.Index(fields=["run", "township_id"], name="comparison_hit_run_township")]

    def __str__(self):
        return f"{self.run_id} · {self.household_id} · {self.risk_type}"
