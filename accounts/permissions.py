"""Which operations an integration client may call: the ones an endpoint grants its kind.

An endpoint opts in with ``client_operations = {"platform": {"list", "retrieve", "create"}}``
(view action names). Everything else answers a client 403, including endpoints that do not
know clients exist: the default is closed.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .models import ClientToken


def request_client(request):
    """The integration client calling, or None for a person."""
    return request.auth.client if isinstance(request.auth, ClientToken) else None


class ClientOperations(BasePermission):
    message = _("接口客户端无权调用此操作。")

    def has_permission(self, request, view):
        client = request_client(request)
        if client is None:
            return True
        allowed = getattr(view, "client_operations", {}).get(client.kind, ())
        return getattr(view, "action", None) in allowed
