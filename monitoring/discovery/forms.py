"""Forms of the monitoring pages: shape only; the services hold the rules."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from households.forms import PhotosField
from monitoring.choices import RiskType
from monitoring.discovery.models.applications import Matter
from monitoring.discovery.models.visits import CHECKS, CheckResult, IncomeChange, VisitMode


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput())
    mode = forms.ChoiceField(
        label=_("方式"), choices=VisitMode.choices, widget=forms.RadioSelect, initial="in_person"
    )
    income_change = forms.ChoiceField(
        label=_("收入变化"),
        choices=IncomeChange.choices,
        widget=forms.RadioSelect,
        initial="stable",
    )
    income_note = forms.CharField(label=_("收入变化说明"), max_length=200, required=False)
    member_changes = forms.CharField(
        label=_("家庭成员变化"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    risk_types = forms.MultipleChoiceField(
        label=_("发现的风险类型（最多 5 项）"),
        choices=RiskType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label=_("现场照片（可多张）"))
    # Made when the form is drawn: submitting the same form twice records one visit.
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["client_key"].initial = uuid.uuid4().hex
        for name, (label, _risk) in CHECKS.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=CheckResult.choices,
                widget=forms.RadioSelect,
                initial=CheckResult.SECURE,
            )

    def check_fields(self):
        return [self[name] for name in CHECKS]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), required=False, max_length=1000)
    photos = PhotosField(label=_("核实照片"))


class ProxyApplicationForm(forms.Form):
    """A self-application filed for a household by its grid person (网格员代办)."""

    applicant = forms.TypedChoiceField(label=_("申请人（本户在册成员）"), coerce=int)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    matter = forms.ChoiceField(
        label=_("申报事项"), choices=Matter.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("困难情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    risk_types = forms.MultipleChoiceField(
        label=_("可能的风险类型（最多 5 项）"),
        choices=RiskType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The service says what is missing, in its words: the form only carries the tick.
    consent = forms.BooleanField(label=_("申请人已签署承诺授权书"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = [
            (m.pk, f"{m.name}（{m.get_relation_display()} · {m.id_masked}）") for m in members
        ]


class ApplicationResultForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("核实结果"),
        choices=[("1", _("符合条件（纳入风险线索研判）")), ("0", _("不符合条件"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("结果及理由（反馈申请人）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
