"""The grid pages: scope, content and a query count that does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids import services
from grids.models import Level

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese(client):
    body = client.get("/accounts/login/").content.decode()
    assert "登录" in body and 'lang="zh-hans"' in body


def test_home_redirects_a_single_assignment_to_its_grid(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    response = client.get("/")
    assert response.status_code == 302 and response.url == f"/grids/{grid_tree.v1.code}/"


def test_grid_page_shows_children_people_and_path(grid_tree, client):
    client.force_login(grid_tree.t1_leader)
    body = client.get(f"/grids/{grid_tree.v1.code}/").content.decode()
    assert grid_tree.g1.name in body and grid_tree.g2.name in body
    assert grid_tree.t1.name in body  # breadcrumb
    assert "网格长" in body


def test_grid_page_out_of_scope_is_404(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    assert client.get(f"/grids/{grid_tree.v3.code}/").status_code == 404
    assert client.get(f"/grids/{grid_tree.t1.code}/").status_code == 404


def test_search_finds_only_visible_grids(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    body = client.get("/grids/search/?q=村").content.decode()
    assert grid_tree.v1.name in body and grid_tree.v3.name not in body


def test_grid_page_query_count_is_flat(grid_tree, client):
    client.force_login(grid_tree.county)
    counts = []
    for extra in (3, 30):
        for i in range(extra - (counts and 3 or 0)):
            services.grid_create(
                actor=grid_tree.superuser,
                code=f"{grid_tree.v1.code}9{extra}{i:03d}",
                name=f"加{i}",
                level=Level.GROUP,
                parent=grid_tree.v1,
                village_group="第2村民小组",
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/grids/{grid_tree.v1.code}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    # session, user, OTP device, scope, node, ancestors, children, counts,
    # assignments
    assert counts == [9, 9]


def test_language_can_switch_to_english(grid_tree, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in body


def test_department_staff_land_on_their_department_not_a_grid(grid_tree, client):
    client.force_login(grid_tree.dept)
    response = client.get("/")
    assert response.status_code == 200
    assert "医保" in response.content.decode()
