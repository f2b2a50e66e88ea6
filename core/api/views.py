"""Endpoints owned by ``core``: the audit log (API tokens: ``accounts.api``)."""

import django_filters
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from .. import selectors
from ..models import AuditLog, Job
from .filters import UTCDateTimeFilter
from .serializers import AuditLogSerializer, JobSerializer
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


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own jobs (imports, ledgers, exports): poll one until ``state`` is
    ``succeeded`` or ``failed``; ``{id}/file/`` downloads its result file."""

    serializer_class = JobSerializer
    filterset_fields = ["state", "kind"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return selectors.job_list(user=self.request.user)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(description="结果文件")}
    )
    @action(detail=True, methods=["get"])
    def file(self, request, *args, **kwargs):
        job = self.get_object()
        if not job.file:
            raise Http404
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)
