"""Integration clients: department and platform systems that call the API with their own tokens.

A client is not a person: it has no password, no session and no grid assignment. Its reach is
derived from what it is (``kind``) and whose it is (``county``, ``department``) by the one scope
(``grids.scoping.user_scope`` reads ``client_grants``) and the operations it may call are named
by the endpoints themselves (``accounts.permissions.ClientOperations``).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from grids.models import Department, GridNode

TOKEN_PREFIX = "wxc_"


class ClientKind(models.TextChoices):
    PLATFORM = "platform", _("救助平台")
    DEPARTMENT = "department", _("行业部门")


class IntegrationClient(models.Model):
    """One calling system: the relief platform of a county, or a department of a county."""

    scope_path = "county"

    name = models.CharField(_("接口名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=ClientKind.choices)
    county = models.ForeignKey(
        GridNode,
        verbose_name=_("所属县"),
        on_delete=models.PROTECT,
        related_name="integration_clients",
        limit_choices_to={"level": "county"},
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integration_clients",
    )
    # The account its writes are recorded under (filed_by, audit actor): no password, no grid.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接口账号"),
        on_delete=models.PROTECT,
        related_name="integration_client",
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["county__code", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="department") & Q(department__isnull=False))
                | (Q(kind="platform") & Q(department__isnull=True)),
                name="accounts_client_department_iff_kind",
            ),
            models.UniqueConstraint(fields=["county", "name"], name="accounts_client_name_unique"),
        ]

    def __str__(self):
        return self.name


def token_digest(token: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough (no dictionary to guard against).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ClientToken(models.Model):
    """One token of a client, stored as its hash. Two may be valid at once (rotation)."""

    client = models.ForeignKey(
        IntegrationClient, verbose_name=_("客户端"), on_delete=models.CASCADE, related_name="tokens"
    )
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    # The first characters, to name a token in logs and lists (never enough to use it).
    prefix = models.CharField(_("令牌前缀"), max_length=12)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["client", "-created_at"]

    def __str__(self):
        return f"{self.client} · {self.prefix}…"

    @property
    def valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @staticmethod
    def new_secret() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
