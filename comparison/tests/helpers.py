"""Shared set-up for comparison tests: a catalogue, households with known ID numbers, batches."""

import datetime

from django.utils import timezone

from comparison import services
from comparison.catalogue import ensure_catalogue
from grids.models import Department
from monitoring.tests.factories import make_household, make_person, new_id_number


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def household_with_id(grid, **extra):
    """A household in ``grid`` whose head has a fresh ID number; returns (household, number)."""
    number = new_id_number()
    return make_household(grid, head_id=number, **extra), number


def member_id(household, **extra) -> str:
    number = new_id_number()
    make_person(household, id_number=number, relation="child", **extra)
    return number


def dept(code) -> Department:
    return Department.objects.get(code=code)


def send(actor, county, code, records, *, batch_id="B1", month=None):
    """Send a one-part batch for department ``code`` (catalogue ensured)."""
    ensure_catalogue(county)
    batch, _ = services.batch_submit(
        actor=actor,
        county=county,
        department=dept(code),
        month=month or last_month(),
        batch_id=batch_id,
        records=records,
    )
    return batch
