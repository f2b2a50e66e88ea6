"""A real browser (Debian's chromium, headless) on the live server: log in, walk the tree."""

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself happen outside any coroutine, so Django's async guard does not apply to them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()


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
