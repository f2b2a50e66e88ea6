"""Admin for county staff: scoped lists, masked ID numbers, writes through the services.

Households are created through the import, the API or the pages (a household needs its head
and the capacity rule); the admin corrects and moves them. Nothing is deleted here: members
leave with a status (``person_remove``), households are closed (``household_close``).
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import rules, selectors, services
from .models import Household, Person


class MemberInline(admin.TabularInline):
    model = Person
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["name", "id_masked", "relation", "sex", "birth_date", "health", "status"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "head_name",
        "grid",
        "household_type",
        "platform_registered",
        "status",
    ]
    list_filter = ["household_type", "platform_registered", "status"]
    search_fields = ["number", "head_name"]
    list_select_related = ["grid"]
    raw_id_fields = ["grid"]
    readonly_fields = ["head_name", "village_group", "status", "created_at", "updated_at"]
    fields = [
        "number",
        "grid",
        "village_group",
        "household_type",
        "head_name",
        "address",
        "phone",
        "platform_registered",
        "platform_registered_on",
        "contact_name",
        "contact_phone",
        "status",
        "created_at",
        "updated_at",
    ]
    inlines = [MemberInline]
    actions = None
    list_per_page = 100

    def get_queryset(self, request):
        return selectors.household_list(user=request.user, with_member_count=False)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        original = Household.objects.get(pk=obj.pk)
        if original.grid_id != obj.grid_id:
            services.household_move(actor=request.user, household=original, grid=obj.grid)
        changes = {f: getattr(obj, f) for f in rules.HOUSEHOLD_EDITABLE}
        saved = services.household_update(actor=request.user, household=original, **changes)
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def save_formset(self, request, form, formset, change):
        pass  # members are read-only here


class PersonAdminForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("更正身份证号"),
        required=False,
        help_text=_("留空则不变。号码只保存为摘要和密文，页面只显示脱敏号码。"),
    )

    class Meta:
        model = Person
        fields = list(rules.PERSON_EDITABLE)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ["name", "id_masked", "household", "relation", "sex", "birth_date", "status"]
    list_filter = ["status", "health", "labour_capacity", "schooling", "social_assistance"]
    search_fields = ["name", "household__number"]
    list_select_related = ["household"]
    readonly_fields = [
        "household",
        "id_masked",
        "sex",
        "birth_date",
        "status",
        "joined_reason",
        "joined_on",
        "left_reason",
        "left_on",
    ]
    actions = None
    list_per_page = 100

    def get_queryset(self, request):
        return selectors.person_list(user=request.user)

    def get_fields(self, request, obj=None):
        return [
            "household",
            "id_masked",
            "id_number",
            *rules.PERSON_EDITABLE,
            "sex",
            "birth_date",
            "status",
            "joined_reason",
            "joined_on",
            "left_reason",
            "left_on",
        ]

    # No search by ID number here: it would travel in the URL (``?q=``), which servers log, and
    # ``households.middleware`` refuses it; the households page's search form posts instead.

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in rules.PERSON_EDITABLE if f in form.cleaned_data}
        services.person_update(
            actor=request.user,
            person=obj,
            id_number=form.cleaned_data.get("id_number") or None,
            **changes,
        )
