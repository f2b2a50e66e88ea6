"""Integration clients and their tokens: create, issue a token, revoke one, list."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import IntegrationClient
from core.exceptions import messages_text
from grids.models import Department, GridNode


class Command(BaseCommand):
    help = (
        "管理接口客户端（救助平台、行业部门系统）：create 新建，token 签发令牌（只显示一次），"
        "revoke 吊销令牌，list 列出。令牌轮换：先签发新令牌、切换调用方，再吊销旧令牌。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="新建接口客户端")
        create.add_argument("--county", required=True, help="县级网格编码")
        create.add_argument("--kind", required=True, choices=["platform", "department"])
        create.add_argument("--department", default="", help="部门编码（department 类型必填）")
        create.add_argument("--name", required=True, help="接口名称，如“县救助平台”")
        token = sub.add_parser("token", help="签发令牌")
        token.add_argument("client_id", type=int)
        token.add_argument("--days", type=int, default=90, help="有效天数")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("client_id", type=int)
        revoke.add_argument("prefix", help="令牌前缀（list 中显示）")
        sub.add_parser("list", help="列出接口客户端和令牌")

    def handle(self, *args, **opts):
        try:
            getattr(self, f"_{opts['verb']}")(opts)
        except ValidationError as exc:
            raise CommandError(messages_text(exc)) from None

    def _client(self, pk):
        client = IntegrationClient.objects.select_related("county").filter(pk=pk).first()
        if client is None:
            raise CommandError(f"接口客户端 {pk} 不存在（manage.py integration_client list）。")
        return client

    def _create(self, opts):
        county = GridNode.objects.filter(code=opts["county"], level="county").first()
        if county is None:
            raise CommandError(f"县级网格 {opts['county']} 不存在。")
        department = None
        if opts["department"]:
            department = Department.objects.filter(code=opts["department"]).first()
            if department is None:
                raise CommandError(f"部门 {opts['department']} 不存在。")
        client = services.client_create(
            name=opts["name"], kind=opts["kind"], county=county, department=department
        )
        self.stdout.write(f"已建立接口客户端 {client.pk}：{client.name}（账号 {client.account}）")

    def _token(self, opts):
        token, secret = services.client_token_issue(
            client=self._client(opts["client_id"]), days=opts["days"]
        )
        self.stdout.write(secret)
        self.stderr.write(
            f"前缀 {token.prefix}，有效期至 {token.expires_at:%Y-%m-%d %H:%M}；"
            "请求头：Authorization: Bearer <令牌>。令牌只显示这一次。"
        )

    def _revoke(self, opts):
        services.client_token_revoke(client=self._client(opts["client_id"]), prefix=opts["prefix"])
        self.stdout.write(f"已吊销前缀为 {opts['prefix']} 的令牌")

    def _list(self, opts):
        for client in IntegrationClient.objects.select_related("county", "department"):
            self.stdout.write(
                f"{client.pk}\t{client.county.code}\t{client.get_kind_display()}\t{client.name}"
                f"\t{'启用' if client.active else '停用'}"
            )
            for token in client.tokens.all():
                state = "有效" if token.valid else "失效"
                self.stdout.write(
                    f"\t{token.prefix}…\t{state}\t到期 {token.expires_at:%Y-%m-%d}"
                    f"\t最近使用 {token.last_used_at:%Y-%m-%d %H:%M}"
                    if token.last_used_at
                    else f"\t{token.prefix}…\t{state}\t到期 {token.expires_at:%Y-%m-%d}"
                )
