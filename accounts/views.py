"""Second-factor pages: give the code, set an authenticator up, renew the backup codes."""

from urllib.parse import urlencode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from core.pages import add_errors

from . import services
from .second_factor import confirmed_devices, is_verified


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("请输入验证码。")},
    )


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _with_next(name, target):
    return f"{reverse(name)}?{urlencode({'next': target})}"


@login_required
def verify(request):
    """Give the code of the phone's authenticator, or one backup code."""
    if not confirmed_devices(request.user):
        return redirect(_with_next("second-factor-setup", _next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("验证码不正确或已过期（连续输错会被暂时限制），请重新输入。"))
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})


@login_required
def setup(request):
    """Set up an authenticator: scan the code (or type the key), then confirm with a code.

    A person who already has one may only replace it after giving the second factor.
    """
    if confirmed_devices(request.user) and not is_verified(request):
        return redirect(_with_next("second-factor", _next(request)))
    device = services.totp_pending(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_confirm(
                user=request.user, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            otp_login(request, device)
            return render(
                request, "accounts/backup_codes.html", {"codes": codes, "next": _next(request)}
            )
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": _next(request),
        # Drawn on the server as SVG: nothing is fetched from elsewhere.
        "qr": mark_safe(qr.svg_inline(scale=5, title=str(_("验证器二维码")))),  # noqa: S308
        "secret": services.totp_secret(device),
    }
    return render(request, "accounts/setup.html", context)


@login_required
@require_POST
def backup_codes(request):
    """New backup codes (after the second factor); the old ones stop working."""
    if not is_verified(request):
        return redirect(_with_next("second-factor", reverse("second-factor-setup")))
    codes = services.backup_codes_renew(user=request.user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": "/"})
