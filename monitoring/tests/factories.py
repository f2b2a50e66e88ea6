"""Factories for monitoring tests: households and persons come from the one family in
``households.tests.factories`` (stored as in production, no query per ID number); cases,
visits and lines are plain rows here."""

import datetime
import itertools

from households.models import Household
from households.tests.factories import HouseholdFactory, PersonFactory, synthetic_id

_seq = itertools.count(1)


def new_id_number() -> str:
    """A valid synthetic ID number not used before in this test run."""
    return synthetic_id()


def make_person(household, *, id_number=None, relation="head", migrant_months=0, **extra):
    """A member of ``household`` (the head by default), able to work unless told otherwise."""
    extra.setdefault("labour_capacity", "ordinary")
    return PersonFactory(
        household=household,
        id_number=id_number or new_id_number(),
        relation=relation,
        migrant_months=migrant_months,
        **extra,
    )


def make_household(grid, *, head_id=None, migrant_months=0, **extra) -> Household:
    """A household in group ``grid`` with a head (optionally with ``head_id`` as ID number)."""
    n = next(_seq)
    household = HouseholdFactory(
        number=extra.pop("number", f"T{grid.pk:04d}{n:06d}"),
        grid=grid,
        head_name=extra.pop("head_name", f"户主{n}"),
        **extra,
    )
    make_person(household, id_number=head_id, migrant_months=migrant_months)
    return household


def make_case(
    household, *, category="marginal", risk_types=("illness",), identified_on=None, **extra
):
    """An open monitoring case on ``household`` (plain row, with its identification event)."""
    from monitoring.models import CaseEvent, MonitoringCase

    identified_on = identified_on or datetime.date(2026, 1, 10)
    case = MonitoringCase.objects.create(
        household=household,
        category=category,
        risk_types=list(risk_types),
        identified_on=identified_on,
        **extra,
    )
    CaseEvent.objects.create(
        case=case, action="identify", to_state=case.state, on_date=identified_on
    )
    return case


def make_visit(household, *, visited_on=None, visitor=None, **checks):
    """A visit row (all six checks secure unless given), without raising clues."""
    from monitoring.models import Visit

    return Visit.objects.create(
        household=household,
        visitor=visitor or _any_user(),
        visited_on=visited_on or datetime.date(2026, 10, 1),
        **checks,
    )


def _any_user():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.order_by("pk").first()
    return user or get_user_model().objects.create_user("visitor", password="x")


def make_line(*, area_code="53", year=2025, yuan=8700):
    """A monitoring line (监测范围): Yunnan's 8,700 yuan for 2025 by default."""
    from monitoring.models import MonitoringLine

    line, _created = MonitoringLine.objects.get_or_create(
        area_code=area_code, year=year, defaults={"yuan": yuan}
    )
    return line
