"""A phone in a real browser: a group grid member adds a suggested measure and marks it done."""

import pytest

from assistance.models import Measure, SuggestionRule
from grids.models import Department
from monitoring.tests.factories import make_case, make_household

from .factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_adds_suggestion_in_a_tap_and_marks_it_implemented(grid_tree, live_server, page):
    # A transactional test may run after another one flushed the migration's default rules.
    SuggestionRule.objects.get_or_create(
        county=None,
        risk_type="housing",
        member_condition="",
        kind="house_renovation",
        defaults={
            "category": "housing",
            "department": Department.objects.get(code="zhujian"),
            "note": "C级危房改造",
        },
    )
    household = make_household(grid_tree.g1)
    plan = make_plan(grid_tree, case=make_case(household, risk_types=["housing"]))
    grid_tree.g1_member.set_password("pw-secret-1")
    grid_tree.g1_member.save()

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "g1")
    page.fill("#id_password", "pw-secret-1")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/assistance/households/{household.pk}/plan/")
    assert "因安全住房" in page.locator(".as-warnings").inner_text()

    page.locator(".as-suggestions li", has_text="危房改造").locator("button").click()
    page.wait_for_load_state()
    # The housing risk is answered; the head can work, so development help is still missing.
    warnings = page.locator(".as-warnings").inner_text()
    assert "因安全住房" not in warnings and "开发式帮扶" in warnings
    measure = Measure.objects.get(plan=plan)
    assert measure.kind == "house_renovation" and measure.state == "planned"

    item = page.locator(".as-measure", has_text="危房改造")
    item.locator("input[name=evidence]").fill("改造验收单 2026-03")
    item.locator("button[value=implemented]").click()
    page.wait_for_load_state()
    measure.refresh_from_db()
    assert measure.state == "implemented" and measure.evidence == "改造验收单 2026-03"
    assert "已落实" in page.locator(".as-measure").inner_text()
