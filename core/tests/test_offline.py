"""The offline layer's server side: the service worker, the manifest, what a phone may keep."""

import json

import pytest
from django.contrib.staticfiles import finders

from monitoring.tests.factories import make_household

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_with_this_deployments_assets(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert "/static/css/app.css" in body and "/static/js/offline.js" in body
    assert "X-Weixi-Offline" in body


def test_the_manifest_makes_the_site_installable_in_the_users_language(client):
    response = client.get("/manifest.webmanifest")
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert data["name"] == "维西防返贫监测" and data["start_url"] == "/"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_offline_fallback_carries_nobodys_data(grid_tree, client):
    client.force_login(grid_tree.g1_member)
    page = client.get("/offline/").content.decode()
    assert "没有网络" in page
    assert "g1" not in page and "csrfmiddlewaretoken" not in page


def test_a_phone_keeps_only_its_members_households(grid_tree, client):
    own = [make_household(grid_tree.g1) for _ in range(2)]
    other = make_household(grid_tree.g2)
    far = make_household(grid_tree.g4)
    client.force_login(grid_tree.g1_member)
    data = client.get("/offline/pages.json").json()
    assert f"/households/{own[0].pk}/" in data["urls"]
    assert f"/monitoring/households/{own[1].pk}/visit/" in data["urls"]
    assert f"/households/{other.pk}/" not in data["urls"]
    assert data["redirects"] == {"/": f"/grids/{grid_tree.g1.code}/"}
    # A village leader: their whole village's households; a superuser's home is a page.
    client.force_login(grid_tree.v1_leader)
    data = client.get("/offline/pages.json").json()
    assert f"/households/{other.pk}/" in data["urls"]
    assert f"/households/{far.pk}/" not in data["urls"]
    client.force_login(grid_tree.superuser)
    data = client.get("/offline/pages.json").json()
    assert data["urls"][:2] == ["/", "/offline/queue/"] and data["redirects"] == {}


def test_only_pages_meant_for_offline_work_are_marked_for_keeping(grid_tree, client):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.v1_leader)
    for url in (
        f"/households/{household.pk}/",
        f"/monitoring/households/{household.pk}/visit/",
        f"/grids/{grid_tree.g1.code}/",
        "/offline/queue/",
    ):
        assert client.get(url)["X-Weixi-Offline"] == "1", url
    for url in (f"/monitoring/grids/{grid_tree.v1.code}/clues/", "/jobs/", "/offline/pages.json"):
        assert "X-Weixi-Offline" not in client.get(url), url


def test_the_service_workers_background_fetches_set_no_cookie(grid_tree, client):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    url = f"/monitoring/households/{household.pk}/visit/"
    assert "csrftoken" in client.get(url).cookies  # a page with a form sets it …
    response = client.get(url, headers={"X-Weixi-Warm": "1"})
    assert response.status_code == 200
    assert not response.cookies  # … not when the service worker keeps it
