"""The answer to a locked login (django-axes calls it): a page, or JSON for the API."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "登录失败次数过多，该账号或该地址已被锁定 {minutes} 分钟。"
        "请稍后再试，或请本县县级管理员在“人员管理”中解锁。"
    ).format(minutes=minutes)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
