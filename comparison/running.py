"""The monthly run, set-based: stage, then the townships' clues in parts, then the summary.

1. ``run_stage`` — ONE statement (on PostgreSQL) matches every valid record of the month's
   complete batches to a person of the county through ``Person.id_hash``, applies the active
   rules to the matched ones (thresholds, operators and ``applies_to`` in SQL), stores the
   signals that fire as ``RunHit`` rows with their household and township, marks the records
   whose person is not in the registry ``unmatched`` (only where that changes), and returns the
   counts per township and department; one ``RunPart`` per township is created with them.
2. ``part_groups`` packs the townships not yet done into parts of at most
   ``COMPARISON_PART_RECORDS`` staged hits (a county of ordinary size is one part);
   ``part_process`` — for one part, in one transaction: ``clue_raise_many`` opens or merges
   the clues of the part's hits and the townships' parts are marked done. A township already
   done is skipped, so a restarted run continues where it stopped, and a killed worker leaves
   either the whole part or nothing.
3. ``run_finish`` — when every part is done: the summary (by department, by township).

The records are read once, by the staging statement; the parts read only the staged hits. No
step loops over records in Python.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from core.services import audit_record
from grids.models import Department, Level
from monitoring.discovery.services.clues_bulk import clue_raise_many

from .models import (
    BatchRecord,
    BatchState,
    ComparisonRun,
    DepartmentBatch,
    RunPart,
    RunState,
)

logger = logging.getLogger(__name__)

# Every valid record of the county's month in a complete batch, with the person's household
# and township when a person of the county has its ID number (``household_id`` NULL: not in
# the registry, or registered in another county). ID numbers are unique across the deployment,
# so the person is found first and the county checked after: flat outer joins let PostgreSQL
# hash the persons once (a subquery of the county's persons joined first was ~40 % slower).
# Parameters: tree id, county id, month.
MATCHED_SQL = """
    SELECT r.id, r.signal_id, r.value_number, r.value_text, b.department_id,
        COALESCE(NULLIF(r.reference, ''), b.batch_id || '/' || r.part || '-' || r.number) AS ref,
        CASE WHEN g.tree_id = %s THEN hh.id END AS household_id,
        CASE WHEN hh.status = 'active' THEN hh.id END AS active_household_id,
        hh.household_type, v.parent_id AS township_id
    FROM comparison_batchrecord r
    JOIN comparison_departmentbatch b ON b.id = r.batch_id
    LEFT JOIN households_person p ON p.id_hash = r.id_hash
    LEFT JOIN households_household hh ON hh.id = p.household_id
    LEFT JOIN grids_gridnode g ON g.id = hh.grid_id
    LEFT JOIN grids_gridnode v ON v.id = g.parent_id
    WHERE b.county_id = %s AND b.month = %s AND b.state = 'complete' AND r.valid
"""

# The signals that fire, as ``comparison_runhit`` rows: one per (matched record of an active
# household, rule that fires). ``applies_to`` splits members of 脱贫户 and of monitored
# households ("priority") from the others. Parameters: run id, reference prefix.
HITS_SQL = """
    SELECT %s, m.id, ru.id, m.household_id, m.township_id, m.department_id, ru.risk_type,
        SUBSTR(%s || d.code || '/' || m.ref || '/' || ru.risk_type, 1, 100),
        d.name || '：' || s.name
    FROM m
    JOIN comparison_signal s ON s.id = m.signal_id AND s.active
    JOIN comparison_rule ru ON ru.signal_id = m.signal_id AND ru.active
    JOIN grids_department d ON d.id = m.department_id
    -- Two IS NOT NULL tests rather than an equality on the household's status: the planner
    -- then expects most of m to pass and joins the rules by hash (~80 ms less at scale 1)
    -- instead of looking them up per record.
    WHERE m.household_id IS NOT NULL AND m.active_household_id IS NOT NULL
      AND (ru.applies_to = 'all' OR (CASE WHEN m.household_type IN ('lifted', 'lifted_no_policy')
            OR EXISTS (SELECT 1 FROM monitoring_monitoringcase mc
                       WHERE mc.household_id = m.household_id AND mc.state = 'monitoring')
           THEN 'priority' ELSE 'others' END) = ru.applies_to)
      AND ((ru.operator = 'gte' AND m.value_number >= ru.threshold)
        OR (ru.operator = 'gt' AND m.value_number > ru.threshold)
        OR (ru.operator = 'flag' AND m.value_number = 1)
        OR (ru.operator = 'in'
            AND (',' || ru."values" || ',') LIKE ('%%,' || m.value_text || ',%%')))
"""

_HIT_COLUMNS = (
    "run_id, record_id, rule_id, household_id, township_id, department_id, risk_type, "
    "reference, note"
)

# PostgreSQL: the whole staging in one statement (data-modifying CTEs). Rows: kind
# ('m' matched / 'h' hits / 'u' records whose ``unmatched`` changed), township, department,
# count, distinct (household, risk type) pairs.
STAGE_SQL = f"""
WITH m AS MATERIALIZED ({MATCHED_SQL}),
staged AS (
    INSERT INTO comparison_runhit ({_HIT_COLUMNS}) {HITS_SQL}
    RETURNING township_id, department_id, household_id, risk_type
),
marked AS (
    UPDATE comparison_batchrecord r SET unmatched = (m.household_id IS NULL)
    FROM m WHERE r.id = m.id AND r.unmatched <> (m.household_id IS NULL)
    RETURNING r.id
)
SELECT 'm', township_id, department_id, COUNT(*), 0 FROM m
    WHERE household_id IS NOT NULL GROUP BY township_id, department_id
UNION ALL
SELECT 'h', township_id, department_id, COUNT(*),
    COUNT(DISTINCT household_id || '/' || risk_type) FROM staged
    GROUP BY township_id, department_id
UNION ALL
SELECT 'u', NULL, NULL, COUNT(*), 0 FROM marked
"""


def reference_prefix(month) -> str:
    return f"{month:%Y-%m}/"


def part_records() -> int:
    """Staged hits up to which townships share one part (``COMPARISON_PART_RECORDS``)."""
    return settings.COMPARISON_PART_RECORDS


def part_groups(run_id: int) -> list[list[int]]:
    """The townships not yet done, packed (in code order) into parts of at most
    ``part_records()`` staged hits each; a township larger than that is a part alone.

    A county of ordinary size is one part, run without a Celery hop; a large one is split so
    the parts write in parallel and a lost worker costs one part.
    """
    pending = list(
        RunPart.objects.filter(run_id=run_id, done=False)
        .order_by("township__code")
        .values_list("township_id", "counts")
    )
    if not pending:
        return []
    limit = part_records()
    groups, current, size = [], [], 0
    for township_id, counts in pending:
        n = counts.get("hits", 0)
        if current and size + n > limit:
            groups.append(current)
            current, size = [], 0
        current.append(township_id)
        size += n
    groups.append(current)
    return groups


def stage(run: ComparisonRun) -> dict[int, dict]:
    """Match, apply the rules, store the hits and mark the unmatched records; returns the
    counts per township id: ``matched``, ``hits``, ``by_department`` ({code: [hits, clues]})."""
    month = connection.ops.adapt_datefield_value(run.month)
    match_params = [run.county.tree_id, run.county_id, month]
    hit_params = [run.pk, reference_prefix(run.month)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The county's persons are hashed once; with the default 4MB that hash spills to
            # disk in batches (~10 % slower at 140,000 persons). For this transaction only.
            cursor.execute(
                "SELECT set_config('work_mem', %s, true)", [settings.COMPARISON_WORK_MEM]
            )
            cursor.execute(STAGE_SQL, [*match_params, *hit_params])
            rows = cursor.fetchall()
            # The parts read these rows by run: without statistics that know them, the
            # planner takes the run's hits for a handful and joins them row by row with the
            # clues (seen: 13 s instead of 0.3 s at scale 1).
            cursor.execute("ANALYZE comparison_runhit")
        else:  # SQLite (the embedded default): the same three steps as separate statements
            with_m = f"WITH m AS ({MATCHED_SQL}) "
            cursor.execute(
                f"{with_m} INSERT INTO comparison_runhit ({_HIT_COLUMNS}) {HITS_SQL}",
                [*match_params, *hit_params],
            )
            cursor.execute(
                "UPDATE comparison_batchrecord SET unmatched = NOT unmatched WHERE id IN ("
                f"{with_m} SELECT m.id FROM m "
                "JOIN comparison_batchrecord r ON r.id = m.id "
                "WHERE r.unmatched <> (m.household_id IS NULL))",
                match_params,
            )
            cursor.execute(
                f"{with_m} SELECT 'm', township_id, department_id, COUNT(*), 0 FROM m "
                "WHERE household_id IS NOT NULL GROUP BY township_id, department_id",
                match_params,
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT 'h', township_id, department_id, COUNT(*), "
                "COUNT(DISTINCT household_id || '/' || risk_type) FROM comparison_runhit "
                "WHERE run_id = %s GROUP BY township_id, department_id",
                [run.pk],
            )
            rows += cursor.fetchall()
    codes = dict(Department.objects.values_list("id", "code"))
    counts: dict[int, dict] = {}
    for kind, township_id, department_id, n, pairs in rows:
        if kind == "u":
            continue
        c = counts.setdefault(township_id, {"matched": 0, "hits": 0, "by_department": {}})
        if kind == "m":
            c["matched"] += n
        else:
            c["hits"] += n
            c["by_department"][codes[department_id]] = [n, pairs]
    return counts


def run_stage(run_id: int) -> ComparisonRun | None:
    """Step 1 (once per run, one transaction): stage the month, create the township parts."""
    with transaction.atomic():
        run = (
            ComparisonRun.objects.select_for_update(of=("self",))
            .select_related("county")
            .get(pk=run_id)
        )
        if run.state == RunState.DONE:
            return None
        if run.matched_at is None:
            counts = stage(run)
            townships = run.county.get_children().filter(level=Level.TOWNSHIP)
            RunPart.objects.bulk_create(
                [
                    RunPart(
                        run=run,
                        township=t,
                        counts=counts.get(t.pk, {"matched": 0, "hits": 0, "by_department": {}}),
                    )
                    for t in townships
                ]
            )
            run.parts_total = len(townships)
            run.matched_at = timezone.now()
        run.state = RunState.RUNNING
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["matched_at", "parts_total", "state", "heartbeat_at"])
    return run


def part_process(run_id: int, township_ids: int | list[int]) -> dict | None:
    """Step 2 for one part (one township or several small ones): raise the clues of its staged
    hits and mark the townships' parts done, in one transaction. Townships already done are
    skipped. Returns the counts per township id."""
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
        result = clue_raise_many(
            actor=run.started_by,
            hits_sql="SELECT household_id, township_id, risk_type, reference, note "
            "FROM comparison_runhit WHERE run_id = %s AND township_id IN "
            f"({', '.join(['%s'] * len(ids))})",
            params=[run_id, *ids],
            found_on=run.found_on,
            audit_obj=parts[0] if len(parts) == 1 else run,
            tree_id=run.county.tree_id,
            group_by="township_id",
        )
        now = timezone.now()
        counts = {}
        for part in parts:
            clues = result["groups"].get(part.township_id, {})
            part.counts = {
                **part.counts,
                "created": clues.get("created", 0),
                "merged": clues.get("merged", 0),
                "evidence": clues.get("evidence", 0),
            }
            part.done = True
            part.finished_at = now
            counts[part.township_id] = part.counts
        RunPart.objects.bulk_update(parts, ["counts", "done", "finished_at"])
        # The parts' row locks make "done" happen once, so + n is exact under concurrency.
        ComparisonRun.objects.filter(pk=run_id).update(
            parts_done=F("parts_done") + len(parts), heartbeat_at=timezone.now()
        )
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
                # statistics from before, the summary's join of the hits to them loops over a
                # whole table per hit (seen: 17 s instead of 5 ms at scale 1).
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
    compared = Q(valid=True, batch__state=BatchState.COMPLETE)
    rows = (
        BatchRecord.objects.filter(batch__county_id=run.county_id, batch__month=run.month)
        .values("batch__department__code", "batch__department__name")
        .annotate(
            records=Count("id"),
            skipped=Count("id", filter=~Q(batch__state=BatchState.COMPLETE)),
            invalid=Count("id", filter=Q(valid=False, batch__state=BatchState.COMPLETE)),
            matched=Count("id", filter=compared & Q(unmatched=False)),
            unmatched=Count("id", filter=compared & Q(unmatched=True)),
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
        # The clues that carry this month's signals, whichever run added them (a re-run adds
        # none, but the month still has its clues): the run's hits found as evidence.
        cursor.execute(
            "SELECT COUNT(DISTINCT c.id) FROM comparison_runhit h "
            "JOIN monitoring_riskclue c ON c.household_id = h.household_id "
            "AND c.risk_type = h.risk_type "
            "JOIN monitoring_clueevidence e ON e.clue_id = c.id AND e.reference = h.reference "
            "WHERE h.run_id = %s",
            [run.pk],
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
