"""The whole review path in a real browser (Debian's chromium, headless, phone-sized).

The village leader composes and submits, the township returns it, the leader fixes and
resubmits, the township approves, the county confirms, and the new case shows on the village's
cases page.
"""

import datetime

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from monitoring import services
from monitoring.models import MonitoringCase, VillageReview
from monitoring.tests.factories import make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username, device=None):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-secret-1")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if device is not None:
        # A county administrator gives the second factor: the authenticator's current code.
        assert "/accounts/second-factor/" in page.url
        page.fill("#id_token", _code(device))
        page.click("main button.primary")
        page.wait_for_load_state()


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_review_from_village_to_county_in_the_browser(grid_tree, live_server, page):
    for user in (grid_tree.v1_leader, grid_tree.t1_leader, grid_tree.county):
        user.set_password("pw-secret-1")
        user.save()
    county_device = TOTPDevice.objects.create(user=grid_tree.county, name="手机", confirmed=True)
    household = make_household(grid_tree.g1, head_name="和建华")
    services.clue_raise(
        actor=grid_tree.superuser, household=household, risk_type="illness", source="visit"
    )
    base = live_server.url
    today = timezone.localdate()

    # The village leader opens this month's review and decides the household.
    _login(page, base, "v1")
    page.goto(f"{base}/monitoring/grids/{grid_tree.v1.code}/reviews/")
    page.click("#rv-open")
    page.wait_for_url("**/monitoring/reviews/*/")
    review = VillageReview.objects.get()
    item = review.items.get()
    page.click(f"label[for=d{item.pk}-include]")
    page.select_option(f"#c{item.pk}", "marginal")
    page.check(f"#item-{item.pk} input[name=risk_types][value=illness]")
    page.fill(f"#n{item.pk}", "6000")
    page.fill(f"#s{item.pk}", "32000")
    page.click(f"#item-{item.pk} button[type=submit]")
    page.wait_for_load_state()
    assert "已保存" in page.locator(".messages").inner_text()

    page.fill("#id_meeting_on", str(today))
    page.fill("#id_attendance", "村支书、村主任、驻村队员、网格员")
    page.fill("#id_minutes", "户主住院，自付费用高，拟纳入监测。")
    page.fill("#id_notice_start", str(today))
    page.fill("#id_notice_end", str(today + datetime.timedelta(days=6)))
    page.click("#rv-save-meeting")
    page.wait_for_load_state()
    page.click("#rv-submit-ask")  # a locking step asks once
    page.click("#rv-submit")
    page.wait_for_load_state()
    assert "已提交" in page.locator("#rv-state").inner_text()
    assert "甲镇" in page.locator("#rv-holder").inner_text()

    # The township returns it with a reason.
    _login(page, base, "t1")
    page.goto(f"{base}/monitoring/reviews/{review.pk}/")
    page.fill("#rv-return-input", "请核实近12个月收入")
    page.click("#rv-return")
    page.wait_for_load_state()
    assert "已退回" in page.locator("#rv-state").inner_text()

    # The leader sees the reason, fixes the income and resubmits.
    _login(page, base, "v1")
    page.goto(f"{base}/monitoring/reviews/{review.pk}/")
    assert "请核实近12个月收入" in page.locator("#rv-return-reason").inner_text()
    page.click(f"#item-{item.pk} summary")
    page.fill(f"#n{item.pk}", "5200")
    page.click(f"#item-{item.pk} button[type=submit]")
    page.wait_for_load_state()
    page.click("#rv-submit-ask")  # a locking step asks once
    page.click("#rv-submit")
    page.wait_for_load_state()
    assert "已提交" in page.locator("#rv-state").inner_text()

    # The township approves from its queue's review page.
    _login(page, base, "t1")
    page.goto(f"{base}/monitoring/grids/{grid_tree.t1.code}/approvals/")
    page.click(f"#review-{review.pk} a")
    page.wait_for_url(f"**/monitoring/reviews/{review.pk}/")
    page.click("#rv-approve-ask")
    page.click("#rv-approve")
    page.wait_for_load_state()
    assert "待县级审定" in page.locator("#rv-state").inner_text()

    # The county ticks it in its queue and confirms.
    _login(page, base, "county", device=county_device)
    page.goto(f"{base}/monitoring/grids/{grid_tree.c.code}/confirmations/")
    page.check(f"input[name=ids][value='{review.pk}']")
    page.click("#rv-batch-confirm-ask")
    page.click("#rv-batch-confirm")
    page.wait_for_load_state()
    assert "已审定 1 份" in page.locator(".messages").inner_text()

    # The new case shows on the village's cases page.
    _login(page, base, "v1")
    page.goto(f"{base}/monitoring/grids/{grid_tree.v1.code}/cases/")
    assert page.locator("#cases-open").inner_text() == "1"
    assert "和建华" in page.locator(".cases").inner_text()
    case = MonitoringCase.objects.get(household=household)
    assert str(case.income_12m) == "5200.00" and case.state == "monitoring"
