"""Comparison pages: upload (csv, xlsx), batch report, runs with progress; scope and query
counts."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from comparison.catalogue import ensure_catalogue
from comparison.models import ComparisonRun, DepartmentBatch, RunState
from monitoring.models import RiskClue

from .helpers import dept, household_with_id, last_month, send


def _csv(rows):
    text = "身份证号,信号代码,取值,部门记录编号\n" + "\n".join(",".join(map(str, r)) for r in rows)
    return SimpleUploadedFile("yibao.csv", text.encode("utf-8"), content_type="text/csv")


@pytest.mark.django_db
def test_department_uploads_a_csv_and_sees_the_report(
    grid_tree, client, django_capture_on_commit_callbacks
):
    ensure_catalogue(grid_tree.c)
    _, number = household_with_id(grid_tree.g1)
    client.force_login(grid_tree.dept)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/comparison/batches/",
            {
                "month": f"{last_month():%Y-%m}",
                "batch_id": "CSV-1",
                "file": _csv([(number, "oop_cost", 30000, "A1"), ("12345", "oop_cost", 1, "A2")]),
            },
        )
    # The upload is a job: its page, then the batch it made.
    assert r.status_code == 302 and "/jobs/" in r.url, r.content.decode()[:2000]
    job_page = client.get(r.url).content.decode()
    batch = DepartmentBatch.objects.get(batch_id="CSV-1")
    assert f"/comparison/batches/{batch.pk}/" in job_page
    assert batch.department.code == "yibao" and batch.state == "complete"
    assert (batch.records_total, batch.records_invalid) == (2, 1)
    page = client.get(f"/comparison/batches/{batch.pk}/")
    body = page.content.decode()
    assert "身份证号应为 18 位" in body and number not in body


@pytest.mark.django_db
def test_county_admin_uploads_xlsx_for_a_department(
    grid_tree, client, django_capture_on_commit_callbacks
):
    ensure_catalogue(grid_tree.c)
    _, number = household_with_id(grid_tree.g1)
    wb = Workbook()
    wb.active.append(["身份证号", "信号代码", "取值"])
    wb.active.append([number, "house_grade", "D"])
    buf = io.BytesIO()
    wb.save(buf)
    client.force_login(grid_tree.county)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/comparison/batches/",
            {
                "month": f"{last_month():%Y-%m}",
                "batch_id": "XLSX-1",
                "department": dept("zhujian").pk,
                "file": SimpleUploadedFile("zj.xlsx", buf.getvalue()),
            },
        )
    assert r.status_code == 302
    batch = DepartmentBatch.objects.get(batch_id="XLSX-1")
    assert batch.department.code == "zhujian" and batch.records_invalid == 0


@pytest.mark.django_db
def test_village_leader_may_not_upload(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    assert "上传" not in client.get("/comparison/batches/").content.decode()
    r = client.post("/comparison/batches/", {"month": "2026-01", "batch_id": "X"})
    assert r.status_code == 403 and not DepartmentBatch.objects.exists()


@pytest.mark.django_db
def test_batch_list_queries_are_flat(grid_tree, client, django_assert_num_queries):
    ensure_catalogue(grid_tree.c)
    client.force_login(grid_tree.dept)
    for total in (3, 30):
        DepartmentBatch.objects.all().delete()
        DepartmentBatch.objects.bulk_create(
            DepartmentBatch(
                county=grid_tree.c, department=dept("yibao"), month=last_month(), batch_id=f"B{i}"
            )
            for i in range(total)
        )
        client.get("/comparison/batches/")
        # session, user, scope (the department's own, and no county administered: that
        # list is empty without a query), batches
        with django_assert_num_queries(4):
            assert client.get("/comparison/batches/").status_code == 200


@pytest.mark.django_db
def test_county_admin_starts_a_run_from_the_page(
    grid_tree, client, django_capture_on_commit_callbacks
):
    h, number = household_with_id(grid_tree.g1)
    send(
        grid_tree.superuser,
        grid_tree.c,
        "yibao",
        [{"id_number": number, "signal": "oop_cost", "value": 25000}],
    )
    client.force_login(grid_tree.county)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/comparison/runs/", {"month": f"{last_month():%Y-%m}"})
    assert r.status_code == 302
    run = ComparisonRun.objects.get()
    assert run.state == RunState.DONE
    assert RiskClue.objects.filter(household=h, risk_type="illness").exists()
    page = client.get(r.url).content.decode()
    assert 'value="100"' in page and "甲镇" in page


@pytest.mark.django_db
def test_run_page_shows_progress_and_is_hidden_from_departments(
    grid_tree, client, django_assert_max_num_queries
):
    run = ComparisonRun.objects.create(
        county=grid_tree.c,
        month=last_month(),
        found_on=last_month(),
        state=RunState.RUNNING,
        parts_total=3,
        parts_done=1,
        matched_at="2026-01-01T00:00:00Z",
    )
    client.force_login(grid_tree.county)
    with django_assert_max_num_queries(8):
        body = client.get(f"/comparison/runs/{run.pk}/").content.decode()
    assert 'value="50"' in body and 'http-equiv="refresh"' in body
    client.force_login(grid_tree.dept)
    assert client.get(f"/comparison/runs/{run.pk}/").status_code == 404
    client.force_login(grid_tree.t1_leader)
    assert client.get(f"/comparison/runs/{run.pk}/").status_code == 404
