"""Read a department's xlsx or csv file into records (dicts), header names in Chinese or
English. Reading only: validation is the service's, record by record."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from households.importing import ImportFileError, read_rows

#: Accepted headers per record field (first row of the file).
HEADERS = {
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "signal": ("信号代码", "信号", "signal"),
    "value": ("取值", "数值", "value"),
    "reference": ("部门记录编号", "记录编号", "reference"),
}
MAX_ROWS = 200_000


def read_records(source, filename: str) -> list[dict]:
    """The file's records in row order; a file error says what to fix."""
    try:
        rows = read_rows(source, filename)
        header = next(rows, None)
        if header is None:
            raise ValidationError({"file": _("文件是空的。")})
        names = [str(v or "").strip() for v in header[1]]
        index = {}
        for field, aliases in HEADERS.items():
            for i, name in enumerate(names):
                if name in aliases or name.lower() in aliases:
                    index[field] = i
                    break
        missing = [HEADERS[f][0] for f in ("id_number", "signal") if f not in index]
        if missing:
            raise ValidationError(
                {"file": _("第 1 行缺少列：{columns}。").format(columns="、".join(missing))}
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
