"""Risk elimination rules, the monitoring line, rollback and re-identification."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import Conflict
from monitoring import hooks, services
from monitoring.cases.services import add_months
from monitoring.models import CaseState, MonitoringCase, ReviewState
from monitoring.tests.factories import make_case, make_household, make_line, make_person, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_monitorings_own_rules(monkeypatch):
    """Apps above monitoring register their checks (assistance: the plan's measures); these
    tests are about monitoring's own rules and the hook itself, so they start with none."""
    monkeypatch.setattr(hooks, "_elimination_checks", {})


DAY = datetime.date(2026, 11, 20)
IDENTIFIED = datetime.date(2026, 3, 1)


@pytest.fixture
def eliminable(grid_tree):
    """A monitored household that meets every rule on DAY with 20,000 yuan for two people."""
    make_line(area_code="53", year=2025, yuan=8700)
    household = make_household(grid_tree.g1)
    make_person(household, relation="spouse")
    make_visit(household, visited_on=DAY - datetime.timedelta(days=5))
    return make_case(household, identified_on=IDENTIFIED)


def _refusals(case, method="natural", income="20000", on_date=DAY):
    return services.elimination_refusals(
        case, method, income_12m=Decimal(income) if income is not None else None, on_date=on_date
    )


def test_a_household_meeting_every_rule_may_be_eliminated_both_ways(eliminable):
    assert _refusals(eliminable, "natural") == []
    assert _refusals(eliminable, "assistance") == []


def test_income_per_person_must_be_above_the_line(eliminable):
    # 17,400 / 2 = 8,700: not above the line.
    reasons = _refusals(eliminable, income="17400")
    assert len(reasons) == 1 and "8700" in reasons[0] and "未高于" in reasons[0]
    assert _refusals(eliminable, income="17402") == []


def test_members_who_left_do_not_count_for_income_per_person(eliminable):
    from households.models import Person

    spouse = Person.objects.get(household=eliminable.household, relation="spouse")
    spouse.status, spouse.left_reason = "left", "moved_out"
    spouse.save()
    assert _refusals(eliminable, income="9000") == []  # 9,000 / 1 person


def test_six_months_since_identification_setting(eliminable, settings):
    early = add_months(IDENTIFIED, 6) - datetime.timedelta(days=1)
    make_visit(eliminable.household, visited_on=early - datetime.timedelta(days=10))
    reasons = _refusals(eliminable, on_date=early)
    assert any("未满 6 个月" in r for r in reasons)
    assert _refusals(eliminable, on_date=add_months(IDENTIFIED, 6)) == []
    settings.ELIMINATION_MIN_MONTHS = 12
    assert any("未满 12 个月" in r for r in _refusals(eliminable))


def test_no_labour_capacity_keeps_the_household_monitored(eliminable):
    eliminable.household.members.update(labour_capacity="lost")
    reasons = _refusals(eliminable)
    assert reasons == ["该户无劳动能力成员，不标注风险消除，继续监测帮扶。"]
    eliminable.household.members.filter(relation="spouse").update(labour_capacity="weak")
    assert _refusals(eliminable) == []


@pytest.mark.parametrize("check", ["food", "clothing", "education", "medical", "housing", "water"])
def test_last_visit_must_find_every_check_secure(eliminable, check):
    make_visit(
        eliminable.household, visited_on=DAY - datetime.timedelta(days=1), **{check: "at_risk"}
    )
    reasons = _refusals(eliminable)
    assert len(reasons) == 1 and "未保障" in reasons[0]


def test_an_earlier_at_risk_visit_does_not_count_after_a_secure_one(eliminable):
    make_visit(
        eliminable.household, visited_on=DAY - datetime.timedelta(days=40), housing="at_risk"
    )
    assert _refusals(eliminable) == []


def test_without_any_visit_elimination_is_refused(grid_tree):
    make_line()
    case = make_case(make_household(grid_tree.g1), identified_on=IDENTIFIED)
    assert any("没有走访记录" in r for r in _refusals(case))


def test_an_open_clue_is_new_risk(eliminable, grid_tree):
    services.clue_raise(
        actor=grid_tree.superuser,
        household=eliminable.household,
        risk_type="housing",
        source="department",
    )
    assert any("未处理的风险线索" in r for r in _refusals(eliminable))


def test_the_registered_hook_can_refuse_assistance_only(eliminable):
    def plan_check(case, method):
        return ["帮扶计划的措施尚未全部落实。"] if method == "assistance" else []

    hooks.register_elimination_check("test-plan", plan_check)
    try:
        assert _refusals(eliminable, "assistance") == ["帮扶计划的措施尚未全部落实。"]
        assert _refusals(eliminable, "natural") == []
    finally:
        hooks._elimination_checks.pop("test-plan")


def test_no_configured_line_is_a_clear_refusal(grid_tree):
    household = make_household(grid_tree.g1)
    make_visit(household, visited_on=DAY)
    case = make_case(household, identified_on=IDENTIFIED)
    reasons = _refusals(case)
    assert len(reasons) == 1 and "未配置" in reasons[0] and "监测范围" in reasons[0]


def test_line_is_the_most_specific_area_and_latest_year_not_after(grid_tree):
    make_line(area_code="53", year=2024, yuan=8700)
    make_line(area_code="53", year=2025, yuan=8700)
    make_line(area_code="53", year=2027, yuan=9500)
    assert services.monitoring_line(code="5334231000010101", year=2026).year == 2025
    assert services.monitoring_line(code="5334231000010101", year=2023) is None
    make_line(area_code="533423", year=2024, yuan=9000)
    line = services.monitoring_line(code="5334231000010101", year=2026)
    assert (line.area_code, line.yuan) == ("533423", Decimal("9000"))
    assert services.monitoring_line(code="4401", year=2026) is None


def _eliminate_through_review(tree, case, income="20000"):
    review = services.review_create(actor=tree.v1_leader, village=tree.v1, month=DAY)
    item = review.items.get(household=case.household)
    services.review_item_set(
        actor=tree.v1_leader,
        item=item,
        decision="eliminate",
        method="assistance",
        income_12m=income,
        evidence="产业帮扶见效，务工收入稳定",
    )
    services.review_update(
        actor=tree.v1_leader,
        review=review,
        meeting_on=DAY,
        attendance="村两委",
        minutes="研判",
        notice_start=DAY,
        notice_end=DAY + datetime.timedelta(days=6),
    )
    services.review_submit(actor=tree.v1_leader, review=review)
    services.review_approve(actor=tree.t1_leader, review=review)
    return review


def test_proposal_refused_with_its_reasons_and_nothing_saved(grid_tree, eliminable):
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=DAY)
    item = review.items.get()
    with pytest.raises(ValidationError) as exc:
        services.review_item_set(
            actor=grid_tree.v1_leader,
            item=item,
            decision="eliminate",
            method="natural",
            income_12m="1000",
            evidence="x",
        )
    assert any("未高于" in m for m in exc.value.messages)
    item.refresh_from_db()
    assert item.decision == "keep" and item.income_12m is None


def test_rules_are_checked_again_at_confirmation(grid_tree, eliminable, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: DAY)
    review = _eliminate_through_review(grid_tree, eliminable)
    # After approval a visit finds the house unsafe: the county's confirmation is refused.
    make_visit(eliminable.household, visited_on=DAY, housing="at_risk")
    with pytest.raises(ValidationError) as exc:
        services.review_confirm(actor=grid_tree.county, review=review, on_date=DAY)
    assert eliminable.household.number in exc.value.messages[0]
    eliminable.refresh_from_db()
    review.refresh_from_db()
    assert eliminable.state == CaseState.MONITORING and review.state == ReviewState.APPROVED


def test_rollback_and_reidentification(grid_tree, eliminable, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: DAY)
    review = _eliminate_through_review(grid_tree, eliminable)
    services.review_confirm(actor=grid_tree.county, review=review, on_date=DAY)
    eliminable.refresh_from_db()
    assert (eliminable.state, eliminable.elimination_method) == ("eliminated", "assistance")

    with pytest.raises(PermissionDenied):
        services.case_rollback(actor=grid_tree.t1_leader, case=eliminable, reason="误判")
    with pytest.raises(ValidationError):
        services.case_rollback(actor=grid_tree.county, case=eliminable, reason="")
    services.case_rollback(actor=grid_tree.county, case=eliminable, reason="收入核实有误")
    eliminable.refresh_from_db()
    assert eliminable.state == "monitoring" and eliminable.eliminated_on is None
    assert list(eliminable.events.values_list("action", flat=True)) == [
        "identify",
        "eliminate",
        "rollback",
    ]
    with pytest.raises(Conflict):
        services.case_rollback(actor=grid_tree.county, case=eliminable, reason="再次")


def test_household_with_new_risk_after_elimination_is_identified_again(grid_tree, eliminable):
    eliminable.state, eliminable.eliminated_on, eliminable.elimination_method = (
        "eliminated",
        DAY,
        "natural",
    )
    eliminable.save()
    services.clue_raise(
        actor=grid_tree.superuser,
        household=eliminable.household,
        risk_type="accident",
        source="visit",
    )
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=DAY)
    services.review_item_set(
        actor=grid_tree.v1_leader,
        item=review.items.get(),
        decision="include",
        category="sudden",
        risk_types=["accident"],
        income_12m="5000",
        spending_12m="40000",
    )
    services.review_update(
        actor=grid_tree.v1_leader,
        review=review,
        meeting_on=DAY,
        attendance="村两委",
        minutes="研判",
        notice_start=DAY,
        notice_end=DAY + datetime.timedelta(days=4),
    )
    services.review_submit(actor=grid_tree.v1_leader, review=review)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    services.review_confirm(actor=grid_tree.county, review=review)
    cases = MonitoringCase.objects.filter(household=eliminable.household).order_by("pk")
    assert [c.state for c in cases] == ["eliminated", "monitoring"]
    assert cases[1].category == "sudden"
    # The old elimination can no longer be rolled back: the household has a newer case.
    with pytest.raises(ValidationError):
        services.case_rollback(actor=grid_tree.county, case=cases[0], reason="回退")
