"""``bench tree``: seeding time, and listing every group grid of one township over the API."""

import time

from core.benchmarks import page_through, throwaway_county

from .models import GridAssignment, GridNode, Level, Role
from .treecheck import check_trees

BENCH_CODE = "990001"


def bench_tree(emit, scales):
    """Seed a throwaway county at each scale inside a transaction that is rolled back."""
    for scale in scales:
        with throwaway_county(
            code=BENCH_CODE, name="基准县", scale=scale, seed=1, names={"grids"}
        ) as (ctx, m):
            tree_id = ctx.state["tree_id"]
            groups = GridNode.objects.filter(tree_id=tree_id, level=Level.GROUP).count()
            emit(
                name="tree.seed",
                scale=scale,
                seconds=m["seconds"],
                queries=m["queries"],
                group_grids=groups,
            )
            t0 = time.perf_counter()
            problems = check_trees(tree_id)
            emit(
                name="tree.check",
                scale=scale,
                seconds=round(time.perf_counter() - t0, 3),
                problems=len(problems),
            )
            township = GridNode.objects.filter(tree_id=tree_id, level=Level.TOWNSHIP).first()
            leader = GridAssignment.objects.filter(grid=township, role=Role.LEADER).first().user
            url = f"/api/v1/grids/?ancestor={township.code}&level=group&page_size=1000"
            emit(name="tree.list_township_groups", scale=scale, **page_through(leader, url))
