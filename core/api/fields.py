"""Serializer fields the API shares."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.months import parse_month


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthField(serializers.Field):
    """A month, written and read as ``YYYY-MM`` (the first day of the month inside)."""

    def to_internal_value(self, data):
        try:
            return parse_month(data, field=self.field_name or "month")
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from None

    def to_representation(self, value):
        return f"{value:%Y-%m}" if value else None


#: Ids are 64-bit (``BigAutoField``); a larger number names nothing.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """The id of a row a client names: a whole number from 1 to 2⁶³−1."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
