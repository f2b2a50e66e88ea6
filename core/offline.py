"""The offline layer of the phone pages (docs/offline.md).

- ``offline_page`` marks the pages a grid member may need without a connection (their grids,
  households, the visit form): the service worker keeps a copy of those, and only those.
- ``service_worker`` serves ``/sw.js`` from the site's root (its scope is the whole site) with
  the static URLs of this deployment and a version that changes with them.
- ``manifest`` makes the site installable (添加到主屏幕).
- ``fallback`` is what the service worker shows for a page it has no copy of; ``queue`` lists
  the visits waiting on the phone (drawn by ``static/js/offline.js`` from IndexedDB).
"""

import functools
import hashlib

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

#: The response header that tells the service worker it may keep a copy of a page.
OFFLINE_HEADER = "X-Weixi-Offline"
#: The assets the service worker keeps from its installation.
SHELL_ASSETS = ("css/app.css", "js/offline.js", "img/icon-192.png")


def offline_page(view):
    """Let the service worker keep a copy of this page's successful GET answers."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            response[OFFLINE_HEADER] = "1"
        return response

    return wrapped


#: The header of the service worker's own fetches, made to keep pages for offline work.
WARM_HEADER = "X-Weixi-Warm"


class WarmFetchesSetNoCookies:
    """The service worker keeps pages in the background; their answers must never change the
    browser's cookies: one still on its way when a user signs out and another signs in would
    put back the first one's session or CSRF cookie. Placed before the session middleware, so
    it sees the answer last."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get(WARM_HEADER) == "1":
            response.cookies.clear()
        return response


def _shell_urls() -> list[str]:
    return [static(name) for name in SHELL_ASSETS]


@never_cache
def service_worker(request):
    shell = _shell_urls()
    fallback = "/offline/"
    version = hashlib.sha256("|".join([*shell, fallback]).encode()).hexdigest()[:12]
    body = render_to_string(
        "core/sw.js",
        {
            "version": version,
            "shell": shell,
            "fallback": fallback,
            "header": OFFLINE_HEADER,
            "warm_header": WARM_HEADER,
            "static_prefix": static(""),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def manifest(request):
    data = {
        "name": _("维西防返贫监测"),
        "short_name": _("防返贫网格"),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#9b1c1c",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def fallback(request):
    """Shown by the service worker offline for a page it has no copy of (no personal data:
    the same page for everyone, kept at installation)."""
    return render(request, "core/offline.html")


@login_required
@offline_page
def queue(request):
    """The visits waiting on this phone: the list is drawn from the phone's own storage."""
    return render(request, "core/offline_queue.html")
