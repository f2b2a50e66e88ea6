"""One test per filter of the grid endpoints' filtersets."""

import pytest

from core.testing import assert_filter
from grids.models import GridAssignment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "params, includes, excludes",
    [
        ({"level": "village"}, ["v1", "v3"], ["g1", "t1", "c"]),
        ({"parent": "@v1"}, ["g1", "g2"], ["g3", "v1"]),
        ({"ancestor": "@t1"}, ["v1", "g1", "g2", "g3"], ["t1", "g4", "c"]),
    ],
)
def test_grid_filter(grid_tree, api, params, includes, excludes):
    code = {
        k: getattr(grid_tree, v[1:]).code if str(v).startswith("@") else v
        for k, v in params.items()
    }
    assert_filter(
        api.as_user(grid_tree.superuser),
        "/api/v1/grids/",
        code,
        includes=[getattr(grid_tree, k).code for k in includes],
        excludes=[getattr(grid_tree, k).code for k in excludes],
        key="code",
    )


def _assignment(tree, user_key):
    return GridAssignment.objects.get(user=getattr(tree, user_key))


@pytest.mark.parametrize(
    "params, includes, excludes",
    [
        ({"grid": "@t1"}, ["t1_leader", "v1_leader", "g1_member"], ["county", "v3_leader"]),
        ({"role": "member"}, ["g1_member", "dept"], ["v1_leader", "county"]),
        ({"level": "village"}, ["v1_leader", "v3_leader"], ["g1_member", "t1_leader"]),
        ({"department": "yibao"}, ["dept"], ["county", "g1_member"]),
        ({"user": "v1"}, ["v1_leader"], ["v3_leader", "g1_member"]),
    ],
)
def test_assignment_filter(grid_tree, api, params, includes, excludes):
    values = {
        k: getattr(grid_tree, v[1:]).code if str(v).startswith("@") else v
        for k, v in params.items()
    }
    assert_filter(
        api.as_user(grid_tree.superuser),
        "/api/v1/grid-assignments/",
        values,
        includes=[_assignment(grid_tree, k).pk for k in includes],
        excludes=[_assignment(grid_tree, k).pk for k in excludes],
    )
