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
