"""A real browser (Debian's chromium, headless) on the live server: log in, walk the tree."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_leader_logs_in_on_a_phone_and_opens_a_group_grid(grid_tree, live_server, page):
    grid_tree.v1_leader.set_password("pw-secret-1")
    grid_tree.v1_leader.save()

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "v1")
    page.fill("#id_password", "pw-secret-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/grids/{grid_tree.v1.code}/")
    assert page.locator("h1").inner_text() == grid_tree.v1.name

    page.click(f"text={grid_tree.g1.name}")
    page.wait_for_url(f"**/grids/{grid_tree.g1.code}/")
    assert grid_tree.v1.name in page.locator(".crumbs").inner_text()
