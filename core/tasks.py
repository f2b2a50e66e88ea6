"""Celery tasks of ``core``: run a job, sweep the jobs (``core.jobs``)."""

from celery import shared_task
from django.conf import settings

from . import jobs


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=jobs.retryable_errors(),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=settings.JOB_SOFT_TIME_LIMIT,
    time_limit=settings.JOB_SOFT_TIME_LIMIT + 60,
)
def job_run_task(self, job_id: int) -> str:
    """Claim and run one job (a second delivery claims nothing and returns)."""
    return jobs.run(job_id)


@shared_task(
    acks_late=True,
    autoretry_for=jobs.retryable_errors(),
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def job_sweep_task() -> dict:
    """Every few minutes (beat): re-enqueue lost jobs, fail hopeless ones, drop old files."""
    return jobs.sweep()
