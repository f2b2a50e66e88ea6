"""The default "缺什么补什么" rules (no county: every county starts from them).

The departments they name are the county departments of every Chinese county; they are created
here when missing (looked up by code, then by name), so a fresh deployment has them.
"""

from django.db import migrations
from django.db.models import Q

DEPARTMENTS = {
    "weijian": "卫健",
    "yibao": "医保",
    "zhujian": "住建",
    "shuili": "水利",
    "jiaoyu": "教育",
    "minzheng": "民政",
    "renshe": "人社",
    "canlian": "残联",
    "yingji": "应急管理",
}

# (order, risk type, member condition, category, kind, department code, note)
RULES = [
    (10, "", "no_medical_insurance", "comprehensive_security", "medical_insurance_subsidy", "yibao",
     "资助未参保成员参加城乡居民基本医疗保险"),
    (20, "illness", "", "health", "medical_assistance", "yibao",
     "基本医保、大病保险、医疗救助三重保障，落实先诊疗后付费"),
    (30, "illness", "serious_or_chronic_illness", "health", "family_doctor", "weijian",
     "家庭医生签约服务，慢病、大病患者定期随访"),
    (40, "", "dibao", "comprehensive_security", "dibao", "minzheng", "按时足额发放低保金"),
    (50, "", "tekun", "comprehensive_security", "tekun", "minzheng", "落实特困人员救助供养"),
    (60, "lack_of_labour", "", "comprehensive_security", "dibao", "minzheng",
     "符合条件的纳入低保，应保尽保"),
    (70, "disability", "", "comprehensive_security", "disability_subsidy", "canlian",
     "困难残疾人生活补贴和重度残疾人护理补贴"),
    (80, "", "disabled", "comprehensive_security", "disability_subsidy", "canlian",
     "困难残疾人生活补贴和重度残疾人护理补贴"),
    (90, "schooling", "compulsory_school_age", "compulsory_education", "education_grant",
     "jiaoyu", "义务教育阶段资助，控辍保学"),
    (100, "schooling", "non_compulsory_student", "other_education", "yulu_plan", "jiaoyu",
     "雨露计划职业教育补助或高中、大学阶段资助"),
    (110, "housing", "", "housing", "house_renovation", "zhujian",
     "房屋安全鉴定，C、D级危房改造"),
    (120, "drinking_water", "", "water", "water_supply", "shuili",
     "供水设施维修或改造，保障水量、水质、取水方便"),
    (130, "disaster", "", "comprehensive_security", "disaster_relief", "yingji", "受灾群众生活救助"),
    (140, "accident", "", "comprehensive_security", "temporary_relief", "minzheng", "临时救助，解决急难"),
    (150, "unstable_work", "able_to_work", "employment", "job_placement", "renshe",
     "就业帮扶车间、劳务输出，稳岗就业"),
    (160, "unstable_work", "able_to_work", "welfare_job", "welfare_job", "renshe",
     "就近安排乡村公益性岗位"),
    (170, "business_failure", "", "finance", "microcredit", None, "脱贫人口小额信贷支持恢复生产"),
    (180, "business_failure", "able_to_work", "industry", "industry_subsidy", None,
     "产业奖补，发展种养殖"),
    (190, "", "able_to_work", "industry", "industry_subsidy", None, "产业奖补，发展种养殖"),
    (200, "", "able_to_work", "employment", "skills_training", "renshe",
     "职业技能培训，推荐就业"),
    (210, "", "no_pension_insurance", "comprehensive_security", "pension_subsidy", "renshe",
     "代缴城乡居民基本养老保险费"),
    (220, "other", "", "social", "paired_help", None, "结对帮扶，社会力量帮扶"),
]


def create_rules(apps, schema_editor):
    Department = apps.get_model("grids", "Department")
    SuggestionRule = apps.get_model("assistance", "SuggestionRule")
    departments = {}
    for code, name in DEPARTMENTS.items():
        department = Department.objects.filter(Q(code=code) | Q(name=name)).first()
        if department is None:
            department = Department.objects.create(code=code, name=name)
        departments[code] = department
    for order, risk, condition, category, kind, dept, note in RULES:
        SuggestionRule.objects.get_or_create(
            county=None,
            risk_type=risk,
            member_condition=condition,
            kind=kind,
            defaults={
                "category": category,
                "department": departments.get(dept),
                "note": note,
                "order": order,
            },
        )


def remove_rules(apps, schema_editor):
    apps.get_model("assistance", "SuggestionRule").objects.filter(county=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0001_initial"),
        ("grids", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_rules, remove_rules)]
