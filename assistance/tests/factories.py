"""Plans and measures for tests, made through the services (as the superuser)."""

import datetime

from assistance import services
from assistance.models import Measure
from grids.models import Department
from monitoring.tests.factories import make_case, make_household, make_person


def make_plan(tree, grid_key="g1", *, case=None, risk_types=("illness",), **case_extra):
    """An open case on a new household in ``tree.<grid_key>`` with a drawn-up plan."""
    if case is None:
        household = make_household(getattr(tree, grid_key))
        case = make_case(household, risk_types=risk_types, **case_extra)
    return services.plan_create(
        actor=tree.superuser,
        case=case,
        contact_name="和建国",
        contact_phone="13900000000",
        contact_unit="县医保局",
        drawn_up_on=case.identified_on,
    )


def department(code: str) -> Department:
    return Department.objects.get(code=code)


def make_measure(
    tree,
    plan,
    *,
    category="comprehensive_security",
    kind="medical_insurance_subsidy",
    dept="yibao",
    **extra,
) -> Measure:
    return services.measure_add(
        actor=tree.superuser,
        plan=plan,
        category=category,
        kind=kind,
        department=department(dept) if dept else None,
        planned_on=extra.pop("planned_on", datetime.date(2026, 2, 1)),
        **extra,
    )


def implement(tree, measure, on=datetime.date(2026, 3, 1)) -> Measure:
    return services.measure_set_state(
        actor=tree.superuser,
        measure=measure,
        state="implemented",
        on_date=on,
        evidence="发放凭证 2026-03",
    )


def member(household, **fields):
    """A further active member of ``household`` with ``fields`` set (any labour capacity)."""
    labour = fields.pop("labour_capacity", "none")
    person = make_person(household, relation=fields.pop("relation", "child"), **fields)
    person.labour_capacity = labour
    person.save(update_fields=["labour_capacity"])
    return person
