"""Admin for county staff: the monitoring line (data they configure), and read-only, scoped
views of reviews and cases (their transitions go through the pages and the API services)."""

from django.contrib import admin
from django.db.models import Q

from monitoring.cases import selectors as case_selectors
from monitoring.cases.services import line_owner_codes, may_keep_line, monitoring_line_save
from monitoring.models import MonitoringCase, MonitoringLine, VillageReview
from monitoring.reviews import selectors as selectors_reviews


@admin.register(MonitoringLine)
class MonitoringLineAdmin(admin.ModelAdmin):
    """The monitoring line per year and area (监测范围). A county's administrators keep the lines
    of their county; lines of larger areas are the deployment's (superusers). Every change goes
    through ``monitoring_line_save`` and is audited; lines are corrected, never deleted."""

    list_display = ["area_code", "area_name", "year", "yuan"]
    list_filter = ["year"]
    search_fields = ["area_code", "area_name"]
    actions = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        codes = line_owner_codes(request.user)
        if codes is None:
            return qs
        # Their own lines, and the larger areas' lines that apply to their county (read-only).
        mine = Q(pk__in=[])
        for code in codes:
            mine |= Q(area_code__startswith=code) | Q(
                area_code__in=[code[:n] for n in range(1, len(code))]
            )
        return qs.filter(mine)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_keep_line(request.user, obj.area_code):
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser or (
            bool(line_owner_codes(request.user)) and super().has_add_permission(request)
        )

    def has_delete_permission(self, request, obj=None):
        return False  # a bulk delete would skip the audit

    def save_model(self, request, obj, form, change):
        monitoring_line_save(actor=request.user, line=obj)


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
