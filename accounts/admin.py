"""Integration clients in the admin: read by superusers (clients are made and their tokens
issued with ``manage.py integration_client``, which prints a token once)."""

from django.contrib import admin

from core.services import audit_write

from .models import ClientToken, IntegrationClient


class TokenInline(admin.TabularInline):
    model = ClientToken
    fields = ["prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(IntegrationClient)
class IntegrationClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "county", "department", "active", "created_at"]
    list_filter = ["kind", "active"]
    readonly_fields = ["name", "kind", "county", "department", "account", "created_at"]
    fields = [*readonly_fields, "active"]
    inlines = [TokenInline]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        # Switching a client off (active) is the one change made here.
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_write(
            actor=request.user,
            action="client.active",
            object_type="accounts.integrationclient",
            object_id=obj.pk,
            object_repr=obj.name,
            tree_id=obj.county.tree_id,
            after={"active": obj.active},
        )

    def has_delete_permission(self, request, obj=None):
        return False
