"""Form pieces every page shares."""

from django import forms


class DateInput(forms.DateInput):
    """The phone's date picker: ``<input type="date">`` takes only ``yyyy-mm-dd``, whatever the
    language (Chinese formats dates ``2026/12/02``, which the input would show as empty)."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002  (Django's name)
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")
