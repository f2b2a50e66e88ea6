"""The benchmark's hand-written SQL computes the same figures as the selectors."""

import pytest

from core import benchmarks
from reports.bench import figures_by_sql
from reports.figures import county_figures

from .conftest import MONTH, TODAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["c", "t1", "v1", "g4"])
def test_sql_aggregate_agrees_with_the_selectors(stats_tree, key):
    t = stats_tree.tree
    node = getattr(t, key)
    figures = county_figures(user=t.superuser, grid=node, month=MONTH, today=TODAY)
    del figures["grid"], figures["month"]
    assert figures_by_sql(node, MONTH, TODAY) == figures


def test_stats_benchmark_is_registered():
    assert "stats" in benchmarks.names()
