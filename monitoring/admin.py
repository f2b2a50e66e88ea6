"""Admin for county staff: the monitoring line (data they configure), and read-only, scoped
views of reviews and cases (their transitions go through the pages and the API services)."""

from django.contrib import admin

from core.services import audit_record, snapshot
from monitoring.cases import selectors as case_selectors
from monitoring.models import MonitoringCase, MonitoringLine, VillageReview
from monitoring.reviews import selectors as selectors_reviews

_LINE_FIELDS = ("year", "area_code", "area_name", "yuan")


@admin.register(MonitoringLine)
class MonitoringLineAdmin(admin.ModelAdmin):
    """The monitoring line per year and area (监测范围): reference data; every change audited."""

    list_display = ["area_code", "area_name", "year", "yuan"]
    list_filter = ["year"]
    search_fields = ["area_code", "area_name"]

    def save_model(self, request, obj, form, change):
        before = snapshot(MonitoringLine.objects.get(pk=obj.pk), _LINE_FIELDS) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="monitoring_line.change" if change else "monitoring_line.create",
            obj=obj,
            before=before,
            after=snapshot(obj, _LINE_FIELDS),
        )

    def has_delete_permission(self, request, obj=None):
        return False  # bulk delete would skip the audit; lines are corrected, not removed

    def has_add_permission(self, request):
        return request.user.is_superuser or super().has_add_permission(request)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VillageReview)
class VillageReviewAdmin(_ReadOnly):
    """Reviews of the viewer's subtrees (read-only: transitions are on the review pages)."""

    list_display = ["village", "month", "state", "submitted_at", "reviewed_at", "confirmed_at"]
    list_filter = ["state", "month"]
    search_fields = ["village__name", "village__code"]

    def get_queryset(self, request):
        return selectors_reviews.review_list(user=request.user)


@admin.register(MonitoringCase)
class MonitoringCaseAdmin(_ReadOnly):
    """Cases of the viewer's subtrees (read-only: they change through confirmed reviews)."""

    list_display = ["household", "category", "state", "identified_on", "eliminated_on"]
    list_filter = ["state", "category", "elimination_method"]
    search_fields = ["household__number", "household__head_name"]

    def get_queryset(self, request):
        return case_selectors.case_list(user=request.user)
