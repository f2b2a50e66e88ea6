"""Faults injected into running jobs, on PostgreSQL, Redis and real worker processes.

Each test starts ``celery worker`` as a subprocess against the test database (the rows it
needs are committed: ``transaction=True``), breaks something — kills the worker in the middle
of an import, loses the queued message, cuts the worker's database connection — and checks
that the job finishes by itself within a bounded time (short leases here) with exactly the
rows of a clean run: every household once, none twice.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from core import jobs
from core.models import Job, JobState
from households.models import Household

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
LEASE = 3


@pytest.fixture
def short_leases(settings):
    settings.JOB_LEASE_SECONDS = LEASE
    settings.JOB_MAX_ATTEMPTS = 5


@pytest.fixture
def purge():
    """Real queues: nothing runs in-process, and no message of another test is left over."""
    from weixi_grid.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    app.control.purge()
    yield
    app.control.purge()
    app.conf.task_always_eager = eager


def _worker(settings):
    """A worker process on the test database, sharing the test's media folder."""
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "JOB_LEASE_SECONDS": str(LEASE),
        "JOB_MAX_ATTEMPTS": "5",
        # The big imports below put thousands of households on two group grids.
        "GRID_GROUP_HARD_LIMIT": "100000",
        "GRID_GROUP_SOFT_LIMIT": "100000",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "weixi_grid",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait(job_id, states, seconds=60, sweep_every=None):
    """Poll the row until it reaches one of ``states``; run the sweeper now and then, as beat
    would."""
    deadline = time.monotonic() + seconds
    last_sweep = time.monotonic()
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.state in states:
            return job
        if sweep_every and time.monotonic() - last_sweep > sweep_every:
            jobs.sweep()
            last_sweep = time.monotonic()
        time.sleep(0.1)
    return Job.objects.get(pk=job_id)


def _upload(grid_tree, households):
    """An xlsx of ``households`` households of two members each on the group grids of V1."""
    import io

    from openpyxl import Workbook

    from households.importing import HEADERS
    from households.tests.factories import synthetic_id

    grids = [grid_tree.g1.code, grid_tree.g2.code]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    index = {h: i for i, h in enumerate(HEADERS)}
    for n in range(households):
        for relation, name in (("户主", "和文华"), ("配偶", "李秀英")):
            row = [""] * len(HEADERS)
            row[index["户编号"]] = f"F{n:05d}"
            row[index["姓名"]] = name
            row[index["身份证号"]] = synthetic_id()
            row[index["与户主关系"]] = relation
            if relation == "户主":
                row[index["组网格编码"]] = grids[n % 2]
                row[index["户类型"]] = "一般农户"
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "many.xlsx"
    return buffer


def test_worker_killed_in_the_middle_of_an_import(grid_tree, settings, short_leases, purge):
    from households import jobs as household_jobs

    job, _ = household_jobs.start_import(
        actor=grid_tree.t1_leader, upload=_upload(grid_tree, 3000), dry_run=False
    )
    worker = _worker(settings)
    try:
        running = _wait(job.pk, {JobState.RUNNING, JobState.SUCCEEDED}, seconds=60)
        assert running.state == JobState.RUNNING, running.state
        time.sleep(0.5)
        _stop(worker, signal.SIGKILL)  # mid-import: nothing of it may be committed
        killed = Job.objects.get(pk=job.pk)
        # Killed before its commit: the job is still "running" (its lease will run out) and
        # not one household of it is in.
        assert killed.state == JobState.RUNNING and Household.objects.count() == 0
        worker = _worker(settings)
        done = _wait(job.pk, {JobState.SUCCEEDED, JobState.FAILED}, seconds=120, sweep_every=2)
    finally:
        _stop(worker)
    assert done.state == JobState.SUCCEEDED, (done.state, done.message)
    assert done.result["written"] and Household.objects.count() == 3000
    assert done.attempts >= 2


def test_a_message_redis_lost_is_sent_again_by_the_sweeper(
    grid_tree, settings, short_leases, purge
):
    from households import jobs as household_jobs
    from households.tests.test_importing import good_rows

    upload = _small(grid_tree, good_rows)
    job, _ = household_jobs.start_import(actor=grid_tree.t1_leader, upload=upload, dry_run=False)
    from weixi_grid.celery import app

    app.control.purge()  # the queued message is gone (Redis restarted without its data)
    worker = _worker(settings)
    try:
        time.sleep(1)
        assert Job.objects.get(pk=job.pk).state == JobState.PENDING
        done = _wait(job.pk, {JobState.SUCCEEDED, JobState.FAILED}, seconds=60, sweep_every=1)
    finally:
        _stop(worker)
    assert done.state == JobState.SUCCEEDED and Household.objects.count() == 2


def test_the_database_connection_cut_under_a_running_job(grid_tree, settings, short_leases, purge):
    from households import jobs as household_jobs

    job, _ = household_jobs.start_import(
        actor=grid_tree.t1_leader, upload=_upload(grid_tree, 2000), dry_run=False
    )
    worker = _worker(settings)
    try:
        running = _wait(job.pk, {JobState.RUNNING, JobState.SUCCEEDED}, seconds=60)
        with connection.cursor() as cursor:
            # What a PostgreSQL restart does to the worker: its sessions end.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        done = _wait(job.pk, {JobState.SUCCEEDED, JobState.FAILED}, seconds=120, sweep_every=2)
    finally:
        _stop(worker)
    assert running.state in (JobState.RUNNING, JobState.SUCCEEDED)
    assert done.state == JobState.SUCCEEDED, (done.state, done.message)
    assert Household.objects.count() == 2000


def _small(grid_tree, good_rows):
    import io

    from openpyxl import Workbook

    from households.importing import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for values in good_rows(grid_tree):
        ws.append([values.get(h, "") for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "small.xlsx"
    return buffer
