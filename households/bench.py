"""``bench registry``: seeding households, importing 40,000 from xlsx, listing a township.

Everything runs inside a transaction that is rolled back, on a throwaway county code, so the
benchmark leaves the database as it found it.
"""

import datetime
import os
import random
import resource
import tempfile
import time
import tracemalloc

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from openpyxl import Workbook

from core import seeding
from core.benchmarks import measure, page_through, throwaway_county
from grids import selectors as grid_selectors
from grids.models import GridNode, Level, Role

from . import idnumbers
from .importing import HEADERS, import_households
from .models import Household, HouseholdStatus, Person

BENCH_CODE = "990002"
IMPORT_HOUSEHOLDS = 40000
#: Another region than the demo county's, so generated numbers never collide with seeded ones.
IMPORT_REGION = "533421"


def write_import_file(path, tree_id, households=IMPORT_HOUSEHOLDS, seed=5):
    """An xlsx of ``households`` new households (with members) fitting the free capacity."""
    rng = random.Random(seed)
    limit = settings.GRID_GROUP_HARD_LIMIT
    grids = list(
        GridNode.objects.filter(tree_id=tree_id, level=Level.GROUP)
        .annotate(n=Count("households"))
        .order_by("code")
        .values_list("code", "n")
    )
    free = [[code, limit - n] for code, n in grids if n < limit]
    # Small scales (tests) have less room than 40,000 households: fill what there is.
    households = min(households, sum(n for _code, n in free))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("农户成员")
    ws.append(HEADERS)
    used, persons, g = set(), 0, 0
    for k in range(households):
        while free[g % len(free)][1] <= 0:  # terminates: households <= total free room
            g += 1
        slot = free[g % len(free)]
        slot[1] -= 1
        g += 1
        size = rng.choice((1, 2, 3, 3, 4, 4, 5, 6))
        kind = rng.choice(("脱贫户", "一般农户"))
        registered = "是" if rng.random() < 0.9 else "否"
        for m in range(size):
            age = rng.randint(30, 80) if m == 0 else rng.randint(0, 85)
            birth = datetime.date(2025 - age, rng.randint(1, 12), rng.randint(1, 28))
            while True:
                sex = rng.choice((idnumbers.MALE, idnumbers.FEMALE))
                number = idnumbers.generate(rng, region=IMPORT_REGION, birth=birth, sex=sex)
                if number not in used:
                    used.add(number)
                    break
            values = {
                "户编号": f"B{k:07d}",
                "组网格编码": slot[0],
                "户类型": kind,
                "纳入政府救助平台": registered,
                "姓名": f"成员{k}-{m}",
                "身份证号": number,
                "与户主关系": "户主" if m == 0 else rng.choice(("配偶", "子女", "父母")),
                "健康状况": rng.choice(("健康", "健康", "健康", "长期慢性病")),
                "劳动能力": rng.choice(("普通劳动力", "弱或半劳动力", "无劳动力")),
                "在校情况": "非在校",
                "基本医疗保险": "是",
            }
            ws.append([values.get(h, "") for h in HEADERS])
            persons += 1
    wb.save(path)
    return persons


def bench_registry(emit, scales):
    """Seed, import and list at each scale, inside a rolled-back transaction."""
    for scale in scales:
        with throwaway_county(code=BENCH_CODE, name="基准县", scale=scale, names={"grids"}) as (
            ctx,
            _seeded,
        ):
            _run(emit, scale, ctx)


def _run(emit, scale, ctx):
    steps = {s.name: s for s in seeding.steps()}
    with measure() as m:
        steps["households"].seed(ctx)
    tree_id = ctx.state["tree_id"]
    emit(
        name="registry.seed",
        scale=scale,
        seconds=m["seconds"],
        queries=m["queries"],
        households=Household.objects.filter(grid__tree_id=tree_id).count(),
        persons=Person.objects.filter(household__grid__tree_id=tree_id).count(),
    )

    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        t0 = time.perf_counter()
        rows = write_import_file(path, tree_id)
        generated = round(time.perf_counter() - t0, 1)
        size_mb = round(os.path.getsize(path) / 2**20, 1)

        savepoint = transaction.savepoint()
        with measure() as m:
            report = import_households(path, filename=path)
        transaction.savepoint_rollback(savepoint)
        assert report.ok, [str(e) for e in report.errors[:5]]
        # A second run under tracemalloc for the peak of Python allocations (it slows things
        # down, so the time above comes from the untraced run).
        # DEBUG off as in production: the debug cursor would keep every bulk INSERT's SQL.
        savepoint = transaction.savepoint()
        with override_settings(DEBUG=False):
            tracemalloc.start()
            import_households(path, filename=path)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        transaction.savepoint_rollback(savepoint)
        emit(
            name="registry.import_xlsx",
            scale=scale,
            seconds=m["seconds"],
            queries=m["queries"],
            households=report.households,
            persons=report.persons,
            rows=rows,
            file_mb=size_mb,
            generate_seconds=generated,
            peak_python_mb=round(peak / 2**20, 1),
            max_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        )
    finally:
        os.unlink(path)

    township = (
        GridNode.objects.filter(tree_id=tree_id, level=Level.TOWNSHIP).order_by("code").first()
    )
    leader = grid_selectors.first_holder(grid=township, role=Role.LEADER)
    url = f"/api/v1/households/?grid={township.code}&status={HouseholdStatus.ACTIVE}&page_size=500"
    emit(name="registry.list_township_households", scale=scale, **page_through(leader, url))
