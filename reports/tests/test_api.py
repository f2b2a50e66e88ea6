"""``/api/v1/stats/`` and ``county_stats``: same object, scope by 404, documented keys."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids import services as grid_services
from grids.models import Level
from reports.figures import figure_keys

from .conftest import add_households_everywhere

pytestmark = pytest.mark.django_db

KEYS = {"grid", "month", *figure_keys()}
ARTICLE_KEYS = {
    "grids",
    "grid_members",
    "households",
    "platform_registered",
    "platform_registration_rate",
    "applications",
    "applications_completed",
    "application_completion_rate",
    "group_grids_over_10",
    "group_grids_over_20",
    "blind_spots",
}


def test_stats_endpoint_returns_the_subtree_figures(stats_tree, api):
    t = stats_tree.tree
    response = api.as_user(t.t1_leader).get("/api/v1/stats/?grid=533423100&month=2026-05")
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == KEYS
    assert data["grid"]["code"] == "533423100"
    assert data["month"] == "2026-05"
    assert data["households"] == 35
    assert data["platform_registration_rate"] == 14.29
    assert data["blind_spots"] == 24


def test_stats_village_leader_cannot_ask_for_a_sibling_village(stats_tree, api):
    t = stats_tree.tree
    client = api.as_user(t.v1_leader)
    response = client.get(f"/api/v1/stats/?grid={t.v2.code}")
    assert response.status_code == 404
    assert response.json()["errors"] == {}
    assert client.get(f"/api/v1/stats/?grid={t.t1.code}").status_code == 404  # the parent
    assert client.get("/api/v1/stats/?grid=nonexistent").status_code == 404


def test_stats_defaults_to_the_users_top_assignment(stats_tree, api):
    t = stats_tree.tree
    data = api.as_user(t.v1_leader).get("/api/v1/stats/").json()
    assert data["grid"]["code"] == t.v1.code
    assert data["households"] == 14


def test_stats_rejects_a_bad_month(stats_tree, api):
    t = stats_tree.tree
    response = api.as_user(t.county).get("/api/v1/stats/?month=2026-13")
    assert response.status_code == 400
    assert "month" in response.json()["errors"]


def test_stats_requires_authentication(stats_tree, client):
    assert client.get("/api/v1/stats/").status_code in (401, 403)


def _run(*args):
    out = io.StringIO()
    call_command("county_stats", *args, stdout=out)
    return json.loads(out.getvalue())


def test_command_prints_one_json_object_with_every_key(stats_tree):
    data = _run("--json", "--month", "2026-05")
    assert set(data) == KEYS
    assert set(data) >= ARTICLE_KEYS
    assert data["grid"]["code"] == "533423"
    assert data["grids"] == {"county": 1, "township": 2, "village": 3, "group": 4}
    assert data["households"] == 38
    assert data["application_completion_rate"] == 75.0


def test_command_takes_a_grid(stats_tree):
    data = _run("--grid", "533423200", "--json")
    assert data["households"] == 3
    with pytest.raises(CommandError, match="没有编码为 999 的网格"):
        _run("--grid", "999", "--json")


def test_command_lists_the_counties_when_several(stats_tree):
    t = stats_tree.tree
    grid_services.grid_create(actor=t.superuser, code="533422", name="邻县", level=Level.COUNTY)
    with pytest.raises(CommandError) as exc:
        _run("--json")
    assert "533422 邻县" in str(exc.value) and "533423 测试县" in str(exc.value)
    assert _run("--grid", "533422", "--json")["households"] == 0


def test_command_rejects_a_bad_month(stats_tree):
    with pytest.raises(CommandError, match="YYYY-MM"):
        _run("--month", "May", "--json")


def test_stats_endpoint_query_count_is_flat(grid_tree, client):
    client.force_login(grid_tree.county)
    counts = []
    for per_grid in (1, 9):  # 4 → 40 households
        add_households_everywhere(grid_tree, per_grid)
        client.get("/api/v1/stats/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/stats/").status_code == 200
        counts.append(len(ctx.captured_queries))
    # session, user, OTP device, scope, default grid (the user's top assignment),
    # 14 figure queries
    assert counts == [19, 19]


def test_a_department_account_has_no_subtree_to_count(grid_tree, api):
    client = api.as_user(grid_tree.dept)
    response = client.get("/api/v1/stats/")
    assert response.status_code == 400 and "grid" in response.json()["errors"]
    assert client.get(f"/api/v1/stats/?grid={grid_tree.c.code}").status_code == 404


def test_stats_refuses_an_empty_month_but_defaults_a_missing_one(stats_tree, api):
    client = api.as_user(stats_tree.tree.county)
    assert client.get("/api/v1/stats/").status_code == 200
    response = client.get("/api/v1/stats/?month=")
    assert response.status_code == 400 and "month" in response.json()["errors"]
