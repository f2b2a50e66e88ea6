"""Shapes of the household and person endpoints. ID numbers go out masked only."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import IdField
from grids.api.serializers import GridBriefSerializer

from .. import idnumbers
from ..models import (
    DisabilityGrade,
    Health,
    Household,
    HouseholdStatus,
    HouseholdType,
    JoinReason,
    LabourCapacity,
    LeaveReason,
    Person,
    Relation,
    Schooling,
    SocialAssistance,
)


class HouseholdBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "number", "head_name"]


class PersonSerializer(serializers.ModelSerializer):
    household = HouseholdBriefSerializer(read_only=True)
    id_number = serializers.CharField(
        source="id_masked", read_only=True, help_text=_("脱敏后的身份证号")
    )
    relation_display = serializers.CharField(source="get_relation_display", read_only=True)
    health_display = serializers.CharField(source="get_health_display", read_only=True)
    labour_capacity_display = serializers.CharField(
        source="get_labour_capacity_display", read_only=True
    )
    schooling_display = serializers.CharField(source="get_schooling_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "name",
            "id_number",
            "relation",
            "relation_display",
            "sex",
            "birth_date",
            "ethnicity",
            "health",
            "health_display",
            "disability_grade",
            "labour_capacity",
            "labour_capacity_display",
            "schooling",
            "schooling_display",
            "medical_insurance",
            "pension_insurance",
            "social_assistance",
            "migrant_place",
            "migrant_months",
            "status",
            "status_display",
            "joined_reason",
            "joined_on",
            "left_reason",
            "left_on",
            "created_at",
            "updated_at",
        ]


class MemberSerializer(PersonSerializer):
    class Meta(PersonSerializer.Meta):
        fields = [f for f in PersonSerializer.Meta.fields if f != "household"]


class HouseholdSerializer(serializers.ModelSerializer):
    grid = GridBriefSerializer(read_only=True)
    household_type_display = serializers.CharField(
        source="get_household_type_display", read_only=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    member_count = serializers.IntegerField(read_only=True, help_text=_("在册成员数"))

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "grid",
            "village_group",
            "address",
            "household_type",
            "household_type_display",
            "head_name",
            "phone",
            "platform_registered",
            "platform_registered_on",
            "contact_name",
            "contact_phone",
            "status",
            "status_display",
            "member_count",
            "created_at",
            "updated_at",
        ]


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True)
    member_count = serializers.SerializerMethodField()

    class Meta(HouseholdSerializer.Meta):
        fields = HouseholdSerializer.Meta.fields + ["members"]

    def get_member_count(self, obj) -> int:
        return sum(1 for m in obj.members.all() if m.is_active)


class PersonFieldsSerializer(serializers.Serializer):
    """Person fields a client may write (sex and birth date come from the ID number)."""

    name = serializers.CharField(max_length=50, label=_("姓名"))
    relation = serializers.ChoiceField(choices=Relation.choices, label=_("与户主关系"))
    ethnicity = serializers.CharField(max_length=20, required=False, allow_blank=True)
    health = serializers.ChoiceField(choices=Health.choices, required=False)
    disability_grade = serializers.ChoiceField(
        choices=DisabilityGrade.choices, required=False, allow_blank=True
    )
    labour_capacity = serializers.ChoiceField(choices=LabourCapacity.choices, required=False)
    schooling = serializers.ChoiceField(choices=Schooling.choices, required=False)
    medical_insurance = serializers.BooleanField(required=False)
    pension_insurance = serializers.BooleanField(required=False)
    social_assistance = serializers.ChoiceField(choices=SocialAssistance.choices, required=False)
    migrant_place = serializers.CharField(max_length=100, required=False, allow_blank=True)
    migrant_months = serializers.IntegerField(min_value=0, max_value=12, required=False)


class HeadSerializer(PersonFieldsSerializer):
    id_number = serializers.CharField(max_length=32, label=_("身份证号"))
    relation = serializers.HiddenField(default=Relation.HEAD)


class HouseholdUpdateSerializer(serializers.Serializer):
    """The household fields a client may write (``rules.HOUSEHOLD_EDITABLE``), all optional."""

    number = serializers.CharField(max_length=32, required=False, label=_("户编号"))
    household_type = serializers.ChoiceField(
        choices=HouseholdType.choices, required=False, label=_("户类型")
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    platform_registered = serializers.BooleanField(required=False)
    platform_registered_on = serializers.DateField(required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class HouseholdCreateSerializer(HouseholdUpdateSerializer):
    """A new household: its number, grid, type and head are required."""

    number = serializers.CharField(max_length=32, label=_("户编号"))
    grid = serializers.CharField(max_length=32, label=_("组网格编码"))
    household_type = serializers.ChoiceField(choices=HouseholdType.choices, label=_("户类型"))
    head = HeadSerializer(label=_("户主"))


class HouseholdMoveSerializer(serializers.Serializer):
    grid = serializers.CharField(max_length=32, label=_("新的组网格编码"))
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class HouseholdCloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (HouseholdStatus.MOVED_OUT.value, HouseholdStatus.MOVED_OUT.label),
            (HouseholdStatus.DISSOLVED.value, HouseholdStatus.DISSOLVED.label),
        ]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PersonCreateSerializer(PersonFieldsSerializer):
    household = IdField(label=_("户 ID"))
    id_number = serializers.CharField(max_length=32, label=_("身份证号"))
    reason = serializers.ChoiceField(choices=JoinReason.choices, label=_("加入原因"))
    joined_on = serializers.DateField(required=False, allow_null=True)


class PersonUpdateSerializer(PersonFieldsSerializer):
    name = serializers.CharField(max_length=50, required=False)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False)
    id_number = serializers.CharField(max_length=32, required=False, label=_("更正身份证号"))


class PersonRemoveSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=LeaveReason.choices, label=_("减少原因"))
    on = serializers.DateField(required=False, allow_null=True, label=_("日期"))
    new_head = IdField(required=False, allow_null=True, label=_("新户主 ID"))


class IdSearchSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=32, label=_("身份证号"))

    def validate_id_number(self, value):
        try:
            return idnumbers.normalize(value)
        except idnumbers.IdNumberError as exc:
            raise serializers.ValidationError(exc.message) from None


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RevealResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    id_number = serializers.CharField()


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("xlsx 或 csv 文件"))
