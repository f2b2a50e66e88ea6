"""Admin for county staff: the tree as a tree; every write goes through ``grids.services``."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from . import selectors, services
from .models import Department, GridAssignment, GridNode


class GridAssignmentInline(admin.TabularInline):
    model = GridAssignment
    extra = 0
    fields = ["user", "role", "department", "phone"]
    autocomplete_fields = ["user"]


class GridNodeAdminForm(forms.ModelForm):
    class Meta:
        model = GridNode
        fields = ["code", "name", "level", "parent", "village_group"]

    def clean(self):
        data = super().clean()
        level = data.get("level") or (self.instance.level if self.instance.pk else None)
        if level and data.get("code"):
            services.grid_check(
                code=data["code"],
                level=level,
                parent=data.get("parent"),
                village_group=data.get("village_group", ""),
                exclude_pk=self.instance.pk,
            )
        return data


@admin.register(GridNode)
class GridNodeAdmin(MPTTModelAdmin):
    form = GridNodeAdminForm
    list_display = ["name", "code", "level", "village_group"]
    list_filter = ["level"]
    search_fields = ["code", "name", "village_group"]
    inlines = [GridAssignmentInline]
    mptt_level_indent = 18
    list_per_page = 100
    actions = None  # no bulk delete: it would bypass the service's checks
    raw_id_fields = ["parent"]

    def get_queryset(self, request):
        return selectors.grid_list(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["level"] if obj else []

    def save_model(self, request, obj, form, change):
        # The form's clean() already ran the same checks; what remains is a permission
        # refusal, which the admin shows as 403.
        if not change:
            saved = services.grid_create(
                actor=request.user,
                code=obj.code,
                name=obj.name,
                level=obj.level,
                parent=obj.parent,
                village_group=obj.village_group,
            )
        else:
            original = GridNode.objects.get(pk=obj.pk)
            if original.parent_id != obj.parent_id:
                services.grid_move(actor=request.user, node=original, new_parent=obj.parent)
            saved = services.grid_update(
                actor=request.user,
                node=original,
                code=obj.code,
                name=obj.name,
                village_group=obj.village_group,
            )
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def delete_model(self, request, obj):
        services.grid_delete(actor=request.user, node=obj)

    def save_formset(self, request, form, formset, change):
        for deleted in formset.deleted_objects if hasattr(formset, "deleted_objects") else []:
            services.assignment_delete(actor=request.user, assignment=deleted)
        instances = formset.save(commit=False)
        for inst in instances:
            if inst.pk:
                services.assignment_update(
                    actor=request.user,
                    assignment=inst,
                    role=inst.role,
                    department=inst.department,
                    phone=inst.phone,
                )
            else:
                services.assignment_create(
                    actor=request.user,
                    user=inst.user,
                    grid=form.instance,
                    role=inst.role,
                    department=inst.department,
                    phone=inst.phone,
                )
        formset.save_m2m()


@admin.register(GridAssignment)
class GridAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "grid", "role", "department", "phone"]
    list_filter = ["role", "grid__level", "department"]
    search_fields = ["user__username", "user__first_name", "grid__code", "grid__name"]
    list_select_related = ["user", "grid", "department"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["grid"]
    actions = None

    def get_queryset(self, request):
        return selectors.assignment_list(user=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            services.assignment_update(
                actor=request.user,
                assignment=obj,
                role=obj.role,
                department=obj.department,
                phone=obj.phone,
            )
        else:
            saved = services.assignment_create(
                actor=request.user,
                user=obj.user,
                grid=obj.grid,
                role=obj.role,
                department=obj.department,
                phone=obj.phone,
            )
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.assignment_delete(actor=request.user, assignment=obj)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


admin.site.site_header = _("防返贫动态监测 · 管理后台")
admin.site.site_title = _("防返贫动态监测")
