"""Cross-cutting records: the audit log."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class AuditLog(models.Model):
    """One recorded change: who did what to which object, before and after, and why.

    Append-only and tamper-evident (docs/security.md): PostgreSQL refuses UPDATE and DELETE on
    the table by trigger, except sealing a row once; every row carries a keyed hash of its
    content (``row_mac``, written with the row) and, once sealed, a position in one chain
    (``seq``) and a hash over the previous row's (``chain_hash``). ``manage.py verify_audit``
    recomputes both.
    """

    # The audit log is scoped by county tree: only people assigned at a county root read it.
    scope_path = "tree:tree_id"

    uid = models.UUIDField(_("记录标识"), default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    # No database constraint and nothing done on delete: a row is never rewritten, so the
    # account's id stays when the account is deleted and ``actor_name`` keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    address = models.CharField(_("来源地址"), max_length=45, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    tree_id = models.PositiveIntegerField(_("所属县（树）"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    row_mac = models.CharField(_("内容校验值"), max_length=64, editable=False)
    seq = models.BigIntegerField(_("链序号"), null=True, blank=True, unique=True, editable=False)
    chain_hash = models.CharField(_("链校验值"), max_length=64, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class JobState(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_JOB_STATES = (JobState.PENDING, JobState.RUNNING)


class Job(models.Model):
    """One piece of long work (an import, a ledger, an export) run by a Celery worker.

    The row is the truth: a worker claims it with a lease (``lease_until``) and renews the
    lease as it goes; a job whose lease ran out is picked up again by the sweeper (or failed
    after ``JOB_MAX_ATTEMPTS``). Started twice with the same ``key`` while active, it is one
    job. Its result (``result``, and ``file`` to download) is kept ``JOB_RESULT_DAYS``. A job
    is its creator's: nobody else reads it (``core.selectors.job_list``).
    """

    kind = models.CharField(_("类型"), max_length=40)
    state = models.CharField(
        _("状态"), max_length=10, choices=JobState.choices, default=JobState.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    input = models.FileField(_("上传文件"), upload_to="jobs/in/%Y/%m/", blank=True)
    input_name = models.CharField(_("上传文件名"), max_length=200, blank=True)
    file = models.FileField(_("结果文件"), upload_to="jobs/out/%Y/%m/", blank=True)
    file_name = models.CharField(_("结果文件名"), max_length=200, blank=True)
    key = models.CharField(_("去重标识"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    tree_id = models.PositiveIntegerField(_("所属县（树）"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("结果保留至"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(state__in=["pending", "running"]) & ~models.Q(key=""),
                name="core_job_one_active_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="core_job_progress_percent"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "lease_until"], name="core_job_state_lease_idx"),
            models.Index(fields=["created_by", "-created_at"], name="core_job_owner_idx"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_JOB_STATES
