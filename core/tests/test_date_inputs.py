"""Every date input of every form shows its date in Chinese: ``yyyy-mm-dd``, the only form
``<input type="date">`` takes (zh-hans would write 2026/12/02, shown as an empty field)."""

import datetime
import importlib
import inspect
import re

import pytest
from django import forms
from django.utils import translation

FORM_MODULES = [
    "households.forms",
    "monitoring.discovery.forms",
    "monitoring.reviews.forms",
    "assistance.forms",
    "comparison.forms",
    "accounts.people",
]


def _date_fields():
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _attr, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, forms.DateField):
                    yield f"{cls.__module__}.{cls.__name__}.{field_name}", field


FIELDS = list(_date_fields())


def test_the_forms_have_date_fields_to_check():
    assert len(FIELDS) >= 8, [n for n, _f in FIELDS]


@pytest.mark.parametrize("label, field", FIELDS, ids=[n for n, _f in FIELDS])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_input_renders_yyyy_mm_dd(label, field, language):
    with translation.override(language):
        html = field.widget.render("d", datetime.date(2026, 12, 2))
    assert 'type="date"' in html, (label, html)
    assert re.search(r'value="2026-12-02"', html), (label, html)


@pytest.mark.parametrize("label, field", FIELDS, ids=[n for n, _f in FIELDS])
def test_a_date_input_reads_what_the_picker_sends_in_chinese(label, field):
    with translation.override("zh-hans"):
        assert field.clean("2026-12-02") == datetime.date(2026, 12, 2)
