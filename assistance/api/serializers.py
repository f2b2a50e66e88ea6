"""Shapes of the assistance endpoints. Rules live in ``assistance.services``.

A measure shows only what its department needs of the household: number, head's name and
village. No ID numbers, members, health or other measures.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import IdField
from grids.api.serializers import DepartmentBriefSerializer, GridBriefSerializer
from grids.models import Department
from monitoring.discovery.api.serializers import RiskTypeField
from monitoring.models import MonitoringCase

from ..models import AssistancePlan, Measure, MeasureCategory, MeasureKind, MeasureState


class MeasureHouseholdSerializer(serializers.Serializer):
    """The household as a measure's department sees it."""

    id = serializers.IntegerField(source="plan.case.household.pk")
    number = serializers.CharField(source="plan.case.household.number")
    head_name = serializers.CharField(source="plan.case.household.head_name")
    village = GridBriefSerializer(source="plan.case.household.grid.parent")


class MeasureSerializer(serializers.ModelSerializer):
    household = serializers.SerializerMethodField()
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "plan",
            "household",
            "category",
            "category_display",
            "kind",
            "kind_display",
            "department",
            "description",
            "amount",
            "planned_on",
            "state",
            "state_display",
            "reason",
            "implemented_on",
            "evidence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_household(self, measure) -> dict:
        return MeasureHouseholdSerializer(measure).data


class MeasureInPlanSerializer(MeasureSerializer):
    class Meta(MeasureSerializer.Meta):
        fields = [f for f in MeasureSerializer.Meta.fields if f not in ("plan", "household")]
        read_only_fields = fields


class MeasureWriteSerializer(serializers.Serializer):
    plan = IdField(label=_("帮扶计划"))
    category = serializers.ChoiceField(choices=MeasureCategory.choices, label=_("措施类别"))
    kind = serializers.ChoiceField(choices=MeasureKind.choices, label=_("具体措施"))
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False, label=_("责任部门")
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    planned_on = serializers.DateField(required=False, label=_("计划落实日期"))


class MeasureUpdateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=MeasureCategory.choices, required=False)
    kind = serializers.ChoiceField(choices=MeasureKind.choices, required=False)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    description = serializers.CharField(required=False, allow_blank=True)
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    planned_on = serializers.DateField(required=False)


class MeasureStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=MeasureState.choices, label=_("状态"))
    implemented_on = serializers.DateField(required=False, allow_null=True, label=_("落实日期"))
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PlanCaseSerializer(serializers.ModelSerializer):
    # Plain codes: the choice sets belong to monitoring's case endpoints (one schema enum each).
    category = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    risk_types = serializers.ListField(child=RiskTypeField(), read_only=True)

    class Meta:
        model = MonitoringCase
        fields = ["id", "category", "state", "risk_types", "identified_on"]
        read_only_fields = fields


class PlanHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    head_name = serializers.CharField()
    grid = GridBriefSerializer()


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PlanSerializer(serializers.ModelSerializer):
    case = PlanCaseSerializer(read_only=True)
    household = PlanHouseholdSerializer(source="case.household", read_only=True)
    measures = MeasureInPlanSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField()
    able_to_work = serializers.BooleanField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = AssistancePlan
        fields = [
            "id",
            "case",
            "household",
            "contact_name",
            "contact_phone",
            "contact_unit",
            "drawn_up_on",
            "note",
            "measures",
            "warnings",
            "able_to_work",
            "is_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_warnings(self, plan) -> list[dict]:
        from ..selectors import plan_warnings

        return WarningSerializer(plan_warnings(plan), many=True).data


class PlanWriteSerializer(serializers.Serializer):
    case = IdField(label=_("监测对象"))
    contact_name = serializers.CharField(max_length=50, label=_("帮扶联系人"))
    contact_phone = serializers.CharField(max_length=20, label=_("联系人电话"))
    contact_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    drawn_up_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlanUpdateSerializer(serializers.Serializer):
    contact_name = serializers.CharField(max_length=50, required=False)
    contact_phone = serializers.CharField(max_length=20, required=False)
    contact_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    drawn_up_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class SuggestionSerializer(serializers.Serializer):
    rule = serializers.IntegerField(source="rule_id")
    category = serializers.ChoiceField(choices=MeasureCategory.choices)
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    department_name = serializers.CharField()
    because = serializers.CharField()


class AddSuggestedSerializer(serializers.Serializer):
    rule = IdField(label=_("规则"))
    planned_on = serializers.DateField(required=False)
