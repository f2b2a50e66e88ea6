"""The tree-check task, eagerly and on a real Celery worker over Redis."""

import time

import pytest
from django.test import override_settings

from core.models import AuditLog
from grids.tasks import grid_tree_check_task


@pytest.mark.django_db
def test_tree_check_task_records_result(grid_tree):
    assert grid_tree_check_task.apply(args=[grid_tree.c.tree_id]).get() == 0
    entry = AuditLog.objects.get(action="grid.tree_check")
    assert entry.after["problems"] == 0 and entry.tree_id == grid_tree.c.tree_id


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_tree_check_runs_on_a_real_worker(grid_tree):
    from celery.contrib.testing.worker import start_worker

    from weixi_grid.celery import app

    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False
        try:
            with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
                grid_tree_check_task.delay(grid_tree.c.tree_id)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    if AuditLog.objects.filter(action="grid.tree_check").exists():
                        break
                    time.sleep(0.2)
        finally:
            app.conf.task_always_eager = eager
    entry = AuditLog.objects.get(action="grid.tree_check")
    assert entry.after["problems"] == 0
