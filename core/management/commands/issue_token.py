"""Issue an expiring personal API token (shown once, stored hashed); integration clients have
their own tokens (``manage.py integration_client token``)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    help = "为接口账号签发有效期内的 API 令牌（只显示一次，库中只存哈希）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=90, help="有效天数")

    def handle(self, *args, **opts):
        try:
            user = get_user_model().objects.get(username=opts["username"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"用户 {opts['username']} 不存在或已停用。") from None
        if getattr(user, "integration_client", None) is not None:
            raise CommandError(
                f"{user.username} 是接口客户端的账号："
                "请用 manage.py integration_client token 签发。"
            )
        if opts["days"] <= 0:
            raise CommandError("--days 必须大于 0。")
        instance, token = AuthToken.objects.create(user=user, expiry=timedelta(days=opts["days"]))
        self.stdout.write(token)
        self.stderr.write(
            f"有效期至 {instance.expiry:%Y-%m-%d %H:%M}；请求头：Authorization: Token <令牌>"
        )
