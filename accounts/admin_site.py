"""The admin site: staff reach it only after the second factor."""

from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from .second_factor import is_verified


class WeixiAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and is_verified(request)

    def login(self, request, extra_context=None):
        """One login for the whole system: the site's page, then the second factor."""
        target = request.GET.get("next") or reverse("admin:index")
        name = "second-factor" if request.user.is_authenticated else "login"
        return redirect(f"{reverse(name)}?{urlencode({'next': target})}")
