"""Offline visits on a phone, in Debian's chromium (docs/offline.md).

The member loads their grid online (the service worker keeps its households), goes offline,
records three visits (one with a photo, one at risk), reloads offline, and goes online again:
exactly three visits are stored, with the right clue and the photo. Then the same with the
answer to a send lost on the way (the server stored it; the phone sends again): still three.
And a visit whose household left the member's grid meanwhile is refused with the reason on the
phone, kept there until the member discards it.
"""

import io

import pytest
from PIL import Image

from households.models import Photo
from households.services import household_move
from monitoring.models import RiskClue, Visit
from monitoring.tests.factories import make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(width=2400, height=1800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (120, 160, 90)).save(out, "JPEG", quality=95)
    return out.getvalue()


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-secret-1")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _member(grid_tree):
    grid_tree.g1_member.set_password("pw-secret-1")
    grid_tree.g1_member.save()
    return grid_tree.g1_member


def _record(page, base, household, *, at_risk=None, photo=None):
    """From the household page: 记录走访, (a photo), 保存走访 — and back on the household."""
    page.goto(f"{base}/households/{household.pk}/")
    page.click("#monitoring a.primary")  # tap 1
    page.wait_for_selector("form[data-queue]")
    if at_risk:
        page.click(f"label[for=id_{at_risk}_1]")
    if photo:
        page.set_input_files("#id_photos", files=[photo])  # tap 2 (and the camera's own)
    page.click("form[data-queue] button[type=submit]")  # tap 3
    page.wait_for_url(f"**/households/{household.pk}/")
    page.wait_for_load_state()


def _queued(page) -> int:
    page.wait_for_selector("body[data-queued]", state="attached")
    return int(page.get_attribute("body", "data-queued"))


def _warm(page, base):
    page.goto(f"{base}/")
    page.wait_for_load_state()
    page.wait_for_selector("html[data-warmed]", state="attached", timeout=15000)


def test_three_visits_offline_are_stored_once_each(grid_tree, live_server, page):
    _member(grid_tree)
    households = [make_household(grid_tree.g1, head_name=f"和{n}") for n in "一二三"]
    base = live_server.url
    _login(page, base, "g1")
    _warm(page, base)
    kept = int(page.get_attribute("html", "data-warmed"))
    # The queue page, the grid page and its household list, two pages per household.
    assert kept == 1 + 2 + 2 * len(households)

    context = page.context
    context.set_offline(True)
    # Opened from the home screen without a signal: the member's grid, as kept.
    page.goto(f"{base}/")
    page.wait_for_url(f"**/grids/{grid_tree.g1.code}/")
    assert "当前没有网络" in page.locator("#offline-status").inner_text()
    _record(page, base, households[0])
    assert "已保存在手机上" in page.locator(".messages").inner_text()
    photo = {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    _record(page, base, households[1], at_risk="medical", photo=photo)
    _record(page, base, households[2])
    page.reload()
    page.wait_for_load_state()
    assert _queued(page) == 3
    assert "3 条走访等待发送" in page.locator("#offline-status").inner_text()
    assert Visit.objects.count() == 0

    context.set_offline(False)
    page.wait_for_selector("body[data-queued='0']", state="attached", timeout=15000)
    assert Visit.objects.count() == 3
    assert set(Visit.objects.values_list("household_id", flat=True)) == {h.pk for h in households}
    assert Visit.objects.filter(visitor=grid_tree.g1_member).count() == 3
    clue = RiskClue.objects.get()
    assert (clue.household_id, clue.risk_type) == (households[1].pk, "illness")
    stored = Photo.objects.get()
    visit = Visit.objects.get(household=households[1])
    assert stored.subject == f"visit:{visit.pk}"
    # Shrunk on the phone (2400 px wide) to at most 1600 px, thumbnail made on the server.
    assert max(stored.width, stored.height) <= 1600
    assert stored.thumbnail.name.endswith("_t.jpg")

    # Sending everything again (a phone that lost track) stores nothing new.
    page.reload()
    page.wait_for_load_state()
    assert _queued(page) == 0
    assert Visit.objects.count() == 3


def test_a_lost_answer_is_sent_again_and_stored_once(grid_tree, live_server, page):
    _member(grid_tree)
    households = [make_household(grid_tree.g1) for _ in range(3)]
    base = live_server.url
    browser = page.context.browser
    # No service worker here: the page's own requests are routed (and one answer dropped).
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, service_workers="block"
    )
    phone = context.new_page()
    _login(phone, base, "g1")
    lost = []

    def lose_the_first_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server stores the visit …
            lost.append(route.request.url)
            route.abort("internetdisconnected")  # … and its answer never reaches the phone
        else:
            route.continue_()

    phone.route("**/monitoring/households/*/visit/", lose_the_first_answer)
    for household in households:
        _record(phone, base, household)
    assert lost
    assert Visit.objects.count() == 3  # the lost answer's visit is stored already
    phone.reload()
    phone.wait_for_load_state()
    phone.wait_for_selector("body[data-queued='0']", state="attached", timeout=15000)
    assert Visit.objects.count() == 3
    context.close()


def test_a_visit_refused_meanwhile_stays_until_discarded(grid_tree, live_server, page):
    _member(grid_tree)
    household = make_household(grid_tree.g1)
    base = live_server.url
    _login(page, base, "g1")
    _warm(page, base)
    page.context.set_offline(True)
    _record(page, base, household)
    # Meanwhile the household moves to another village's grid: out of the member's scope.
    household_move(actor=grid_tree.superuser, household=household, grid=grid_tree.g3)
    page.context.set_offline(False)
    page.goto(f"{base}/offline/queue/")
    page.wait_for_selector("#offline-queue li.offline-refused")
    assert "不在您的网格范围内" in page.locator("#offline-queue").inner_text()
    assert Visit.objects.count() == 0
    page.reload()
    page.wait_for_selector("#offline-queue li.offline-refused")  # kept, not lost
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#offline-queue button.danger")
    page.wait_for_selector("body[data-queued='0']", state="attached")
    assert page.locator("#offline-queue-empty").is_visible()
    assert Visit.objects.count() == 0


def _cold_load(browser, base, cookies, path):
    """Bytes and requests of a cold phone's first load of ``path`` (empty cache, no service
    worker yet), up to the service worker's installation; the pages it keeps afterwards for
    offline work are counted apart."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.add_cookies(cookies)
    page = context.new_page()
    seen = []
    context.on("requestfinished", lambda request: seen.append(request))
    page.goto(f"{base}{path}")
    page.wait_for_load_state("load")
    page.wait_for_selector("html[data-warmed]", state="attached", timeout=15000)
    figures = {"load": [0, 0], "kept": [0, 0]}
    warm = set(page.evaluate("fetch('/offline/pages.json').then(r => r.json()).then(d => d.urls)"))
    page.wait_for_timeout(200)
    seen = seen[:-1]  # the test's own question above
    loaded = set()
    for request in seen:
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        url = request.url.removeprefix(base)
        # The page itself once (the service worker fetches it again to keep it).
        part = "kept" if url in warm and (url != path or path in loaded) else "load"
        loaded.add(url)
        figures[part][0] += size
        if part == "load" and __import__("os").environ.get("SHOW_REQUESTS"):
            print("   ", size, url)
        figures[part][1] += 1
    context.close()
    return figures


def test_the_cold_first_load_stays_small(grid_tree, live_server, page):
    _member(grid_tree)
    households = [make_household(grid_tree.g1) for _ in range(10)]
    base = live_server.url
    _login(page, base, "g1")
    cookies = page.context.cookies()
    browser = page.context.browser
    for label, path in (
        ("grid page", f"/grids/{grid_tree.g1.code}/"),
        ("visit form", f"/monitoring/households/{households[0].pk}/visit/"),
    ):
        figures = _cold_load(browser, base, cookies, path)
        (load_bytes, load_requests), (kept_bytes, kept_requests) = figures["load"], figures["kept"]
        print(
            f"cold first load of the {label}: {load_bytes} bytes in {load_requests} requests; "
            f"then kept for offline: {kept_bytes} bytes in {kept_requests} requests"
        )
        assert load_bytes <= 60 * 1024


def test_online_a_visit_with_a_photo_takes_three_taps_from_the_household_page(
    grid_tree, live_server, page
):
    _member(grid_tree)
    household = make_household(grid_tree.g1)
    base = live_server.url
    _login(page, base, "g1")
    photo = {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    _record(page, base, household, at_risk="housing", photo=photo)
    said = page.locator(".messages").inner_text()
    assert "已记录对" in said and "附照片 1 张" in said
    assert "发现风险，已新建线索：因安全住房" in said
    visit = Visit.objects.get()
    assert visit.housing == "at_risk"
    assert Photo.objects.get().subject == f"visit:{visit.pk}"
    # The household page shows the visit's photo, served to this member.
    thumb = page.locator("#monitoring .photos img").first
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
