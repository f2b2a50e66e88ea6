"""The demo county's monthly village reviews and monitoring cases, built set-based.

At scale 1: exactly 366 households whose risk is not eliminated (open cases, two of them
after a rolled-back elimination, a few identified again after an earlier elimination), 660
earlier cases eliminated (帮扶消除 and 自然消除), and six months of reviews for every village:
the older months confirmed (their inclusions and eliminations are the cases above), last month
mostly confirmed, this month in every state (draft, submitted, returned, approved, confirmed)
and some villages still without one. The monitoring line (Yunnan, 8,700 yuan for 2024 and 2025)
is entered once, shared by every county. Other scales multiply the case counts.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from core.seeding import SeedContext, SeedStep
from grids import selectors as grid_selectors
from grids.models import GridNode, Level, Role
from households.models import Household, HouseholdStatus
from monitoring.cases.models import CaseEvent, MonitoringCase, MonitoringLine
from monitoring.choices import RiskType
from monitoring.discovery.models.clues import OPEN_STATES, RiskClue
from monitoring.discovery.selectors import month_bounds
from monitoring.reviews.models import ReviewItem, VillageReview

OPEN_CASES = 366
ELIMINATED_ASSISTANCE = 520
ELIMINATED_NATURAL = 140
ROLLED_BACK = 2
REIDENTIFIED = 4
MONTHS = 6
BATCH = 5000
LINES = [("53", "云南省", 2024, Decimal("8700")), ("53", "云南省", 2025, Decimal("8700"))]
_RISKS = [
    RiskType.ILLNESS,
    RiskType.ILLNESS,
    RiskType.SCHOOLING,
    RiskType.DISABILITY,
    RiskType.LACK_OF_LABOUR,
    RiskType.UNSTABLE_WORK,
    RiskType.ACCIDENT,
    RiskType.DISASTER,
    RiskType.HOUSING,
    RiskType.BUSINESS_FAILURE,
]
#: This month's review of the first villages, so every state is shown (then drawn at random).
_FIRST_STATES = ["draft", "submitted", "returned", "approved", "confirmed", None]


def _month_starts(today):
    first = today.replace(day=1)
    months = [first]
    for _ in range(MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append(first)
    return list(reversed(months))  # oldest first; the last one is this month


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _risks(rng):
    return sorted(set(rng.sample(_RISKS, rng.choice((1, 1, 2, 2, 3)))))


def seed_reviews(ctx: SeedContext) -> None:
    """Monitoring line, cases with their history, and six months of village reviews."""
    rng = random.Random(ctx.seed + 40)
    tree_id = ctx.state["tree_id"]
    today = timezone.localdate()
    for area, name, year, yuan in LINES:
        MonitoringLine.objects.get_or_create(
            area_code=area, year=year, defaults={"area_name": name, "yuan": yuan}
        )
    months = _month_starts(today)
    window_start = months[0]
    confirmed_months = months[:-2]  # reviews of these months are all confirmed

    households = list(
        Household.objects.filter(grid__tree_id=tree_id, status=HouseholdStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "grid__parent_id", "household_type")
    )
    if not households:
        return
    village_of = {pk: village for pk, village, _t in households}
    kind_of = {pk: kind for pk, _v, kind in households}
    villages = list(
        GridNode.objects.filter(tree_id=tree_id, level=Level.VILLAGE)
        .order_by("code")
        .values_list("pk", "parent_id")
    )
    leaders = grid_selectors.holders_by_grid(tree_id=tree_id, role=Role.LEADER)
    county_user = grid_selectors.first_holder(tree_id=tree_id, level=Level.COUNTY)
    county_user = county_user.pk if county_user else None

    n_open = round(OPEN_CASES * ctx.scale)
    n_assist = round(ELIMINATED_ASSISTANCE * ctx.scale)
    n_natural = round(ELIMINATED_NATURAL * ctx.scale)
    n_rollback = min(n_open, round(ROLLED_BACK * ctx.scale) or (1 if n_open else 0))
    n_again = min(n_open - n_rollback, round(REIDENTIFIED * ctx.scale))
    chosen = rng.sample(
        [pk for pk, _v, _t in households], min(len(households), n_open + n_assist + n_natural)
    )
    open_hh = chosen[:n_open]
    eliminated_hh = chosen[n_open:]
    # A few households eliminated earlier are identified again: their new case replaces an
    # open one drawn above, so the open count stays exact.
    if n_again and eliminated_hh:
        open_hh = open_hh[: n_open - n_again] + eliminated_hh[:n_again]

    def category(pk):
        if rng.random() < 0.18:
            return "sudden"
        return "unstable" if kind_of[pk] == "lifted" else "marginal"

    cases: list[MonitoringCase] = []
    # (case, identified_on, in-window month or None, eliminated_on, elimination month or None)
    plan = []
    for index, pk in enumerate(eliminated_hh):
        method = "assistance" if index < n_assist else "natural"
        identified = today - datetime.timedelta(days=rng.randint(420, 1300))
        eliminated = identified + datetime.timedelta(days=rng.randint(190, 400))
        if eliminated >= months[-2]:
            eliminated = months[-2] - datetime.timedelta(days=rng.randint(10, 300))
        eliminated = max(eliminated, identified + datetime.timedelta(days=185))
        case = MonitoringCase(
            household_id=pk,
            category=category(pk),
            risk_types=_risks(rng),
            identified_on=identified,
            income_12m=Decimal(rng.randint(6000, 24000)),
            spending_12m=Decimal(rng.randint(2000, 30000)),
            state="eliminated",
            eliminated_on=eliminated,
            elimination_method=method,
        )
        cases.append(case)
        plan.append((case, "eliminate"))
    rolled_back = set(open_hh[:n_rollback])
    eliminated_on = {c.household_id: c.eliminated_on for c in cases}
    for pk in open_hh:
        if rng.random() < 0.35:
            month = rng.choice(confirmed_months)
            identified = min(month + datetime.timedelta(days=26), today)
        else:
            identified = window_start - datetime.timedelta(days=rng.randint(1, 700))
        if pk in rolled_back:
            identified = min(identified, window_start - datetime.timedelta(days=300))
        if pk in eliminated_on:  # identified again: new risk after the earlier elimination
            identified = min(
                eliminated_on[pk] + datetime.timedelta(days=rng.randint(45, 90)), today
            )
        case = MonitoringCase(
            household_id=pk,
            category=category(pk),
            risk_types=_risks(rng),
            identified_on=identified,
            income_12m=Decimal(rng.randint(3000, 16000)),
            spending_12m=Decimal(rng.randint(5000, 60000)),
        )
        cases.append(case)
        plan.append((case, "rollback" if pk in rolled_back else "open"))
    MonitoringCase.objects.bulk_create(cases, batch_size=BATCH)
    if cases and cases[0].pk is None:  # backends without RETURNING
        ids = {
            (h, state): pk
            for h, state, pk in MonitoringCase.objects.filter(
                household__grid__tree_id=tree_id
            ).values_list("household_id", "state", "pk")
        }
        for case in cases:
            case.pk = ids[(case.household_id, case.state)]

    events = []
    for case, kind in plan:
        events.append(
            CaseEvent(
                case=case,
                action="identify",
                to_state="monitoring",
                on_date=case.identified_on,
                actor_id=county_user,
                reason="县级审定纳入监测",
            )
        )
        if kind == "eliminate":
            events.append(
                CaseEvent(
                    case=case,
                    action="eliminate",
                    from_state="monitoring",
                    to_state="eliminated",
                    on_date=case.eliminated_on,
                    actor_id=county_user,
                    reason="收入稳定超过监测范围，两不愁三保障及饮水安全有保障",
                )
            )
        elif kind == "rollback":
            gone = case.identified_on + datetime.timedelta(days=200)
            events += [
                CaseEvent(
                    case=case,
                    action="eliminate",
                    from_state="monitoring",
                    to_state="eliminated",
                    on_date=gone,
                    actor_id=county_user,
                    reason="务工收入稳定",
                ),
                CaseEvent(
                    case=case,
                    action="rollback",
                    from_state="eliminated",
                    to_state="monitoring",
                    on_date=gone + datetime.timedelta(days=40),
                    actor_id=county_user,
                    reason="复核发现务工收入不稳定，回退风险消除",
                ),
            ]
    CaseEvent.objects.bulk_create(events, batch_size=BATCH)

    made = _seed_review_months(
        ctx, rng, today, months, villages, leaders, county_user, cases, village_of
    )
    open_count = sum(1 for c in cases if c.state == "monitoring")
    ctx.log(
        f"  监测对象：风险未消除 {open_count} 户（回退 {n_rollback}，再次识别 {n_again}）；"
        f"已消除 {len(eliminated_hh)} 户（帮扶 {min(n_assist, len(eliminated_hh))}）；"
        f"研判 {made[0]} 份、事项 {made[1]} 条"
    )
    ctx.state["cases_open"] = open_count


def _seed_review_months(ctx, rng, today, months, villages, leaders, county_user, cases, village_of):
    current = months[-1]
    previous = months[-2]
    by_village_month: dict[tuple[int, datetime.date], list] = {}
    open_by_village: dict[int, list[MonitoringCase]] = {}
    for case in cases:
        village = village_of[case.household_id]
        if case.state == "monitoring":
            open_by_village.setdefault(village, []).append(case)
            start = case.identified_on.replace(day=1)
            if start in months[:-2]:
                by_village_month.setdefault((village, start), []).append(("include", case))
        elif case.eliminated_on and case.eliminated_on.replace(day=1) in months[:-2]:
            by_village_month.setdefault((village, case.eliminated_on.replace(day=1)), []).append(
                ("eliminate", case)
            )
    open_clues: dict[int, dict[int, list[tuple[int, str]]]] = {}
    for household_id, village, clue_id, risk in RiskClue.objects.filter(
        household__grid__tree_id=ctx.state["tree_id"], state__in=OPEN_STATES
    ).values_list("household_id", "household__grid__parent_id", "id", "risk_type"):
        open_clues.setdefault(village, {}).setdefault(household_id, []).append((clue_id, risk))

    # Decisions on this month's clues draw from their own generator: the clues come from the
    # discovery step, and their number must not shift the states drawn for later villages.
    clue_rng = random.Random(ctx.seed + 41)
    reviews: list[VillageReview] = []
    items_of: list[list[ReviewItem]] = []
    for v_index, (village, township) in enumerate(villages):
        v_leader = leaders.get(village)
        t_leader = leaders.get(township)
        for month in months:
            if month == current:
                state = (
                    _FIRST_STATES[v_index]
                    if v_index < len(_FIRST_STATES)
                    else rng.choices(
                        [None, "draft", "submitted", "returned", "approved", "confirmed"],
                        [25, 25, 20, 8, 14, 8],
                    )[0]
                )
            elif month == previous:
                state = rng.choices(["confirmed", "approved", "submitted"], [85, 10, 5])[0]
            else:
                state = "confirmed"
            if state is None:
                continue
            _first, last = month_bounds(month)
            end = min(last, today)
            meeting = min(month + datetime.timedelta(days=rng.randint(8, 14)), end)
            review = VillageReview(
                village_id=village,
                month=month,
                state=state,
                created_by_id=v_leader,
                meeting_on=None if state == "draft" else meeting,
                attendance=""
                if state == "draft"
                else "村党支部书记、村委会主任、驻村工作队员、各组网格员",
                minutes=""
                if state == "draft"
                else "逐户研判本月风险线索和监测对象，形成意见如下，按程序公示后报乡镇审核。",
                notice_start=None if state == "draft" else meeting + datetime.timedelta(days=1),
                notice_end=None if state == "draft" else meeting + datetime.timedelta(days=7),
            )
            if state != "draft":
                review.submitted_by_id = v_leader
                review.submitted_at = _at(min(meeting + datetime.timedelta(days=8), end))
            if state in ("approved", "confirmed", "returned"):
                review.reviewed_by_id = t_leader
                review.reviewed_at = _at(min(meeting + datetime.timedelta(days=10), end), 15)
            if state == "returned":
                review.return_reason = "部分农户近12个月收入未附核算依据，请补充后重新提交。"
            if state == "confirmed":
                review.confirmed_by_id = county_user
                review.confirmed_at = _at(min(month + datetime.timedelta(days=26), today), 16)
            items = []
            present = set()
            for kind, case in by_village_month.get((village, month), []):
                if case.household_id in present:
                    continue
                present.add(case.household_id)
                if kind == "include":
                    items.append(
                        ReviewItem(
                            household_id=case.household_id,
                            decision="include",
                            category=case.category,
                            risk_types=case.risk_types,
                            income_12m=case.income_12m,
                            spending_12m=case.spending_12m,
                            updated_by_id=v_leader,
                        )
                    )
                    items[-1].opens = case
                else:
                    items.append(
                        ReviewItem(
                            household_id=case.household_id,
                            case_id=case.pk,
                            decision="eliminate",
                            method=case.elimination_method,
                            income_12m=Decimal(rng.randint(20000, 48000)),
                            evidence="入户核实：务工和产业收入稳定，人均纯收入高于监测范围；"
                            "两不愁三保障及饮水安全有保障。",
                            updated_by_id=v_leader,
                        )
                    )
            for case in open_by_village.get(village, []):
                if case.household_id in present or case.identified_on >= month:
                    continue
                items.append(
                    ReviewItem(
                        household_id=case.household_id,
                        case_id=case.pk,
                        decision="keep",
                        note="" if rng.random() < 0.7 else "增加公益岗位，落实医疗救助",
                        updated_by_id=v_leader,
                    )
                )
                present.add(case.household_id)
            if month == current:
                for household_id, found in open_clues.get(village, {}).items():
                    if household_id in present:
                        continue
                    risks = list(dict.fromkeys(r for _c, r in found))[:5]
                    item = ReviewItem(
                        household_id=household_id,
                        clue_ids=[c for c, _r in found],
                        risk_types=risks,
                        updated_by_id=v_leader,
                    )
                    if state != "draft":
                        if clue_rng.random() < 0.6:
                            item.decision = "include"
                            item.category = "marginal"
                            item.income_12m = Decimal(clue_rng.randint(5000, 16000))
                            item.spending_12m = Decimal(clue_rng.randint(3000, 40000))
                        else:
                            item.decision = "dismiss"
                            item.note = "入户核实，家庭收入稳定，风险已化解"
                    items.append(item)
            reviews.append(review)
            items_of.append(items)
    VillageReview.objects.bulk_create(reviews, batch_size=BATCH)
    if reviews and reviews[0].pk is None:
        ids = {
            (v, m): pk
            for v, m, pk in VillageReview.objects.filter(
                village__tree_id=ctx.state["tree_id"]
            ).values_list("village_id", "month", "pk")
        }
        for review in reviews:
            review.pk = ids[(review.village_id, review.month)]
    rows = []
    for review, items in zip(reviews, items_of, strict=True):
        for item in items:
            item.review_id = review.pk
            rows.append(item)
    ReviewItem.objects.bulk_create(rows, batch_size=BATCH)
    opened = [i for i in rows if getattr(i, "opens", None) is not None]
    if opened and opened[0].pk is None:
        ids = {
            (r, h): pk
            for r, h, pk in ReviewItem.objects.filter(
                review__village__tree_id=ctx.state["tree_id"]
            ).values_list("review_id", "household_id", "pk")
        }
        for item in opened:
            item.pk = ids[(item.review_id, item.household_id)]
    for item in opened:
        item.opens.opened_by_item_id = item.pk
    MonitoringCase.objects.bulk_update(
        [i.opens for i in opened], ["opened_by_item"], batch_size=1000
    )
    return len(reviews), len(rows)


def purge_reviews(tree_id: int) -> None:
    """Delete a county's reviews, items, case events and cases (set-based)."""
    MonitoringCase.objects.filter(household__grid__tree_id=tree_id).update(opened_by_item=None)
    for qs in (
        ReviewItem.objects.filter(review__village__tree_id=tree_id),
        VillageReview.objects.filter(village__tree_id=tree_id),
        CaseEvent.objects.filter(case__household__grid__tree_id=tree_id),
        MonitoringCase.objects.filter(household__grid__tree_id=tree_id),
    ):
        qs._raw_delete(qs.db)


STEP = SeedStep(order=40, name="reviews", seed=seed_reviews, purge=purge_reviews)
