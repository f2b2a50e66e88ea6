"""Writes of the comparison: receive a department's batch (in parts), start and resume runs.

Who may do what:
- send a batch: the department's staff (a county-level assignment with that department), or a
  county leader / superuser on the department's behalf (the upload page);
- start or resume a run: a county leader (县级管理员) of that county, or a superuser; the
  monthly schedule starts runs with no actor.
"""

import datetime
import logging
from decimal import Decimal

from celery import signature
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.months import parse_month, this_month
from core.services import audit_record, snapshot
from grids.models import Department, GridNode, Level
from grids.scoping import user_scope

from .catalogue import ensure_catalogue
from .models import (
    ACTIVE_RUN_STATES,
    BatchRecord,
    BatchState,
    ComparisonRun,
    DepartmentBatch,
    RunState,
    Signal,
)
from .validation import validate_record

logger = logging.getLogger(__name__)

#: Records accepted in one request; larger batches come in parts.
PART_MAX_RECORDS = 5000
MAX_PARTS = 1000


def is_county_admin(actor, county: GridNode) -> bool:
    """A county leader of ``county`` (or a superuser): starts runs, uploads for departments."""
    return bool(actor) and user_scope(actor).administers(county.tree_id)


def require_sender(actor, county: GridNode, department: Department) -> None:
    if (county.pk, department.pk) in user_scope(actor).department_grants:
        return
    if is_county_admin(actor, county):
        return
    raise PermissionDenied(
        _("您不能代{department}报送{county}的数据。").format(
            department=department.name, county=county.name
        )
    )


def resolve_sender(actor, *, department_code: str = "", county_code: str = ""):
    """The (county, department) a request sends for: the caller's own department assignment,
    or, for a county admin, the department (and county) named in the request.

    A county is looked up among those the caller sends for (a department's county, the
    counties one administers): another county answers like an unknown code."""
    scope = user_scope(actor)
    own = scope.department_grants
    sends_for = GridNode.objects.filter(level=Level.COUNTY)
    if not scope.unrestricted:
        trees = {g.tree_id for g in scope.grants if g.department_id} | scope.administered_trees
        sends_for = sends_for.filter(tree_id__in=sorted(trees))
    if county_code:
        county = sends_for.filter(code=county_code).first()
        if county is None:
            raise ValidationError(
                {"county": _("县编码“{code}”不存在或不在您的管辖范围内。").format(code=county_code)}
            )
    else:
        counties = list(sends_for.filter(pk__in=[c for c, _d in own])[:2]) if own else []
        if not counties and not scope.unrestricted:
            counties = list(sends_for[:2])
        if len(counties) != 1:
            raise ValidationError({"county": _("请填写县编码（county）。")})
        county = counties[0]
    if department_code:
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            raise ValidationError(
                {"department": _("部门代码“{code}”不存在。").format(code=department_code)}
            )
    else:
        mine = [d for c, d in own if c == county.pk]
        if len(mine) != 1:
            raise ValidationError({"department": _("请填写部门代码（department）。")})
        department = Department.objects.get(pk=mine[0])
    require_sender(actor, county, department)
    return county, department


@transaction.atomic
def batch_open(
    *,
    actor,
    county: GridNode,
    department: Department,
    month,
    batch_id: str,
    parts_total: int = 1,
) -> tuple[DepartmentBatch, bool]:
    """Open a batch, or replace the one with the same (county, department, month, batch id).

    Replacing empties its records and starts receiving its parts again (``version`` + 1).
    Returns ``(batch, created)``.
    """
    require_sender(actor, county, department)
    # A batch reports a month that has begun, since the monitoring began (no 1900-01, no
    # next month).
    month = parse_month(month, earliest=settings.COMPARISON_EARLIEST_MONTH, latest=this_month())
    batch_id = (batch_id or "").strip()
    if not batch_id or len(batch_id) > 40:
        raise ValidationError({"batch_id": _("请填写部门批次号（不超过 40 个字符）。")})
    if not isinstance(parts_total, int) or not 1 <= parts_total <= MAX_PARTS:
        raise ValidationError(
            {"parts_total": _("分片总数应为 1 到 {max} 之间的整数。").format(max=MAX_PARTS)}
        )
    ensure_catalogue(county)  # a county created after the data migration gets the defaults
    key = {"county": county, "department": department, "month": month, "batch_id": batch_id}
    batch = DepartmentBatch.objects.select_for_update().filter(**key).first()
    created = batch is None
    if created:
        try:
            with transaction.atomic():
                batch = DepartmentBatch.objects.create(
                    **key, parts_total=parts_total, submitted_by=actor
                )
        except IntegrityError as exc:
            raise Conflict(_("该批次正在被另一请求报送，请稍后重试。")) from exc
    else:
        batch.records.all().delete()
        batch.parts_total = parts_total
        batch.parts_received = []
        batch.state = BatchState.RECEIVING
        batch.records_total = batch.records_invalid = 0
        batch.version += 1
        batch.submitted_by = actor
        batch.save()
    audit_record(
        actor=actor,
        action="batch.open" if created else "batch.replace",
        obj=batch,
        after={"parts_total": parts_total, "version": batch.version},
        tree_id=county.tree_id,
    )
    return batch, created


def _record_key(id_hash, signal_id, value_number, value_text, reference):
    number = None if value_number is None else Decimal(value_number).normalize()
    return (id_hash, signal_id, number, value_text or "", reference or "")


def store_part(batch: DepartmentBatch, part: int, records: list) -> list[BatchRecord]:
    """Validate and store one part of ``batch`` (replacing that part), update its counts and
    state. No permission check: callers check (the services) or are the seeders."""
    signals = {
        s.code: s
        for s in Signal.objects.filter(
            county=batch.county, department=batch.department, active=True
        )
    }
    # The same record twice in a batch (this part or another) is kept once: the copy is
    # reported, and never becomes a second piece of evidence.
    seen = {
        _record_key(*values): (other_part, other_number)
        for other_part, other_number, *values in BatchRecord.objects.filter(batch=batch, valid=True)
        .exclude(part=part)
        .values_list(
            "part", "number", "id_hash", "signal_id", "value_number", "value_text", "reference"
        )
    }
    rows = []
    for number, raw in enumerate(records, start=1):
        if not isinstance(raw, dict):
            raw = {}
        fields = validate_record(raw, signals, department_name=batch.department.name)
        if fields["valid"]:
            key = _record_key(
                fields["id_hash"],
                fields["signal"].pk if fields.get("signal") else None,
                fields.get("value_number"),
                fields.get("value_text", ""),
                fields.get("reference", ""),
            )
            if key in seen:
                first_part, first_number = seen[key]
                fields["valid"] = False
                fields["errors"] = [
                    {
                        "field": "record",
                        "reason": _("与第 {part} 分片第 {number} 条记录重复，只计一次").format(
                            part=first_part, number=first_number
                        ),
                    }
                ]
            else:
                seen[key] = (part, number)
        rows.append(BatchRecord(batch=batch, part=part, number=number, **fields))
    BatchRecord.objects.filter(batch=batch, part=part).delete()
    BatchRecord.objects.bulk_create(rows, batch_size=2000)
    counts = BatchRecord.objects.filter(batch=batch).aggregate(
        total=Count("id"), invalid=Count("id", filter=Q(valid=False))
    )
    batch.records_total, batch.records_invalid = counts["total"], counts["invalid"]
    batch.parts_received = sorted(set(batch.parts_received) | {part})
    if len(batch.parts_received) == batch.parts_total:
        batch.state = BatchState.COMPLETE
    batch.save()
    return rows


@transaction.atomic
def batch_part_submit(
    *, actor, batch: DepartmentBatch, part: int, records: list
) -> DepartmentBatch:
    """Store part ``part`` of ``batch`` (sending a part again replaces it), validating every
    record. Bad records are kept with their reasons for the batch report. The batch becomes
    complete when all its parts have arrived."""
    batch = (
        DepartmentBatch.objects.select_for_update(of=("self",))
        .select_related("county", "department")
        .get(pk=batch.pk)
    )
    require_sender(actor, batch.county, batch.department)
    if not isinstance(part, int) or not 1 <= part <= batch.parts_total:
        raise ValidationError(
            {"part": _("分片号应在 1 到 {total} 之间。").format(total=batch.parts_total)}
        )
    if not isinstance(records, list) or not records:
        raise ValidationError({"records": _("请提供记录列表（records）。")})
    if len(records) > PART_MAX_RECORDS:
        raise ValidationError(
            {
                "records": _(
                    "每个分片最多 {max} 条记录，当前 {count} 条，请拆分为更多分片。"
                ).format(max=PART_MAX_RECORDS, count=len(records))
            }
        )
    rows = store_part(batch, part, records)
    audit_record(
        actor=actor,
        action="batch.part",
        obj=batch,
        after={
            "part": part,
            "records": len(rows),
            "invalid": sum(1 for r in rows if not r.valid),
            "state": batch.state,
        },
        tree_id=batch.county.tree_id,
    )
    return batch


def batch_submit(
    *, actor, county, department, month, batch_id, records, parts_total=1, part=1
) -> tuple[DepartmentBatch, bool]:
    """Open (or replace) a one-part batch and store its records: the small-batch shortcut."""
    with transaction.atomic():
        batch, created = batch_open(
            actor=actor,
            county=county,
            department=department,
            month=month,
            batch_id=batch_id,
            parts_total=parts_total,
        )
        batch = batch_part_submit(actor=actor, batch=batch, part=part, records=records)
    return batch, created


def batch_upload(*, actor, county, department, month, batch_id, records: list):
    """Send a whole file's records as one batch, in parts of ``PART_MAX_RECORDS`` (the upload
    page): the same rules as the API, one transaction."""
    size = PART_MAX_RECORDS
    chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
    with transaction.atomic():
        batch, created = batch_open(
            actor=actor,
            county=county,
            department=department,
            month=month,
            batch_id=batch_id,
            parts_total=len(chunks),
        )
        for part, chunk in enumerate(chunks, start=1):
            batch = batch_part_submit(actor=actor, batch=batch, part=part, records=chunk)
    return batch, created


# -- catalogue (admin) ------------------------------------------------------------------


def _require_catalogue_editor(actor, county):
    if not is_county_admin(actor, county):
        raise PermissionDenied(_("只有县级管理员可以修改比对信号和规则。"))


@transaction.atomic
def signal_save(*, actor, signal: Signal) -> Signal:
    """Create or change a signal of the county's catalogue (county admins; audited)."""
    _require_catalogue_editor(actor, signal.county)
    signal.full_clean()
    created = signal.pk is None
    signal.save()
    audit_record(
        actor=actor,
        action="comparison.signal_create" if created else "comparison.signal_change",
        obj=signal,
        after=snapshot(signal, _SIGNAL_FIELDS),
        tree_id=signal.county.tree_id,
    )
    return signal


@transaction.atomic
def rule_save(*, actor, rule) -> object:
    """Create or change a rule (threshold, values, households it applies to); audited."""
    _require_catalogue_editor(actor, rule.signal.county)
    rule.full_clean()
    if rule.operator in ("gte", "gt") and rule.threshold is None:
        raise ValidationError({"threshold": _("“大于/大于等于”条件须填写阈值。")})
    if rule.operator == "in" and not rule.values.strip():
        raise ValidationError({"values": _("“属于所列选项”条件须填写选项，如 C,D。")})
    created = rule.pk is None
    rule.save()
    audit_record(
        actor=actor,
        action="comparison.rule_create" if created else "comparison.rule_change",
        obj=rule,
        after=snapshot(rule, _RULE_FIELDS),
        tree_id=rule.signal.county.tree_id,
    )
    return rule


_SIGNAL_FIELDS = ("code", "name", "value_type", "min_value", "max_value", "choices", "active")
_RULE_FIELDS = ("risk_type", "operator", "threshold", "values", "applies_to", "active")


# -- runs ------------------------------------------------------------------------------------


#: The run's task, queued by name: ``tasks`` calls the services, never the other way round.
RUN_TASK = "comparison.tasks.comparison_run_task"


def _enqueue(run_id: int) -> None:
    signature(RUN_TASK, args=(run_id,)).delay()


def require_run_starter(actor) -> None:
    """An account that is no grid person (a department's) may not start a comparison: 403
    at once, not a question about which county. Which county a grid person may run is
    ``run_start``'s to check (a county outside their scope reads as unknown)."""
    scope = user_scope(actor)
    if not scope.unrestricted and not scope.grid_grants:
        raise PermissionDenied(_("只有县级管理员可以发起部门数据比对。"))


@transaction.atomic
def run_start(*, actor, county: GridNode, month, found_on: datetime.date | None = None):
    """Start the comparison of ``month`` for ``county`` (queued on Celery after commit).

    A county admin (or the schedule, ``actor=None``). A month already being compared answers
    409: resume that run instead. Running a month again gives the same clues (see
    ``running``): nothing is duplicated.
    """
    if actor is not None and not is_county_admin(actor, county):
        raise PermissionDenied(_("只有县级管理员可以发起部门数据比对。"))
    month = parse_month(month)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("不能比对尚未开始的月份。")})
    ensure_catalogue(county)
    if ComparisonRun.objects.filter(
        county=county, month=month, state__in=ACTIVE_RUN_STATES
    ).exists():
        raise Conflict(
            _("{month} 的比对正在进行中，请等待或继续该任务。").format(month=f"{month:%Y-%m}")
        )
    try:
        with transaction.atomic():
            run = ComparisonRun.objects.create(
                county=county,
                month=month,
                found_on=found_on or timezone.localdate(),
                started_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(_("该月的比对正在进行中。")) from exc
    audit_record(
        actor=actor,
        action="comparison.run_start",
        obj=run,
        after={"month": f"{month:%Y-%m}"},
        tree_id=county.tree_id,
    )
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


@transaction.atomic
def run_resume(*, actor, run: ComparisonRun) -> ComparisonRun:
    """Queue an unfinished run again (after a worker was lost): done township parts are kept,
    the others run; the result is the same as an uninterrupted run."""
    run = (
        ComparisonRun.objects.select_for_update(of=("self",))
        .select_related("county")
        .get(pk=run.pk)
    )
    if actor is not None and not is_county_admin(actor, run.county):
        raise PermissionDenied(_("只有县级管理员可以继续部门数据比对。"))
    if run.state == RunState.DONE:
        raise ValidationError({"state": _("该比对已完成，无需继续。")})
    before = run.state
    run.state = RunState.RUNNING if run.matched_at else RunState.PENDING
    run.error = ""
    try:
        with transaction.atomic():
            run.save(update_fields=["state", "error"])
    except IntegrityError as exc:
        raise Conflict(_("该月已有另一个比对任务在进行中。")) from exc
    audit_record(
        actor=actor,
        action="comparison.run_resume",
        obj=run,
        before={"state": before},
        after={"state": run.state, "parts_done": run.parts_done},
        tree_id=run.county.tree_id,
    )
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def run_start_due(month=None) -> int:
    """The monthly schedule: compare last month (or ``month``) in every county that has not
    compared it yet (a failed run does not count). Returns the runs started."""
    if month:
        first = parse_month(month)
    else:
        first = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    started = 0
    for county in GridNode.objects.filter(level=Level.COUNTY, parent__isnull=True).order_by("code"):
        if (
            ComparisonRun.objects.filter(county=county, month=first)
            .exclude(state=RunState.FAILED)
            .exists()
        ):
            continue
        try:
            run_start(actor=None, county=county, month=first)
            started += 1
        except Conflict:
            logger.info("comparison of %s %s already running", county.code, first)
    return started


def sweep_stalled_runs(now=None) -> dict:
    """The sweeper's part for comparisons (``core.jobs.sweep``): a pending or running run
    without a sign of life for ``COMPARISON_STALL_SECONDS`` (its worker died, its message was
    lost, its database went away) is resumed — done townships kept — up to
    ``COMPARISON_MAX_RESUMES`` times, then failed with a message. Nothing waits for a click."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.COMPARISON_STALL_SECONDS)
    stalled = ComparisonRun.objects.filter(state__in=ACTIVE_RUN_STATES).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale)
    )
    resumed = failed = 0
    for run_id in list(stalled.values_list("pk", flat=True)):
        with transaction.atomic():
            run = ComparisonRun.objects.select_for_update().filter(pk=run_id).first()
            if run is None or run.state not in ACTIVE_RUN_STATES:
                continue
            if run.resumes >= settings.COMPARISON_MAX_RESUMES:
                message = _(
                    "比对多次中断（{n} 次自动继续），已停止；请检查工作进程后点“继续”。"
                ).format(n=run.resumes)
                ComparisonRun.objects.filter(pk=run.pk).update(state=RunState.FAILED, error=message)
                failed += 1
                continue
            ComparisonRun.objects.filter(pk=run.pk).update(
                resumes=F("resumes") + 1, heartbeat_at=now
            )
            run_resume(actor=None, run=run)
            resumed += 1
    return {"runs_resumed": resumed, "runs_failed": failed}
