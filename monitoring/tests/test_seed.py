"""The demo county's monitoring step: figures at scale 1 and invariants."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from monitoring.models import ClueEvidence, RiskClue, SelfApplication, Visit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_gives_846_applications_775_completed_and_clues_from_all_three_channels():
    call_command("seed_county", "--no-demo-logins", stdout=StringIO())
    assert SelfApplication.objects.count() == 846
    assert SelfApplication.objects.filter(status="completed").count() == 775
    assert (
        Visit.objects.filter(mode="in_person").exists()
        and Visit.objects.filter(mode="phone").exists()
    )
    sources = set(ClueEvidence.objects.values_list("source", flat=True))
    assert sources == {"visit", "application", "department"}  # all three channels
    # One open clue per household and risk type (the database also enforces it).
    dupes = (
        RiskClue.objects.filter(state__in=["new", "verifying"])
        .values("household", "risk_type")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not dupes.exists()
    assert RiskClue.objects.filter(state="new").exists()
