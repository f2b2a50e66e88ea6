"""Reads owned by ``accounts``: the lockout state of people, integration clients."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def locked_usernames(usernames) -> set[str]:
    """Which of ``usernames`` are locked out now (one query)."""
    usernames = list(usernames)
    if not usernames:
        return set()
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )
    return set(rows)
