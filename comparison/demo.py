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
    RunPart,
    Signal,
)
from .services import store_part

DEMO_SHARE = 0.01

# Value generators per signal code: mostly below the thresholds, some above.
_VALUES = {
    "oop_cost": lambda r: r.choice([r.randrange(500, 5000), r.randrange(5000, 30000)]),
    "school_cost": lambda r: r.randrange(2000, 16000),
    "temp_relief": lambda r: r.choice([0, 0, r.randrange(500, 3000)]),
    "water_cut_days": lambda r: r.randrange(0, 60),
    "disaster_loss": lambda r: r.randrange(0, 20000),
    "house_grade": lambda r: r.choice("AABBBCD"),
    "disability_severe": lambda r: r.choice("1234"),
}


def feed_records(persons, rng, *, invalid=0, strangers=0) -> dict[str, list[dict]]:
    """Records per department code for ``persons`` (``(id_number, …)`` rows), plus some bad
    records and people not in the registry, as a department system would send them."""
    by_department: dict[str, list[dict]] = {}
    signals = [(dept, code) for dept, code, *_ in SIGNALS]
    for n, person in enumerate(persons):
        dept, code = rng.choice(signals)
        value = _VALUES.get(code, lambda r: 1)(rng)
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
            value = _VALUES.get(code, lambda r: 1)(rng)
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

    ``timings`` (a dict) receives the seconds of each step: match, townships, finish; and the
    number of parts.
    """
    import time

    timings = {} if timings is None else timings
    run = ComparisonRun.objects.create(
        county=county, month=month, found_on=found_on or timezone.localdate()
    )
    started = time.perf_counter()
    running.run_match(run.pk)
    timings["match"] = time.perf_counter() - started
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
        RunPart.objects.filter(run__county__tree_id=tree_id),
        ComparisonRun.objects.filter(county__tree_id=tree_id),
        BatchRecord.objects.filter(batch__county__tree_id=tree_id),
        DepartmentBatch.objects.filter(county__tree_id=tree_id),
        Rule.objects.filter(signal__county__tree_id=tree_id),
        Signal.objects.filter(county__tree_id=tree_id),
    ):
        qs._raw_delete(qs.db)


STEP = SeedStep(order=45, name="comparison", seed=seed_comparison, purge=purge_comparison)
