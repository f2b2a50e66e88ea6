"""缺什么补什么: suggestions, the warnings where a plan does not answer its risks, the overdue
rule and the risk-elimination check registered in monitoring's hook."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance import selectors, services
from assistance.models import MeasureKind, SuggestionRule
from assistance.rules import suggest_measures, warnings_for
from monitoring.hooks import elimination_refusals
from monitoring.tests.factories import make_case, make_household, make_person

from .factories import implement, make_measure, make_plan, member

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def _codes(plan):
    plan = selectors.plan_list(user=plan.case.household.grid and _root()).get(pk=plan.pk)
    return {w.code for w in selectors.plan_warnings(plan)}


def _root():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="root")


def _weak_household(tree, grid_key="g1"):
    """A household whose only member cannot work."""
    household = make_household(getattr(tree, grid_key))
    household.members.update(labour_capacity="lost")
    return household


# -- suggestions ----------------------------------------------------------------------------


def test_member_without_medical_insurance_suggests_insurance_subsidy_from_yibao(grid_tree):
    household = _weak_household(grid_tree)
    make_person(household, relation="spouse", name="余秀英", medical_insurance=False)
    case = make_case(household, risk_types=["accident"])

    suggestions = {s.kind: s for s in suggest_measures(case, today=TODAY)}

    s = suggestions[MeasureKind.MEDICAL_INSURANCE_SUBSIDY]
    assert s.category == "comprehensive_security" and s.department_name == "医保"
    assert "余秀英" in s.because
    assert MeasureKind.TEMPORARY_RELIEF in suggestions  # 因意外事故
    assert MeasureKind.HOUSE_RENOVATION not in suggestions


def test_dibao_tekun_and_school_age_members_drive_suggestions(grid_tree):
    household = _weak_household(grid_tree)
    member(household, relation="parent", social_assistance="tekun")
    member(household, relation="spouse", social_assistance="dibao")
    child = member(household, schooling="primary")
    case = make_case(household, risk_types=["schooling"])

    kinds = {s.kind for s in suggest_measures(case, today=TODAY)}

    assert {"dibao", "tekun", "education_grant"} <= kinds
    assert "yulu_plan" not in kinds  # no senior-school or college student
    child.schooling = "vocational"
    child.save()
    assert "yulu_plan" in {s.kind for s in suggest_measures(case, today=TODAY)}


def test_schooling_rule_needs_the_risk_type_too(grid_tree):
    household = _weak_household(grid_tree)
    member(household, schooling="junior")
    case = make_case(household, risk_types=["illness"])
    assert "education_grant" not in {s.kind for s in suggest_measures(case, today=TODAY)}


def test_kind_already_in_the_plan_is_not_suggested_again(grid_tree):
    plan = make_plan(grid_tree, risk_types=["housing"])
    assert "house_renovation" in {s.kind for s in suggest_measures(plan.case, today=TODAY)}
    make_measure(grid_tree, plan, category="housing", kind="house_renovation", dept="zhujian")
    plan.case.refresh_from_db()
    assert "house_renovation" not in {s.kind for s in suggest_measures(plan.case, today=TODAY)}


def test_county_rule_replaces_or_switches_off_a_default(grid_tree):
    case = make_case(_weak_household(grid_tree), risk_types=["housing"])
    default = SuggestionRule.objects.get(county=None, risk_type="housing", kind="house_renovation")
    services.rule_save(
        actor=grid_tree.county,
        rule=SuggestionRule(
            county=grid_tree.c,
            risk_type="housing",
            member_condition="",
            category=default.category,
            kind=default.kind,
            active=False,
        ),
    )
    assert "house_renovation" not in {s.kind for s in suggest_measures(case, today=TODAY)}


def test_county_staff_may_not_change_defaults_nor_another_county(grid_tree):
    default = SuggestionRule.objects.get(county=None, risk_type="housing", kind="house_renovation")
    with pytest.raises(PermissionDenied):
        services.rule_save(actor=grid_tree.county, rule=default, active=False)
    with pytest.raises(PermissionDenied):
        services.rule_save(
            actor=grid_tree.v1_leader,
            rule=SuggestionRule(
                county=grid_tree.c, risk_type="other", category="social", kind="other"
            ),
        )
    assert SuggestionRule.objects.get(pk=default.pk).active
    assert not SuggestionRule.objects.filter(county__isnull=False).exists()


def test_suggested_measure_added_in_one_step_with_the_rule_department(grid_tree):
    plan = make_plan(grid_tree, risk_types=["drinking_water"])
    rule = SuggestionRule.objects.get(county=None, risk_type="drinking_water")
    measure = services.measure_add_suggested(actor=grid_tree.g1_member, plan=plan, rule_id=rule.pk)
    with pytest.raises(ValidationError):  # now held: not suggested again
        services.measure_add_suggested(actor=grid_tree.g1_member, plan=plan, rule_id=rule.pk)
    housing = SuggestionRule.objects.get(county=None, risk_type="housing")
    with pytest.raises(ValidationError):  # does not apply to this case
        services.measure_add_suggested(actor=grid_tree.g1_member, plan=plan, rule_id=housing.pk)
    assert (measure.category, measure.kind, measure.department.code) == (
        "water",
        "water_supply",
        "shuili",
    )


# -- warnings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "risk, code, answer",
    [
        ("illness", "risk_illness", ("health", "medical_assistance", "yibao")),
        ("housing", "risk_housing", ("relocation", "relocation", "zhujian")),
        ("drinking_water", "risk_drinking_water", ("water", "water_supply", "shuili")),
        ("schooling", "risk_schooling", ("other_education", "yulu_plan", "jiaoyu")),
    ],
)
def test_risk_without_its_kind_of_measure_warns_until_answered(grid_tree, risk, code, answer):
    household = _weak_household(grid_tree)
    plan = make_plan(grid_tree, case=make_case(household, risk_types=[risk]))
    make_measure(grid_tree, plan, category="infrastructure", kind="other", dept=None)
    assert code in _codes(plan)

    category, kind, dept = answer
    make_measure(grid_tree, plan, category=category, kind=kind, dept=dept)
    assert code not in _codes(plan)


def test_illness_answered_by_a_social_security_measure(grid_tree):
    plan = make_plan(grid_tree, case=make_case(_weak_household(grid_tree), risk_types=["illness"]))
    make_measure(grid_tree, plan, category="comprehensive_security", kind="dibao", dept="minzheng")
    assert "risk_illness" not in _codes(plan)


def test_cancelled_measure_does_not_answer_a_risk(grid_tree):
    plan = make_plan(grid_tree, case=make_case(_weak_household(grid_tree), risk_types=["housing"]))
    measure = make_measure(
        grid_tree, plan, category="housing", kind="house_renovation", dept="zhujian"
    )
    assert "risk_housing" not in _codes(plan)
    services.measure_set_state(
        actor=grid_tree.superuser, measure=measure, state="cancelled", reason="已搬迁"
    )
    assert "risk_housing" in _codes(plan)


def test_household_able_to_work_with_only_security_measures_warns(grid_tree):
    plan = make_plan(grid_tree, risk_types=["lack_of_labour"])  # head: ordinary labour
    make_measure(grid_tree, plan, kind="dibao", dept="minzheng")
    make_measure(grid_tree, plan, kind="pension_subsidy", dept="renshe")
    assert "no_development" in _codes(plan)

    make_measure(grid_tree, plan, category="welfare_job", kind="welfare_job", dept="renshe")
    assert "no_development" not in _codes(plan)


def test_household_unable_to_work_needs_no_development_measure(grid_tree):
    plan = make_plan(grid_tree, case=make_case(_weak_household(grid_tree), risk_types=["other"]))
    make_measure(grid_tree, plan, kind="dibao", dept="minzheng")
    assert _codes(plan) == set()


def test_ledger_warnings_for_many_cases_match_the_plan_page(grid_tree, django_assert_num_queries):
    water = make_plan(grid_tree, risk_types=["drinking_water"])
    make_measure(grid_tree, water, category="water", kind="water_supply", dept="shuili")
    housing = make_plan(grid_tree, "g3", risk_types=["housing"])
    make_case(make_household(grid_tree.g4), risk_types=["schooling"])  # no plan yet

    # the scope (assignments), the cases with their counts, their measures
    with django_assert_num_queries(3):
        cases = list(selectors.case_plan_list(user=grid_tree.county, node=grid_tree.c))
        found = selectors.case_warnings(cases)

    codes = {c.household.grid.code: {w.code for w in found[c.pk]} for c in cases}
    assert codes[grid_tree.g1.code] == {"no_development"}  # water answered; head can work
    assert codes[grid_tree.g3.code] == {"risk_housing"}
    assert codes[grid_tree.g4.code] == {"risk_schooling"}
    assert warnings_for(["housing"], [], able_to_work=True)[0].code == "risk_housing"
    assert housing.pk


# -- overdue ----------------------------------------------------------------------------------


def test_case_without_a_measure_a_month_after_identification_is_overdue(grid_tree):
    identified = datetime.date(2026, 5, 1)
    late = make_case(make_household(grid_tree.g1), identified_on=identified)
    plan_without = make_plan(grid_tree, "g2", identified_on=identified)
    answered = make_plan(grid_tree, "g1", identified_on=identified)
    make_measure(grid_tree, answered)
    given_up = make_plan(grid_tree, "g1", identified_on=identified)
    services.measure_set_state(
        actor=grid_tree.superuser,
        measure=make_measure(grid_tree, given_up),
        state="cancelled",
        reason="重复",
    )
    recent = make_case(make_household(grid_tree.g2), identified_on=datetime.date(2026, 5, 20))

    def overdue(today):
        return set(
            selectors.overdue_cases(
                user=grid_tree.v1_leader, node=grid_tree.v1, today=today
            ).values_list("pk", flat=True)
        )

    assert overdue(datetime.date(2026, 5, 31)) == set()  # 30 days: not yet
    assert overdue(datetime.date(2026, 6, 1)) == {late.pk, plan_without.case_id, given_up.case_id}
    assert recent.pk in overdue(datetime.date(2026, 6, 20))
    assert answered.case_id not in overdue(datetime.date(2026, 12, 1))


def test_overdue_days_are_a_setting(grid_tree, settings):
    case = make_case(make_household(grid_tree.g1), identified_on=datetime.date(2026, 5, 1))
    settings.ASSISTANCE_MEASURE_DAYS = 10
    assert (
        selectors.overdue_cases(
            user=grid_tree.county, node=grid_tree.c, today=datetime.date(2026, 5, 12)
        )
        .filter(pk=case.pk)
        .exists()
    )


def test_eliminated_case_is_never_overdue(grid_tree):
    case = make_case(
        make_household(grid_tree.g1),
        identified_on=datetime.date(2025, 1, 1),
        state="eliminated",
        eliminated_on=datetime.date(2025, 12, 1),
        elimination_method="natural",
    )
    assert (
        not selectors.overdue_cases(user=grid_tree.county, node=grid_tree.c, today=TODAY)
        .filter(pk=case.pk)
        .exists()
    )


# -- risk elimination by assistance -----------------------------------------------------------


def test_elimination_by_assistance_refused_without_plan_or_measures(grid_tree):
    case = make_case(make_household(grid_tree.g1))
    assert "尚未制定帮扶计划" in elimination_refusals(case, "assistance")[0]
    plan = make_plan(grid_tree, case=case)
    assert "没有帮扶措施" in elimination_refusals(plan.case, "assistance")[0]
    assert elimination_refusals(case, "natural") == []


def test_elimination_by_assistance_needs_all_measures_implemented(grid_tree):
    plan = make_plan(grid_tree, case=make_case(_weak_household(grid_tree)))
    done = implement(grid_tree, make_measure(grid_tree, plan))
    pending = make_measure(grid_tree, plan, category="health", kind="medical_assistance")
    reasons = elimination_refusals(plan.case, "assistance")
    assert len(reasons) == 1 and "医疗救助" in reasons[0]

    services.measure_set_state(
        actor=grid_tree.superuser, measure=pending, state="cancelled", reason="已由大病保险覆盖"
    )
    assert elimination_refusals(plan.case, "assistance") == []
    assert done.state == "implemented"


def test_elimination_by_assistance_needs_development_help_when_able_to_work(grid_tree):
    plan = make_plan(grid_tree)  # head: ordinary labour
    implement(grid_tree, make_measure(grid_tree, plan))
    reasons = elimination_refusals(plan.case, "assistance")
    assert any("开发式帮扶" in r for r in reasons)

    implement(
        grid_tree,
        make_measure(grid_tree, plan, category="industry", kind="industry_subsidy", dept=None),
    )
    assert elimination_refusals(plan.case, "assistance") == []
