"""Print the roll-up of a subtree (the article's table and more) as one JSON object."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from core.months import parse_month, this_month
from reports.figures import county_figures
from reports.selectors import SYSTEM_READER, resolve_grid


class Command(BaseCommand):
    help = "输出某网格（含全部下级）的统计数字：county_stats [--grid 编码] [--month YYYY-MM] --json"

    def add_arguments(self, parser):
        parser.add_argument("--grid", help="网格编码；缺省为唯一的县")
        parser.add_argument("--month", help="统计月份 YYYY-MM；缺省为本月")
        parser.add_argument(
            "--json", action="store_true", help="输出一个 JSON 对象（目前唯一的输出格式）"
        )

    def handle(self, *args, **opts):
        try:
            month = parse_month(opts["month"], default=this_month())
            grid = resolve_grid(user=SYSTEM_READER, code=opts["grid"])
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except Http404:
            raise CommandError(f"没有编码为 {opts['grid']} 的网格。") from None
        figures = county_figures(user=SYSTEM_READER, grid=grid, month=month)
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=None))
