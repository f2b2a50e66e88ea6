"""Admin for county staff: the tree as a tree; every write goes through ``grids.services``."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from . import selectors, services
from .models import Department, GridAssignment, GridNode, person_name
from .scoping import user_scope


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
    list_display = ["person", "grid", "role", "department", "phone"]
    list_filter = ["role", "grid__level", "department"]
    search_fields = ["user__username", "user__first_name", "grid__code", "grid__name"]
    list_select_related = ["user", "grid", "department"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["grid"]
    actions = None

    @admin.display(description=_("人员"), ordering="user__first_name")
    def person(self, obj):
        return person_name(obj.user)

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
    """Departments are the deployment's reference data, shared by every county: county staff
    read them; only deployment administrators (superusers) add or rename them."""

    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    actions = None

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


if admin.site.is_registered(get_user_model()):
    admin.site.unregister(get_user_model())  # replaced by CountyUserAdmin below
admin.site.site_header = _("防返贫动态监测 · 管理后台")
admin.site.site_title = _("防返贫动态监测")


# -- the county's people ------------------------------------------------------------------------

User = get_user_model()


@admin.register(User)
class CountyUserAdmin(UserAdmin):
    """Accounts, for the county's own administrators too: they see and keep the accounts of
    the people on their county's grids (names, active, a new password) and create new staff;
    who holds what on the grid is set in 网格人员. Superusers, permissions and groups stay with
    the deployment's administrators."""

    list_display = ["username", "full_name", "placed_on", "is_active"]
    list_filter = ["is_active"]
    _county_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email")}),
        (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
    )

    @admin.display(description=_("姓名"), ordering="first_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("任职网格"))
    def placed_on(self, obj):
        return "、".join(a.grid.name for a in obj.grid_assignments.all())

    def _is_county_admin(self, request):
        return bool(user_scope(request.user).administered_trees)

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("grid_assignments__grid")
        if request.user.is_superuser:
            return qs
        mine = GridAssignment.objects.visible_to(request.user, action="administer").values(
            "user_id"
        )
        # Accounts on their county's grids, and new plain accounts not yet placed anywhere
        # (they carry no county's data; ``selectors.assignable_user`` lets them be placed).
        # An unplaced account with staff status, groups or permissions (a deployment
        # operator's) is never theirs: a password reset would hand it over.
        unplaced = Q(
            grid_assignments__isnull=True,
            is_staff=False,
            groups__isnull=True,
            user_permissions__isnull=True,
        )
        return qs.filter(Q(pk__in=mine) | unplaced, is_superuser=False).distinct()

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self._county_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def has_module_permission(self, request):
        return request.user.is_superuser or self._is_county_admin(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or self._is_county_admin(request)

    def has_add_permission(self, request):
        return request.user.is_superuser or self._is_county_admin(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or self._is_county_admin(request)

    def has_delete_permission(self, request, obj=None):
        # An account is made inactive, never deleted: the audit log keeps naming it.
        return request.user.is_superuser

    def response_add(self, request, obj, post_url_continue=None):
        if request.user.is_superuser:
            return super().response_add(request, obj, post_url_continue)
        # A new account is theirs once it is on one of their grids: place it next.
        self.message_user(request, _("已创建账号 {name}，请为其任命网格。").format(name=obj))
        return redirect(f"{reverse('admin:grids_gridassignment_add')}?user={obj.pk}")
