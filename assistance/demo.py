"""The demo county's assistance plans and measures, built set-based (order 50, after cases).

For the open cases (risk not eliminated) the figures of the article come out of the data: at 366
open cases, 1,510 measures drawn up, 1,053 implemented — 71 industry (产业), 63 employment (就业)
and 919 comprehensive security (综合保障: 医保参保资助, 养老保险代缴, 低保…); other counts scale
proportionally. The measures not yet implemented answer the cases' risks first (housing, water,
schooling, illness), then give households able to work their development-type help. Eliminated
cases get a plan whose measures are all implemented. Deterministic for a given seed.
"""

import datetime
import random

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from core.seeding import SeedContext, SeedStep
from grids.models import Department
from households.models import Person, PersonStatus
from monitoring.models import CaseState, MonitoringCase

from .models import AssistancePlan, Measure, MeasureCategory, MeasureState
from .rules import ABLE_CAPACITIES

BATCH = 5000
#: The article's county: open cases and the measures of their plans.
ARTICLE_OPEN_CASES = 366
ARTICLE_MEASURES = 1510
ARTICLE_IMPLEMENTED = {
    MeasureCategory.INDUSTRY: 71,
    MeasureCategory.EMPLOYMENT: 63,
    MeasureCategory.COMPREHENSIVE_SECURITY: 919,
}

#: Implemented 综合保障 measures, one layer per pass over the cases.
SECURITY_LAYERS = [
    ("medical_insurance_subsidy", "yibao", "资助参加城乡居民基本医疗保险", 380),
    ("pension_subsidy", "renshe", "代缴城乡居民基本养老保险费", 100),
    ("dibao", "minzheng", "纳入农村低保，按月发放", 3960),
    ("temporary_relief", "minzheng", "临时救助", 1500),
    ("disability_subsidy", "canlian", "困难残疾人生活补贴", 960),
]
#: Risk type → the pending measure that answers it.
RISK_MEASURES = {
    "housing": ("housing", "house_renovation", "zhujian", "C级危房加固改造"),
    "drinking_water": ("water", "water_supply", "shuili", "入户管网维修"),
    "schooling": ("compulsory_education", "education_grant", "jiaoyu", "义务教育阶段资助"),
    "illness": ("health", "medical_assistance", "yibao", "医疗救助，先诊疗后付费"),
}
DEVELOPMENT_PENDING = [
    ("welfare_job", "welfare_job", "renshe", "安排护林员公益性岗位"),
    ("finance", "microcredit", None, "脱贫人口小额信贷 5 万元"),
]
FILLERS = [
    ("health", "family_doctor", "weijian", "家庭医生签约服务"),
    ("social", "paired_help", None, "结对帮扶"),
    ("living_conditions", "other", None, "改厨改厕"),
]
UNITS = ["县医保局", "县人社局", "县民政局", "乡镇人民政府", "驻村工作队", "县乡村振兴局"]
SURNAMES = list("和李杨余王张赵罗蜂熊胡施谷何陈")
GIVEN = list("文华明春秀英玉兰金花永福德正建国立新海平志强")
RULE_PERMISSIONS = [
    "view_suggestionrule",
    "add_suggestionrule",
    "change_suggestionrule",
    "view_assistanceplan",
    "view_measure",
]


def targets(open_cases: int) -> dict:
    """The article's figures scaled to ``open_cases`` (exact at 366)."""
    f = open_cases / ARTICLE_OPEN_CASES
    implemented = {cat: round(n * f) for cat, n in ARTICLE_IMPLEMENTED.items()}
    return {"measures": round(ARTICLE_MEASURES * f), "implemented": implemented}


def _date(start: datetime.date, days: int, today: datetime.date) -> datetime.date:
    return min(start + datetime.timedelta(days=days), today)


def seed_assistance(ctx: SeedContext) -> None:
    """Plans for every case of the county and measures matching the article's figures."""
    rng = random.Random(ctx.seed + 50)
    tree_id = ctx.state["tree_id"]
    today = timezone.localdate()
    cases = list(
        MonitoringCase.objects.filter(household__grid__tree_id=tree_id, plan__isnull=True)
        .order_by("pk")
        .values("pk", "household_id", "risk_types", "identified_on", "state", "eliminated_on")
    )
    _grant_rule_permissions()
    if not cases:
        ctx.log("  帮扶：没有监测对象")
        return
    able = set(
        Person.objects.filter(
            household__grid__tree_id=tree_id,
            status=PersonStatus.ACTIVE,
            labour_capacity__in=ABLE_CAPACITIES,
        ).values_list("household_id", flat=True)
    )
    departments = {d.code: d.pk for d in Department.objects.all()}

    plans = []
    for case in cases:
        plans.append(
            AssistancePlan(
                case_id=case["pk"],
                contact_name=rng.choice(SURNAMES)
                + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                contact_phone=f"139{rng.randrange(10**8):08d}",
                contact_unit=rng.choice(UNITS),
                drawn_up_on=_date(case["identified_on"], rng.randint(2, 15), today),
            )
        )
    AssistancePlan.objects.bulk_create(plans, batch_size=BATCH)
    plan_of = dict(
        AssistancePlan.objects.filter(case__household__grid__tree_id=tree_id).values_list(
            "case_id", "pk"
        )
    )

    measures: list[Measure] = []

    def add(case, spec, *, implemented: bool, state=None, amount=None):
        category, kind, dept, description = spec
        planned = _date(case["identified_on"], rng.randint(5, 25), today)
        done = None
        if implemented:
            done = _date(planned, rng.randint(0, 30), today)
            if case["eliminated_on"]:
                done = min(done, case["eliminated_on"])
                planned = min(planned, done)
        measures.append(
            Measure(
                plan_id=plan_of[case["pk"]],
                category=category,
                kind=kind,
                department_id=departments.get(dept) if dept else None,
                description=description,
                amount=amount,
                planned_on=planned,
                state=MeasureState.IMPLEMENTED if implemented else state,
                implemented_on=done,
                evidence=f"{description}：发放（办理）凭证已归档" if implemented else "",
            )
        )

    open_cases = [c for c in cases if c["state"] == CaseState.MONITORING]
    closed = [c for c in cases if c["state"] != CaseState.MONITORING]
    figures = _seed_open(open_cases, able, add, rng)
    for case in closed:
        kind, dept, description, _amount = SECURITY_LAYERS[0]
        add(case, ("comprehensive_security", kind, dept, description), implemented=True)
        if case["household_id"] in able:
            add(
                case,
                ("industry", "industry_subsidy", None, "产业奖补：种植中药材"),
                implemented=True,
            )
        else:
            add(
                case,
                ("comprehensive_security", "dibao", "minzheng", "纳入农村低保"),
                implemented=True,
            )
    Measure.objects.bulk_create(measures, batch_size=BATCH)
    ctx.log(
        f"  帮扶：计划 {len(plans)} 个；风险未消除户措施 {figures['measures']} 项，"
        f"已落实 {sum(figures['implemented'].values())} 项"
    )


def _seed_open(cases, able, add, rng) -> dict:
    """The measures of the open cases, exactly the scaled article figures."""
    n = len(cases)
    if not n:
        return targets(0)
    goal = targets(n)
    implemented = goal["implemented"]
    security = implemented[MeasureCategory.COMPREHENSIVE_SECURITY]
    # 综合保障, layer by layer over the cases (two or three each at the article's ratio).
    for j in range(security):
        kind, dept, description, amount = SECURITY_LAYERS[(j // n) % len(SECURITY_LAYERS)]
        add(
            cases[j % n],
            ("comprehensive_security", kind, dept, description),
            implemented=True,
            amount=amount,
        )
    # Development help implemented: industry, then employment, for households able to work.
    workers = [c for c in cases if c["household_id"] in able] or cases
    has_development = set()
    dev_specs = [
        (MeasureCategory.INDUSTRY, ("industry", "industry_subsidy", None, "产业奖补：养殖中蜂")),
        (MeasureCategory.EMPLOYMENT, ("employment", "job_placement", "renshe", "转移就业")),
    ]
    offset = 0
    for category, spec in dev_specs:
        for k in range(implemented[category]):
            case = workers[(offset + k) % len(workers)]
            add(case, spec, implemented=True)
            has_development.add(case["pk"])
        offset += implemented[category]
    # Pending measures: answer the risks first, then development help, then fillers.
    budget = goal["measures"] - sum(implemented.values())
    wanted = []
    for risk in ("housing", "drinking_water", "schooling", "illness"):
        wanted += [(c, RISK_MEASURES[risk]) for c in cases if risk in (c["risk_types"] or [])]
    wanted += [
        (c, DEVELOPMENT_PENDING[i % 2])
        for i, c in enumerate(workers)
        if c["pk"] not in has_development and c["household_id"] in able
    ]
    i = 0
    while len(wanted) < budget:
        wanted.append((cases[i % n], FILLERS[(i // n) % len(FILLERS)]))
        i += 1
    for case, spec in wanted[:budget]:
        state = MeasureState.IN_PROGRESS if rng.random() < 0.4 else MeasureState.PLANNED
        add(case, spec, implemented=False, state=state)
    return goal


def _grant_rule_permissions() -> None:
    """County administrators keep the suggestion rules in the admin and read plans there."""
    group = Group.objects.filter(name="县级管理员").first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="assistance", codename__in=RULE_PERMISSIONS
            )
        )


def purge_assistance(tree_id: int) -> None:
    """Delete a county's measures and plans (set-based)."""
    for qs in (
        Measure.objects.filter(plan__case__household__grid__tree_id=tree_id),
        AssistancePlan.objects.filter(case__household__grid__tree_id=tree_id),
    ):
        qs._raw_delete(qs.db)


STEP = SeedStep(order=50, name="assistance", seed=seed_assistance, purge=purge_assistance)
