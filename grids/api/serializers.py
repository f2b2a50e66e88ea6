"""Shapes of the grid endpoints. Validation of rules lives in ``grids.services``."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Department, GridAssignment, GridNode, Level, Role


class GridBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = GridNode
        fields = ["id", "code", "name", "level"]


class GridNodeSerializer(serializers.ModelSerializer):
    parent = GridBriefSerializer(read_only=True, allow_null=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = GridNode
        fields = [
            "id",
            "code",
            "name",
            "level",
            "level_display",
            "parent",
            "village_group",
            "created_at",
            "updated_at",
        ]


class DescendantCountsSerializer(serializers.Serializer):
    township = serializers.IntegerField()
    village = serializers.IntegerField()
    group = serializers.IntegerField()


class GridNodeDetailSerializer(GridNodeSerializer):
    ancestors = serializers.SerializerMethodField()
    children_count = serializers.SerializerMethodField()
    descendant_counts = serializers.SerializerMethodField()

    class Meta(GridNodeSerializer.Meta):
        fields = GridNodeSerializer.Meta.fields + [
            "ancestors",
            "children_count",
            "descendant_counts",
        ]

    @extend_schema_field(GridBriefSerializer(many=True))
    def get_ancestors(self, obj):
        return GridBriefSerializer(self.context["ancestors"], many=True).data

    def get_children_count(self, obj) -> int:
        return self.context["descendant_counts"].get(_child_level(obj.level), 0)

    @extend_schema_field(DescendantCountsSerializer)
    def get_descendant_counts(self, obj):
        return self.context["descendant_counts"]


def _child_level(level):
    order = [choice.value for choice in Level]
    index = order.index(level)
    return order[index + 1] if index + 1 < len(order) else None


class GridNodeCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, label=_("网格编码"))
    name = serializers.CharField(max_length=100, label=_("名称"))
    level = serializers.ChoiceField(choices=Level.choices, label=_("层级"))
    parent = serializers.CharField(
        max_length=32,
        required=False,
        allow_null=True,
        allow_blank=True,
        label=_("上级网格编码"),
    )
    village_group = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", label=_("村民小组")
    )


class GridNodeUpdateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, required=False, label=_("网格编码"))
    name = serializers.CharField(max_length=100, required=False, label=_("名称"))
    village_group = serializers.CharField(
        max_length=100, required=False, allow_blank=True, label=_("村民小组")
    )


class GridMoveSerializer(serializers.Serializer):
    parent = serializers.CharField(max_length=32, label=_("新的上级网格编码"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("理由"))


class UserBriefSerializer(serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name"]

    def get_full_name(self, obj) -> str:
        return obj.get_full_name() or obj.username


class DepartmentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class GridAssignmentSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    grid = GridBriefSerializer(read_only=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = GridAssignment
        fields = [
            "id",
            "user",
            "grid",
            "role",
            "role_display",
            "department",
            "phone",
            "started_on",
            "ended_on",
            "end_reason",
            "created_at",
        ]


class GridAssignmentWriteSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=150, label=_("用户名"))
    grid = serializers.CharField(max_length=32, label=_("网格编码"))
    role = serializers.ChoiceField(choices=Role.choices, label=_("职责"))
    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        label=_("部门代码"),
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class GridAssignmentUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False, label=_("职责"))
    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        label=_("部门代码"),
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class AssignmentEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, label=_("离任日期"))
    reason = serializers.CharField(max_length=200, label=_("离任原因"))
    successor = serializers.CharField(
        max_length=150, required=False, allow_blank=True, label=_("接任人用户名")
    )
    successor_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, label=_("接任人电话")
    )
