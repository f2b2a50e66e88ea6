"""Assistance endpoints: thin — parse, call one selector or service, render."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import (
    NotDeletedMixin,
    PatchOnlyMixin,
    ScopedModelViewSet,
    valid,
    visible_reference,
)
from monitoring.models import MonitoringCase

from .. import selectors, services
from ..models import AssistancePlan, Measure
from ..rules import suggest_measures
from . import serializers as s


class _PatchAndRender(PatchOnlyMixin, NotDeletedMixin):
    """PATCH only (PUT answers 405 after the scope check) and answers with the object re-read
    through the viewset's selector, so a write returns what a read would."""

    def _render(self, obj, code=status.HTTP_200_OK):
        obj = self.selector(user=self.request.user).get(pk=obj.pk)
        return Response(self.serializer_class(obj).data, status=code)


class PlanViewSet(_PatchAndRender, ScopedModelViewSet):
    """Assistance plans (一户一方案) of the households in the caller's subtrees, with their
    measures, warnings and overdue flag. Department accounts see none."""

    queryset_model = AssistancePlan
    selector = staticmethod(selectors.plan_list)
    serializer_class = s.PlanSerializer
    filterset_fields = ["case", "case__state"]
    ordering_fields = ["drawn_up_on"]
    ordering = ["-drawn_up_on", "-id"]

    @extend_schema(request=s.PlanWriteSerializer, responses={201: s.PlanSerializer})
    def create(self, request, *args, **kwargs):
        data = valid(s.PlanWriteSerializer, request)
        case = visible_reference(
            MonitoringCase.objects,
            user=request.user,
            key=data.pop("case"),
            field="case",
            what=_("监测户"),
        )
        plan = services.plan_create(actor=request.user, case=case, **data)
        return self._render(plan, status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanUpdateSerializer, responses=s.PlanSerializer)
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = valid(s.PlanUpdateSerializer, request)
        return self._render(services.plan_update(actor=request.user, plan=plan, **data))

    @extend_schema(request=None, responses=s.SuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def suggestions(self, request, *args, **kwargs):
        """缺什么补什么: what the rules suggest for this plan's case and members."""
        plan = self.get_object()
        items = suggest_measures(plan.case, existing=list(plan.measures.all()))
        return Response(s.SuggestionSerializer(items, many=True).data)

    @extend_schema(request=s.AddSuggestedSerializer, responses={201: s.MeasureSerializer})
    @action(detail=True, methods=["post"], url_path="add-suggested")
    def add_suggested(self, request, *args, **kwargs):
        """Add one suggested measure by its rule."""
        plan = self.get_object()
        data = valid(s.AddSuggestedSerializer, request)
        measure = services.measure_add_suggested(
            actor=request.user, plan=plan, rule_id=data["rule"], planned_on=data.get("planned_on")
        )
        measure = selectors.measure_list(user=request.user).get(pk=measure.pk)
        return Response(s.MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


class MeasureViewSet(_PatchAndRender, ScopedModelViewSet):
    """Measures: grid people see their subtrees' measures, a department its own across the
    county. Only the plan's keepers add or edit measures; the department moves their state."""

    queryset_model = Measure
    selector = staticmethod(selectors.measure_list)
    serializer_class = s.MeasureSerializer
    filterset_fields = ["state", "category", "kind", "department", "plan"]
    ordering_fields = ["planned_on", "implemented_on", "updated_at"]
    ordering = ["planned_on", "id"]
    # A department's system reads the measures its department is responsible for.
    client_operations = {"department": {"list", "retrieve"}}

    @extend_schema(request=s.MeasureWriteSerializer, responses={201: s.MeasureSerializer})
    def create(self, request, *args, **kwargs):
        data = valid(s.MeasureWriteSerializer, request)
        plan = visible_reference(
            AssistancePlan.objects,
            user=request.user,
            key=data.pop("plan"),
            field="plan",
            what=_("帮扶计划"),
        )
        measure = services.measure_add(actor=request.user, plan=plan, **data)
        return self._render(measure, status.HTTP_201_CREATED)

    @extend_schema(request=s.MeasureUpdateSerializer, responses=s.MeasureSerializer)
    def partial_update(self, request, *args, **kwargs):
        measure = self.get_object()
        data = valid(s.MeasureUpdateSerializer, request)
        return self._render(services.measure_update(actor=request.user, measure=measure, **data))

    @extend_schema(request=s.MeasureStateSerializer, responses=s.MeasureSerializer)
    @action(detail=True, methods=["post"])
    def state(self, request, *args, **kwargs):
        """Move the state: ``in_progress``, ``implemented`` (``implemented_on``, ``evidence``),
        ``not_implemented`` or ``cancelled`` (``reason``). The department may do all but cancel."""
        measure = self.get_object()
        data = valid(s.MeasureStateSerializer, request)
        measure = services.measure_set_state(
            actor=request.user,
            measure=measure,
            state=data["state"],
            on_date=data.get("implemented_on"),
            evidence=data["evidence"],
            reason=data["reason"],
        )
        return self._render(measure)
