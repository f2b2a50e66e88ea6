"""One way to read a month a user gives (a query string, a form, an API body, a command)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# 2026-10, 2026/10, 2026.10, 2026年10月, 202610, each also with its day (2026-10-31 …).
_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
)


def parse_month(
    value, *, field: str = "month", default=None, earliest=None, latest=None
) -> datetime.date:
    """The first day of the month ``value`` names: a date, or text such as ``2026-10``.

    Empty ``value`` gives ``default`` when one is given; otherwise, and for anything that is not
    a month (also a day that does not exist: ``2026-10-99``), a ``ValidationError`` on ``field``
    says how to write it. ``earliest``/``latest`` (months) bound what the caller accepts: a
    department's batch cannot be of a future month.
    """
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return _bounded(value.replace(day=1), field, earliest, latest)
    text = "" if value is None else str(value).strip()
    if not text and default is not None:
        return default
    for form in _FORMS:
        match = form.match(text.replace(" ", ""))
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            day = int(match.group(3)) if match.group(3) else 1
            try:
                if year >= 1900:
                    datetime.date(year, month, day)
                    return _bounded(datetime.date(year, month, 1), field, earliest, latest)
            except ValueError:
                pass
            break
    raise ValidationError(
        {field: _("月份格式应为 YYYY-MM，如 2026-10，实为“{value}”。").format(value=text)}
    )


def _bounded(month, field, earliest, latest):
    if earliest is not None and month < earliest:
        raise ValidationError(
            {
                field: _("月份不能早于 {earliest:%Y-%m}，实为 {month:%Y-%m}。").format(
                    earliest=earliest, month=month
                )
            }
        )
    if latest is not None and month > latest:
        raise ValidationError(
            {
                field: _(
                    "月份不能晚于 {latest:%Y-%m}（不能是将来的月份），实为 {month:%Y-%m}。"
                ).format(latest=latest, month=month)
            }
        )
    return month


def this_month() -> datetime.date:
    """The first day of the current month (local time)."""
    from django.utils import timezone

    return timezone.localdate().replace(day=1)
