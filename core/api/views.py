"""Endpoints owned by ``core``: the audit log and API tokens."""

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication

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


@extend_schema(
    request=None,
    responses=inline_serializer(
        "TokenResponse",
        {"expiry": serializers.DateTimeField(), "token": serializers.CharField()},
    ),
)
class TokenLoginView(KnoxLoginView):
    """Exchange a username and password (HTTP Basic) for an expiring API token.

    The token is shown once; only its hash is stored.
    """

    authentication_classes = [BasicAuthentication]


@extend_schema(request=None, responses={204: None})
class TokenLogoutView(KnoxLogoutView):
    """Revoke the token used for this request."""
