"""API tokens for people (knox): exchanged for a password, and a second factor where needed."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import exceptions, serializers
from rest_framework.authentication import BasicAuthentication

from .second_factor import required_for


@extend_schema(
    request=inline_serializer("TokenLoginRequest", {"otp": serializers.CharField(required=False)}),
    responses=inline_serializer(
        "TokenResponse",
        {"expiry": serializers.DateTimeField(), "token": serializers.CharField()},
    ),
    parameters=[
        OpenApiParameter(
            "Authorization", location="header", required=True, description="Basic 用户名:密码"
        )
    ],
)
class TokenLoginView(KnoxLoginView):
    """Exchange a username and password (HTTP Basic) for an expiring API token.

    An account that must give a second factor (staff, county administrators) sends the
    authenticator's current code (or a backup code) as ``otp`` in the body. The token is shown
    once; only its hash is stored. Repeated failures lock the account and the address.
    """

    authentication_classes = [BasicAuthentication]

    def post(self, request, format=None):
        if required_for(request.user):
            code = str(request.data.get("otp", "")).strip().replace(" ", "")
            if not code:
                raise exceptions.PermissionDenied(_("此账号须提供两步验证码（otp）。"))
            if match_token(request.user, code) is None:
                raise exceptions.PermissionDenied(_("两步验证码不正确或已过期。"))
        return super().post(request, format=format)


@extend_schema(request=None, responses={204: None})
class TokenLogoutView(KnoxLogoutView):
    """Revoke the token used for this request."""


urlpatterns = [
    path("auth/login/", TokenLoginView.as_view(), name="api-login"),
    path("auth/logout/", TokenLogoutView.as_view(), name="api-logout"),
]
