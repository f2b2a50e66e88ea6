"""``bulkwrite.insert``: COPY on PostgreSQL, bulk_create elsewhere, the same rows either way."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from households import bulkwrite
from households.idstore import protect
from households.models import Household, HouseholdStatus, Person, PersonStatus
from households.tests.factories import synthetic_id

pytestmark = pytest.mark.django_db


def test_rows_keep_awkward_text_get_defaults_and_keys_in_order(grid_tree):
    awkward = "村\t东\\头\n第2排\r"
    pks = bulkwrite.insert(
        Household,
        ["number", "grid_id", "address", "platform_registered_on"],
        [("W1", grid_tree.g1.pk, awkward, None), ("W2", grid_tree.g1.pk, "", None)],
        return_pks=True,
    )
    w1, w2 = Household.objects.get(number="W1"), Household.objects.get(number="W2")
    assert pks == [w1.pk, w2.pk]
    assert w1.address == awkward and w2.address == ""
    assert w1.status == HouseholdStatus.ACTIVE and w1.platform_registered is False  # defaults
    assert w1.created_at is not None and w1.platform_registered_on is None

    stored = protect(synthetic_id())
    bulkwrite.insert(
        Person,
        [
            "household_id",
            "name",
            "relation",
            "sex",
            "birth_date",
            "migrant_months",
            *stored.fields(),
        ],
        [
            (
                w1.pk,
                "和文华",
                "head",
                "male",
                datetime.date(1980, 5, 1),
                6,
                *stored.fields().values(),
            )
        ],
    )
    person = Person.objects.get(household=w1)
    assert person.id_hash == stored.hash and person.migrant_months == 6
    assert person.status == PersonStatus.ACTIVE and person.medical_insurance is True


def test_a_duplicate_key_raises_djangos_integrity_error(grid_tree):
    Household.objects.create(number="D1", grid=grid_tree.g1)
    with pytest.raises(IntegrityError), transaction.atomic():
        bulkwrite.insert(Household, ["number", "grid_id"], [("D1", grid_tree.g1.pk)])
    assert Household.objects.filter(number="D1").count() == 1


def test_insert_objects_writes_unsaved_instances_and_sets_their_keys(grid_tree):
    households = [
        Household(number="O1", grid=grid_tree.g1, address="一号"),
        Household(number="O2", grid=grid_tree.g1, platform_registered=True),
    ]
    bulkwrite.insert_objects(Household, households, return_pks=True)
    saved = {h.number: h for h in Household.objects.filter(number__in=["O1", "O2"])}
    if households[0].pk is not None:  # set on PostgreSQL (and SQLite with RETURNING)
        assert [h.pk for h in households] == [saved["O1"].pk, saved["O2"].pk]
    assert saved["O1"].address == "一号" and saved["O2"].platform_registered is True
    assert saved["O1"].created_at is not None and saved["O1"].status == HouseholdStatus.ACTIVE
