"""The admin for county staff: scoped lists, writes through the services."""

import pytest

from core.models import AuditLog
from grids.models import GridNode

pytestmark = pytest.mark.django_db


def test_county_admin_sees_the_tree_and_searches_by_code(grid_tree, client):
    client.force_login(grid_tree.county)
    response = client.get("/admin/grids/gridnode/?q=533423100001")
    assert response.status_code == 200
    body = response.content.decode()
    assert grid_tree.v1.name in body and grid_tree.v3.name not in body
    assert client.get("/admin/grids/gridnode/?level__exact=village").status_code == 200


def test_admin_create_goes_through_the_service(grid_tree, client):
    client.force_login(grid_tree.county)
    response = client.post(
        "/admin/grids/gridnode/add/",
        {
            "code": "533423100009",
            "name": "后台新村",
            "level": "village",
            "parent": grid_tree.t1.pk,
            "village_group": "",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    node = GridNode.objects.get(code="533423100009")
    assert AuditLog.objects.filter(action="grid.create", object_id=str(node.pk)).exists()


def test_admin_form_shows_rule_errors_and_writes_nothing(grid_tree, client):
    client.force_login(grid_tree.county)
    response = client.post(
        "/admin/grids/gridnode/add/",
        {
            "code": "x-wrong",
            "name": "错层级",
            "level": "group",
            "parent": grid_tree.t1.pk,
            "village_group": "第1村民小组",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "上级必须是" in response.content.decode()
    assert not GridNode.objects.filter(code="x-wrong").exists()


def test_audit_log_admin_is_read_only(grid_tree, client):
    client.force_login(grid_tree.county)
    assert client.get("/admin/core/auditlog/").status_code == 200
    assert client.get("/admin/core/auditlog/add/").status_code == 403
