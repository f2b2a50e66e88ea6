"""Shapes of the monitoring endpoints. Rules live in ``monitoring.services``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import IdField
from grids.api.serializers import GridBriefSerializer, UserBriefSerializer
from households.models import Household
from monitoring.choices import RiskType
from monitoring.discovery.models.applications import Channel, Matter, SelfApplication
from monitoring.discovery.models.clues import ClueEvidence, ClueSource, RiskClue
from monitoring.discovery.models.visits import CHECKS, CheckResult, IncomeChange, Visit, VisitMode


class RiskTypeField(serializers.ChoiceField):
    """A risk type code (schema name fixed by ``ENUM_NAME_OVERRIDES``)."""

    def __init__(self, **kwargs):
        super().__init__(choices=RiskType.choices, **kwargs)


class CheckResultField(serializers.ChoiceField):
    """``secure`` or ``at_risk`` (shared by the six checks; one schema enum)."""

    def __init__(self, **kwargs):
        super().__init__(choices=CheckResult.choices, **kwargs)


def _risk_list(**kwargs):
    return serializers.ListField(
        child=RiskTypeField(), max_length=5, required=False, default=list, label=_("风险类型")
    )


class MonitoringHouseholdSerializer(serializers.ModelSerializer):
    grid = GridBriefSerializer(read_only=True)

    class Meta:
        model = Household
        fields = ["id", "number", "head_name", "grid"]


class VisitSerializer(serializers.ModelSerializer):
    household = MonitoringHouseholdSerializer(read_only=True)
    visitor = UserBriefSerializer(read_only=True)
    risk_types = serializers.ListField(child=RiskTypeField(), read_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CHECKS:
            self.fields[name] = CheckResultField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "visitor",
            "visited_on",
            "mode",
            *CHECKS,
            "income_change",
            "income_note",
            "member_changes",
            "risk_types",
            "notes",
            "created_at",
        ]


class VisitWriteSerializer(serializers.Serializer):
    household = IdField(label=_("农户编号（id）"))
    visited_on = serializers.DateField(label=_("走访日期"))
    mode = serializers.ChoiceField(choices=VisitMode.choices, default=VisitMode.IN_PERSON)
    income_change = serializers.ChoiceField(
        choices=IncomeChange.choices, default=IncomeChange.STABLE
    )
    income_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    member_changes = serializers.CharField(required=False, allow_blank=True)
    risk_types = _risk_list()
    notes = serializers.CharField(required=False, allow_blank=True)
    client_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        label=_("提交标识（同一标识只记录一次；也可用请求头 Idempotency-Key）"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, _risk) in CHECKS.items():
            self.fields[name] = CheckResultField(default=CheckResult.SECURE, label=label)


class ClueEvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClueEvidence
        fields = ["id", "source", "reference", "note", "found_on", "visit", "application"]


class ClueSerializer(serializers.ModelSerializer):
    household = MonitoringHouseholdSerializer(read_only=True)
    evidence = ClueEvidenceSerializer(many=True, read_only=True)
    risk_type_display = serializers.CharField(source="get_risk_type_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    risk_type = RiskTypeField(read_only=True)

    class Meta:
        model = RiskClue
        fields = [
            "id",
            "household",
            "risk_type",
            "risk_type_display",
            "source",
            "found_on",
            "verify_by",
            "decide_by",
            "state",
            "state_display",
            "is_overdue",
            "decision_reason",
            "evidence",
            "created_at",
        ]


class ClueWriteSerializer(serializers.Serializer):
    """A clue reported by hand (department staff before the monthly comparison lands)."""

    household = IdField(label=_("农户编号（id）"))
    risk_type = RiskTypeField(label=_("风险类型"))
    source = serializers.ChoiceField(choices=ClueSource.choices, default=ClueSource.DEPARTMENT)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("理由"))


class ApplicationSerializer(serializers.ModelSerializer):
    household = MonitoringHouseholdSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    risk_types = serializers.ListField(child=RiskTypeField(), read_only=True)

    class Meta:
        model = SelfApplication
        fields = [
            "id",
            "household",
            "channel",
            "platform_id",
            "applicant_name",
            "applicant_id_masked",
            "phone",
            "matter",
            "description",
            "risk_types",
            "consent",
            "consent_at",
            "status",
            "status_display",
            "eligible",
            "result_reason",
            "received_at",
            "decided_at",
            "completed_at",
            "updated_at",
        ]


class PlatformApplicationSerializer(serializers.ModelSerializer):
    """What the relief platform reads of its own applications: status and result, no household."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SelfApplication
        fields = [
            "id",
            "platform_id",
            "matter",
            "status",
            "status_display",
            "eligible",
            "result_reason",
            "received_at",
            "decided_at",
            "completed_at",
            "updated_at",
        ]


class ApplicationWriteSerializer(serializers.Serializer):
    """What the relief platform (or a grid member filing on a household's behalf) sends."""

    channel = serializers.ChoiceField(
        choices=Channel.choices, default=Channel.PLATFORM, label=_("申报渠道")
    )
    platform_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", label=_("平台申报编号")
    )
    applicant_name = serializers.CharField(max_length=50, label=_("申请人姓名"))
    applicant_id_number = serializers.CharField(max_length=32, label=_("申请人身份证号"))
    phone = serializers.CharField(max_length=20, label=_("联系电话"))
    matter = serializers.ChoiceField(choices=Matter.choices, label=_("申报事项"))
    description = serializers.CharField(label=_("困难情况"))
    risk_types = _risk_list()
    consent = serializers.BooleanField(label=_("承诺授权"))
    consent_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ApplicationResultSerializer(serializers.Serializer):
    eligible = serializers.BooleanField(label=_("是否符合条件"))
    reason = serializers.CharField(label=_("结果理由"))
