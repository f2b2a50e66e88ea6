"""The demo county's department data: last month's batches from the ten departments and one
completed comparison run (seed step ``comparison``, order 45).

About one person in a hundred appears in some department's feed (the benchmark uses one in
ten); each batch also carries a few records with errors and a few people from outside the
county, so the batch reports and the run's "unmatched" column have something to show.
"""

import datetime
import random

from django.utils import timezone

from core.seeding import SeedContext, SeedStep
from households import idnumbers
from households.models import Person

from . import running
from .catalogue import SIGNALS, ensure_catalogue
from .models import (
    BatchRecord,
    ComparisonRun,
    DepartmentBatch,
    Rule,
    RunHit,
    RunPart,
    Signal,
)
from .services import store_part

DEMO_SHARE = 0.01


def _share(rng, *bands):
    """A whole number from ``(probability, low, high)`` bands (the last band takes the rest)."""
    x = rng.random()
    band = bands[-1]
    for band in bands:
        if x < band[0]:
            break
        x -= band[0]
    return rng.randrange(int(band[1]), int(band[2]))


# What a month's feeds look like: (signal code, share of the records, value). Most records are
# routine data that a department holds for many people — an inpatient's out-of-pocket cost, a
# house appraisal, days without water, school costs — and most of those are below the
# thresholds; event flags (a new diagnosis, a dropout, a new 低保 admission…) are sent only when
# the event happened, so each of them fires, and they are rare. About one record in six fires
# a rule (``bench comparison`` prints the share as ``hit_share``).
FEED_MIX = [
    ("oop_cost", 30, lambda r: _share(r, (0.85, 200, 5000), (0.12, 5000, 20000), (1, 2e4, 8e4))),
    ("house_grade", 15, lambda r: r.choices("ABCD", weights=(45, 45, 8, 2))[0]),
    ("water_cut_days", 10, lambda r: _share(r, (0.90, 0, 15), (0.07, 15, 37), (1, 37, 90))),
    ("school_cost", 8, lambda r: _share(r, (0.88, 2000, 10001), (1, 10001, 20000))),
    ("disaster_loss", 4, lambda r: _share(r, (0.85, 100, 5000), (1, 5000, 50000))),
    ("disability_severe", 4, lambda r: r.choices("1234", weights=(10, 15, 35, 40))[0]),
    ("temp_relief", 3, lambda r: r.choice([0, 0, r.randrange(500, 3000)])),
    ("death", 3, lambda r: 1),
    ("migrant_returned", 1.8, lambda r: 1),
    ("serious_illness", 1, lambda r: 1),
    ("dibao_new", 1, lambda r: 1),
    ("unemployed", 1, lambda r: 1),
    ("disability_new", 0.5, lambda r: 1),
    ("dropout", 0.2, lambda r: 1),
    ("tekun_new", 0.2, lambda r: 1),
    ("earner_injured", 0.2, lambda r: 1),
    ("earner_death", 0.1, lambda r: 1),
]
_MIX_VALUES = {code: value for code, _, value in FEED_MIX}


def feed_records(persons, rng, *, invalid=0, strangers=0) -> dict[str, list[dict]]:
    """Records per department code for ``persons`` (``(id_number, …)`` rows), plus some bad
    records and people not in the registry, as a department system would send them."""
    by_department: dict[str, list[dict]] = {}
    department_of = {code: dept for dept, code, *_ in SIGNALS}
    codes = [code for code, _, _ in FEED_MIX]
    weights = [share for _, share, _ in FEED_MIX]
    for n, person in enumerate(persons):
        code = rng.choices(codes, weights=weights)[0]
        dept = department_of[code]
        value = _MIX_VALUES[code](rng)
        by_department.setdefault(dept, []).append(
            {"id_number": person[0], "signal": code, "value": value, "reference": f"R{n}"}
        )
    for dept, records in by_department.items():
        for i in range(invalid):
            bad = idnumbers.generate(
                rng, birth=datetime.date(1975, 3, 1) + datetime.timedelta(days=i), sex="female"
            )
            records.append(
                {"id_number": bad[:17] + ("0" if bad[17] != "0" else "1"), "signal": "x"}
            )
        for i in range(strangers):
            number = idnumbers.generate(
                rng,
                region="530102",
                birth=datetime.date(1990, 1, 1) + datetime.timedelta(days=i),
                sex="male",
            )
            code = next(c for d, c, *_ in SIGNALS if d == dept)
            value = _MIX_VALUES[code](rng)
            records.append(
                {"id_number": number, "signal": code, "value": value, "reference": f"S{i}"}
            )
    return by_department


def sample_persons(tree_id: int, share: float, rng) -> list[tuple[str]]:
    """Active persons of the county, a ``share`` of them, with their ID numbers decrypted."""
    ids = list(
        Person.objects.filter(household__grid__tree_id=tree_id, status="active").values_list(
            "id", flat=True
        )
    )
    chosen = rng.sample(ids, max(1, int(len(ids) * share))) if ids else []
    tokens = Person.objects.filter(id__in=chosen).values_list("id_encrypted", flat=True)
    return [(idnumbers.decrypt(t),) for t in tokens]


def stage_month(county, month, by_department, *, batch_prefix="DEMO") -> list[DepartmentBatch]:
    """One complete batch per department (no actor: the seeders' path to ``store_part``)."""
    from grids.models import Department

    departments = {d.code: d for d in Department.objects.all()}
    batches = []
    for code, records in sorted(by_department.items()):
        batch = DepartmentBatch.objects.create(
            county=county,
            department=departments[code],
            month=month,
            batch_id=f"{batch_prefix}-{month:%Y%m}-{code}",
            parts_total=max(1, -(-len(records) // 5000)),
        )
        for part, start in enumerate(range(0, len(records), 5000), start=1):
            store_part(batch, part, records[start : start + 5000])
        batches.append(batch)
    return batches


def run_now(county, month, *, found_on=None, timings=None) -> ComparisonRun:
    """Run a month in-process, step by step, in the parts ``comparison_run_task`` would use
    (seeders and the benchmark; no Celery).

    ``timings`` (a dict) receives the seconds of each step: stage, townships, finish; and the
    number of parts.
    """
    import time

    timings = {} if timings is None else timings
    run = ComparisonRun.objects.create(
        county=county, month=month, found_on=found_on or timezone.localdate()
    )
    started = time.perf_counter()
    running.run_stage(run.pk)
    timings["stage"] = time.perf_counter() - started
    started = time.perf_counter()
    groups = running.part_groups(run.pk)
    for township_ids in groups:
        running.part_process(run.pk, township_ids)
    timings["parts"] = len(groups)
    timings["townships"] = time.perf_counter() - started
    started = time.perf_counter()
    running.run_finish(run.pk)
    timings["finish"] = time.perf_counter() - started
    return ComparisonRun.objects.get(pk=run.pk)


def seed_comparison(ctx: SeedContext) -> None:
    county = ctx.state["county"]
    rng = random.Random(ctx.seed + 45)
    ensure_catalogue(county)
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    persons = sample_persons(county.tree_id, DEMO_SHARE, rng)
    stage_month(county, month, feed_records(persons, rng, invalid=2, strangers=2))
    run = run_now(county, month)
    ctx.log(
        f"comparison: {run.summary['records']} records, {run.summary['matched']} matched, "
        f"{run.summary['clues_created']} clues"
    )


def purge_comparison(tree_id: int) -> None:
    """Delete a county's runs, batches and catalogue (set-based)."""
    for qs in (
        RunHit.objects.filter(run__county__tree_id=tree_id),
        RunPart.objects.filter(run__county__tree_id=tree_id),
        ComparisonRun.objects.filter(county__tree_id=tree_id),
        BatchRecord.objects.filter(batch__county__tree_id=tree_id),
        DepartmentBatch.objects.filter(county__tree_id=tree_id),
        Rule.objects.filter(signal__county__tree_id=tree_id),
        Signal.objects.filter(county__tree_id=tree_id),
    ):
        qs._raw_delete(qs.db)


STEP = SeedStep(order=45, name="comparison", seed=seed_comparison, purge=purge_comparison)
