"""Forms of the comparison pages (shape only; rules in services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import Department


class UploadForm(forms.Form):
    month = forms.CharField(
        label=_("数据月份"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )
    batch_id = forms.CharField(label=_("部门批次号"), max_length=40)
    department = forms.ModelChoiceField(
        label=_("报送部门"), queryset=Department.objects.all(), required=False
    )
    file = forms.FileField(label=_("数据文件（xlsx 或 csv）"))

    def __init__(self, *args, choose_department=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not choose_department:
            del self.fields["department"]
        else:
            self.fields["department"].required = True


class RunForm(forms.Form):
    month = forms.CharField(
        label=_("比对月份"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )
