from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("xlsx 或 csv 文件"))
    dry_run = forms.BooleanField(label=_("只预检，不写入"), required=False, initial=True)
