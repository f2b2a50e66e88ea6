"""Validation of one department record: ID number, signal, value. Pure Python, no queries.

``validate_record`` turns a raw record (a dict from JSON or a spreadsheet row) into the fields
of a ``BatchRecord``. Bad records are kept with their reasons (field + Chinese message) so the
batch report can list them; the ID number is never kept whole, not even in an error.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from households import idnumbers

from .models import ValueType

_TRUE = {"1", "true", "yes", "y", "是", "有", "t"}
_FALSE = {"0", "false", "no", "n", "否", "无", "f"}


def _error(field, reason):
    return {"field": field, "reason": str(reason)}


def _parse_value(signal, raw):
    """(value_number, value_text, error) for ``raw`` under ``signal``'s value type."""
    text = "" if raw is None else str(raw).strip()
    if signal.value_type == ValueType.FLAG:
        if text == "" or text.lower() in _TRUE:
            return Decimal(1), "", None
        if text.lower() in _FALSE:
            return Decimal(0), "", None
        return (
            None,
            "",
            _("“{name}”只能填 1/是 或 0/否，实为“{value}”").format(
                name=signal.name, value=text[:20]
            ),
        )
    if signal.value_type == ValueType.CHOICE:
        value = text.upper()
        if value not in [c.upper() for c in signal.choice_list]:
            return (
                None,
                "",
                _("“{name}”应为 {choices} 之一，实为“{value}”").format(
                    name=signal.name, choices="、".join(signal.choice_list), value=text[:20]
                ),
            )
        return None, value, None
    if text == "":
        return None, "", _("“{name}”缺少数值").format(name=signal.name)
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return (
            None,
            "",
            _("“{name}”应为数字，实为“{value}”").format(name=signal.name, value=text[:20]),
        )
    if not number.is_finite():
        return None, "", _("“{name}”应为数字").format(name=signal.name)
    if signal.value_type == ValueType.INTEGER and number != number.to_integral_value():
        return None, "", _("“{name}”应为整数，实为 {value}").format(name=signal.name, value=text)
    if signal.min_value is not None and number < signal.min_value:
        return (
            None,
            "",
            _("“{name}”不能小于 {min}，实为 {value}").format(
                name=signal.name, min=signal.min_value, value=text
            ),
        )
    if signal.max_value is not None and number > signal.max_value:
        return (
            None,
            "",
            _("“{name}”不能大于 {max}，实为 {value}").format(
                name=signal.name, max=signal.max_value, value=text
            ),
        )
    return number.quantize(Decimal("0.01")), "", None


def validate_record(raw: dict, signals: dict, *, department_name: str = "") -> dict:
    """The ``BatchRecord`` fields for ``raw`` (``id_number``, ``signal``, ``value``,
    ``reference``), with ``valid`` and ``errors`` (a list of ``{"field", "reason"}``).

    ``signals`` maps the department's active signal codes to ``Signal`` rows.
    """
    errors = []
    id_raw = raw.get("id_number")
    id_hash = ""
    id_masked = idnumbers.mask(id_raw) if id_raw not in (None, "") else ""
    try:
        number = idnumbers.normalize("" if id_raw is None else str(id_raw))
        id_hash = idnumbers.hash_id(number)
        id_masked = idnumbers.mask(number)
    except idnumbers.IdNumberError as exc:
        errors.append(_error("id_number", exc.message))
    code = str(raw.get("signal") or "").strip()
    signal = signals.get(code)
    value_number, value_text = None, ""
    if signal is None:
        if code:
            reason = _("信号代码“{code}”不是{department}的已登记信号").format(
                code=code[:40], department=department_name or _("本部门")
            )
        else:
            reason = _("缺少信号代码")
        errors.append(_error("signal", reason))
    else:
        value_number, value_text, problem = _parse_value(signal, raw.get("value"))
        if problem:
            errors.append(_error("value", problem))
    return {
        "id_hash": id_hash,
        "id_masked": id_masked[:40],
        "signal": signal,
        "signal_code": code[:40],
        "value_number": value_number,
        "value_text": value_text,
        "reference": str(raw.get("reference") or "")[:60],
        "valid": not errors,
        "errors": errors,
    }
