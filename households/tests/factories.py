"""factory_boy factories for households and persons (IDs synthetic, stored as in production)."""

import datetime
import random

import factory

from households import idnumbers
from households.idstore import protect_canonical
from households.models import Household, HouseholdType, Person, Relation

_rng = random.Random(3)
_used: set[str] = set()


def synthetic_id(birth=None, sex="male") -> str:
    """A fresh valid ID number (unique within the test run).

    Without ``birth`` the birth date is drawn too: one date and sex allow only 500 numbers,
    fewer than a whole test run creates.
    """
    while True:
        day = birth or datetime.date(1950, 1, 1) + datetime.timedelta(days=_rng.randrange(20000))
        number = idnumbers.generate(_rng, region="533423", birth=day, sex=sex)
        if number not in _used:
            _used.add(number)
            return number


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"HH{n:06d}")
    village_group = factory.LazyAttribute(lambda o: o.grid.village_group)
    household_type = HouseholdType.ORDINARY
    head_name = "和文华"


class PersonFactory(factory.django.DjangoModelFactory):
    """Pass ``id_number`` to choose the number; otherwise a synthetic one is drawn."""

    class Meta:
        model = Person
        exclude = ["id_number"]

    id_number = factory.LazyFunction(synthetic_id)
    name = factory.Sequence(lambda n: f"成员{n}")
    relation = Relation.CHILD
    sex = factory.LazyAttribute(lambda o: idnumbers.sex(o.id_number))
    birth_date = factory.LazyAttribute(lambda o: idnumbers.birth_date(o.id_number))
    id_hash = factory.LazyAttribute(lambda o: protect_canonical(o.id_number).hash)
    id_encrypted = factory.LazyAttribute(lambda o: idnumbers.encrypt(o.id_number))
    id_masked = factory.LazyAttribute(lambda o: idnumbers.mask(o.id_number))


def household_with_members(grid, members=2, **kwargs) -> Household:
    """A household on ``grid`` with a head and ``members - 1`` others."""
    household = HouseholdFactory(grid=grid, **kwargs)
    PersonFactory(household=household, relation=Relation.HEAD, name=household.head_name)
    for _ in range(members - 1):
        PersonFactory(household=household)
    return household
