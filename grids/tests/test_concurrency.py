"""Concurrent tree writes on PostgreSQL: the advisory lock keeps the nested sets sound."""

import threading

import pytest
from django.db import connection

from grids import services
from grids.models import GridNode, Level
from grids.treecheck import check_trees

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_creates_in_one_county_keep_the_tree_consistent(grid_tree):
    errors = []
    barrier = threading.Barrier(4)

    def add(i):
        try:
            barrier.wait()
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
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert GridNode.objects.filter(code__startswith="par-").count() == 20
    assert check_trees() == []
