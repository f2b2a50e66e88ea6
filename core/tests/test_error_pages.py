"""The project's own error pages: in the site's look, in Chinese, with a way back."""

import pytest

pytestmark = pytest.mark.django_db


def test_404_is_the_projects_page(grid_tree, client, settings):
    settings.DEBUG = False
    client.force_login(grid_tree.v1_leader)
    response = client.get("/grids/does-not-exist/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and 'href="/"' in html and "Not Found" not in html


def test_403_names_the_reason(grid_tree, client, settings):
    settings.DEBUG = False
    client.force_login(grid_tree.v1_leader)
    response = client.get("/households/import/")
    html = response.content.decode()
    assert response.status_code == 403 and "无权操作" in html and "网格长" in html


def test_500_page_renders_without_a_request_context():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "系统出错" in html and 'href="/"' in html
