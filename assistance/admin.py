"""Admin for county staff: the "缺什么补什么" rule table, written through the services.

The defaults (no county) are shown to everyone and changed by the superuser only; county staff
add their county's own rules, which replace a default with the same risk type, member condition
and kind (or switch it off when inactive). Rules are switched off, not deleted.
"""

from django.contrib import admin
from django.db.models import Q

from grids.models import GridNode, Level

from . import services
from .models import SuggestionRule


@admin.register(SuggestionRule)
class SuggestionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "risk_type",
        "member_condition",
        "category",
        "kind",
        "department",
        "county",
        "active",
        "order",
    ]
    list_filter = ["active", "category", "risk_type", "member_condition"]
    list_select_related = ["department", "county"]
    fields = [
        "county",
        "risk_type",
        "member_condition",
        "category",
        "kind",
        "department",
        "note",
        "active",
        "order",
    ]
    actions = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        own = SuggestionRule.objects.visible_to(request.user).values("pk")
        return qs.filter(Q(county__isnull=True) | Q(pk__in=own))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "county":
            kwargs["queryset"] = GridNode.objects.visible_to(request.user).filter(
                level=Level.COUNTY
            )
            kwargs["required"] = not request.user.is_superuser
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.county_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.rule_save(actor=request.user, rule=obj)
