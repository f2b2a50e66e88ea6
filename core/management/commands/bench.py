"""Run a registered benchmark; prints one JSON object per line."""

from django.core.management.base import BaseCommand, CommandError

from core import benchmarks


class Command(BaseCommand):
    help = "运行基准测试并输出 JSON 行：bench tree|registry|… [--scales 1,25]"

    def add_arguments(self, parser):
        parser.add_argument("name", help="基准名称")
        parser.add_argument("--scales", default="1,25", help="逗号分隔的规模，如 1,25")

    def handle(self, *args, **opts):
        if opts["name"] not in benchmarks.names():
            raise CommandError(
                f"没有名为 {opts['name']} 的基准。可用：{', '.join(benchmarks.names())}"
            )
        try:
            scales = [float(x) for x in opts["scales"].split(",") if x.strip()]
        except ValueError:
            raise CommandError("--scales 应为逗号分隔的数字，如 1,25。") from None

        def emit(**figures):
            self.stdout.write(benchmarks.line(**figures))

        benchmarks.get(opts["name"])(emit, scales)
