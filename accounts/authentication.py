"""API authentication: integration clients' tokens, and sessions that passed the second factor."""

import logging
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from grids.scoping import CLIENT_GRANTS_ATTR, MEMBER, Grant

from .models import TOKEN_PREFIX, ClientToken, token_digest
from .second_factor import is_verified, needs_second_factor

log = logging.getLogger("weixi.integration")
KEYWORD = "Bearer"
# last_used_at is written at most this often per token (not a write per request).
_TOUCH_EVERY = timedelta(minutes=1)


def client_grants(client) -> tuple[Grant, ...]:
    """The platform views its county (and may file applications there); a department works
    for its department in its county, as the department's own staff do."""
    county = client.county
    return (
        Grant(
            county.pk,
            county.tree_id,
            county.lft,
            county.rght,
            county.level,
            MEMBER,
            client.department_id,
        ),
    )


class ClientTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer wxc_…`` — an integration client's token.

    Other bearer/token schemes (a person's knox token) are left to the next class. Each use is
    logged with the client's name and the token's prefix (never the token).
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != KEYWORD.lower().encode():
            return None
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("接口令牌格式不正确。")) from None
        if not secret.startswith(TOKEN_PREFIX):
            return None
        token = (
            ClientToken.objects.select_related("client__account", "client__county")
            .filter(digest=token_digest(secret))
            .first()
        )
        if token is None or not token.valid or not token.client.active:
            log.warning(
                "integration: refused token %s… %s %s", secret[:10], request.method, request.path
            )
            raise exceptions.AuthenticationFailed(_("接口令牌无效、已过期或已吊销。"))
        client = token.client
        account = client.account
        if not account.is_active:
            raise exceptions.AuthenticationFailed(_("接口令牌无效、已过期或已吊销。"))
        # The scope reads the client's grants from here (grids.scoping.user_scope).
        account.integration_client_cached = client
        setattr(account, CLIENT_GRANTS_ATTR, client_grants(client))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            ClientToken.objects.filter(pk=token.pk).update(last_used_at=now)
        log.info(
            "integration: %s (%s…) %s %s", client.name, token.prefix, request.method, request.path
        )
        return account, token

    def authenticate_header(self, request):
        return KEYWORD


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """A browser session, refused for an account that needs a second factor it has not given."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, django_request = result[0], request._request
        if needs_second_factor(user, django_request.session) and not is_verified(django_request):
            raise exceptions.PermissionDenied(
                _("此账号须先完成两步验证（在网页上登录时输入验证码）。")
            )
        return result
