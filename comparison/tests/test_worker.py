"""End to end on a real Celery worker, Redis and PostgreSQL: batches over the API with a
department token, the month started over the API, clues and the report checked."""

import time

import pytest
from celery.signals import task_postrun
from django.db import connection
from django.test import override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from comparison.catalogue import ensure_catalogue
from comparison.models import ComparisonRun, RunState
from monitoring.models import RiskClue
from monitoring.tests.factories import new_id_number

from .helpers import household_with_id, last_month, member_id


def _token_client(user):
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _wait_done(run_id, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = ComparisonRun.objects.get(pk=run_id)
        if run.state in (RunState.DONE, RunState.FAILED):
            return run
        time.sleep(0.2)
    return ComparisonRun.objects.get(pk=run_id)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_month_runs_on_a_real_worker(grid_tree):
    from celery.contrib.testing.worker import start_worker

    from weixi_grid.celery import app

    ensure_catalogue(grid_tree.c)
    sick, sick_id = household_with_id(grid_tree.g1, household_type="lifted")
    house, house_id = household_with_id(grid_tree.g4)
    child = member_id(house)
    stranger = new_id_number()
    month = f"{last_month():%Y-%m}"

    yibao = _token_client(grid_tree.dept)
    r = yibao.post(
        "/api/v1/department-batches/",
        {"month": month, "batch_id": "YB-2", "parts_total": 2},
        format="json",
    )
    assert r.status_code == 201, r.content
    parts = f"/api/v1/department-batches/{r.json()['id']}/parts/"
    yibao.post(
        parts,
        {"part": 1, "records": [{"id_number": sick_id, "signal": "oop_cost", "value": 8000}]},
        format="json",
    )
    r = yibao.post(
        parts,
        {
            "part": 2,
            "records": [
                {"id_number": stranger, "signal": "oop_cost", "value": 50000},
                {"id_number": "53342319800101123", "signal": "oop_cost", "value": 1},
            ],
        },
        format="json",
    )
    assert r.json()["state"] == "complete"
    yibao_batch = r.json()["id"]
    # 住建 sends through a county admin's upload on its behalf (same service).
    admin = APIClient()
    admin.force_authenticate(grid_tree.county)
    r = admin.post(
        "/api/v1/department-batches/",
        {
            "month": month,
            "batch_id": "ZJ-1",
            "department": "zhujian",
            "records": [{"id_number": child, "signal": "house_grade", "value": "D"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.content

    def close_worker_connection(**kwargs):
        # The worker runs tasks in its own thread, with its own connection: close it after
        # each task, or the test database cannot be dropped at the end of the session.
        connection.close()

    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False
        task_postrun.connect(close_worker_connection, weak=False)
        try:
            app.control.purge()
            with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
                r = admin.post("/api/v1/comparison-runs/", {"month": month}, format="json")
                assert r.status_code == 202, r.content
                run = _wait_done(r.json()["id"])
        finally:
            task_postrun.disconnect(close_worker_connection)
            app.conf.task_always_eager = eager

    assert run.state == RunState.DONE, run.error
    assert set(RiskClue.objects.values_list("household_id", "risk_type")) == {
        (sick.pk, "illness"),
        (house.pk, "housing"),
    }
    body = admin.get(f"/api/v1/comparison-runs/{run.pk}/").json()
    assert body["progress"] == 100
    s = body["summary"]
    assert (s["records"], s["invalid"], s["matched"], s["unmatched"]) == (4, 1, 2, 1)
    assert s["clues_created"] == 2
    assert {t["code"]: t["clues_created"] for t in s["by_township"]} == {
        grid_tree.t1.code: 1,
        grid_tree.t2.code: 1,
    }
    report = yibao.get(f"/api/v1/department-batches/{yibao_batch}/report/").json()["results"]
    assert [(row["part"], row["number"], row["problem"]) for row in report] == [
        (2, 1, "unmatched"),
        (2, 2, "invalid"),
    ]
    assert stranger not in str(report)
