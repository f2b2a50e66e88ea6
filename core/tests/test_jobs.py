"""Jobs: started twice they run once; a lost one is taken up again; results expire; each
job is its creator's alone."""

import datetime

import pytest
from django.utils import timezone

from core import jobs
from core.models import Job, JobState

pytestmark = pytest.mark.django_db

CALLS = []


def _count(ctx):
    CALLS.append(ctx.job.pk)
    ctx.progress(50, "半程")
    return jobs.Outcome(result={"n": len(CALLS)}, file_name="结果.txt", content="好".encode())


def _boom(ctx):
    raise RuntimeError("bug")


def _refuse(ctx):
    raise jobs.JobRefused("文件有误：请改正")


jobs.register("test.count", _count, label="测试")
jobs.register("test.boom", _boom, label="测试")
jobs.register("test.refuse", _refuse, label="测试")


@pytest.fixture(autouse=True)
def _fresh_calls():
    CALLS.clear()


def _start(user, kind="test.count", key="k1", capture=None):
    if capture is None:
        return jobs.job_start(actor=user, kind=kind, key=key)
    with capture(execute=True):
        return jobs.job_start(actor=user, kind=kind, key=key)


def test_a_job_runs_after_commit_and_keeps_its_result(
    grid_tree, django_capture_on_commit_callbacks
):
    job, created = _start(grid_tree.v1_leader, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert created and job.state == JobState.SUCCEEDED and job.progress == 100
    assert job.result == {"n": 1} and job.file_name == "结果.txt"
    assert job.file.read().decode() == "好" and job.attempts == 1
    assert job.expires_at > timezone.now() + datetime.timedelta(days=6)


def test_started_twice_it_is_one_job_and_runs_once(grid_tree, django_capture_on_commit_callbacks):
    first, created = _start(grid_tree.v1_leader)
    again, created_again = _start(grid_tree.v1_leader)
    assert created and not created_again and first.pk == again.pk
    assert jobs.run(first.pk) == "succeeded"
    assert jobs.run(first.pk) == "not claimed"  # a second delivery of the message
    assert [first.pk] == CALLS
    # Done, the same key starts a new job.
    third, created = _start(grid_tree.v1_leader)
    assert created and third.pk != first.pk


def test_a_lost_job_is_taken_up_again_by_the_sweeper(grid_tree, settings):
    job, _ = _start(grid_tree.v1_leader)
    # A worker claimed it and died: the lease runs out.
    assert jobs._claim(job.pk) is not None
    assert jobs.run(job.pk) == "not claimed"  # the lease still holds
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    result = jobs.sweep()  # eager: the re-enqueued job runs at once
    job.refresh_from_db()
    assert result["resumed"] == 1 and job.state == JobState.SUCCEEDED and job.attempts == 2


def test_a_pending_job_whose_message_was_lost_is_enqueued_again(grid_tree, settings):
    job, _ = _start(grid_tree.v1_leader)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert jobs.sweep()["resumed"] == 1
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED


def test_a_job_lost_too_often_fails_with_a_message(grid_tree, settings):
    job, _ = _start(grid_tree.v1_leader)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        attempts=settings.JOB_MAX_ATTEMPTS,
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert jobs.sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "多次中断" in job.message
    assert CALLS == []


def test_a_refusal_and_a_bug_both_fail_the_job_and_say_so(grid_tree):
    refused, _ = jobs.job_start(actor=grid_tree.v1_leader, kind="test.refuse")
    assert jobs.run(refused.pk) == "refused"
    refused.refresh_from_db()
    assert refused.state == JobState.FAILED and refused.message == "文件有误：请改正"
    broken, _ = jobs.job_start(actor=grid_tree.v1_leader, kind="test.boom")
    assert jobs.run(broken.pk) == "failed"
    broken.refresh_from_db()
    assert broken.state == JobState.FAILED and "出错" in broken.message


def test_result_files_are_deleted_when_they_expire(grid_tree):
    job, _ = _start(grid_tree.v1_leader)
    jobs.run(job.pk)
    job.refresh_from_db()
    path = job.file.path
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    assert jobs.sweep()["files_deleted"] == 1
    job.refresh_from_db()
    import os

    assert not job.file and not os.path.exists(path)


def test_a_job_is_its_creators_alone(grid_tree, client, api):
    job, _ = _start(grid_tree.v1_leader)
    jobs.run(job.pk)
    client.force_login(grid_tree.v1_leader)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 200
    client.force_login(grid_tree.county)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 404
    other = api.as_user(grid_tree.county)
    assert other.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert other.get("/api/v1/jobs/").json()["count"] == 0
    mine = api.as_user(grid_tree.v1_leader).get("/api/v1/jobs/").json()
    assert [j["id"] for j in mine["results"]] == [job.pk]
    assert mine["results"][0]["file_url"] == f"/api/v1/jobs/{job.pk}/file/"


def test_the_job_page_refreshes_while_it_runs(grid_tree, client):
    job, _ = _start(grid_tree.v1_leader)
    client.force_login(grid_tree.v1_leader)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in html and "排队中" in html
    jobs.run(job.pk)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in html and "下载结果文件" in html


def test_job_lists_query_counts_are_pinned_and_flat(grid_tree, client, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = grid_tree.v1_leader
    client.force_login(user)
    api_client = api.as_user(user)
    pages, apis = [], []
    for total in (3, 30):
        while Job.objects.filter(created_by=user).count() < total:
            jobs.job_start(actor=user, kind="test.count")
        client.get("/jobs/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/jobs/").status_code == 200
        pages.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get("/api/v1/jobs/").json()["count"] == total
        apis.append(len(ctx.captured_queries))
    # page: session, user, jobs; API: count, page
    assert pages == [3, 3] and apis == [2, 2], (pages, apis)
