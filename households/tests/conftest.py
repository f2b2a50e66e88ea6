"""Fixtures of the household tests: a revealing role, spreadsheet builders."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from openpyxl import Workbook

from households.importing import HEADERS


@pytest.fixture
def revealer(grid_tree):
    """The county leader, granted the personal-data permission."""
    user = grid_tree.county
    user.user_permissions.add(
        Permission.objects.get(codename="view_full_id_number", content_type__app_label="households")
    )
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions


def _row(values: dict) -> list:
    return [values.get(h, "") for h in HEADERS]


@pytest.fixture
def xlsx_file():
    """``xlsx_file(rows)`` → an in-memory .xlsx (header + rows given as {header: value})."""

    def build(rows, headers=HEADERS):
        wb = Workbook()
        ws = wb.active
        ws.append(list(headers))
        for values in rows:
            ws.append([values.get(h, "") for h in headers])
        buffer = io.BytesIO()
        wb.save(buffer)
        buffer.seek(0)
        buffer.name = "households.xlsx"
        return buffer

    return build


@pytest.fixture
def csv_file():
    """``csv_file(rows, encoding=...)`` → an in-memory .csv."""

    def build(rows, encoding="utf-8-sig"):
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(HEADERS)
        for values in rows:
            writer.writerow(_row(values))
        buffer = io.BytesIO(text.getvalue().encode(encoding))
        buffer.name = "households.csv"
        return buffer

    return build
