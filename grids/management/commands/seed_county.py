"""Build the synthetic demo county shaped like the article (Weixi, Yunnan)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import seeding


class Command(BaseCommand):
    help = "生成演示县（合成数据，与文章数字一致）；--scale 放大村和组网格用于基准测试。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024, help="随机种子（结果可复现）")
        parser.add_argument("--scale", type=float, default=1.0, help="村和组网格的放大倍数")
        parser.add_argument("--code", default="533423", help="县级网格编码（6 位）")
        parser.add_argument("--name", default="维西傈僳族自治县", help="县名")
        parser.add_argument("--replace", action="store_true", help="已存在时先删除再生成")
        parser.add_argument(
            "--if-missing", action="store_true", help="县已存在时什么也不做（make run 用）"
        )
        parser.add_argument(
            "--no-demo-logins", action="store_true", help="不创建演示登录账号（基准测试用）"
        )
        parser.add_argument(
            "--steps",
            help="只运行这些步骤（逗号分隔，须含其前置步骤），如 grids 或 grids,households",
        )

    def handle(self, *args, **opts):
        from grids.models import GridNode

        if opts["scale"] <= 0:
            raise CommandError("--scale 必须大于 0。")
        existing = GridNode.objects.filter(code=opts["code"], parent__isnull=True).first()
        if existing and opts["if_missing"]:
            self.stdout.write(f"演示县 {existing.name}（{existing.code}）已存在，跳过生成。")
            return
        if existing and not opts["replace"]:
            raise CommandError(
                f"县 {opts['code']} 已存在。如需重新生成，请加 --replace（会删除该县全部数据）。"
            )
        ctx = seeding.SeedContext(
            code=opts["code"],
            name=opts["name"],
            seed=opts["seed"],
            scale=opts["scale"],
            demo_logins=not opts["no_demo_logins"],
            log=self.stdout.write,
        )
        chosen = seeding.steps()
        if opts["steps"]:
            wanted = {name.strip() for name in opts["steps"].split(",") if name.strip()}
            unknown = wanted - {step.name for step in chosen}
            if unknown:
                raise CommandError(
                    f"未知的步骤：{', '.join(sorted(unknown))}。"
                    f"可用：{', '.join(step.name for step in chosen)}"
                )
            chosen = [step for step in chosen if step.name in wanted]
        started = time.perf_counter()
        with transaction.atomic():
            if existing:
                # Every app purges its rows of the county, whatever steps run now.
                for step in reversed(seeding.steps()):
                    if step.purge:
                        step.purge(existing.tree_id)
            seeding.run(
                ctx,
                names={step.name for step in chosen},
                timer=lambda step, sec: self.stdout.write(f"  {step.name}: {sec:.1f} 秒"),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"演示县 {ctx.name} 已生成，用时 {time.perf_counter() - started:.1f} 秒。"
            )
        )
