"""Concurrent tree writes on PostgreSQL: the advisory lock keeps the nested sets sound."""

import pytest

from core.testing import run_together
from grids import services
from grids.models import GridNode, Level
from grids.treecheck import check_trees

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_creates_in_one_county_keep_the_tree_consistent(grid_tree):
    def add(i):
        village = grid_tree.v1 if i % 2 else grid_tree.v3
        for j in range(5):
            services.grid_create(
                actor=grid_tree.superuser,
                code=f"par-{i}-{j}",
                name=f"并发{i}-{j}",
                level=Level.GROUP,
                parent=village,
                village_group="第8村民小组",
            )

    outcomes = run_together(*(lambda i=i: add(i) for i in range(4)))
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    assert GridNode.objects.filter(code__startswith="par-").count() == 20
    assert check_trees() == []
