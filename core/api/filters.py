"""Filter types the API shares."""

import datetime

import django_filters


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time with any offset Python accepts (up to ±23:59), compared in UTC:
    PostgreSQL refuses offsets beyond ±15:59 in a literal, so the value is converted first."""

    def filter(self, qs, value):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)
