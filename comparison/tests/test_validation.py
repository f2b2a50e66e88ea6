"""Record validation (pure) and the rules as the run applies them (in SQL)."""

import datetime
import random
from decimal import Decimal

import pytest

from comparison.models import Signal
from comparison.validation import validate_record
from households import idnumbers

NUMBER = idnumbers.generate(random.Random(1), birth=datetime.date(1980, 1, 2), sex="male")


def _signals():
    return {
        "oop_cost": Signal(
            code="oop_cost",
            name="自付费用",
            value_type="number",
            min_value=Decimal(0),
            max_value=Decimal(10_000_000),
        ),
        "house_grade": Signal(
            code="house_grade", name="房屋等级", value_type="choice", choices="A,B,C,D"
        ),
        "dropout": Signal(code="dropout", name="辍学", value_type="flag"),
        "days": Signal(code="days", name="天数", value_type="integer", min_value=0, max_value=366),
    }


def _check(raw):
    return validate_record(raw, _signals(), department_name="医保")


def test_valid_record_keeps_hash_and_mask_only():
    fields = _check({"id_number": NUMBER.lower(), "signal": "oop_cost", "value": "12,345.6"})
    assert fields["valid"] and fields["errors"] == []
    assert fields["id_hash"] == idnumbers.hash_id(NUMBER)
    assert fields["id_masked"] == NUMBER[:6] + "********" + NUMBER[14:]
    assert fields["value_number"] == Decimal("12345.60")
    assert NUMBER not in repr({k: v for k, v in fields.items() if k != "signal"})


@pytest.mark.parametrize(
    "raw, field, words",
    [
        ({"id_number": NUMBER[:17] + "Y"}, "id_number", "第 18 位"),
        ({"id_number": NUMBER[:16]}, "id_number", "18 位"),
        ({"id_number": ""}, "id_number", "为空"),
        ({"signal": "unknown"}, "signal", "不是医保的已登记信号"),
        ({"signal": ""}, "signal", "缺少信号代码"),
        ({"value": "abc"}, "value", "应为数字"),
        ({"value": -1}, "value", "不能小于"),
        ({"value": 20_000_000}, "value", "不能大于"),
        ({"value": None}, "value", "缺少数值"),
        ({"signal": "house_grade", "value": "E"}, "value", "A、B、C、D"),
        ({"signal": "dropout", "value": "也许"}, "value", "1/是"),
        ({"signal": "days", "value": "3.5"}, "value", "整数"),
    ],
)
def test_bad_records_say_which_field_and_why(raw, field, words):
    fields = _check({"id_number": NUMBER, "signal": "oop_cost", "value": 1, **raw})
    assert not fields["valid"]
    assert [e["field"] for e in fields["errors"]] == [field]
    assert words in fields["errors"][0]["reason"]
    assert NUMBER not in repr(fields["errors"])


def test_bad_check_digit_is_masked_not_kept():
    wrong = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    fields = _check({"id_number": wrong, "signal": "oop_cost", "value": 1})
    assert fields["errors"][0]["field"] == "id_number" and "校验位" in fields["errors"][0]["reason"]
    assert fields["id_hash"] == "" and fields["id_masked"] == wrong[:6] + "********" + wrong[14:]


def test_flag_accepts_chinese_yes_and_empty_and_choice_is_case_blind():
    assert _check({"id_number": NUMBER, "signal": "dropout", "value": "是"})["value_number"] == 1
    assert _check({"id_number": NUMBER, "signal": "dropout"})["value_number"] == 1
    assert _check({"id_number": NUMBER, "signal": "dropout", "value": "否"})["value_number"] == 0
    assert _check({"id_number": NUMBER, "signal": "house_grade", "value": "c"})["value_text"] == "C"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "signal, value, household_type, risk",
    [
        ("oop_cost", 4999, "lifted", None),
        ("oop_cost", 5000, "lifted", "illness"),
        ("oop_cost", 19999, "ordinary", None),
        ("oop_cost", 20000, "ordinary", "illness"),
        ("house_grade", "B", "ordinary", None),
        ("house_grade", "D", "ordinary", "housing"),
        ("dropout", 1, "ordinary", "schooling"),
        ("dropout", 0, "ordinary", None),
        ("school_cost", 10000, "ordinary", None),
        ("school_cost", 10001, "ordinary", "schooling"),
        ("disability_new", "是", "ordinary", "disability"),
        ("water_cut_days", 36, "ordinary", None),
        ("water_cut_days", 37, "ordinary", "drinking_water"),
        ("earner_death", 1, "ordinary", "lack_of_labour"),
        ("earner_injured", 1, "ordinary", "accident"),
        ("death", 1, "ordinary", None),
        ("disaster_loss", 5000, "ordinary", "disaster"),
        ("unemployed", 1, "ordinary", "unstable_work"),
    ],
)
def test_default_rules_in_sql(grid_tree, signal, value, household_type, risk):
    from comparison import running, services
    from comparison.catalogue import ensure_catalogue
    from comparison.models import Signal as SignalModel
    from monitoring.models import RiskClue

    from .helpers import household_with_id, last_month, send

    ensure_catalogue(grid_tree.c)
    household, number = household_with_id(grid_tree.g1, household_type=household_type)
    code = SignalModel.objects.filter(code=signal).values_list("department__code", flat=True)
    send(
        grid_tree.superuser,
        grid_tree.c,
        code.first(),
        [{"id_number": number, "signal": signal, "value": value}],
    )
    run = services.run_start(actor=grid_tree.county, county=grid_tree.c, month=last_month())
    running.run_stage(run.pk)
    running.part_process(run.pk, grid_tree.t1.pk)
    got = list(RiskClue.objects.filter(household=household).values_list("risk_type", flat=True))
    assert got == ([risk] if risk else [])


@pytest.mark.django_db
def test_a_rule_edited_in_the_admin_changes_the_outcome(grid_tree):
    from comparison import running, services
    from comparison.catalogue import ensure_catalogue
    from comparison.models import Rule
    from monitoring.models import RiskClue

    from .helpers import household_with_id, last_month, send

    ensure_catalogue(grid_tree.c)
    Rule.objects.filter(signal__code="oop_cost", applies_to="others").update(threshold=3000)
    household, number = household_with_id(grid_tree.g1)
    send(
        grid_tree.superuser,
        grid_tree.c,
        "yibao",
        [{"id_number": number, "signal": "oop_cost", "value": 3500}],
    )
    run = services.run_start(actor=grid_tree.county, county=grid_tree.c, month=last_month())
    running.run_stage(run.pk)
    running.part_process(run.pk, grid_tree.t1.pk)
    assert RiskClue.objects.filter(household=household, risk_type="illness").exists()
