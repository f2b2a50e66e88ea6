"""One test per filter of the batch and run endpoints."""

import datetime

import pytest

from comparison.catalogue import ensure_catalogue
from comparison.models import ComparisonRun, DepartmentBatch
from core.testing import assert_filter

from .helpers import dept, last_month

pytestmark = pytest.mark.django_db


def test_batch_filters(grid_tree, api):
    ensure_catalogue(grid_tree.c)
    client = api.as_user(grid_tree.county)
    month = last_month()
    a = DepartmentBatch.objects.create(
        county=grid_tree.c, department=dept("yibao"), month=month, batch_id="A-1"
    )
    b = DepartmentBatch.objects.create(
        county=grid_tree.c,
        department=dept("minzheng"),
        month=datetime.date(2025, 1, 1),
        batch_id="B-1",
        state="complete",
    )
    url = "/api/v1/department-batches/"
    assert_filter(client, url, {"state": "complete"}, includes=[b.pk], excludes=[a.pk])
    assert_filter(client, url, {"department__code": "yibao"}, includes=[a.pk], excludes=[b.pk])
    assert_filter(client, url, {"month": "2025-01-01"}, includes=[b.pk], excludes=[a.pk])
    assert_filter(client, url, {"batch_id": "A-1"}, includes=[a.pk], excludes=[b.pk])


def test_run_filters(grid_tree, api):
    client = api.as_user(grid_tree.county)
    a = ComparisonRun.objects.create(
        county=grid_tree.c, month=datetime.date(2025, 3, 1), found_on=last_month(), state="done"
    )
    b = ComparisonRun.objects.create(
        county=grid_tree.c, month=datetime.date(2025, 4, 1), found_on=last_month(), state="failed"
    )
    url = "/api/v1/comparison-runs/"
    assert_filter(client, url, {"state": "failed"}, includes=[b.pk], excludes=[a.pk])
    assert_filter(client, url, {"month": "2025-03-01"}, includes=[a.pk], excludes=[b.pk])
