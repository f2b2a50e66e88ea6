from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import selectors
from .audit_labels import action_label
from .models import AuditLog


class ActionFilter(admin.SimpleListFilter):
    """Filter by action, named as people read it."""

    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = (
            model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct()
        )
        return sorted(((a, action_label(a)) for a in actions), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only audit log, limited to the county trees the viewer administers."""

    list_display = ["at", "actor_label", "address", "action_name", "object_repr", "reason"]
    list_filter = [ActionFilter, "object_type"]
    search_fields = ["object_repr", "object_id", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    @admin.display(description=_("人员"), ordering="actor_name")
    def actor_label(self, obj):
        if obj.actor is not None:
            return obj.actor.get_full_name() or obj.actor.username
        # The account may have been deleted since: the row kept its name.
        return obj.actor_name or _("系统")

    @admin.display(description=_("操作"), ordering="action")
    def action_name(self, obj):
        return action_label(obj.action)

    def get_queryset(self, request):
        return selectors.audit_list(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
