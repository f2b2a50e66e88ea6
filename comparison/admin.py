"""Admin for county staff: the signal catalogue and its rules (editable, through services),
batches and runs (read-only: they change by being sent again or run again)."""

from django.contrib import admin

from . import selectors, services
from .models import ComparisonRun, DepartmentBatch, Rule, Signal


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    can_delete = False  # a rule is switched off (``active``), so past runs stay explained
    fields = ["risk_type", "operator", "threshold", "values", "applies_to", "active", "note"]


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "department", "value_type", "unit", "county", "active"]
    list_filter = ["department", "value_type", "active"]
    search_fields = ["name", "code"]
    list_select_related = ["department", "county"]
    raw_id_fields = ["county"]
    inlines = [RuleInline]
    actions = None

    def get_queryset(self, request):
        return Signal.objects.visible_to(request.user).select_related("department", "county")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.signal_save(actor=request.user, signal=obj)

    def save_formset(self, request, form, formset, change):
        for rule in formset.save(commit=False):
            services.rule_save(actor=request.user, rule=rule)


class _ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DepartmentBatch)
class DepartmentBatchAdmin(_ReadOnly):
    list_display = [
        "batch_id",
        "department",
        "month",
        "state",
        "records_total",
        "records_invalid",
        "version",
        "updated_at",
    ]
    list_filter = ["department", "state", "month"]
    exclude = ["parts_received"]

    def get_queryset(self, request):
        return selectors.batch_list(user=request.user)


@admin.register(ComparisonRun)
class ComparisonRunAdmin(_ReadOnly):
    list_display = ["month", "county", "state", "parts_done", "parts_total", "created_at"]
    list_filter = ["state", "month"]

    def get_queryset(self, request):
        return selectors.run_list(user=request.user)
