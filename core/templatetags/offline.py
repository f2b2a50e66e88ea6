"""``{% offline_text %}``: the words of the phone's offline layer (static/js/offline.js), in the
user's language, as a JSON block the script reads (no inline script: the CSP allows none)."""

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def offline_text():
    words = {
        "offline": _("当前没有网络：看到的是手机上保存的页面，走访会先存在手机上。"),
        "waiting": _("手机上有 {n} 条走访等待发送。"),
        "refused": _("{n} 条走访被退回，需要处理。"),
        "view": _("查看"),
        "send": _("立即发送"),
        "queued": _("没有网络：走访已保存在手机上，联网后会自动发送。"),
        "login": _("登录已过期：请重新登录；走访仍在手机上，登录后会发送。"),
        "server": _("服务器暂时无法接收，稍后会再发送。"),
        "nonet": _("没有网络，联网后会自动发送。"),
        "discard": _("放弃这条走访"),
        "retry": _("重新发送"),
        "empty": _("手机上没有等待发送的走访。"),
        "saving": _("正在保存…"),
        "ask": _("确定放弃这条走访吗？放弃后无法恢复。"),
        "photos": _("张照片"),
    }
    return json_script(words, "offline-text")
