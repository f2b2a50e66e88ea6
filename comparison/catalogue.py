"""The default signal catalogue and rules (DOMAIN.md demo values), as plain data.

Plain dicts so the data migration (historical models) and ``ensure_catalogue`` (a county created
later) use the same values. Every threshold is *local*: county staff change them in the admin.
"""

from django.db import transaction

#: (department code, signal code, name, value type, unit, min, max, choices)
SIGNALS = [
    ("yibao", "oop_cost", "年度累计住院自付医疗费用（报销后）", "number", "元", 0, 10_000_000, ""),
    ("weijian", "serious_illness", "新确诊重大疾病", "flag", "", None, None, ""),
    ("jiaoyu", "dropout", "义务教育阶段疑似辍学", "flag", "", None, None, ""),
    ("jiaoyu", "school_cost", "非义务教育阶段年教育支出", "number", "元", 0, 1_000_000, ""),
    ("minzheng", "dibao_new", "新纳入低保", "flag", "", None, None, ""),
    ("minzheng", "tekun_new", "新纳入特困供养", "flag", "", None, None, ""),
    ("minzheng", "temp_relief", "获临时救助", "number", "元", 0, 1_000_000, ""),
    ("canlian", "disability_new", "新增残疾登记", "flag", "", None, None, ""),
    ("canlian", "disability_severe", "重度残疾（一、二级）", "choice", "级", None, None, "1,2,3,4"),
    ("zhujian", "house_grade", "房屋安全鉴定等级", "choice", "", None, None, "A,B,C,D"),
    ("shuili", "water_cut_days", "年内累计供水中断天数", "integer", "天", 0, 366, ""),
    ("renshe", "unemployed", "失业登记", "flag", "", None, None, ""),
    ("renshe", "migrant_returned", "务工返乡", "flag", "", None, None, ""),
    ("yingji", "disaster_loss", "自然灾害损失", "number", "元", 0, 10_000_000, ""),
    ("gongan", "earner_injured", "主要劳动力意外伤残", "flag", "", None, None, ""),
    ("gongan", "earner_death", "主要劳动力死亡", "flag", "", None, None, ""),
    ("gongan", "death", "死亡（数据清洗）", "flag", "", None, None, ""),
]

#: (signal code, risk type, operator, threshold, values, applies to, note)
RULES = [
    ("oop_cost", "illness", "gte", 5000, "", "priority", "脱贫户和监测对象 ≥ 5,000 元"),
    ("oop_cost", "illness", "gte", 20000, "", "others", "其他农户 ≥ 20,000 元"),
    ("serious_illness", "illness", "flag", None, "", "all", ""),
    ("dropout", "schooling", "flag", None, "", "all", ""),
    ("school_cost", "schooling", "gt", 10000, "", "all", "非义务教育费用 > 10,000 元/年"),
    ("dibao_new", "other", "flag", None, "", "all", ""),
    ("tekun_new", "lack_of_labour", "flag", None, "", "all", ""),
    ("temp_relief", "other", "gt", 0, "", "all", ""),
    ("disability_new", "disability", "flag", None, "", "all", ""),
    ("disability_severe", "disability", "in", None, "1,2", "all", ""),
    ("house_grade", "housing", "in", None, "C,D", "all", "C 级、D 级危房"),
    ("water_cut_days", "drinking_water", "gt", 36, "", "all", "年内中断超过 36 天"),
    ("unemployed", "unstable_work", "flag", None, "", "all", ""),
    ("migrant_returned", "unstable_work", "flag", None, "", "all", ""),
    ("disaster_loss", "disaster", "gte", 5000, "", "all", ""),
    ("earner_injured", "accident", "flag", None, "", "all", ""),
    ("earner_death", "lack_of_labour", "flag", None, "", "all", ""),
    # ``death`` has no rule: it is matched and reported (data cleaning), not a risk signal.
]

#: Departments that must exist (the ten of the issue); grids.demo has the same codes.
DEPARTMENTS = [
    ("weijian", "卫健"),
    ("yibao", "医保"),
    ("zhujian", "住建"),
    ("shuili", "水利"),
    ("jiaoyu", "教育"),
    ("minzheng", "民政"),
    ("renshe", "人社"),
    ("canlian", "残联"),
    ("yingji", "应急管理"),
    ("gongan", "公安"),
]


def install_departments(Department) -> dict:
    """The ten departments by code, created where missing (matched by code, then by name)."""
    departments = {}
    for code, name in DEPARTMENTS:
        dept = Department.objects.filter(code=code).first()
        if dept is None:
            dept = Department.objects.filter(name=name).first()
        if dept is None:
            dept = Department.objects.create(code=code, name=name)
        departments[code] = dept
    return departments


def install(county_id, *, Department, Signal, Rule) -> int:
    """Create the default departments, signals and rules of a county where missing.

    Works with real or historical models (the data migration passes its own). Returns the
    number of signals created; a county that already has a signal keeps its catalogue.
    """
    departments = install_departments(Department)
    if Signal.objects.filter(county_id=county_id).exists():
        return 0
    signals = {}
    for dept, code, name, vtype, unit, lo, hi, choices in SIGNALS:
        signals[code] = Signal.objects.create(
            county_id=county_id,
            department=departments[dept],
            code=code,
            name=name,
            value_type=vtype,
            unit=unit,
            min_value=lo,
            max_value=hi,
            choices=choices,
        )
    Rule.objects.bulk_create(
        Rule(
            signal=signals[code],
            risk_type=risk,
            operator=op,
            threshold=threshold,
            values=values,
            applies_to=applies,
            note=note,
        )
        for code, risk, op, threshold, values, applies, note in RULES
    )
    return len(signals)


@transaction.atomic
def ensure_catalogue(county) -> int:
    """The county's default catalogue, created on first use (a county created after migrate)."""
    from grids.models import Department

    from .models import Rule, Signal

    return install(county.pk, Department=Department, Signal=Signal, Rule=Rule)
