"""Filters of the grid endpoints."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import GridAssignment, GridNode, Level, Role
from .selectors import filter_subtree_code


class GridNodeFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("层级"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级网格编码"))
    ancestor = django_filters.CharFilter(method="filter_ancestor", label=_("祖先网格编码"))

    class Meta:
        model = GridNode
        fields = ["level", "parent", "ancestor"]

    def filter_ancestor(self, queryset, name, value):
        """Every node strictly below the node with code ``value``."""
        return filter_subtree_code(queryset, "", value).exclude(code=value)


class GridAssignmentFilterSet(django_filters.FilterSet):
    grid = django_filters.CharFilter(method="filter_grid", label=_("网格编码（含下级）"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("职责"))
    level = django_filters.ChoiceFilter(
        field_name="grid__level", choices=Level.choices, label=_("网格层级")
    )
    department = django_filters.CharFilter(field_name="department__code", label=_("部门代码"))
    user = django_filters.CharFilter(field_name="user__username", label=_("用户名"))
    current = django_filters.BooleanFilter(
        method="filter_current", label=_("仅在任（true）或仅已离任（false）")
    )

    class Meta:
        model = GridAssignment
        fields = ["grid", "role", "level", "department", "user", "current"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))

    def filter_grid(self, queryset, name, value):
        return filter_subtree_code(queryset, "grid", value)
