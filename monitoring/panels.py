"""The household page's monitoring section (``households.panels``): the case with its
category and risk types, open clues with their deadline, the last visits and their checks,
the applications — each a link. Four queries, whatever the household's history."""

from django.utils import timezone

from households.photos import mark_deletable
from households.selectors import photos_by_subject
from monitoring.cases.models import MonitoringCase
from monitoring.choices import risk_type_labels
from monitoring.discovery.models.applications import SelfApplication
from monitoring.discovery.models.clues import OPEN_STATES, RiskClue
from monitoring.discovery.models.visits import Visit

VISITS_SHOWN = 5


def household_monitoring(user, household):
    case = (
        MonitoringCase.objects.filter(household=household).order_by("-identified_on", "-id").first()
    )
    today = timezone.localdate()
    clues = list(
        RiskClue.objects.filter(household=household, state__in=OPEN_STATES).order_by("decide_by")
    )
    for clue in clues:
        clue.is_overdue = clue.decide_by < today
    visits = list(
        Visit.objects.filter(household=household)
        .select_related("visitor")
        .order_by("-visited_on", "-id")[:VISITS_SHOWN]
    )
    photos = photos_by_subject(user=user, subjects=[f"visit:{v.pk}" for v in visits])
    for visit in visits:
        visit.photo_list = mark_deletable(user, photos.get(f"visit:{visit.pk}", []))
    applications = list(
        SelfApplication.objects.filter(household=household).order_by("-received_at")[:5]
    )
    return (
        "monitoring/_household_panel.html",
        {
            "case": case,
            "case_risks": "、".join(risk_type_labels(case.risk_types)) if case else "",
            "clues": clues,
            "visits": visits,
            "applications": applications,
        },
    )
