"""Self-applications on pages (代办): a grid person files one for a household of their grid;
the village records the home check, the result with its reason (fed back to the applicant)
and the completion (办结). Thin: parse, call the services, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pages import add_errors
from grids import selectors as grid_selectors
from grids.models import Role
from grids.scoping import user_scope
from households import selectors as household_selectors
from households.models import Household
from monitoring.choices import risk_type_labels
from monitoring.discovery import selectors
from monitoring.discovery.forms import ApplicationResultForm, ProxyApplicationForm
from monitoring.discovery.models.applications import ApplicationStatus, Channel
from monitoring.discovery.services.applications import (
    application_complete,
    application_record_result,
    application_start_verifying,
    application_submit,
)

LIST_PAGE = 50


@login_required
def application_create(request, pk):
    """File a self-application for a household (代办): the applicant is one of its members."""
    try:
        household = household_selectors.household_detail(user=request.user, pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404 from exc
    members = [m for m in household.members.all() if m.is_active]
    form = ProxyApplicationForm(
        request.POST or None, members=members, initial={"phone": household.phone}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        applicant = next(m for m in members if m.pk == data.pop("applicant"))
        try:
            application, _created = application_submit(
                actor=request.user, channel=Channel.PROXY, applicant=applicant, **data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("已代为受理 {name} 的申报，请尽快入户核实。").format(name=applicant.name)
            )
            return redirect("application-detail", pk=application.pk)
    return render(
        request, "monitoring/application_form.html", {"household": household, "form": form}
    )


@login_required
def application_detail(request, pk):
    """An application, its state and the next step for those who may take it."""
    application = selectors.application_list(user=request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    scope = user_scope(request.user)
    context = {
        "application": application,
        "household": application.household,
        "risk_labels": risk_type_labels(application.risk_types),
        "may_lead": scope.covers(application.household.grid, roles=[Role.LEADER]),
        "result_form": ApplicationResultForm(),
    }
    return render(request, "monitoring/application_detail.html", context)


@login_required
@require_POST
def application_step(request, pk, step):
    """One step: start the home check, record the result, complete (办结)."""
    application = selectors.application_list(user=request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    form = ApplicationResultForm(request.POST) if step == "result" else None
    steps = {
        "verify": lambda: application_start_verifying(actor=request.user, application=application),
        "result": lambda: application_record_result(
            actor=request.user,
            application=application,
            eligible=form.cleaned_data["eligible"],
            reason=form.cleaned_data["reason"],
        ),
        "complete": lambda: application_complete(actor=request.user, application=application),
    }
    if step not in steps:
        raise Http404
    if form is not None and not form.is_valid():
        messages.error(request, _("请选择核实结果：符合条件或不符合条件。"))
        return redirect("application-detail", pk=pk)
    try:
        steps[step]()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        done = {
            "verify": _("已开始入户核实。"),
            "result": _("已录入结果，理由将反馈申请人。"),
            "complete": _("申报已办结。"),
        }
        messages.success(request, done[step])
    return redirect("application-detail", pk=pk)


@login_required
def application_list(request, code):
    """The applications of a subtree: open ones first, then by date; filter by status."""
    node = grid_selectors.grid_or_404(user=request.user, code=code)
    status = request.GET.get("status", "")
    if status not in ApplicationStatus.values:
        status = ""
    rows = selectors.application_list(user=request.user).filter(
        **grid_selectors.in_subtree("household__grid", node)
    )
    if status:
        rows = rows.filter(status=status)
    rows = selectors.open_first(rows)
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
    context = {
        "node": node,
        "applications": list(page.object_list),
        "page": page,
        "status": status,
        "statuses": ApplicationStatus.choices,
    }
    return render(request, "monitoring/application_list.html", context)
