"""The demo county's households: figures, capacity, platform share, protected IDs, purge."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from households.models import Household, Person

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_households_scale_down_proportionally_and_respect_capacity(settings):
    call_command("seed_county", "--scale", "0.1", "--seed", "3", stdout=StringIO())
    households = Household.objects.count()
    assert households == round(39154 * 0.1)
    assert Household.objects.filter(platform_registered=True).count() == round(35972 * 0.1)
    per_grid = Household.objects.values("grid").annotate(n=Count("pk")).values_list("n", flat=True)
    assert max(per_grid) <= settings.GRID_GROUP_HARD_LIMIT
    # every household has exactly one head; members look like households, IDs protected
    assert Person.objects.filter(relation="head").count() == households
    persons = Person.objects.count()
    assert 2.5 * households < persons < 5 * households
    assert Person.objects.values("id_hash").distinct().count() == persons
    assert not Person.objects.exclude(id_masked__regex=r"^533423\*{8}[0-9]{3}[0-9X]$").exists()
    first = list(Person.objects.order_by("id_hash").values_list("id_hash", "name")[:50])

    call_command("seed_county", "--scale", "0.1", "--seed", "3", "--replace", stdout=StringIO())
    assert Household.objects.count() == households  # purged, then seeded again
    assert list(Person.objects.order_by("id_hash").values_list("id_hash", "name")[:50]) == first


def test_bench_registry_prints_json_lines(capsys):
    import json

    call_command("bench", "registry", "--scales", "0.02")
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["name"] for x in lines] == [
        "registry.seed",
        "registry.import_xlsx",
        "registry.list_township_households",
    ]
    assert lines[1]["households"] > 0 and lines[2]["rows"] > 0
    assert Household.objects.count() == 0  # rolled back
