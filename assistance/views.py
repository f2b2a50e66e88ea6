"""Phone-first pages: a household's plan, a department's measures, the overdue list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import Conflict
from grids import selectors as grid_selectors
from grids.scoping import user_scope
from households.models import Household
from households.photos import mark_deletable
from households.selectors import photos_by_subject
from monitoring.models import CaseState, MonitoringCase, risk_type_labels

from . import selectors, services
from .forms import MeasureForm, PlanForm, StateForm
from .models import MeasureState
from .rules import suggest_measures


def _household(user, pk):
    household = (
        Household.objects.visible_to(user).select_related("grid__parent").filter(pk=pk).first()
    )
    if household is None:
        raise Http404
    return household


def _current_case(household):
    """The open case of the household, else its latest one."""
    return (
        MonitoringCase.objects.filter(household=household)
        .annotate(
            open_first=Case(
                When(state=CaseState.MONITORING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-identified_on", "-id")
        .first()
    )


def _message(request, exc):
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, str(exc))


def _back(request, default):
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return redirect(target)


def _with_photos(user, measures) -> list:
    """The measures, each with its ``photo_list`` (one query for all)."""
    measures = list(measures)
    photos = photos_by_subject(user=user, subjects=[f"measure:{m.pk}" for m in measures])
    for measure in measures:
        measure.photo_list = mark_deletable(user, photos.get(f"measure:{measure.pk}", []))
    return measures


@login_required
def plan_page(request, pk):
    """A household's assistance plan: measures, warnings, suggestions to add in one tap."""
    household = _household(request.user, pk)
    case = _current_case(household)
    plan = None
    if case is not None:
        plan = selectors.plan_list(user=request.user).filter(case=case).first()
    if plan is not None:
        case = plan.case
    measures = _with_photos(request.user, plan.measures.all()) if plan else []
    context = {
        "household": household,
        "case": case,
        "risk_labels": risk_type_labels(case.risk_types) if case else [],
        "plan": plan,
        "measures": measures,
        "warnings": selectors.plan_warnings(plan) if plan else [],
        "suggestions": (
            suggest_measures(case, existing=measures)
            if plan is not None and case.state == CaseState.MONITORING
            else []
        ),
        "plan_form": PlanForm() if case is not None and plan is None else None,
        "measure_form": MeasureForm() if plan is not None else None,
        "today": timezone.localdate(),
    }
    return render(request, "assistance/plan.html", context)


@login_required
@require_POST
def plan_create(request, pk):
    household = _household(request.user, pk)
    case = _current_case(household)
    form = PlanForm(request.POST)
    if case is None:
        raise Http404
    if form.is_valid():
        try:
            services.plan_create(actor=request.user, case=case, **form.cleaned_data)
        except (ValidationError, PermissionDenied, Conflict) as exc:
            _message(request, exc)
        else:
            messages.success(request, _("帮扶计划已制定。"))
    else:
        messages.error(request, _("请填写帮扶联系人和电话。"))
    return redirect("assistance-plan", pk=household.pk)


def _plan(user, pk):
    plan = selectors.plan_list(user=user).filter(pk=pk).select_related("case__household").first()
    if plan is None:
        raise Http404
    return plan


@login_required
@require_POST
def measure_add_suggested(request, pk):
    plan = _plan(request.user, pk)
    try:
        services.measure_add_suggested(
            actor=request.user, plan=plan, rule_id=int(request.POST.get("rule") or 0)
        )
    except (ValidationError, PermissionDenied) as exc:
        _message(request, exc)
    else:
        messages.success(request, _("已添加建议措施。"))
    return redirect("assistance-plan", pk=plan.case.household_id)


@login_required
@require_POST
def measure_add(request, pk):
    plan = _plan(request.user, pk)
    form = MeasureForm(request.POST)
    if form.is_valid():
        try:
            services.measure_add(actor=request.user, plan=plan, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _message(request, exc)
        else:
            messages.success(request, _("已添加措施。"))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("assistance-plan", pk=plan.case.household_id)


@login_required
@require_POST
def measure_state(request, pk):
    """Move a measure's state from the plan page or the department's list."""
    measure = selectors.measure_list(user=request.user).filter(pk=pk).first()
    if measure is None:
        raise Http404
    form = StateForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_set_state(
                actor=request.user,
                measure=measure,
                state=data["state"],
                on_date=data["implemented_on"],
                evidence=data["evidence"],
                reason=data["reason"],
                photos=data["photos"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _message(request, exc)
        else:
            messages.success(request, _("措施状态已更新。"))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return _back(request, reverse("assistance-plan", args=[measure.plan.case.household_id]))


@login_required
def department_measures(request):
    """The measures of the user's department across the county, open ones first."""
    if not (user_scope(request.user).departments or request.user.is_superuser):
        raise Http404
    state = request.GET.get("state") or ""
    if state and state not in MeasureState.values and state != "open":
        state = ""
    qs = selectors.department_measures(user=request.user, state=state or None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "measures": _with_photos(request.user, page.object_list),
        "state": state,
        "states": MeasureState.choices,
        "today": timezone.localdate(),
    }
    return render(request, "assistance/department_measures.html", context)


@login_required
def overdue_list(request, code):
    """Open cases of a subtree whose plan has no measure a month after identification."""
    node = grid_selectors.grid_or_404(user=request.user, code=code)
    cases = list(selectors.overdue_cases(user=request.user, node=node)[:500])
    context = {
        "node": node,
        "cases": cases,
        "days": selectors.measure_days(),
        "figures": selectors.measure_figures(node=node),
    }
    return render(request, "assistance/overdue.html", context)
