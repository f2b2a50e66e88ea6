"""Core: the error shape, the audit log's access rules, and production settings."""

import os
import subprocess
import sys

import pytest

from grids import services

pytestmark = pytest.mark.django_db


def test_audit_log_is_read_by_county_admin_only(grid_tree, api):
    services.grid_update(actor=grid_tree.v1_leader, node=grid_tree.g1, name="改")
    rows = api.as_user(grid_tree.county).get("/api/v1/audit-log/").json()["results"]
    assert any(r["action"] == "grid.update" and r["actor"] == "v1" for r in rows)
    for user in (grid_tree.v1_leader, grid_tree.dept):
        assert api.as_user(user).get("/api/v1/audit-log/").json()["count"] == 0


def test_audit_log_is_read_only(grid_tree, api):
    response = api.as_user(grid_tree.county).post("/api/v1/audit-log/", {}, format="json")
    assert response.status_code == 405


def test_not_found_error_shape(grid_tree, api):
    body = api.as_user(grid_tree.v1_leader).get("/api/v1/grids/nope/").json()
    assert set(body) == {"detail", "errors"} and "管辖范围" in body["detail"]


def test_validation_error_shape(grid_tree, api):
    body = api.as_user(grid_tree.county).post("/api/v1/grids/", {}, format="json").json()
    assert set(body) == {"detail", "errors"}
    assert {"code", "name", "level"} <= set(body["errors"])


def _run_check(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_production_refuses_to_start_without_secrets():
    result = _run_check({"WEIXI_PRODUCTION": "1"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr and "ID_HASH_KEY" in result.stderr


def test_production_check_deploy_is_clean():
    result = _run_check(
        {
            "WEIXI_PRODUCTION": "1",
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
            "DJANGO_ALLOWED_HOSTS": "weixi.example.gov.cn",
            "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/weixi",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "ID_HASH_KEY": "hash-key-for-check",
            "ID_ENCRYPTION_KEY": "y1L5l6bqQ8dEJ1dR0Bn2pQbTqW1f2i5qWm3r7u9x0zA=",
            "AUDIT_CHAIN_KEY": "audit-chain-key-for-check",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
