"""The demo county's roll-up is the article's table (the figures come out of the data)."""

import io
import json

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_county_stats_match_the_article():
    call_command("seed_county", "--no-demo-logins", stdout=io.StringIO())
    out = io.StringIO()
    call_command("county_stats", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["grids"] == {"county": 1, "township": 10, "village": 80, "group": 4286}
    assert data["grid_members"]["township"] == 220
    assert data["grid_members"]["village"] == 425
    assert data["grid_members"]["group"] == 4286
    assert data["households"] == 39154
    assert (data["platform_registered"], data["platform_registration_rate"]) == (35972, 91.87)
    assert (data["applications"], data["applications_completed"]) == (846, 775)
    assert data["application_completion_rate"] == 91.61
    assert data["group_grids_over_20"] == 0
    # Monitored households and their measures (measures of households whose risk is open).
    assert data["cases_unresolved"] == 366
    assert (data["measures_planned"], data["measures_implemented"]) == (1510, 1053)
    by_category = data["measures_implemented_by_category"]
    assert (by_category["industry"], by_category["employment"]) == (71, 63)
    assert by_category["comprehensive_security"] == 919
    assert sum(by_category.values()) == 1053
    assert data["cases_eliminated_by_method"]["assistance"] > 0
    assert data["cases_eliminated_by_method"]["natural"] > 0
    assert data["clues_by_source"]["department"] > 0
