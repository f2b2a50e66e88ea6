"""Read a department's xlsx or csv file into records (dicts), header names in Chinese or
English. Reading only: validation is the service's, record by record."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from households.importing import HEADER_SEARCH_ROWS, ImportFileError, header_name, read_rows

#: Accepted headers per record field (first row of the file).
HEADERS = {
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "signal": ("信号代码", "信号", "signal"),
    "value": ("取值", "数值", "value"),
    "reference": ("部门记录编号", "记录编号", "reference"),
}
MAX_ROWS = 200_000


def _index(names: list[str]) -> dict:
    index = {}
    for field, aliases in HEADERS.items():
        for i, name in enumerate(names):
            if name in aliases:
                index[field] = i
                break
    return index


def read_records(source, filename: str) -> list[dict]:
    """The file's records in row order; a file error says what to fix."""
    try:
        rows = read_rows(source, filename)
        index, first = None, None
        for number, values in rows:
            names = [header_name(v).lower() for v in values]
            if not any(names):
                continue
            first = first or (number, values)
            found = _index(names)
            if "id_number" in found and "signal" in found:
                index = found
                break
            if number >= HEADER_SEARCH_ROWS:
                break
        if first is None:
            raise ValidationError({"file": _("文件是空的。")})
        if index is None:
            seen = "、".join(str(v).strip() for v in first[1] if v not in (None, ""))[:120]
            raise ValidationError(
                {
                    "file": _(
                        "没有找到表头：前 {n} 行中没有一行同时包含“身份证号”和“信号代码”列；"
                        "读到的第 {row} 行是“{seen}”。"
                    ).format(n=HEADER_SEARCH_ROWS, row=first[0], seen=seen)
                }
            )
        records = []
        for _number, values in rows:
            if not any(v not in (None, "") for v in values):
                continue
            record = {}
            for field, i in index.items():
                value = values[i] if i < len(values) else None
                record[field] = "" if value is None else str(value).strip()
            records.append(record)
            if len(records) > MAX_ROWS:
                raise ValidationError(
                    {"file": _("文件超过 {max} 行，请分成多个批次。").format(max=MAX_ROWS)}
                )
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if not records:
        raise ValidationError({"file": _("文件中没有记录。")})
    return records
