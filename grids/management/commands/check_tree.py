"""Verify the MPTT fields of every county tree; exits non-zero on any damage."""

from django.core.management.base import BaseCommand, CommandError

from grids.treecheck import check_trees


class Command(BaseCommand):
    help = "检查网格树的 lft/rght/depth/层级是否一致；有损坏时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--tree", type=int, help="只检查这一棵树（tree_id）")

    def handle(self, *args, **opts):
        problems = check_trees(opts.get("tree"))
        if problems:
            for p in problems[:200]:
                self.stderr.write(p)
            raise CommandError(f"网格树有 {len(problems)} 处不一致。")
        self.stdout.write(self.style.SUCCESS("网格树一致。"))
