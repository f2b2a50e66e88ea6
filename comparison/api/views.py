"""Comparison endpoints: thin — parse, call one selector or service, render."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import NotEditedMixin, ScopedModelViewSet, valid
from grids import selectors as grid_selectors

from .. import selectors, services
from ..models import ComparisonRun, DepartmentBatch
from . import serializers as s


class DepartmentBatchViewSet(NotEditedMixin, ScopedModelViewSet):
    """A department's monthly data batches (部门数据批次), sent in one or more parts.

    ``POST`` opens a batch — or replaces the one with the same department, month and
    ``batch_id`` (200 instead of 201) — with ``parts_total``; ``records`` in the same request
    are its part 1. ``POST {id}/parts/`` sends part ``part`` (sending a part again replaces it).
    The batch is ``complete`` when every part has arrived; only complete batches are compared.
    """

    queryset_model = DepartmentBatch
    selector = staticmethod(selectors.batch_list)
    serializer_class = s.BatchSerializer
    filterset_fields = ["state", "department__code", "month", "batch_id"]
    ordering_fields = ["month", "updated_at"]
    ordering = ["-month", "department__code", "batch_id", "id"]
    # A department's system sends its batches and reads their reports, and nothing else.
    client_operations = {"department": {"list", "retrieve", "create", "parts", "report"}}

    @extend_schema(request=s.BatchWriteSerializer, responses={201: s.BatchSerializer})
    def create(self, request, *args, **kwargs):
        data = valid(s.BatchWriteSerializer, request)
        county, department = services.resolve_sender(
            request.user,
            department_code=data.get("department", ""),
            county_code=data.get("county", ""),
        )
        records = data.get("records")
        batch, created = (
            services.batch_open(
                actor=request.user,
                county=county,
                department=department,
                month=data["month"],
                batch_id=data["batch_id"],
                parts_total=data["parts_total"],
            )
            if records is None
            else services.batch_submit(
                actor=request.user,
                county=county,
                department=department,
                month=data["month"],
                batch_id=data["batch_id"],
                parts_total=data["parts_total"],
                records=records,
            )
        )
        return self._render(batch, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _render(self, batch, code=status.HTTP_200_OK):
        batch = selectors.batch_list(user=self.request.user).get(pk=batch.pk)
        return Response(s.BatchSerializer(batch).data, status=code)

    @extend_schema(request=s.PartWriteSerializer, responses=s.BatchSerializer)
    @action(detail=True, methods=["post"])
    def parts(self, request, *args, **kwargs):
        batch = self.get_object()
        data = valid(s.PartWriteSerializer, request)
        batch = services.batch_part_submit(
            actor=request.user, batch=batch, part=data["part"], records=data["records"]
        )
        return self._render(batch)

    @extend_schema(responses=s.ProblemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def report(self, request, *args, **kwargs):
        """The batch's bad records (with the reason for each) and its records whose person is
        not in the registry, paginated. ID numbers masked."""
        batch = self.get_object()
        page = self.paginate_queryset(selectors.batch_problems(batch))
        return self.get_paginated_response(s.ProblemSerializer(page, many=True).data)


class ComparisonRunViewSet(NotEditedMixin, ScopedModelViewSet):
    """Monthly comparison runs: ``POST`` starts one (202, queued on Celery), ``progress`` is
    its percentage; ``POST {id}/resume/`` queues an interrupted run again."""

    queryset_model = ComparisonRun
    selector = staticmethod(selectors.run_list)
    serializer_class = s.RunSerializer
    filterset_fields = ["state", "month"]
    ordering_fields = ["created_at", "month"]
    ordering = ["-created_at", "-id"]

    @extend_schema(request=s.RunWriteSerializer, responses={202: s.RunSerializer})
    def create(self, request, *args, **kwargs):
        # Who may start a run at all is answered first: a department account is refused (403)
        # whatever its body says, not told to name a county.
        services.require_run_starter(request.user)
        data = valid(s.RunWriteSerializer, request)
        county = grid_selectors.acting_county(user=request.user, code=data.get("county", ""))
        run = services.run_start(actor=request.user, county=county, month=data["month"])
        return self._render(run, status.HTTP_202_ACCEPTED)

    def _render(self, run, code=status.HTTP_200_OK):
        run = selectors.run_list(user=self.request.user).get(pk=run.pk)
        return Response(s.RunSerializer(run).data, status=code)

    @extend_schema(request=None, responses={202: s.RunSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, *args, **kwargs):
        run = services.run_resume(actor=request.user, run=self.get_object())
        return self._render(run, status.HTTP_202_ACCEPTED)
