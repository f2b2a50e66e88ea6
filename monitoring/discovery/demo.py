"""The demo county's visits, self-applications and risk clues, built set-based.

At scale 1: three months of visits (the current month up to today and the two before), most
group grids visiting every household monthly and about one in eight behind; households with a
member working away phoned once a quarter (most of them); 846 self-applications of which 775
are completed (办结); clues from visits and from eligible applications, merged per household and
risk type, older ones decided, a few open past their deadline.
"""

import datetime
import random

from django.utils import timezone

from core.seeding import SeedContext, SeedStep
from grids import selectors as grid_selectors
from grids.models import Level, Role
from households.models import Household, HouseholdStatus, Person, PersonStatus, Relation
from monitoring.choices import RiskType
from monitoring.discovery.models.applications import SelfApplication
from monitoring.discovery.models.clues import ClueEvidence, RiskClue
from monitoring.discovery.models.visits import Visit
from monitoring.discovery.selectors import month_bounds
from monitoring.discovery.services.clues import deadlines

APPLICATIONS = 846
COMPLETED = 775
BATCH = 5000
#: Share of group grids that fall behind on visits in a given month, and of visits seeing risk.
BEHIND_SHARE = 0.12
RISKY_VISIT_SHARE = 0.004
PHONED_MIGRANT_SHARE = 0.85

_MATTER_RISKS = {
    "living": [RiskType.LACK_OF_LABOUR, RiskType.ACCIDENT, RiskType.DISASTER],
    "employment": [RiskType.UNSTABLE_WORK, RiskType.BUSINESS_FAILURE],
    "education": [RiskType.SCHOOLING],
    "medical": [RiskType.ILLNESS, RiskType.DISABILITY],
    "housing": [RiskType.HOUSING],
    "water": [RiskType.DRINKING_WATER],
}
_DESCRIPTIONS = {
    "living": "家中主要劳动力受伤，生活困难",
    "employment": "外出务工返乡，暂无稳定收入",
    "education": "两个孩子上高中，学费负担重",
    "medical": "家庭成员住院，自付医疗费用较高",
    "housing": "房屋墙体开裂，雨季漏水",
    "water": "入户水管损坏，取水困难",
}
_CHECK_OF_RISK = {
    RiskType.ILLNESS: "medical",
    RiskType.SCHOOLING: "education",
    RiskType.HOUSING: "housing",
    RiskType.DRINKING_WATER: "water",
}


def _months(today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    first = today.replace(day=1)
    result = []
    for _ in range(3):
        start, end = month_bounds(first)
        result.append((start, min(end, today)))
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(result))


class _Clues:
    """Clues keyed by (household, risk type): a repeat signal becomes evidence of the first."""

    def __init__(self, today):
        self.today = today
        self.by_key: dict[tuple[int, str], RiskClue] = {}
        self.evidence: list[tuple[tuple[int, str], ClueEvidence]] = []

    def add(self, household_id, risk, source, found_on, note, **links):
        key = (household_id, risk)
        clue = self.by_key.get(key)
        if clue is None or found_on < clue.found_on:
            verify_by, decide_by = deadlines(found_on)
            fresh = RiskClue(
                household_id=household_id,
                risk_type=risk,
                source=source,
                found_on=found_on,
                verify_by=verify_by,
                decide_by=decide_by,
            )
            self.by_key[key] = fresh
        self.evidence.append(
            (key, ClueEvidence(source=source, found_on=found_on, note=note, **links))
        )

    def save(self, rng):
        clues = list(self.by_key.values())
        for clue in clues:
            age = (self.today - clue.found_on).days
            # Old clues were mostly decided in time; a few stay open past their deadline.
            if age > 15 and rng.random() < 0.9:
                if rng.random() < 0.7:
                    clue.state, clue.decision_reason = "confirmed", "入户核实属实，提交月度研判"
                else:
                    clue.state, clue.decision_reason = "dismissed", "入户核实，风险已消除"
                clue.decided_at = timezone.now()
            elif age > 3 and rng.random() < 0.6:
                clue.state = "verifying"
                clue.verifying_since = timezone.now()
        RiskClue.objects.bulk_create(clues, batch_size=BATCH)
        _fill_pks(clues, RiskClue, ("household_id", "risk_type"))
        rows = []
        for key, evidence in self.evidence:
            evidence.clue_id = self.by_key[key].pk
            evidence.reference = (
                f"visit:{evidence.visit_id}" if evidence.visit_id else evidence.reference
            )
            rows.append(evidence)
        ClueEvidence.objects.bulk_create(rows, batch_size=BATCH)
        return len(clues), len(rows)


def _fill_pks(objs, model, key_fields):
    """Backends without RETURNING: read the new ids back by a natural key."""
    if not objs or objs[0].pk is not None:
        return
    wanted = {tuple(getattr(o, f) for f in key_fields): o for o in objs}
    for row in model.objects.order_by("-pk").values("pk", *key_fields)[: len(objs) * 2]:
        obj = wanted.get(tuple(row[f] for f in key_fields))
        if obj is not None and obj.pk is None:
            obj.pk = row["pk"]


def seed_monitoring(ctx: SeedContext) -> None:
    """Visits of the last three months, self-applications and the clues they raised."""
    rng = random.Random(ctx.seed + 30)
    tree_id = ctx.state["tree_id"]
    today = timezone.localdate()
    visitors = grid_selectors.holders_by_grid(tree_id=tree_id, level=Level.GROUP, role=Role.MEMBER)
    fallback = grid_selectors.first_holder(tree_id=tree_id)
    fallback = fallback.pk if fallback else None
    households = list(
        Household.objects.filter(grid__tree_id=tree_id, status=HouseholdStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "grid_id")
    )
    migrant = set(
        Person.objects.filter(
            household__grid__tree_id=tree_id, status=PersonStatus.ACTIVE, migrant_months__gt=0
        ).values_list("household_id", flat=True)
    )
    grids = sorted({g for _h, g in households})
    clues = _Clues(today)
    made_visits = 0

    visits: list[Visit] = []
    risky: list[tuple[Visit, list[str]]] = []

    def flush():
        nonlocal made_visits
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        if visits and visits[0].pk is None:
            _fill_pks(visits, Visit, ("household_id", "visited_on", "mode"))
        for visit, risks in risky:
            for risk in risks:
                clues.add(
                    visit.household_id,
                    risk,
                    "visit",
                    visit.visited_on,
                    "走访发现风险",
                    visit_id=visit.pk,
                )
        made_visits += len(visits)
        visits.clear()
        risky.clear()

    quarter_phoned = {h for h in migrant if rng.random() < PHONED_MIGRANT_SHARE}
    for start, end in _months(today):
        behind = {g for g in grids if rng.random() < BEHIND_SHARE}
        done_share = {g: rng.uniform(0.4, 0.8) for g in behind}
        span = (end - start).days
        for household_id, grid_id in households:
            visitor = visitors.get(grid_id, fallback)
            if visitor is None:
                continue
            if grid_id in behind and rng.random() > done_share[grid_id]:
                continue
            day = start + datetime.timedelta(days=rng.randint(0, span))
            visit = Visit(
                household_id=household_id, visitor_id=visitor, visited_on=day, mode="in_person"
            )
            if rng.random() < RISKY_VISIT_SHARE:
                risk = rng.choice(
                    [
                        RiskType.ILLNESS,
                        RiskType.HOUSING,
                        RiskType.DRINKING_WATER,
                        RiskType.UNSTABLE_WORK,
                        RiskType.ACCIDENT,
                        RiskType.SCHOOLING,
                    ]
                )
                check = _CHECK_OF_RISK.get(risk)
                if check:
                    setattr(visit, check, "at_risk")
                else:
                    visit.risk_types = [risk]
                visit.income_change = "down"
                risky.append((visit, [risk]))
            visits.append(visit)
            if household_id in quarter_phoned and (start.month - 1) % 3 == household_id % 3:
                visits.append(
                    Visit(
                        household_id=household_id,
                        visitor_id=visitor,
                        visited_on=start + datetime.timedelta(days=rng.randint(0, span)),
                        mode="phone",
                        notes="电话联系外出务工成员",
                    )
                )
            if len(visits) >= BATCH:
                flush()
        flush()

    made_apps = _seed_applications(ctx, rng, tree_id, today, clues)
    made_clues, made_evidence = clues.save(rng)
    ctx.log(
        f"  走访：{made_visits} 次；自主申报：{made_apps[0]} 件，办结 {made_apps[1]} 件；"
        f"线索：{made_clues} 条（依据 {made_evidence} 条）"
    )
    ctx.state["visits"] = made_visits


def _seed_applications(ctx, rng, tree_id, today, clues):
    total = round(APPLICATIONS * ctx.scale)
    completed = min(total, round(COMPLETED * ctx.scale))
    heads = list(
        Person.objects.filter(
            household__grid__tree_id=tree_id,
            household__status=HouseholdStatus.ACTIVE,
            relation=Relation.HEAD,
            status=PersonStatus.ACTIVE,
        )
        .order_by("pk")
        .values_list("household_id", "name", "id_hash", "id_masked", "household__grid__parent_id")
    )
    if not heads or not total:
        return 0, 0
    leaders = grid_selectors.holders_by_grid(tree_id=tree_id, level=Level.VILLAGE, role=Role.LEADER)
    chosen = rng.sample(heads, min(total, len(heads)))
    completed = min(completed, len(chosen))
    now = timezone.now()
    rows, eligible_rows = [], []
    for index, (household_id, name, id_hash, id_masked, village_id) in enumerate(chosen):
        matter = rng.choice(list(_MATTER_RISKS))
        channel = rng.choices(["platform", "proxy", "government"], [60, 30, 10])[0]
        age = rng.randint(20, 330) if index < completed else rng.randint(0, 25)
        received = now - datetime.timedelta(days=age, hours=rng.randint(0, 12))
        status = (
            "completed" if index < completed else rng.choice(["received", "verifying", "decided"])
        )
        eligible = None
        reason = ""
        if status in ("decided", "completed"):
            eligible = rng.random() < 0.45
            reason = (
                "经入户核实，情况属实，纳入研判" if eligible else "经核实家庭收入稳定，不符合条件"
            )
        rows.append(
            SelfApplication(
                household_id=household_id,
                channel=channel,
                platform_id=f"JZ{ctx.code}{index + 1:06d}" if channel == "platform" else "",
                applicant_name=name,
                applicant_id_hash=id_hash,
                applicant_id_masked=id_masked,
                phone=f"13{rng.randrange(10**9):09d}",
                matter=matter,
                description=_DESCRIPTIONS[matter],
                risk_types=[rng.choice(_MATTER_RISKS[matter])],
                consent=True,
                consent_at=received,
                status=status,
                eligible=eligible,
                result_reason=reason,
                filed_by_id=leaders.get(village_id) if channel != "platform" else None,
                received_at=received,
                decided_at=received + datetime.timedelta(days=8) if eligible is not None else None,
                completed_at=(
                    received + datetime.timedelta(days=rng.randint(10, 18))
                    if status == "completed"
                    else None
                ),
            )
        )
    SelfApplication.objects.bulk_create(rows, batch_size=BATCH)
    _fill_pks(rows, SelfApplication, ("household_id", "applicant_id_hash", "received_at"))
    for app in rows:
        if app.eligible:
            found = (
                (app.decided_at or app.received_at)
                .astimezone(timezone.get_current_timezone())
                .date()
            )
            clues.add(
                app.household_id,
                app.risk_types[0],
                "application",
                min(found, today),
                app.description,
                application_id=app.pk,
            )
            eligible_rows.append(app)
    return len(rows), completed


def purge_monitoring(tree_id: int) -> None:
    """Delete a county's evidence, clues, applications and visits (set-based)."""
    for qs in (
        ClueEvidence.objects.filter(clue__household__grid__tree_id=tree_id),
        RiskClue.objects.filter(household__grid__tree_id=tree_id),
        SelfApplication.objects.filter(household__grid__tree_id=tree_id),
        Visit.objects.filter(household__grid__tree_id=tree_id),
    ):
        qs._raw_delete(qs.db)


STEP = SeedStep(order=30, name="monitoring", seed=seed_monitoring, purge=purge_monitoring)
