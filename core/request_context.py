"""Who is asking from where, for the audit log: set per request by ``RequestContextMiddleware``.

The address is the client's as the deployment sees it: ``REMOTE_ADDR``, or, behind
``WEIXI_PROXY_COUNT`` trusted reverse proxies, the entry that many hops from the right of
``X-Forwarded-For`` (the proxies append; entries further left are the client's own claim).
The login lockout reads the same function (``AXES_CLIENT_IP_CALLABLE``).
"""

import contextvars
import ipaddress

from django.conf import settings

_address = contextvars.ContextVar("weixi_client_address", default="")
_request = contextvars.ContextVar("weixi_request", default=None)


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.WEIXI_PROXY_COUNT
    if hops:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [p for p in chain if p]
        if len(chain) >= hops:
            remote = chain[-hops]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return ""


def current_address() -> str:
    return _address.get()


def current_user():
    """The signed-in user of the current request, or None (a worker, a command, anonymous)."""
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address, current = _address.set(client_address(request)), _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _address.reset(address)
            _request.reset(current)
