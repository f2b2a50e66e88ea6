"""Long work as jobs: one row per job, a Celery task that runs it, a sweeper that saves it.

An app registers a kind with ``register(kind, handler, label=…)``. ``job_start`` writes the row
(and the uploaded file) and enqueues ``core.tasks.job_run_task`` after commit; the page and the
API answer at once with the job. Without a broker (the embedded default) the task runs
in-process, so nothing else is needed there.

Running (``run``):

1. **claim**: one ``UPDATE … WHERE state = pending OR (running AND lease ran out)`` sets
   ``running``, a lease of ``JOB_LEASE_SECONDS`` and ``attempts + 1``. A second delivery of
   the same message, or a second worker, claims nothing and stops: a job runs once at a time.
2. the **handler** ``handler(ctx)`` does the work. ``ctx.progress(percent, message)`` records
   progress and renews the lease (at most every few seconds). It returns a ``Outcome``; or it
   calls ``ctx.complete(outcome)`` itself *inside its own transaction* — an import does, so
   that its rows and the job's "succeeded" commit together: killed before the commit, nothing
   is written and the job runs again; killed after it, the job is done.
3. ``JobRefused`` (the input is wrong: an unreadable file) fails the job with its message.
   Database and broker errors propagate: the task retries them with backoff. Anything else
   fails the job, recorded once the database answers again (the task retries the recording).

The **sweeper** (``sweep``, a beat task every ``JOB_SWEEP_MINUTES``) re-enqueues jobs whose
lease ran out (the worker died, Redis lost the message) and pending jobs nobody claimed, fails
those that ran out ``JOB_MAX_ATTEMPTS`` times, and deletes result files past ``expires_at``.
"""

import dataclasses
import datetime
import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ACTIVE_JOB_STATES, Job, JobState

logger = logging.getLogger(__name__)
RUN_TASK = "core.tasks.job_run_task"


@dataclasses.dataclass
class Outcome:
    """What a handler gives back: the result to show, and a file to download (optional)."""

    result: dict
    file_name: str = ""
    content: bytes | None = None
    message: str = ""


class JobRefused(Exception):
    """The job cannot be done as asked (bad input); the message says why, in Chinese."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.message = message
        self.result = result


@dataclasses.dataclass
class Kind:
    handler: Callable
    label: str


_KINDS: dict[str, Kind] = {}


def register(kind: str, handler: Callable, *, label: str) -> None:
    _KINDS[kind] = Kind(handler, label)


def kind_label(kind: str) -> str:
    entry = _KINDS.get(kind)
    return str(entry.label) if entry else kind


def _lease() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def input_key(*parts) -> str:
    """A key for "the same job again" from its kind, owner, parameters and input bytes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


@transaction.atomic
def job_start(
    *,
    actor,
    kind: str,
    params: dict | None = None,
    upload=None,
    tree_id=None,
    key: str = "",
) -> tuple[Job, bool]:
    """Start a job of ``kind`` for ``actor`` (queued after commit); returns ``(job, created)``.

    With a ``key``, an active job of the same key is returned instead of a second one (a double
    click, a retried request).
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    if key:
        existing = Job.objects.filter(key=key, state__in=ACTIVE_JOB_STATES).first()
        if existing is not None:
            return existing, False
    job = Job(
        kind=kind,
        params=params or {},
        created_by=actor,
        tree_id=tree_id,
        key=key,
        message=_("排队等待处理"),
    )
    if upload is not None:
        name = getattr(upload, "name", "") or "upload"
        job.input_name = name[-200:]
        if hasattr(upload, "seek"):
            upload.seek(0)
        job.input.save(name.rsplit("/", 1)[-1][-100:], upload, save=False)
    job.save()
    transaction.on_commit(lambda: enqueue(job.pk))
    return job, True


def enqueue(job_id: int) -> None:
    from celery import signature

    signature(RUN_TASK, args=(job_id,)).apply_async()


@dataclasses.dataclass
class Context:
    """What a handler works with: the job, its owner, progress and completion."""

    job: Job
    _last: float = 0.0

    @property
    def user(self):
        return self.job.created_by

    @property
    def params(self) -> dict:
        return self.job.params

    def progress(self, percent: int, message: str = "") -> None:
        """Record progress and renew the lease (written at most every 2 seconds)."""
        import time

        now = time.monotonic()
        if now - self._last < 2 and percent < 100:
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(
            progress=max(0, min(99, int(percent))),
            message=(message or self.job.message)[:300],
            lease_until=_lease(),
        )

    def complete(self, outcome: Outcome) -> None:
        """Mark the job succeeded now, in the caller's transaction (see the module docstring)."""
        _finish(self.job, JobState.SUCCEEDED, outcome)
        self.completed = True


def _claim(job_id: int) -> Job | None:
    now = timezone.now()
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(Q(state=JobState.PENDING) | Q(state=JobState.RUNNING, lease_until__lt=now))
        .update(
            state=JobState.RUNNING,
            lease_until=_lease(),
            attempts=F("attempts") + 1,
            started_at=now,
            message=_("处理中"),
        )
    )
    if not claimed:
        return None
    return Job.objects.select_related("created_by").get(pk=job_id)


def _finish(job: Job, state: str, outcome: Outcome | None = None, message: str = "") -> None:
    now = timezone.now()
    fields = {
        "state": state,
        "finished_at": now,
        "lease_until": None,
        "progress": 100 if state == JobState.SUCCEEDED else job.progress,
        "message": (message or (outcome.message if outcome else "") or "")[:300],
        "expires_at": now + datetime.timedelta(days=settings.JOB_RESULT_DAYS),
    }
    if outcome is not None:
        fields["result"] = outcome.result
        if outcome.content is not None:
            job.file.save(
                outcome.file_name[-100:] or f"job-{job.pk}",
                ContentFile(outcome.content),
                save=False,
            )
            fields["file"] = job.file.name
            fields["file_name"] = outcome.file_name
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def run(job_id: int) -> str:
    """Claim and run one job; returns what happened (for the task's log)."""
    job = _claim(job_id)
    if job is None:
        return "not claimed"
    kind = _KINDS.get(job.kind)
    ctx = Context(job)
    ctx.completed = False
    try:
        if kind is None:
            raise JobRefused(_("未知的任务类型：{kind}").format(kind=job.kind))
        outcome = kind.handler(ctx)
    except JobRefused as exc:
        _finish(job, JobState.FAILED, Outcome(exc.result or {}), message=exc.message)
        _drop_input(job)
        return "refused"
    except retryable_errors() as exc:
        # The database or the broker failed: the task retries; the lease keeps others off
        # until it runs out, then the sweeper takes over if the retries do not.
        logger.warning("job %s: %s, will retry", job_id, exc.__class__.__name__)
        raise
    except Exception:
        logger.exception("job %s failed", job_id)
        _finish(job, JobState.FAILED, message=_("处理时出错，已记录；请稍后重试或联系管理员。"))
        _drop_input(job)
        return "failed"
    if not ctx.completed:
        _finish(job, JobState.SUCCEEDED, outcome)
    _drop_input(job)
    return "succeeded"


def retryable_errors():
    """The errors a task retries with backoff: lost database and broker connections."""
    from django.db import DatabaseError, InterfaceError, OperationalError

    errors = [OperationalError, InterfaceError]
    try:
        from kombu.exceptions import OperationalError as BrokerError

        errors.append(BrokerError)
    except ImportError:  # pragma: no cover
        pass
    # A plain DatabaseError (a query refused) is not retried: it would fail again.
    return tuple(e for e in errors if e is not DatabaseError)


def _drop_input(job: Job) -> None:
    if job.input:
        job.input.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input="")


_SWEEPERS: list[Callable] = []


def register_sweeper(sweeper: Callable) -> None:
    """``sweeper(now) -> dict`` runs with every sweep: other long work that keeps its own rows
    (the monthly comparison) is saved by the same beat task."""
    if sweeper not in _SWEEPERS:
        _SWEEPERS.append(sweeper)


def sweep(now=None) -> dict:
    """Re-enqueue jobs whose worker or message was lost; fail the hopeless; drop old files;
    then the registered sweepers."""
    now = now or timezone.now()
    stale_pending = now - datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    lost = Job.objects.filter(
        Q(state=JobState.RUNNING, lease_until__lt=now)
        | Q(state=JobState.PENDING, created_at__lt=stale_pending)
    )
    hopeless = lost.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS)
    failed = 0
    for job in hopeless:
        _finish(
            job,
            JobState.FAILED,
            message=_("任务多次中断（{n} 次），已停止；请重新发起。").format(n=job.attempts),
        )
        _drop_input(job)
        failed += 1
    resumed = list(lost.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS).values_list("pk", flat=True))
    for job_id in resumed:
        enqueue(job_id)
    expired = 0
    for job in (
        Job.objects.filter(expires_at__lt=now).exclude(file="").exclude(state__in=ACTIVE_JOB_STATES)
    ):
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")
        expired += 1
    report = {"resumed": len(resumed), "failed": failed, "files_deleted": expired}
    for sweeper in _SWEEPERS:
        report.update(sweeper(now))
    return report
