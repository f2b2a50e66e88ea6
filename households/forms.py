"""Forms of the household pages: they check shape only; the rules live in ``services``.

Field names are the services' keyword names, so a ``ValidationError`` the service raises for a
field (``{"id_number": ...}``) lands on that field of the form (``add_service_errors``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.pages import add_errors

from . import idnumbers, rules
from .models import (
    DisabilityGrade,
    Health,
    HouseholdType,
    JoinReason,
    LabourCapacity,
    Relation,
    Schooling,
    SocialAssistance,
)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("xlsx 或 csv 文件"))
    dry_run = forms.BooleanField(label=_("只预检，不写入"), required=False, initial=True)


def _choices(enum, *, blank=None):
    choices = list(enum.choices)
    return [("", blank), *choices] if blank else choices


class PersonForm(forms.Form):
    """A person's own fields (the head of a new household, or a member who joins)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=20,
        help_text=_("18 位，末位 X 可小写；15 位旧号自动转换。性别和出生日期由号码得出。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False)
    health = forms.ChoiceField(
        label=_("健康状况"), choices=_choices(Health), initial=Health.HEALTHY
    )
    disability_grade = forms.ChoiceField(
        label=_("残疾等级"),
        choices=_choices(DisabilityGrade, blank=_("无（非残疾）")),
        required=False,
    )
    labour_capacity = forms.ChoiceField(
        label=_("劳动能力"), choices=_choices(LabourCapacity), initial=LabourCapacity.NONE
    )
    schooling = forms.ChoiceField(
        label=_("在校情况"), choices=_choices(Schooling), initial=Schooling.NOT_IN_SCHOOL
    )
    medical_insurance = forms.BooleanField(
        label=_("参加基本医疗保险"), required=False, initial=True
    )
    pension_insurance = forms.BooleanField(label=_("参加基本养老保险"), required=False)
    social_assistance = forms.ChoiceField(
        label=_("低保/特困"), choices=_choices(SocialAssistance), initial=SocialAssistance.NONE
    )
    migrant_place = forms.CharField(label=_("务工地点"), max_length=100, required=False)
    migrant_months = forms.IntegerField(
        label=_("年务工月数"), min_value=0, max_value=12, initial=0, required=False
    )

    PERSON_FIELDS = rules.PERSON_DETAILS

    #: Shown folded on the phone ("more"): they have defaults and can be filled in later.
    MORE_FIELDS = PERSON_FIELDS[1:]

    def clean_id_number(self):
        # Checked here too (the service checks again), so a wrong number is reported together
        # with the other fields' errors instead of only after they are fixed.
        try:
            return idnumbers.normalize(self.cleaned_data["id_number"])
        except idnumbers.IdNumberError as exc:
            raise ValidationError(exc.message) from None

    def identity_part(self):
        return [self["name"], self["id_number"]]

    def more_part(self):
        return [self[f] for f in self.MORE_FIELDS]

    def more_has_errors(self) -> bool:
        return any(f in self.errors for f in self.MORE_FIELDS)

    def person_data(self) -> dict:
        """The cleaned person fields, as ``services.person_add`` takes them."""
        data = {f: self.cleaned_data[f] for f in self.PERSON_FIELDS}
        data["migrant_months"] = data["migrant_months"] or 0
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ``ValidationError`` on the fields it names (else on the form)."""
        add_errors(self, exc)


class HouseholdCreateForm(PersonForm):
    """A new household on a group grid, with its head."""

    number = forms.CharField(label=_("户编号"), max_length=32)
    household_type = forms.ChoiceField(
        label=_("户类型"), choices=_choices(HouseholdType), initial=HouseholdType.ORDINARY
    )
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    phone = forms.CharField(label=_("户联系电话"), max_length=20, required=False)
    platform_registered = forms.BooleanField(label=_("已纳入政府救助平台"), required=False)
    platform_registered_on = forms.DateField(
        label=_("纳入平台日期"), required=False, widget=DateInput()
    )
    contact_name = forms.CharField(label=_("监测联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("监测联系人电话"), max_length=20, required=False)

    HOUSEHOLD_FIELDS = rules.HOUSEHOLD_DETAILS

    field_order = ["number", *HOUSEHOLD_FIELDS, "name", "id_number"]

    def household_part(self):
        return [self["number"], *(self[f] for f in self.HOUSEHOLD_FIELDS)]

    def household_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.HOUSEHOLD_FIELDS}


class PersonAddForm(PersonForm):
    """A member who joins a household: by birth, marriage, moving in, or first registration."""

    relation = forms.ChoiceField(
        label=_("与户主关系"),
        # The head is chosen when the household is registered or when the head leaves.
        choices=[c for c in Relation.choices if c[0] != Relation.HEAD],
        initial=Relation.CHILD,
    )
    reason = forms.ChoiceField(
        label=_("加入原因"), choices=_choices(JoinReason), initial=JoinReason.BIRTH
    )
    joined_on = forms.DateField(
        label=_("加入日期"),
        required=False,
        widget=DateInput(),
        help_text=_("不填则为今天（建档登记不记日期）。"),
    )

    field_order = ["name", "id_number", "relation", "reason", "joined_on"]

    def identity_part(self):
        return [*super().identity_part(), self["relation"], self["reason"], self["joined_on"]]

    def person_data(self) -> dict:
        data = super().person_data()
        data["relation"] = self.cleaned_data["relation"]
        return data


class MultiplePhotoInput(forms.ClearableFileInput):
    """A file input that takes several photos (the phone offers its camera and gallery)."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__(attrs={"accept": "image/*", "data-photos": "", **(attrs or {})})


class PhotosField(forms.FileField):
    """Evidence photos: cleaned into prepared (checked, re-encoded) photos, every bad file
    named in the error; nothing is stored until the service that records the subject runs."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片（可多张）"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        from .photos import photo_prepare_all

        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return photo_prepare_all(files)
