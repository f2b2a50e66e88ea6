"""Celery tasks of the comparison: a run per month, split by township as a Celery group
when it is large (``running.part_groups``); a small run is one part, done in the run's task.

The group's members report completion on the run row (``parts_done``), and the member that
finishes the last part writes the summary — a chord without a result backend (this project runs
Celery without one) and without a chord counter that a lost worker could leave behind. Every
task takes ids, re-reads under ``select_for_update`` and returns early when its work is done,
so ``acks_late`` redelivery and ``run_resume`` are safe.
"""

import logging

from celery import group, shared_task
from django.conf import settings

from core.jobs import retryable_errors

from . import running, services

# Lost database or broker connections are retried with backoff (the run is not failed for
# them); any other error fails the run with its message. What retries cannot save, the
# sweeper (``running.sweep_stalled``) resumes.
_RETRY = {
    "autoretry_for": retryable_errors(),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.JOB_SOFT_TIME_LIMIT,
    "time_limit": settings.JOB_SOFT_TIME_LIMIT + 60,
}

logger = logging.getLogger(__name__)


@shared_task(**_RETRY)
def comparison_run_task(run_id: int) -> int:
    """Stage the month (match and rules, one statement), then process the townships not yet
    done (all of them on a fresh run) in parts (``running.part_groups``): a run of one part is
    processed here, in this task; a larger one is queued as a group of
    ``comparison_part_task``. Returns the number of parts."""
    try:
        run = running.run_stage(run_id)
        if run is None:
            return 0
        groups = running.part_groups(run_id)
        if len(groups) <= 1:
            # A small county: no queue hop, no per-township transactions.
            for township_ids in groups:
                running.part_process(run_id, township_ids)
            running.run_finish(run_id)
            return len(groups)
    except retryable_errors():
        raise
    except Exception as exc:
        running.run_fail(run_id, repr(exc))
        raise
    group(comparison_part_task.si(run_id, township_ids) for township_ids in groups).apply_async()
    return len(groups)


@shared_task(**_RETRY)
def comparison_part_task(run_id: int, township_ids: int | list[int]) -> None:
    """One part's clues (one township id or a list; those already done are skipped); the
    last part writes the summary."""
    try:
        running.part_process(run_id, township_ids)
        running.run_finish(run_id)
    except retryable_errors():
        raise
    except Exception as exc:
        running.run_fail(run_id, repr(exc))
        raise


@shared_task(acks_late=True)
def comparison_monthly_task(month: str | None = None) -> int:
    """The schedule's entry (django-celery-beat): compare last month (or ``month``,
    ``YYYY-MM``) in every county that has not compared it yet. Returns runs started."""
    return services.run_start_due(month)
