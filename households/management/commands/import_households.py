"""Import households with members from an xlsx or csv file (all or nothing)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from households import importing


class Command(BaseCommand):
    help = "从 xlsx/csv 导入农户及家庭成员（全部成功才写入）；--dry-run 只预检。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 或 csv 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只预检，不写入")
        parser.add_argument(
            "--as-user",
            default="",
            help="以该用户的管辖范围导入并记入审计（默认不限范围，记为系统操作）",
        )

    def handle(self, *args, **opts):
        actor = None
        if opts["as_user"]:
            try:
                actor = get_user_model().objects.get(username=opts["as_user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"用户 {opts['as_user']} 不存在。") from None
        try:
            report = importing.import_households(
                opts["file"], filename=opts["file"], actor=actor, dry_run=opts["dry_run"]
            )
        except (importing.ImportFileError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from None
        for error in sorted(report.errors, key=lambda e: e.row):
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
