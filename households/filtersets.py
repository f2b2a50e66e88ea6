"""Filters of the household and person endpoints (and the list pages)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from grids.selectors import filter_subtree_code

from .models import (
    Health,
    Household,
    HouseholdStatus,
    HouseholdType,
    LabourCapacity,
    Person,
    PersonStatus,
    Schooling,
)


class HouseholdFilterSet(django_filters.FilterSet):
    grid = django_filters.CharFilter(method="filter_grid", label=_("网格编码（含全部下级）"))
    household_type = django_filters.ChoiceFilter(choices=HouseholdType.choices, label=_("户类型"))
    platform_registered = django_filters.BooleanFilter(label=_("已纳入政府救助平台"))
    status = django_filters.ChoiceFilter(choices=HouseholdStatus.choices, label=_("状态"))

    class Meta:
        model = Household
        fields = ["grid", "household_type", "platform_registered", "status"]

    def filter_grid(self, queryset, name, value):
        return filter_subtree_code(queryset, "grid", value)


class PersonFilterSet(django_filters.FilterSet):
    household = django_filters.NumberFilter(field_name="household_id", label=_("户 ID"))
    grid = django_filters.CharFilter(method="filter_grid", label=_("网格编码（含全部下级）"))
    health = django_filters.ChoiceFilter(choices=Health.choices, label=_("健康状况"))
    labour_capacity = django_filters.ChoiceFilter(
        choices=LabourCapacity.choices, label=_("劳动能力")
    )
    schooling = django_filters.ChoiceFilter(choices=Schooling.choices, label=_("在校情况"))
    status = django_filters.ChoiceFilter(choices=PersonStatus.choices, label=_("状态"))

    class Meta:
        model = Person
        fields = ["household", "grid", "health", "labour_capacity", "schooling", "status"]

    def filter_grid(self, queryset, name, value):
        return filter_subtree_code(queryset, "household__grid", value)
