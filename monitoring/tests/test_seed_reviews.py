"""The demo county's reviews and cases: 366 open at scale 1, every state, replace is clean."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from monitoring.models import CaseEvent, MonitoringCase, ReviewItem, VillageReview

pytestmark = pytest.mark.django_db


def _figures():
    return {
        "open": MonitoringCase.objects.filter(state="monitoring")
        .values("household")
        .distinct()
        .count(),
        "methods": dict(
            MonitoringCase.objects.filter(state="eliminated")
            .values_list("elimination_method")
            .annotate(n=Count("id"))
        ),
        "states": set(VillageReview.objects.values_list("state", flat=True)),
        "rollbacks": CaseEvent.objects.filter(action="rollback").count(),
        "review_states": dict(VillageReview.objects.values_list("state").annotate(n=Count("id"))),
        # This month's items follow the discovery step's open clues; earlier months do not.
        "decided_items": ReviewItem.objects.filter(
            review__state="confirmed",
            review__month__lt=timezone.localdate().replace(day=1),
            decision__in=["include", "eliminate"],
        ).count(),
    }


def test_small_demo_county_has_reviews_in_every_state_and_replaces_cleanly():
    call_command("seed_county", "--no-demo-logins", "--scale", "0.1", stdout=StringIO())
    first = _figures()
    assert first["open"] == round(366 * 0.1)
    assert set(first["methods"]) == {"assistance", "natural"}
    assert first["states"] == {"draft", "submitted", "returned", "approved", "confirmed"}
    assert first["rollbacks"] >= 1
    # Inclusions in confirmed reviews are the cases they opened.
    assert MonitoringCase.objects.filter(
        opened_by_item__review__state="confirmed", opened_by_item__decision="include"
    ).exists()
    call_command(
        "seed_county", "--no-demo-logins", "--scale", "0.1", "--replace", stdout=StringIO()
    )
    assert _figures() == first


@pytest.mark.slow
def test_demo_county_has_366_households_whose_risk_is_not_eliminated():
    call_command("seed_county", "--no-demo-logins", stdout=StringIO())
    figures = _figures()
    assert figures["open"] == 366
    assert MonitoringCase.objects.filter(state="monitoring").count() == 366
    assert figures["methods"] == {"assistance": 520, "natural": 140}
    assert figures["rollbacks"] == 2
    assert figures["states"] == {"draft", "submitted", "returned", "approved", "confirmed"}


@pytest.mark.slow
def test_reviews_benchmark_prints_json_lines(capsys):
    import json

    call_command("bench", "reviews", "--scales", "0.05")
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    names = {x["name"] for x in lines}
    assert {"reviews.confirm_batch", "reviews.page_busiest_review"} <= names
    assert all(x["status"] == 200 for x in lines if x["name"] == "reviews.page_busiest_review")
    # The throwaway county is rolled back.
    assert not VillageReview.objects.exists()
