"""How the API's authentication appears in the OpenAPI schema (drf-spectacular)."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ClientTokenAuthentication"
    name = "clientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "接口客户端令牌：Authorization: Bearer wxc_…"
                "（manage.py integration_client token 签发）"
            ),
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
