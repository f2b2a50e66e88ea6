"""Forms of the assistance pages: shape only; the services hold the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from grids.models import Department
from households.forms import PhotosField

from .models import MeasureCategory, MeasureKind, MeasureState


class PlanForm(forms.Form):
    contact_name = forms.CharField(label=_("帮扶联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系人电话"), max_length=20)
    contact_unit = forms.CharField(label=_("联系人工作单位"), max_length=100, required=False)
    drawn_up_on = forms.DateField(label=_("制定日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drawn_up_on"].initial = timezone.localdate()


class MeasureForm(forms.Form):
    category = forms.ChoiceField(label=_("措施类别"), choices=MeasureCategory.choices)
    kind = forms.ChoiceField(label=_("具体措施"), choices=MeasureKind.choices)
    department = forms.ModelChoiceField(
        label=_("责任部门"),
        queryset=Department.objects.order_by("code"),
        required=False,
        empty_label=_("乡镇、村落实"),
    )
    description = forms.CharField(label=_("措施内容"), required=False, max_length=500)
    amount = forms.DecimalField(label=_("金额（元）"), required=False, min_value=0)
    planned_on = forms.DateField(label=_("计划落实日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_on"].initial = timezone.localdate()


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), choices=MeasureState.choices)
    implemented_on = forms.DateField(label=_("落实日期"), required=False, widget=DateInput())
    evidence = forms.CharField(label=_("落实佐证"), required=False, max_length=1000)
    reason = forms.CharField(label=_("原因"), required=False, max_length=500)
    photos = PhotosField(label=_("落实照片"))
