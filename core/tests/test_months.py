"""The one month parser: every way people write a month, and a clear error otherwise."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.months import parse_month


@pytest.mark.parametrize(
    "value",
    [
        "2026-10",
        "2026-10-31",
        "2026/10",
        "2026.10",
        "2026年10月",
        "2026年10月31日",
        "202610",
        "20261031",
        " 2026-10 ",
        datetime.date(2026, 10, 17),
        datetime.datetime(2026, 10, 17, 8, 30),
    ],
)
def test_parse_month_reads_every_common_spelling(value):
    assert parse_month(value) == datetime.date(2026, 10, 1)


def test_parse_month_reads_single_digit_months():
    assert parse_month("2026-1") == parse_month("2026年1月") == datetime.date(2026, 1, 1)


@pytest.mark.parametrize("value", ["2026-13", "2026-00", "2026", "十月", "abc", "1800-01", ""])
def test_parse_month_refuses_with_a_chinese_message_on_the_field(value):
    with pytest.raises(ValidationError) as exc:
        parse_month(value, field="period")
    assert list(exc.value.error_dict) == ["period"]
    assert "YYYY-MM" in exc.value.messages[0]


def test_parse_month_empty_gives_the_default():
    default = datetime.date(2026, 5, 1)
    assert parse_month("", default=default) == parse_month(None, default=default) == default
