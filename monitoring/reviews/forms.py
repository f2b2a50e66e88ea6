"""Forms of the review pages: shape only; ``monitoring.reviews.services`` holds the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from monitoring.cases.models import CaseCategory, EliminationMethod
from monitoring.choices import RiskType
from monitoring.reviews.models import Decision


def _date(label):
    return forms.DateField(label=label, required=False, widget=DateInput())


class MeetingForm(forms.Form):
    meeting_on = _date(_("研判会日期"))
    attendance = forms.CharField(
        label=_("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    notice_start = _date(_("公示开始"))
    notice_end = _date(_("公示结束"))


class ItemForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("研判意见"), choices=Decision.choices, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(
        label=_("监测对象类别"), choices=[("", "—"), *CaseCategory.choices], required=False
    )
    risk_types = forms.MultipleChoiceField(
        label=_("风险类型（最多 5 项）"),
        choices=RiskType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    income_12m = forms.DecimalField(
        label=_("近12个月家庭纯收入（元）"), required=False, min_value=0, decimal_places=2
    )
    spending_12m = forms.DecimalField(
        label=_("近12个月合规自付支出（元）"), required=False, min_value=0, decimal_places=2
    )
    method = forms.ChoiceField(
        label=_("消除方式"), choices=[("", "—"), *EliminationMethod.choices], required=False
    )
    evidence = forms.CharField(
        label=_("消除依据"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("说明（调整的帮扶措施 / 排除理由）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, prefix_pk=None, **kwargs):
        if prefix_pk is not None:
            kwargs["prefix"] = f"i{prefix_pk}"
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=1000)
