"""Broken requests answer in the API's one error shape, in Chinese — never an HTML page."""

import pytest

pytestmark = pytest.mark.django_db


def _shape(response):
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    return body["detail"]


def test_malformed_json_is_a_chinese_400(grid_tree, api):
    response = api.as_user(grid_tree.v1_leader).post(
        "/api/v1/clues/", data='{"household": 1,', content_type="application/json"
    )
    assert response.status_code == 400
    assert "不是有效的 JSON" in _shape(response)


def test_a_wrong_content_type_is_a_chinese_415(grid_tree, api):
    response = api.as_user(grid_tree.v1_leader).post(
        "/api/v1/clues/", data="household=1", content_type="text/plain"
    )
    assert response.status_code == 415
    assert "不支持的内容类型" in _shape(response) and "text/plain" in _shape(response)


def test_a_body_over_the_limit_is_a_chinese_413(grid_tree, api, settings):
    settings.API_MAX_JSON_BYTES = 1000
    body = '{"notes": "' + "x" * 2000 + '"}'
    response = api.as_user(grid_tree.v1_leader).post(
        "/api/v1/visits/", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "超过上限" in _shape(response)


def test_a_multipart_body_over_djangos_limit_is_a_chinese_413(grid_tree, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.as_user(grid_tree.county).post(
        "/api/v1/households/import/", data={"note": "x" * 500}, format="multipart"
    )
    assert response.status_code == 413
    assert "超过上限" in _shape(response)


def test_the_embedded_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's database")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        timeout = cursor.fetchone()[0]
    # An in-memory test database cannot be WAL; the file database of `make run` is.
    assert mode in ("wal", "memory") and timeout >= 20000
