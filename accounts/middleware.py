"""Per-request login rules for pages: idle sessions end, and the second factor is asked."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .second_factor import SESSION_KEY, confirmed_devices, is_verified, needs_second_factor

LAST_SEEN = "weixi_last_seen"
# The last-seen time is written at most this often (not a session write per request).
_WRITE_EVERY = 60


def idle_limit_seconds(user, session) -> int:
    staff = user.is_staff or user.is_superuser or session.get(SESSION_KEY, False)
    minutes = settings.SESSION_IDLE_MINUTES_STAFF if staff else settings.SESSION_IDLE_MINUTES
    return minutes * 60


class IdleSessionTimeout:
    """A session unused for ``SESSION_IDLE_MINUTES`` (staff: ``…_STAFF``) is logged out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > idle_limit_seconds(user, request.session):
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
                    return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
            elif last is None or now - last >= _WRITE_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


# Reachable before the second factor: signing in and out, giving the factor, static files,
# the language switch, and the API (whose authentication classes ask for the factor).
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/favicon")


class SecondFactorRequired:
    """Pages ask a signed-in person who needs a second factor to give it (or set one up)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and needs_second_factor(user, request.session)
            and not is_verified(request)
        ):
            target = "second-factor" if confirmed_devices(user) else "second-factor-setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
