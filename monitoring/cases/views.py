"""Phone-first pages of the cases: a subtree's cases and a case's history (rollback for the
county). Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.pages import flash_errors
from grids.selectors import grid_or_404
from monitoring.cases import selectors as sel
from monitoring.cases.models import CaseState
from monitoring.cases.permissions import case_permissions
from monitoring.cases.services import case_rollback
from monitoring.choices import risk_type_labels


@login_required
def village_cases(request, code):
    """The cases of a village (or any subtree): open ones first, with counts."""
    node = grid_or_404(user=request.user, code=code)
    state = request.GET.get("state") or ""
    if state not in CaseState.values:
        state = ""
    cases = list(sel.village_cases(user=request.user, node=node, state=state or None)[:500])
    for case in cases:
        case.risk_labels = risk_type_labels(case.risk_types)
    context = {
        "node": node,
        "cases": cases,
        "counts": sel.case_counts(user=request.user, node=node),
        "state": state,
        "states": CaseState.choices,
    }
    return render(request, "monitoring/case_list.html", context)


@login_required
def case_detail(request, pk):
    """A case and its history; the county rolls an elimination back here."""
    case = sel.case_list(user=request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    tree_id = case.household.grid.tree_id
    if request.method == "POST":
        try:
            case_rollback(actor=request.user, case=case, reason=request.POST.get("reason"))
        except (ValidationError, PermissionDenied, Conflict) as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("已回退风险消除，恢复监测。"))
        return redirect("case-detail", pk)
    context = {
        "case": case,
        "risk_labels": risk_type_labels(case.risk_types),
        "may": case_permissions(request.user, case, tree_id),
    }
    return render(request, "monitoring/case_detail.html", context)
