"""The monthly run, set-based: match, then the townships in parts, then the summary.

1. ``run_match`` — one ``UPDATE … FROM`` marks every valid record of the month's complete
   batches ``matched`` (person found through ``Person.id_hash`` in this county, with the
   person's household and township) or ``unmatched``; creates the township parts (``RunPart``,
   with their matched counts). Running it again writes the same values.
2. ``part_groups`` packs the townships not yet done into parts of at most
   ``COMPARISON_PART_RECORDS`` matched records (a small county is one part); ``part_process``
   — for one part, in one transaction: the rules are joined to the matched records in SQL
   (``HITS_SQL``) and ``monitoring.services.clues_bulk.clue_raise_many`` opens or merges the
   clues; the townships' parts are marked done in the same transaction. A township already
   done is skipped, so a restarted run continues where it stopped, and a killed worker leaves
   either the whole part or nothing.
3. ``run_finish`` — when every part is done: the summary (by department, by township).

No step loops over records in Python.
"""

import datetime
import logging
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from core.services import audit_record
from grids.models import Level
from monitoring.services.clues_bulk import clue_raise_many

from .models import (
    BatchRecord,
    BatchState,
    ComparisonRun,
    DepartmentBatch,
    MatchState,
    RunPart,
    RunState,
)

logger = logging.getLogger(__name__)

PRIORITY_TYPES = ("lifted", "lifted_no_policy")

# Records of one county and month that take part: valid, in a batch received completely.
_MONTH_RECORDS = """
    SELECT r.id, r.id_hash FROM comparison_batchrecord r
    JOIN comparison_departmentbatch b ON b.id = r.batch_id
    WHERE b.county_id = %s AND b.month = %s AND b.state = 'complete' AND r.valid
"""

MATCH_SQL = f"""
UPDATE comparison_batchrecord SET
    match_state = CASE WHEN m.person_id IS NULL THEN 'unmatched' ELSE 'matched' END,
    person_id = m.person_id, household_id = m.household_id, township_id = m.township_id
FROM (
    SELECT mr.id, pp.person_id, pp.household_id, pp.township_id
    FROM ({_MONTH_RECORDS}) mr
    LEFT JOIN (
        -- The county's persons with their township: group grid → village → township.
        SELECT p.id AS person_id, p.id_hash, p.household_id, v.parent_id AS township_id
        FROM households_person p
        JOIN households_household hh ON hh.id = p.household_id
        JOIN grids_gridnode g ON g.id = hh.grid_id AND g.tree_id = %s
        JOIN grids_gridnode v ON v.id = g.parent_id
    ) pp ON pp.id_hash = mr.id_hash
) m
WHERE comparison_batchrecord.id = m.id
"""

# One row per (matched record, rule that fires): the signals the township's clues come from.
# The rule's condition is applied here, in SQL; ``applies_to`` splits 脱贫户 members and
# monitored households ("priority") from the others.
HITS_SQL = """
SELECT r.household_id, r.township_id, ru.risk_type,
    %s || d.code || '/' || COALESCE(NULLIF(r.reference, ''),
        b.batch_id || '/' || r.part || '-' || r.number) || '/' || ru.risk_type AS reference,
    d.name || '：' || s.name AS note, d.code AS department
FROM comparison_batchrecord r
JOIN comparison_departmentbatch b ON b.id = r.batch_id
JOIN grids_department d ON d.id = b.department_id
JOIN comparison_signal s ON s.id = r.signal_id AND s.active
JOIN comparison_rule ru ON ru.signal_id = r.signal_id AND ru.active
JOIN households_household hh ON hh.id = r.household_id AND hh.status = 'active'
WHERE b.county_id = %s AND b.month = %s AND b.state = 'complete' AND r.valid
  AND r.match_state = 'matched' AND r.township_id IN ({townships})
  AND (ru.applies_to = 'all' OR (CASE WHEN hh.household_type IN ('lifted', 'lifted_no_policy')
        OR EXISTS (SELECT 1 FROM monitoring_monitoringcase mc
                   WHERE mc.household_id = hh.id AND mc.state = 'monitoring')
       THEN 'priority' ELSE 'others' END) = ru.applies_to)
  AND ((ru.operator = 'gte' AND r.value_number >= ru.threshold)
    OR (ru.operator = 'gt' AND r.value_number > ru.threshold)
    OR (ru.operator = 'flag' AND r.value_number = 1)
    OR (ru.operator = 'in' AND (',' || ru."values" || ',') LIKE ('%%,' || r.value_text || ',%%')))
"""


HITS_TABLE = "comparison_run_hits"


def reference_prefix(month: datetime.date) -> str:
    return f"{month:%Y-%m}/"


def hits_sql(township_ids) -> str:
    return HITS_SQL.format(townships=", ".join(["%s"] * len(township_ids)))


def hits_params(run: ComparisonRun, township_ids) -> list:
    return [
        reference_prefix(run.month),
        run.county_id,
        connection.ops.adapt_datefield_value(run.month),
        *township_ids,
    ]


def part_records() -> int:
    """Matched records up to which townships share one part (``COMPARISON_PART_RECORDS``)."""
    return settings.COMPARISON_PART_RECORDS


def matched_by_township(run: ComparisonRun, township_ids=None) -> dict[int, int]:
    """Matched records of the run's month per township (one ``GROUP BY``)."""
    qs = BatchRecord.objects.filter(
        batch__county_id=run.county_id,
        batch__month=run.month,
        batch__state=BatchState.COMPLETE,
        match_state=MatchState.MATCHED,
    )
    if township_ids is not None:
        qs = qs.filter(township_id__in=township_ids)
    return dict(qs.values_list("township_id").annotate(n=Count("id")).order_by())


def part_groups(run_id: int) -> list[list[int]]:
    """The townships not yet done, packed (in code order) into parts of at most
    ``part_records()`` matched records each; a township larger than that is a part alone.

    A small county is one part, run without a Celery hop; a large one is split so the parts
    run in parallel and a lost worker costs one part.
    """
    pending = list(
        RunPart.objects.filter(run_id=run_id, done=False)
        .order_by("township__code")
        .values_list("township_id", "counts")
    )
    if not pending:
        return []
    if any("matched" not in counts for _, counts in pending):
        sizes = matched_by_township(ComparisonRun.objects.get(pk=run_id))
    else:
        sizes = {township_id: counts["matched"] for township_id, counts in pending}
    limit = part_records()
    groups, current, size = [], [], 0
    for township_id, _ in pending:
        n = sizes.get(township_id, 0)
        if current and size + n > limit:
            groups.append(current)
            current, size = [], 0
        current.append(township_id)
        size += n
    groups.append(current)
    return groups


def match_records(run: ComparisonRun, month) -> dict[int, int]:
    """``MATCH_SQL``; returns the matched records per township, counted from the rows the
    update returns (no second pass over the records)."""
    params = [run.county_id, month, run.county.tree_id]
    returning = f"{MATCH_SQL} RETURNING comparison_batchrecord.township_id"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH u AS ({returning}) SELECT township_id, COUNT(*) FROM u "
                "WHERE township_id IS NOT NULL GROUP BY township_id",
                params,
            )
            return dict(cursor.fetchall())
        cursor.execute(returning, params)
        return dict(Counter(t for (t,) in cursor.fetchall() if t is not None))


def run_match(run_id: int) -> ComparisonRun | None:
    """Step 1 (idempotent): match the month's records, create the township parts."""
    with transaction.atomic():
        run = (
            ComparisonRun.objects.select_for_update(of=("self",))
            .select_related("county")
            .get(pk=run_id)
        )
        if run.state == RunState.DONE:
            return None
        if run.matched_at is None:
            month = connection.ops.adapt_datefield_value(run.month)
            matched = match_records(run, month)
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql" and sum(matched.values()) > part_records():
                    # The match just filled township/household on many rows: without fresh
                    # statistics a split run's township steps are planned as if they matched
                    # nothing. A run of one part reads all its records anyway (~0.1 s saved).
                    cursor.execute("ANALYZE comparison_batchrecord")
            townships = run.county.get_children().filter(level=Level.TOWNSHIP)
            RunPart.objects.bulk_create(
                [
                    RunPart(run=run, township=t, counts={"matched": matched.get(t.pk, 0)})
                    for t in townships
                ],
                ignore_conflicts=True,
            )
            run.parts_total = RunPart.objects.filter(run=run).count()
            run.matched_at = timezone.now()
        run.state = RunState.RUNNING
        run.save(update_fields=["matched_at", "parts_total", "state"])
    return run


def part_process(run_id: int, township_ids: int | list[int]) -> dict | None:
    """Step 2 for one part (one township or several small ones): raise the clues and mark
    the townships' parts done, in one transaction. Townships already done are skipped.
    Returns the counts per township id."""
    if isinstance(township_ids, int):
        township_ids = [township_ids]
    with transaction.atomic():
        parts = list(
            RunPart.objects.select_for_update(of=("self",))
            .select_related("run__county")
            .filter(run_id=run_id, township_id__in=township_ids, done=False)
            .order_by("township_id")
        )
        if not parts:
            return None
        run = parts[0].run
        ids = [p.township_id for p in parts]
        sql = hits_sql(ids)
        params = hits_params(run, ids)
        with connection.cursor() as cursor:
            # The part's hits, evaluated once: the counts and the statements of
            # clue_raise_many read this small table instead of re-joining the rules. Created
            # inside the transaction, so a rollback (a killed worker) removes it too.
            cursor.execute(f"CREATE TEMP TABLE {HITS_TABLE} AS {sql}", params)
            if connection.vendor == "postgresql" and run.parts_done:
                # Earlier parts of this run added clues and evidence that the statistics do
                # not know yet; planned without them, the "already evidence" check loops row
                # by row. A run of one part (a small county) never needs this.
                cursor.execute("ANALYZE monitoring_riskclue, monitoring_clueevidence")
            cursor.execute(
                "SELECT h.township_id, h.department, COUNT(*), "
                "COUNT(DISTINCT h.household_id || '/' || h.risk_type) "
                f"FROM {HITS_TABLE} h GROUP BY h.township_id, h.department"
            )
            by_department: dict[int, dict] = {}
            for township_id, code, n, clues in cursor.fetchall():
                by_department.setdefault(township_id, {})[code] = [n, clues]
            if all("matched" in p.counts for p in parts):
                matched = {p.township_id: p.counts["matched"] for p in parts}
            else:  # parts made before the match counted them
                matched = matched_by_township(run, ids)
            result = clue_raise_many(
                actor=run.started_by,
                hits_sql="SELECT household_id, township_id, risk_type, reference, note "
                f"FROM {HITS_TABLE}",
                params=[],
                found_on=run.found_on,
                audit_obj=parts[0] if len(parts) == 1 else run,
                tree_id=run.county.tree_id,
                group_by="township_id",
            )
            cursor.execute(f"DROP TABLE {HITS_TABLE}")
        now = timezone.now()
        counts = {}
        for part in parts:
            departments = by_department.get(part.township_id, {})
            clues = result["groups"].get(part.township_id, {})
            part.counts = {
                "matched": matched.get(part.township_id, 0),
                "hits": sum(n for n, _ in departments.values()),
                "by_department": departments,
                "created": clues.get("created", 0),
                "merged": clues.get("merged", 0),
                "evidence": clues.get("evidence", 0),
            }
            part.done = True
            part.finished_at = now
            counts[part.township_id] = part.counts
        RunPart.objects.bulk_update(parts, ["counts", "done", "finished_at"])
        # The parts' row locks make "done" happen once, so + n is exact under concurrency.
        ComparisonRun.objects.filter(pk=run_id).update(parts_done=F("parts_done") + len(parts))
    return counts


def run_finish(run_id: int) -> bool:
    """Step 3, once every part is done: write the summary and mark the run done."""
    with transaction.atomic():
        run = (
            ComparisonRun.objects.select_for_update(of=("self",))
            .select_related("county")
            .get(pk=run_id)
        )
        if run.state == RunState.DONE or run.matched_at is None:
            return False
        parts = list(RunPart.objects.filter(run=run).select_related("township"))
        if any(not p.done for p in parts):
            return False
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The parts have just added the month's clues and evidence: planned with
                # statistics from before, the summary's join loops over them row by row (seen:
                # 30 s instead of 30 ms at scale 1).
                cursor.execute("ANALYZE monitoring_riskclue, monitoring_clueevidence")
        run.summary = summarise(run, parts)
        run.parts_done = len(parts)
        run.state = RunState.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "parts_done", "state", "finished_at"])
        audit_record(
            actor=run.started_by,
            action="comparison.run_done",
            obj=run,
            after={
                k: run.summary[k]
                for k in ("records", "matched", "unmatched", "clues_created", "clues_merged")
            },
            tree_id=run.county.tree_id,
        )
    return True


def summarise(run: ComparisonRun, parts: list[RunPart]) -> dict:
    """Records, matched, unmatched, hits and clues, in total, by department and by township."""
    rows = (
        BatchRecord.objects.filter(batch__county_id=run.county_id, batch__month=run.month)
        .values("batch__department__code", "batch__department__name")
        .annotate(
            records=Count("id"),
            skipped=Count("id", filter=~Q(batch__state=BatchState.COMPLETE)),
            invalid=Count("id", filter=Q(valid=False, batch__state=BatchState.COMPLETE)),
            matched=Count("id", filter=Q(match_state=MatchState.MATCHED)),
            unmatched=Count("id", filter=Q(match_state=MatchState.UNMATCHED)),
        )
        .order_by("batch__department__code")
    )
    departments = []
    for row in rows:
        code = row["batch__department__code"]
        hits = sum(p.counts.get("by_department", {}).get(code, [0, 0])[0] for p in parts)
        clues = sum(p.counts.get("by_department", {}).get(code, [0, 0])[1] for p in parts)
        departments.append(
            {
                "code": code,
                "name": row["batch__department__name"],
                "records": row["records"],
                "skipped": row["skipped"],
                "invalid": row["invalid"],
                "matched": row["matched"],
                "unmatched": row["unmatched"],
                "hits": hits,
                "clues": clues,
            }
        )
    townships = [
        {
            "id": p.township_id,
            "code": p.township.code,
            "name": p.township.name,
            "matched": p.counts.get("matched", 0),
            "hits": p.counts.get("hits", 0),
            "clues_created": p.counts.get("created", 0),
            "clues_merged": p.counts.get("merged", 0),
        }
        for p in sorted(parts, key=lambda p: p.township.code)
    ]
    skipped_batches = [
        {
            "id": b.pk,
            "department": b.department.name,
            "batch_id": b.batch_id,
            "parts_received": len(b.parts_received),
            "parts_total": b.parts_total,
        }
        for b in DepartmentBatch.objects.filter(
            county_id=run.county_id, month=run.month, state=BatchState.RECEIVING
        ).select_related("department")
    ]

    def total(key):
        return sum(d[key] for d in departments)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(DISTINCT e.clue_id) FROM monitoring_clueevidence e "
            "JOIN monitoring_riskclue c ON c.id = e.clue_id "
            "JOIN households_household hh ON hh.id = c.household_id "
            "JOIN grids_gridnode g ON g.id = hh.grid_id "
            "WHERE g.tree_id = %s AND e.source = 'department' AND e.reference LIKE %s",
            [run.county.tree_id, reference_prefix(run.month) + "%"],
        )
        clues_for_month = cursor.fetchone()[0]
    return {
        "records": total("records"),
        "invalid": total("invalid"),
        "skipped": total("skipped"),
        "matched": total("matched"),
        "unmatched": total("unmatched"),
        "hits": sum(t["hits"] for t in townships),
        "clues_created": sum(t["clues_created"] for t in townships),
        "clues_merged": sum(t["clues_merged"] for t in townships),
        "clues_for_month": clues_for_month,
        "by_department": departments,
        "by_township": townships,
        "skipped_batches": skipped_batches,
    }


def run_fail(run_id: int, error: str) -> None:
    """Record a step's error on the run (its own transaction), so the page shows it."""
    ComparisonRun.objects.filter(pk=run_id).exclude(state=RunState.DONE).update(
        state=RunState.FAILED, error=error[:2000]
    )
