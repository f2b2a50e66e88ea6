"""Writes owned by ``accounts``: second-factor devices, integration clients and their tokens,
the lockout's release, and a county administrator's changes to the people of their county."""

from base64 import b32encode
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.services import audit_write
from grids.scoping import user_scope
from grids.selectors import person_county

from .models import ClientKind, ClientToken, IntegrationClient, token_digest

User = get_user_model()
TOTP_NAME = "手机验证器"
BACKUP_NAME = "备用验证码"
MAX_VALID_TOKENS = 2


# -- second factor -------------------------------------------------------------------------
def totp_pending(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per person; made on first ask)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key as the authenticator app takes it typed in: base32, in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def totp_confirm(*, user, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code it shows; returns fresh backup codes (shown once).

    Any earlier authenticator of the person is removed: one phone at a time.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"token": _("请重新打开设置页面。")})
    if not device.verify_token((token or "").strip().replace(" ", "")):
        raise ValidationError(
            {"token": _("验证码不正确或已过期，请输入验证器上当前显示的 6 位数字。")}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_write(
        actor=user,
        action="auth.second_factor_set",
        object_type="auth.user",
        object_id=user.pk,
        object_repr=user.get_username(),
    )
    return backup_codes_renew(user=user)


@transaction.atomic
def backup_codes_renew(*, user) -> list[str]:
    """New backup codes (each works once); the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    audit_write(
        actor=user,
        action="auth.backup_codes_renewed",
        object_type="auth.user",
        object_id=user.pk,
        object_repr=user.get_username(),
    )
    return codes


# -- integration clients --------------------------------------------------------------------
@transaction.atomic
def client_create(*, name: str, kind: str, county, department=None) -> IntegrationClient:
    """An integration client of ``county`` with its own account (no password, no grid)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写接口名称。")
    if kind not in ClientKind.values:
        errors["kind"] = _("类型应为 platform 或 department。")
    elif kind == ClientKind.DEPARTMENT and department is None:
        errors["department"] = _("部门接口须指明部门。")
    elif kind == ClientKind.PLATFORM and department is not None:
        errors["department"] = _("救助平台接口不属于某个部门。")
    if county is None or county.level != "county":
        errors["county"] = _("请指明所属县（县级网格编码）。")
    if not errors and IntegrationClient.objects.filter(county=county, name=name).exists():
        errors["name"] = _("本县已有同名接口。")
    if errors:
        raise ValidationError(errors)
    base = f"api-{county.code}-{kind}-{department.code if department else 'jz'}"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    account = User(username=username[:150], first_name=name[:150])
    account.set_unusable_password()
    account.save()
    client = IntegrationClient.objects.create(
        name=name, kind=kind, county=county, department=department, account=account
    )
    audit_write(
        actor=None,
        action="client.create",
        object_type="accounts.integrationclient",
        object_id=client.pk,
        object_repr=name,
        tree_id=county.tree_id,
        after={"kind": kind, "department": department.code if department else None},
    )
    return client


@transaction.atomic
def client_token_issue(*, client: IntegrationClient, days: int = 90) -> tuple[ClientToken, str]:
    """A new token (returned once, stored hashed). At most two are valid at once: issue the
    new one, switch the caller over, then revoke the old one — no moment without a token."""
    if days <= 0:
        raise ValidationError({"days": _("有效天数必须大于 0。")})
    IntegrationClient.objects.select_for_update().get(pk=client.pk)
    now = timezone.now()
    valid = client.tokens.filter(revoked_at__isnull=True, expires_at__gt=now).count()
    if valid >= MAX_VALID_TOKENS:
        raise ValidationError(
            {"client": _("该接口已有两个有效令牌：请先吊销旧令牌（--revoke 前缀）再签发。")}
        )
    secret = ClientToken.new_secret()
    token = ClientToken.objects.create(
        client=client,
        digest=token_digest(secret),
        prefix=secret[:12],
        expires_at=now + timedelta(days=days),
    )
    audit_write(
        actor=None,
        action="client.token_issue",
        object_type="accounts.integrationclient",
        object_id=client.pk,
        object_repr=client.name,
        tree_id=client.county.tree_id,
        after={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
    )
    return token, secret


@transaction.atomic
def client_token_revoke(*, client: IntegrationClient, prefix: str) -> int:
    tokens = client.tokens.filter(prefix=prefix, revoked_at__isnull=True)
    count = tokens.update(revoked_at=timezone.now())
    if not count:
        raise ValidationError({"prefix": _("没有这个前缀的有效令牌。")})
    audit_write(
        actor=None,
        action="client.token_revoke",
        object_type="accounts.integrationclient",
        object_id=client.pk,
        object_repr=client.name,
        tree_id=client.county.tree_id,
        after={"prefix": prefix},
    )
    return count


# -- a county administrator's people ---------------------------------------------------------
def require_county_admin(actor, tree_id: int) -> None:
    if not user_scope(actor).administers(tree_id):
        raise PermissionDenied(_("只有本县的县级管理员可以管理人员。"))


def person_in_county(actor, person, tree_id: int) -> None:
    """A person the actor may manage: of this county only, never staff or superuser."""
    require_county_admin(actor, tree_id)
    if person.is_superuser or person.is_staff or person_county(person) != tree_id:
        raise PermissionDenied(_("只能管理本县的网格人员。"))


@transaction.atomic
def person_create(
    *,
    actor,
    username: str,
    full_name: str,
    password: str,
    grid,
    role: str,
    phone: str = "",
    department=None,
):
    """A new grid person with one assignment, in the actor's county."""
    from django.contrib.auth.password_validation import validate_password

    from grids.services import assignment_create

    require_county_admin(actor, grid.tree_id)
    errors = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = _("请填写登录名。")
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("这个登录名已被使用，请换一个。")
    if not (full_name or "").strip():
        errors["full_name"] = _("请填写姓名。")
    candidate = User(username=username, first_name=(full_name or "").strip())
    try:
        validate_password(password or "", candidate)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    candidate.set_password(password)
    candidate.save()
    assignment_create(
        actor=actor, user=candidate, grid=grid, role=role, phone=phone, department=department
    )
    return candidate


@transaction.atomic
def person_set_password(*, actor, person, password: str, tree_id: int) -> None:
    """A county administrator sets a new password: every session and token of the person ends."""
    from django.contrib.auth.password_validation import validate_password

    person_in_county(actor, person, tree_id)
    try:
        validate_password(password or "", person)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    person.set_password(password)
    person.save(update_fields=["password"])


def person_unlock(*, actor, person, tree_id: int) -> int:
    """Release the login lockout of a person of the county (failed attempts forgotten)."""
    person_in_county(actor, person, tree_id)
    count = axes_reset(username=person.get_username())
    audit_write(
        actor=actor,
        action="auth.unlocked",
        object_type="auth.user",
        object_id=person.pk,
        object_repr=person.get_username(),
        tree_id=tree_id,
    )
    return count
