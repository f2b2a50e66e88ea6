"""Endpoints owned by ``core``: the audit log (API tokens: ``accounts.api``)."""

import django_filters

from .. import selectors
from ..models import AuditLog
from .filters import UTCDateTimeFilter
from .serializers import AuditLogSerializer
from .viewsets import ScopedReadOnlyViewSet


class AuditLogFilterSet(django_filters.FilterSet):
    at_after = UTCDateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = UTCDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditLog
        fields = ["action", "object_type", "object_id", "at_after", "at_before"]


class AuditLogViewSet(ScopedReadOnlyViewSet):
    """The audit log of the caller's county trees (county administrators only)."""

    queryset_model = AuditLog
    selector = staticmethod(selectors.audit_list)
    serializer_class = AuditLogSerializer
    filterset_class = AuditLogFilterSet
    search_fields = ["object_repr", "reason"]
    ordering_fields = ["at"]
