"""Plans and measures: who keeps them, state transitions, database rules, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from assistance import services
from assistance.models import AssistancePlan, Measure
from core.exceptions import Conflict
from core.models import AuditLog
from monitoring.tests.factories import make_case, make_household

from .factories import department, implement, make_measure, make_plan

pytestmark = pytest.mark.django_db


def test_group_member_draws_up_plan_for_own_household_and_it_is_audited(grid_tree):
    case = make_case(make_household(grid_tree.g1))

    plan = services.plan_create(
        actor=grid_tree.g1_member,
        case=case,
        contact_name="李文华",
        contact_phone="13800000001",
        contact_unit="塔城镇人民政府",
    )

    assert AssistancePlan.objects.get(case=case) == plan
    log = AuditLog.objects.get(action="plan.create")
    assert log.object_id == str(plan.pk) and log.tree_id == grid_tree.c.tree_id
    assert log.after["contact_name"] == "李文华"


def test_plan_create_refused_outside_the_grid_and_nothing_written(grid_tree):
    case = make_case(make_household(grid_tree.g3))  # V2: not the G1 member's
    for actor in (grid_tree.g1_member, grid_tree.dept):
        with pytest.raises(PermissionDenied):
            services.plan_create(actor=actor, case=case, contact_name="x", contact_phone="1")
    assert not AssistancePlan.objects.exists()


def test_second_plan_for_a_case_is_a_conflict(grid_tree):
    plan = make_plan(grid_tree)
    with pytest.raises(Conflict):
        make_plan(grid_tree, case=plan.case)
    assert AssistancePlan.objects.count() == 1


def test_plan_needs_contact_name_and_phone(grid_tree):
    case = make_case(make_household(grid_tree.g1))
    with pytest.raises(ValidationError) as exc:
        services.plan_create(
            actor=grid_tree.v1_leader, case=case, contact_name=" ", contact_phone="1"
        )
    assert "contact_name" in exc.value.error_dict


def test_no_measure_added_once_the_risk_is_eliminated(grid_tree):
    plan = make_plan(grid_tree)
    case = plan.case
    case.state, case.eliminated_on, case.elimination_method = (
        "eliminated",
        case.identified_on,
        "natural",
    )
    case.save()
    with pytest.raises(ValidationError):
        make_measure(grid_tree, plan)
    assert not Measure.objects.exists()


def test_measure_walks_planned_in_progress_implemented_with_audit(grid_tree):
    measure = make_measure(grid_tree, make_plan(grid_tree))
    services.measure_set_state(actor=grid_tree.g1_member, measure=measure, state="in_progress")
    services.measure_set_state(
        actor=grid_tree.g1_member,
        measure=measure,
        state="implemented",
        on_date=datetime.date(2026, 3, 2),
        evidence="医保参保缴费凭证",
    )
    measure.refresh_from_db()
    assert measure.state == "implemented" and measure.implemented_on == datetime.date(2026, 3, 2)
    assert measure.evidence == "医保参保缴费凭证"
    assert list(
        AuditLog.objects.filter(object_id=str(measure.pk), object_type="assistance.measure")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["measure.add", "measure.in_progress", "measure.implemented"]


def test_implemented_needs_date_and_evidence(grid_tree):
    measure = make_measure(grid_tree, make_plan(grid_tree))
    with pytest.raises(ValidationError) as exc:
        services.measure_set_state(
            actor=grid_tree.v1_leader, measure=measure, state="implemented", on_date="2026-03-01"
        )
    assert "evidence" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.measure_set_state(
            actor=grid_tree.v1_leader, measure=measure, state="implemented", evidence="凭证"
        )
    assert "implemented_on" in exc.value.error_dict
    measure.refresh_from_db()
    assert measure.state == "planned"


def test_not_implemented_and_cancelled_need_a_reason(grid_tree):
    measure = make_measure(grid_tree, make_plan(grid_tree))
    for state in ("not_implemented", "cancelled"):
        with pytest.raises(ValidationError) as exc:
            services.measure_set_state(actor=grid_tree.v1_leader, measure=measure, state=state)
        assert "reason" in exc.value.error_dict
    services.measure_set_state(
        actor=grid_tree.v1_leader, measure=measure, state="cancelled", reason="已纳入低保，不再重复"
    )
    measure.refresh_from_db()
    assert measure.state == "cancelled" and measure.reason == "已纳入低保，不再重复"


def test_final_states_do_not_move_again(grid_tree):
    measure = implement(grid_tree, make_measure(grid_tree, make_plan(grid_tree)))
    with pytest.raises(ValidationError):
        services.measure_set_state(
            actor=grid_tree.v1_leader, measure=measure, state="cancelled", reason="x"
        )
    with pytest.raises(ValidationError):
        services.measure_update(actor=grid_tree.v1_leader, measure=measure, description="改")
    measure.refresh_from_db()
    assert measure.state == "implemented"


def test_department_moves_state_of_its_own_measure_only(grid_tree):
    plan = make_plan(grid_tree)
    own = make_measure(grid_tree, plan, dept="yibao")
    other = make_measure(grid_tree, plan, kind="dibao", dept="minzheng")

    services.measure_set_state(
        actor=grid_tree.dept,
        measure=own,
        state="implemented",
        on_date=datetime.date(2026, 3, 1),
        evidence="参保资助名单",
    )
    with pytest.raises(PermissionDenied):
        services.measure_set_state(actor=grid_tree.dept, measure=other, state="in_progress")

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.state == "implemented" and other.state == "planned"


def test_a_department_of_another_county_may_not_move_this_countys_measure(grid_tree):
    from grids import services as grid_services
    from grids.models import Level, Role

    other_county = grid_services.grid_create(
        actor=grid_tree.superuser, code="533401", name="另一县", level=Level.COUNTY
    )
    outsider = type(grid_tree.dept).objects.create(username="yibao-b")
    grid_services.assignment_create(
        actor=grid_tree.superuser,
        user=outsider,
        grid=other_county,
        role=Role.MEMBER,
        department=department("yibao"),
    )
    measure = make_measure(grid_tree, make_plan(grid_tree), dept="yibao")
    with pytest.raises(PermissionDenied):
        services.measure_set_state(actor=outsider, measure=measure, state="in_progress")
    measure.refresh_from_db()
    assert measure.state == "planned"


def test_department_may_not_cancel_add_or_edit(grid_tree):
    plan = make_plan(grid_tree)
    own = make_measure(grid_tree, plan, dept="yibao")
    with pytest.raises(PermissionDenied):
        services.measure_set_state(actor=grid_tree.dept, measure=own, state="cancelled", reason="x")
    with pytest.raises(PermissionDenied):
        services.measure_update(actor=grid_tree.dept, measure=own, amount=100)
    with pytest.raises(PermissionDenied):
        services.measure_add(
            actor=grid_tree.dept, plan=plan, category="health", kind="medical_assistance"
        )
    own.refresh_from_db()
    assert own.state == "planned" and own.amount is None and plan.measures.count() == 1


def test_keeper_edits_an_open_measure(grid_tree):
    measure = make_measure(grid_tree, make_plan(grid_tree))
    services.measure_update(
        actor=grid_tree.g1_member,
        measure=measure,
        amount="380.00",
        department=department("minzheng"),
        description="资助参保",
    )
    measure.refresh_from_db()
    assert str(measure.amount) == "380.00" and measure.department.code == "minzheng"
    with pytest.raises(ValidationError):
        services.measure_update(actor=grid_tree.g1_member, measure=measure, amount="-1")
    with pytest.raises(ValidationError):
        services.measure_update(actor=grid_tree.g1_member, measure=measure, state="implemented")


def test_database_refuses_implemented_without_date_and_cancelled_without_reason(grid_tree):
    measure = make_measure(grid_tree, make_plan(grid_tree))
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(state="implemented")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(state="cancelled")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(reason="有原因但仍在计划中")
    assert Measure.objects.get(pk=measure.pk).state == "planned"
