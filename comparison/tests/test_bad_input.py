"""Department input a county meets: impossible months, the same record twice, who may start."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from comparison import services
from comparison.models import BatchRecord, ComparisonRun
from monitoring.models import ClueEvidence

from .helpers import dept, household_with_id, last_month, send

pytestmark = pytest.mark.django_db


def _next_month():
    first = timezone.localdate().replace(day=1)
    return (first + datetime.timedelta(days=32)).replace(day=1)


@pytest.mark.parametrize(
    "month, message",
    [
        (lambda: f"{_next_month():%Y-%m}", "将来"),
        (lambda: "1900-01", "不能早于"),
        (lambda: "2026-10-99", "YYYY-MM"),
        (lambda: "2026-13", "YYYY-MM"),
    ],
)
def test_a_batch_of_an_impossible_month_is_refused(grid_tree, api, month, message):
    from comparison.catalogue import ensure_catalogue

    ensure_catalogue(grid_tree.c)
    response = api.as_user(grid_tree.dept).post(
        "/api/v1/department-batches/",
        {"month": month(), "batch_id": "YB-9", "parts_total": 1},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert message in response.json()["errors"]["month"][0]


def test_a_department_starting_a_run_gets_403(grid_tree, api):
    response = api.as_user(grid_tree.dept).post(
        "/api/v1/comparison-runs/", {"month": f"{last_month():%Y-%m}"}, format="json"
    )
    assert response.status_code == 403
    assert not ComparisonRun.objects.exists()


def test_the_same_record_twice_in_a_batch_is_one_piece_of_evidence(grid_tree):
    from comparison.tasks import comparison_run_task

    household, number = household_with_id(grid_tree.g1, household_type="lifted")
    record = {"id_number": number, "signal": "oop_cost", "value": 50000}
    batch = send(grid_tree.superuser, grid_tree.c, "yibao", [record, dict(record)])
    first, second = BatchRecord.objects.filter(batch=batch).order_by("number")
    assert first.valid and not second.valid
    assert "重复" in second.errors[0]["reason"]
    run = services.run_start(actor=grid_tree.county, county=grid_tree.c, month=last_month())
    comparison_run_task.apply(args=[run.pk]).get()
    evidence = ClueEvidence.objects.filter(clue__household=household, source="department")
    assert evidence.count() == 1


def test_the_same_record_in_two_parts_is_reported_in_the_second(grid_tree):
    from comparison.catalogue import ensure_catalogue

    ensure_catalogue(grid_tree.c)
    _household, number = household_with_id(grid_tree.g1)
    record = {"id_number": number, "signal": "oop_cost", "value": "8000.00"}
    batch, _ = services.batch_open(
        actor=grid_tree.superuser,
        county=grid_tree.c,
        department=dept("yibao"),
        month=last_month(),
        batch_id="P2",
        parts_total=2,
    )
    services.batch_part_submit(actor=grid_tree.superuser, batch=batch, part=1, records=[record])
    services.batch_part_submit(
        actor=grid_tree.superuser, batch=batch, part=2, records=[{**record, "value": 8000}]
    )
    second = BatchRecord.objects.get(batch=batch, part=2)
    assert not second.valid and "第 1 分片第 1 条" in second.errors[0]["reason"]


def test_parse_month_checks_the_day_and_the_bounds():
    from core.months import parse_month

    assert parse_month("2026-02-28") == datetime.date(2026, 2, 1)
    for bad in ("2026-02-30", "2026年2月31日", "20260231"):
        with pytest.raises(ValidationError):
            parse_month(bad)
    with pytest.raises(ValidationError, match="不能晚于"):
        parse_month("2030-01", latest=datetime.date(2026, 12, 1))


def test_a_bad_upload_file_fails_its_job_with_the_reason(
    grid_tree, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comparison.catalogue import ensure_catalogue
    from core.models import Job

    ensure_catalogue(grid_tree.c)
    client.force_login(grid_tree.dept)
    bad = SimpleUploadedFile("yb.csv", "编号,名字\r\n1,2\r\n".encode("gb18030"))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/comparison/batches/",
            {"month": f"{last_month():%Y-%m}", "batch_id": "BAD", "file": bad},
        )
    assert r.status_code == 302
    job = Job.objects.get()
    assert job.state == "failed" and "没有找到表头" in job.message
    assert "没有找到表头" in client.get(r.url).content.decode()


def test_an_upload_of_a_future_month_is_refused_on_the_form(grid_tree, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comparison.catalogue import ensure_catalogue
    from core.models import Job

    ensure_catalogue(grid_tree.c)
    client.force_login(grid_tree.dept)
    upload = SimpleUploadedFile("yb.csv", b"id_number,signal\r\n")
    r = client.post(
        "/comparison/batches/",
        {"month": f"{_next_month():%Y-%m}", "batch_id": "F", "file": upload},
    )
    assert r.status_code == 200 and "将来" in r.content.decode()
    assert not Job.objects.exists()


def test_a_stalled_run_is_resumed_by_the_sweeper_and_finishes(
    grid_tree, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from comparison.models import RunState
    from core import jobs

    household, number = household_with_id(grid_tree.g1, household_type="lifted")
    send(
        grid_tree.superuser,
        grid_tree.c,
        "yibao",
        [{"id_number": number, "signal": "oop_cost", "value": 50000}],
    )
    # A run whose message was lost (Redis restarted): pending, nobody working on it.
    run = ComparisonRun.objects.create(
        county=grid_tree.c, month=last_month(), found_on=last_month()
    )
    ComparisonRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = jobs.sweep()  # queued after commit; in-process here
    run.refresh_from_db()
    assert report["runs_resumed"] == 1 and run.state == RunState.DONE and run.resumes == 1
    assert ClueEvidence.objects.filter(clue__household=household).count() == 1


def test_a_run_stalled_too_often_fails_with_a_message(grid_tree, settings):
    from django.utils import timezone

    from comparison.models import RunState
    from core import jobs

    run = ComparisonRun.objects.create(
        county=grid_tree.c,
        month=last_month(),
        found_on=last_month(),
        state=RunState.RUNNING,
        resumes=settings.COMPARISON_MAX_RESUMES,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert jobs.sweep()["runs_failed"] == 1
    run.refresh_from_db()
    assert run.state == RunState.FAILED and "多次中断" in run.error
