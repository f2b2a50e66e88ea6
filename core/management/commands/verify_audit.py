"""Check the audit log's tamper evidence: every row's content hash and the chain over them."""

import re

from django.core.management.base import BaseCommand, CommandError

from core import audit_chain


class Command(BaseCommand):
    help = (
        "核验审计日志：逐条重算内容校验值和链校验值，报告被改动、被插入或被删除的记录。"
        "发现问题时以状态码 1 退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="上次核验打印的链头（序号:校验值），保存在数据库之外；用来发现最新记录被删除",
        )
        parser.add_argument(
            "--seal",
            action="store_true",
            help="先把已提交但尚未入链的记录入链（平时由每次写入后自动完成）",
        )

    def handle(self, *args, **opts):
        head = None
        if opts["head"]:
            match = re.fullmatch(r"(\d+):([0-9a-f]{64})", opts["head"].strip())
            if not match:
                raise CommandError("--head 的格式是 序号:64位十六进制校验值，例如 120:3fa4…")
            head = (int(match[1]), match[2])
        if opts["seal"]:
            self.stdout.write(f"入链 {audit_chain.seal()} 条记录")
        report = audit_chain.verify(head=head)
        for finding in report.findings:
            self.stdout.write(f"[{finding.kind}] {finding.message}")
        self.stdout.write(
            f"核验 {report.checked} 条记录，未入链 {report.unsealed} 条，"
            f"发现问题 {len(report.findings)} 处"
        )
        if report.head:
            self.stdout.write(f"链头：{report.head[0]}:{report.head[1]}")
        if not report.ok:
            raise SystemExit(1)
