"""The case endpoint: monitoring cases (监测对象) with their history; the county's rollback."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet, valid
from grids.api.serializers import UserBriefSerializer
from grids.selectors import filter_subtree_code
from monitoring.cases import selectors as sel
from monitoring.cases.models import CaseEvent, MonitoringCase
from monitoring.cases.permissions import case_permissions
from monitoring.cases.services import case_rollback
from monitoring.discovery.api.serializers import (
    MonitoringHouseholdSerializer,
    ReasonSerializer,
    RiskTypeField,
)


class CaseEventSerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "action_display",
            "from_state",
            "to_state",
            "on_date",
            "actor",
            "reason",
            "created_at",
        ]


class CaseSerializer(serializers.ModelSerializer):
    household = MonitoringHouseholdSerializer(read_only=True)
    risk_types = serializers.ListField(child=RiskTypeField(), read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    events = CaseEventSerializer(many=True, read_only=True)
    may_rollback = serializers.SerializerMethodField()

    class Meta:
        model = MonitoringCase
        fields = [
            "id",
            "household",
            "category",
            "category_display",
            "risk_types",
            "identified_on",
            "income_12m",
            "spending_12m",
            "state",
            "state_display",
            "eliminated_on",
            "elimination_method",
            "note",
            "events",
            "may_rollback",
        ]

    def get_may_rollback(self, obj) -> bool:
        request = self.context.get("request")
        if request is None:
            return False
        return case_permissions(request.user, obj, obj.household.grid.tree_id)["may_rollback"]


class CaseFilterSet(django_filters.FilterSet):
    grid = django_filters.CharFilter(method="filter_grid", label=_("网格编码（含下级）"))

    class Meta:
        model = MonitoringCase
        fields = ["state", "category", "elimination_method", "household", "grid"]

    def filter_grid(self, queryset, name, value):
        return filter_subtree_code(queryset, "household__grid", value)


class CaseViewSet(ScopedReadOnlyViewSet):
    """Monitoring cases (监测对象) with their history; they change through confirmed reviews,
    and the county rolls eliminations back here."""

    queryset_model = MonitoringCase
    selector = staticmethod(sel.case_list)
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    ordering_fields = ["identified_on", "eliminated_on"]
    ordering = ["-identified_on", "-id"]

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def rollback(self, request, *args, **kwargs):
        """Roll an elimination back (风险消除回退): the county only, with a reason."""
        case = self.get_object()
        data = valid(ReasonSerializer, request)
        case_rollback(actor=request.user, case=case, reason=data["reason"])
        case = sel.case_list(user=request.user).get(pk=case.pk)
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)
