"""Print the demo logins of the embedded demo county."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from grids.demo import DEMO_LOGINS, DEMO_PASSWORD
from grids.selectors import user_assignments


class Command(BaseCommand):
    help = "列出演示账号（用户名、角色、网格）。"

    def handle(self, *args, **opts):
        User = get_user_model()
        users = {
            u.username: u for u in User.objects.filter(username__in=[n for n, _ in DEMO_LOGINS])
        }
        if not users:
            self.stdout.write("没有演示账号：请先运行 python manage.py seed_county。")
            return
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，仅用于演示环境）：")
        for username, role in DEMO_LOGINS:
            user = users.get(username)
            if user is None:
                continue
            grids = "、".join(a.grid.name for a in user_assignments(user))
            self.stdout.write(f"  {username:<16} {role}  {user.first_name}  {grids}")
        self.stdout.write("打开 http://127.0.0.1:8000/ 登录；管理后台 /admin/，API 文档 /api/docs/")
        self.stdout.write(
            "county_admin 是县级管理员：首次登录后须用手机验证器（TOTP）设置两步验证，"
            "页面上有二维码和可手动输入的密钥。"
        )
