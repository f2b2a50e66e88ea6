"""Shapes of the comparison endpoints. Rules live in ``comparison.services``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import MonthField
from grids.api.serializers import (
    DepartmentBriefSerializer,
    GridBriefSerializer,
    UserBriefSerializer,
)

from ..models import BatchRecord, ComparisonRun, DepartmentBatch
from ..services import MAX_PARTS


class BatchSerializer(serializers.ModelSerializer):
    county = GridBriefSerializer(read_only=True)
    department = DepartmentBriefSerializer(read_only=True)
    month = MonthField(read_only=True)
    records_valid = serializers.IntegerField(read_only=True)

    class Meta:
        model = DepartmentBatch
        fields = [
            "id",
            "county",
            "department",
            "month",
            "batch_id",
            "parts_total",
            "parts_received",
            "state",
            "version",
            "records_total",
            "records_invalid",
            "records_valid",
            "created_at",
            "updated_at",
        ]


class RecordInSerializer(serializers.Serializer):
    """One record as a department sends it (validated record by record by the service)."""

    id_number = serializers.CharField(label=_("身份证号"), allow_blank=True)
    signal = serializers.CharField(label=_("信号代码"), allow_blank=True)
    value = serializers.JSONField(label=_("取值"), required=False)
    reference = serializers.CharField(label=_("部门记录编号"), required=False, allow_blank=True)


class BatchWriteSerializer(serializers.Serializer):
    month = MonthField(label=_("数据月份（YYYY-MM）"))
    batch_id = serializers.CharField(label=_("部门批次号"), max_length=40)
    parts_total = serializers.IntegerField(
        label=_("分片总数"), default=1, min_value=1, max_value=MAX_PARTS
    )
    department = serializers.CharField(label=_("部门代码"), required=False, allow_blank=True)
    county = serializers.CharField(label=_("县编码"), required=False, allow_blank=True)
    records = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        label=_("记录（作为第 1 分片；小批次可一次报送）"),
    )


class PartWriteSerializer(serializers.Serializer):
    part = serializers.IntegerField(label=_("分片号"), min_value=1, max_value=MAX_PARTS)
    records = serializers.ListField(child=serializers.DictField(), label=_("记录"))


class ProblemSerializer(serializers.ModelSerializer):
    """A record reported back: invalid (with reasons) or not found in the registry."""

    problem = serializers.SerializerMethodField()

    class Meta:
        model = BatchRecord
        fields = ["part", "number", "id_masked", "signal_code", "reference", "problem", "errors"]

    def get_problem(self, obj) -> str:
        return "invalid" if not obj.valid else "unmatched"


class RunSerializer(serializers.ModelSerializer):
    county = GridBriefSerializer(read_only=True)
    started_by = UserBriefSerializer(read_only=True, allow_null=True)
    month = MonthField(read_only=True)
    progress = serializers.IntegerField(read_only=True, help_text=_("进度（百分比）"))

    class Meta:
        model = ComparisonRun
        fields = [
            "id",
            "county",
            "month",
            "found_on",
            "state",
            "progress",
            "parts_total",
            "parts_done",
            "started_by",
            "created_at",
            "finished_at",
            "summary",
            "error",
        ]


class RunWriteSerializer(serializers.Serializer):
    month = MonthField(label=_("数据月份（YYYY-MM）"))
    county = serializers.CharField(label=_("县编码"), required=False, allow_blank=True)
