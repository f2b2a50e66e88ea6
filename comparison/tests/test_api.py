"""Comparison endpoints: scope contracts, batches in parts, reports, runs, department isolation."""

import itertools

import pytest
from knox.models import AuthToken

from comparison.catalogue import ensure_catalogue
from comparison.models import BatchRecord, ComparisonRun, DepartmentBatch, RunState
from core.testing import ScopedEndpointContract
from monitoring.models import RiskClue

from .helpers import dept, household_with_id, last_month, send

_seq = itertools.count(1)


class _CountyLevel:
    """Batches and runs belong to the county (not to a grid below it): the county's admins see
    them, township and village leaders do not (their data covers every township)."""

    @pytest.mark.django_db
    def test_scope_parent_sees_children(self, grid_tree, api):
        obj = self.make(grid_tree, "g1")
        client = api.as_user(grid_tree.county)
        assert str(obj.pk) in self.ids(client.get(self.url))
        assert client.get(self.detail_url(obj)).status_code == 200
        for user in (grid_tree.t1_leader, grid_tree.v1_leader, grid_tree.g1_member):
            client = api.as_user(user)
            assert str(obj.pk) not in self.ids(client.get(self.url))
            assert client.get(self.detail_url(obj)).status_code == 404


class TestDepartmentBatchEndpointContract(_CountyLevel, ScopedEndpointContract):
    url = "/api/v1/department-batches/"
    model = DepartmentBatch
    # session, user, OTP device, scope, count, page with county and department joined
    list_queries = 6

    def make(self, tree, grid_key):
        ensure_catalogue(tree.c)
        return DepartmentBatch.objects.create(
            county=tree.c, department=dept("yibao"), month=last_month(), batch_id=f"B{next(_seq)}"
        )

    reference_field = "county"

    def missing_reference(self, tree):
        return "999999"

    def writer(self, tree):
        return tree.county

    def create_payload(self, tree, grid_key):
        return {
            "month": f"{last_month():%Y-%m}",
            "batch_id": f"X{next(_seq)}",
            "department": "yibao",
            "county": tree.c.code,
        }

    def update_payload(self, obj):
        return {"batch_id": "changed"}


class TestComparisonRunEndpointContract(_CountyLevel, ScopedEndpointContract):
    url = "/api/v1/comparison-runs/"
    model = ComparisonRun
    # session, user, OTP device, scope, count, page with county and starter joined
    list_queries = 6

    def make(self, tree, grid_key):
        n = next(_seq)
        return ComparisonRun.objects.create(
            county=tree.c,
            month=last_month().replace(year=2000 + n % 20, month=1 + n % 12),
            found_on=last_month(),
            state=RunState.DONE,
        )

    reference_field = "county"

    def missing_reference(self, tree):
        return "999999"

    def writer(self, tree):
        return tree.county

    def create_payload(self, tree, grid_key):
        return {"month": f"{last_month():%Y-%m}", "county": tree.c.code}

    def update_payload(self, obj):
        return {"state": "pending"}


def _records(numbers, signal="oop_cost", value=30000):
    return [{"id_number": n, "signal": signal, "value": value} for n in numbers]


@pytest.mark.django_db
def test_batch_in_parts_then_resent_replaces_it(grid_tree, api):
    ensure_catalogue(grid_tree.c)
    h, number = household_with_id(grid_tree.g1)
    client = api.as_user(grid_tree.dept)
    month = f"{last_month():%Y-%m}"

    r = client.post(
        "/api/v1/department-batches/",
        {"month": month, "batch_id": "YB-01", "parts_total": 2},
        format="json",
    )
    assert r.status_code == 201, r.content
    batch_id = r.json()["id"]
    assert r.json()["department"]["code"] == "yibao" and r.json()["state"] == "receiving"
    url = f"/api/v1/department-batches/{batch_id}/parts/"
    r = client.post(url, {"part": 2, "records": _records([number])}, format="json")
    assert r.status_code == 200
    # Another value for the same person (the same record twice would count once).
    part1 = _records([number, "123"], value=31000)
    r = client.post(url, {"part": 1, "records": part1}, format="json")
    assert r.json()["state"] == "complete" and r.json()["records_invalid"] == 1
    # Part 1 sent again replaces part 1 only.
    r = client.post(url, {"part": 1, "records": _records([number], value=31000)}, format="json")
    assert r.json()["records_total"] == 2 and r.json()["records_invalid"] == 0
    r = client.post(url, {"part": 3, "records": _records([number])}, format="json")
    assert r.status_code == 400

    # The same batch sent again: replaced, never duplicated.
    r = client.post(
        "/api/v1/department-batches/",
        {"month": month, "batch_id": "YB-01", "records": _records([number] * 3)},
        format="json",
    )
    assert r.status_code == 200 and r.json()["id"] == batch_id and r.json()["version"] == 2
    assert DepartmentBatch.objects.count() == 1
    assert BatchRecord.objects.filter(batch_id=batch_id).count() == 3


@pytest.mark.django_db
def test_report_lists_bad_records_with_reasons_and_masks_ids(grid_tree, api):
    ensure_catalogue(grid_tree.c)
    h, number = household_with_id(grid_tree.g1)
    bad_check = number[:17] + ("0" if number[17] != "0" else "1")
    client = api.as_user(grid_tree.dept)
    r = client.post(
        "/api/v1/department-batches/",
        {
            "month": f"{last_month():%Y-%m}",
            "batch_id": "YB-02",
            "records": [
                {"id_number": number, "signal": "oop_cost", "value": 100},
                {"id_number": bad_check, "signal": "oop_cost", "value": 100},
                {"id_number": number, "signal": "house_grade", "value": "C"},
                {"id_number": number, "signal": "oop_cost", "value": "很多"},
            ],
        },
        format="json",
    )
    assert r.status_code == 201
    report = client.get(f"/api/v1/department-batches/{r.json()['id']}/report/")
    assert report.status_code == 200
    rows = report.json()["results"]
    assert [(row["number"], row["errors"][0]["field"]) for row in rows] == [
        (2, "id_number"),
        (3, "signal"),
        (4, "value"),
    ]
    assert "校验位" in rows[0]["errors"][0]["reason"]
    assert rows[0]["id_masked"] == bad_check[:6] + "********" + bad_check[14:]
    assert number not in report.content.decode() and bad_check not in report.content.decode()
    assert not BatchRecord.objects.filter(id_masked=number).exists()


@pytest.mark.django_db
def test_department_sees_only_its_own_batches_and_nothing_else(grid_tree, api):
    h, number = household_with_id(grid_tree.g1)
    own = send(grid_tree.superuser, grid_tree.c, "yibao", _records([number]))
    other = send(
        grid_tree.superuser, grid_tree.c, "zhujian", _records([number], "house_grade", "D")
    )
    client = api.as_user(grid_tree.dept)

    ids = {row["id"] for row in client.get("/api/v1/department-batches/").json()["results"]}
    assert ids == {own.pk}
    assert client.get(f"/api/v1/department-batches/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/department-batches/{other.pk}/report/").status_code == 404
    r = client.post(
        f"/api/v1/department-batches/{other.pk}/parts/",
        {"part": 1, "records": _records([number])},
        format="json",
    )
    assert r.status_code == 404
    # Not on behalf of another department either.
    r = client.post(
        "/api/v1/department-batches/",
        {"month": f"{last_month():%Y-%m}", "batch_id": "Z", "department": "zhujian"},
        format="json",
    )
    assert r.status_code == 403 and DepartmentBatch.objects.count() == 2
    # No runs, no clues, no households.
    ComparisonRun.objects.create(county=grid_tree.c, month=last_month(), found_on=last_month())
    assert client.get("/api/v1/comparison-runs/").json()["count"] == 0
    r = client.post("/api/v1/comparison-runs/", {"month": f"{last_month():%Y-%m}"}, format="json")
    assert r.status_code in (400, 403)
    RiskClue.objects.create(
        household=h,
        risk_type="illness",
        source="department",
        found_on=last_month(),
        verify_by=last_month(),
        decide_by=last_month(),
    )
    assert client.get("/api/v1/clues/").json()["count"] == 0
    assert client.get("/api/v1/households/").json()["count"] == 0


@pytest.mark.django_db
def test_department_system_sends_with_its_token(grid_tree, client):
    ensure_catalogue(grid_tree.c)
    _, token = AuthToken.objects.create(grid_tree.dept)
    r = client.post(
        "/api/v1/department-batches/",
        {"month": f"{last_month():%Y-%m}", "batch_id": "T1", "records": []},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert r.status_code == 400 and DepartmentBatch.objects.count() == 0
    r = client.get("/api/v1/department-batches/", HTTP_AUTHORIZATION=f"Token {token}")
    assert r.status_code == 200


@pytest.mark.django_db
def test_county_admin_starts_a_run_over_the_api(grid_tree, api, django_capture_on_commit_callbacks):
    h, number = household_with_id(grid_tree.g1)
    send(grid_tree.superuser, grid_tree.c, "yibao", _records([number]))
    client = api.as_user(grid_tree.county)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v1/comparison-runs/", {"month": f"{last_month():%Y-%m}"}, format="json"
        )
    assert r.status_code == 202, r.content
    run = client.get(f"/api/v1/comparison-runs/{r.json()['id']}/").json()
    assert run["state"] == "done" and run["progress"] == 100
    assert run["summary"]["clues_created"] == 1
    assert RiskClue.objects.filter(household=h, risk_type="illness").exists()
    # The township leader may not start one.
    r = api.as_user(grid_tree.t1_leader).post(
        "/api/v1/comparison-runs/", {"month": f"{last_month():%Y-%m}"}, format="json"
    )
    assert r.status_code == 400 and ComparisonRun.objects.count() == 1


@pytest.mark.django_db
def test_a_month_already_running_answers_409(grid_tree, api):
    ComparisonRun.objects.create(county=grid_tree.c, month=last_month(), found_on=last_month())
    r = api.as_user(grid_tree.county).post(
        "/api/v1/comparison-runs/", {"month": f"{last_month():%Y-%m}"}, format="json"
    )
    assert r.status_code == 409 and ComparisonRun.objects.count() == 1


@pytest.mark.django_db
def test_resume_requeues_an_interrupted_run(grid_tree, api, django_capture_on_commit_callbacks):
    from comparison import running, services

    h, number = household_with_id(grid_tree.g4)
    send(grid_tree.superuser, grid_tree.c, "yibao", _records([number]))
    run = services.run_start(actor=grid_tree.county, county=grid_tree.c, month=last_month())
    running.run_stage(run.pk)
    running.run_fail(run.pk, "WorkerLostError()")
    client = api.as_user(grid_tree.county)
    assert client.get(f"/api/v1/comparison-runs/{run.pk}/").json()["state"] == "failed"
    other = api.as_user(grid_tree.dept)
    assert other.post(f"/api/v1/comparison-runs/{run.pk}/resume/").status_code == 404
    client = api.as_user(grid_tree.county)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/api/v1/comparison-runs/{run.pk}/resume/")
    assert r.status_code == 202
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.error == ""
    assert RiskClue.objects.filter(household=h, risk_type="illness").count() == 1
    assert client.post(f"/api/v1/comparison-runs/{run.pk}/resume/").status_code == 400
