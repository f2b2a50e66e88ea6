"""``bench comparison``: ingest a month from the ten departments, run it, and compare the run
with one hand-written SQL statement.

Per scale, inside a transaction that is rolled back (the database is left as found): seed a
throwaway county (code ``990007``, steps ``grids`` and ``households``), mark 366 households as
monitored, put about one person in ten into some department's feed (``demo.FEED_MIX``:
mostly routine records below the thresholds, rare event flags; plus a few bad records and
people from elsewhere), and time

- ``ingest_seconds``: every department's batch through ``services.batch_upload`` (validation,
  keyed hashing, parts of 5,000), as the upload page and the API do;
- ``run_seconds``: the month's run, step by step in-process (the staging statement, the parts
  ``comparison_run_task`` would use — one at scale 1 — and summary), plus the check of the
  deferred foreign keys of the rows it wrote (``constraints_seconds``, which a commit pays) —
  the database work a Celery worker does, without broker latency; best of ``RUNS`` runs, each
  rolled back to a savepoint so the next one starts from the same state;
- ``sql_seconds``: ONE statement joining the same staged records to persons and applying the
  same rules (best of three, warmed).

``ratio_to_sql`` = run / statement; ``agree`` says whether the statement's distinct
(household, risk type) pairs equal the clues the run opened.
"""

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from core.benchmarks import best_of, measure, throwaway_county
from grids.models import Department, GridNode
from households.models import Household
from monitoring.models import MonitoringCase, RiskClue

from . import services
from .catalogue import ensure_catalogue
from .demo import feed_records, run_now, sample_persons

BENCH_CODE = "990007"
FEED_SHARE = 0.10
MONITORED = 366
RUNS = 3

# The same join and rules as ``running.MATCH_SQL`` + ``running.HITS_SQL``, as one statement.
REFERENCE_SQL = """
SELECT COUNT(*), COUNT(DISTINCT hh.id || '/' || ru.risk_type)
FROM comparison_batchrecord r
JOIN comparison_departmentbatch b ON b.id = r.batch_id
JOIN comparison_signal s ON s.id = r.signal_id AND s.active
JOIN comparison_rule ru ON ru.signal_id = r.signal_id AND ru.active
JOIN households_person p ON p.id_hash = r.id_hash
JOIN households_household hh ON hh.id = p.household_id AND hh.status = 'active'
JOIN grids_gridnode g ON g.id = hh.grid_id AND g.tree_id = %s
WHERE b.county_id = %s AND b.month = %s AND b.state = 'complete' AND r.valid
  AND (ru.applies_to = 'all' OR (CASE WHEN hh.household_type IN ('lifted', 'lifted_no_policy')
        OR EXISTS (SELECT 1 FROM monitoring_monitoringcase mc
                   WHERE mc.household_id = hh.id AND mc.state = 'monitoring')
       THEN 'priority' ELSE 'others' END) = ru.applies_to)
  AND ((ru.operator = 'gte' AND r.value_number >= ru.threshold)
    OR (ru.operator = 'gt' AND r.value_number > ru.threshold)
    OR (ru.operator = 'flag' AND r.value_number = 1)
    OR (ru.operator = 'in' AND (',' || ru."values" || ',') LIKE ('%%,' || r.value_text || ',%%')))
"""


TABLES = [
    "grids_gridnode",
    "households_household",
    "households_person",
    "monitoring_monitoringcase",
    "monitoring_riskclue",
    "monitoring_clueevidence",
    "comparison_signal",
    "comparison_rule",
    "comparison_departmentbatch",
    "comparison_batchrecord",
]


def analyze_tables() -> None:
    """Planner statistics for the tables the run reads, after the bulk loads.

    Named tables, not a bare ``ANALYZE``: inside the benchmark's long transaction a bare
    ANALYZE also locks the cluster-wide shared catalogues until the rollback, and every other
    database's ANALYZE on the same server waits for it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(TABLES))


def check_deferred() -> float:
    """Check the deferred foreign keys queued so far, as a commit would; returns seconds.

    The benchmark rolls back, so without this the run's ~19,000 new clue and evidence rows
    would never have their foreign keys checked, which a real run pays for when it commits.
    """
    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return time.perf_counter() - started


def one_run(county, month):
    """One run, measured (with its deferred foreign-key checks), then rolled back to a savepoint
    so the next one starts from the same state. Returns (measure, steps, run, clues)."""
    steps = {}
    with transaction.atomic():
        with measure() as ran:
            run = run_now(county, month, timings=steps)
            steps["constraints"] = check_deferred()
        clues = RiskClue.objects.filter(household__grid__tree_id=county.tree_id).count()
        transaction.set_rollback(True)
    return ran, steps, run, clues


def bench_comparison(emit, scales):
    """Seed, ingest, run and compare per scale; one JSON line per scale."""
    for scale in scales:
        with throwaway_county(
            code=BENCH_CODE, name="比对基准县", scale=scale, seed=7, names={"grids", "households"}
        ) as (ctx, seeded):
            county = GridNode.objects.get(code=BENCH_CODE)
            ensure_catalogue(county)
            rng = random.Random(7)
            households = list(
                Household.objects.filter(grid__tree_id=county.tree_id).values_list("id", flat=True)
            )
            MonitoringCase.objects.bulk_create(
                MonitoringCase(
                    household_id=h,
                    category="marginal",
                    risk_types=["illness"],
                    identified_on=datetime.date(2026, 1, 10),
                )
                for h in rng.sample(households, min(MONITORED, len(households)))
            )
            persons = sample_persons(county.tree_id, FEED_SHARE, rng)
            feeds = feed_records(persons, rng, invalid=5, strangers=50)
            month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(
                day=1
            )
            actor = get_user_model().objects.create_superuser("bench-comparison", None)
            departments = {d.code: d for d in Department.objects.all()}
            with measure() as ingest:
                for code, records in sorted(feeds.items()):
                    services.batch_upload(
                        actor=actor,
                        county=county,
                        department=departments[code],
                        month=month,
                        batch_id=f"BENCH-{code}",
                        records=records,
                    )
            analyze_tables()
            params = [
                county.tree_id,
                county.pk,
                connection.ops.adapt_datefield_value(month),
            ]

            def by_sql(params=params):
                with connection.cursor() as cursor:
                    cursor.execute(REFERENCE_SQL, params)
                    return cursor.fetchone()

            by_sql()  # warm (plans, caches)
            raw, (sql_hits, sql_pairs) = best_of(3, by_sql)
            check_deferred()  # the seeding's and ingest's, not the run's

            ran, steps, run, clues = min(
                (one_run(county, month) for _ in range(RUNS)), key=lambda o: o[0]["seconds"]
            )
            s = run.summary
            emit(
                name="comparison.month",
                scale=scale,
                seed_seconds=seeded["seconds"],
                households=len(households),
                persons_in_feeds=len(persons),
                departments=len(feeds),
                records=s["records"],
                invalid=s["invalid"],
                matched=s["matched"],
                unmatched=s["unmatched"],
                townships=run.parts_total,
                ingest_seconds=ingest["seconds"],
                ingest_queries=ingest["queries"],
                run_seconds=ran["seconds"],
                run_queries=ran["queries"],
                stage_seconds=round(steps["stage"], 3),
                townships_seconds=round(steps["townships"], 3),
                finish_seconds=round(steps["finish"], 3),
                constraints_seconds=round(steps["constraints"], 3),
                parts=steps.get("parts"),
                hits=s["hits"],
                hit_share=round(s["hits"] / s["matched"], 3) if s["matched"] else None,
                clues_created=s["clues_created"],
                sql_seconds=raw["seconds"],
                ratio_to_sql=round(ran["seconds"] / raw["seconds"], 2) if raw["seconds"] else None,
                agree=(sql_pairs == s["clues_created"] == clues and sql_hits == s["hits"]),
            )
