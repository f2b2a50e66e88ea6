"""Phone-first pages of the cases: a subtree's cases and a case's history (rollback for the
county). Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.pages import flash_errors
from grids.selectors import grid_children, grid_or_404, in_subtree
from monitoring.cases import selectors as sel
from monitoring.cases.models import CaseCategory, CaseState
from monitoring.cases.permissions import case_permissions
from monitoring.cases.services import case_rollback
from monitoring.choices import RiskType, risk_type_labels
from monitoring.common import has_risk_type

CASES_PAGE = 50


@login_required
def village_cases(request, code):
    """The cases of a village (or any subtree): open ones first, 50 a page, with counts;
    filters: the township or village below (``grid``), state, category and risk type."""
    node = grid_or_404(user=request.user, code=code)
    state = request.GET.get("state") or ""
    if state not in CaseState.values:
        state = ""
    cases = sel.village_cases(user=request.user, node=node, state=state or None)
    below = list(grid_children(node)) if node.level != "group" else []
    chosen = next((g for g in below if g.code == request.GET.get("grid", "")), None)
    if chosen is not None:
        cases = cases.filter(**in_subtree("household__grid", chosen))
    category = request.GET.get("category", "")
    if category in CaseCategory.values:
        cases = cases.filter(category=category)
    else:
        category = ""
    risk = request.GET.get("risk", "")
    if risk in RiskType.values:
        cases = cases.filter(has_risk_type("risk_types", risk))
    else:
        risk = ""
    page = Paginator(cases, CASES_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for case in rows:
        case.risk_labels = risk_type_labels(case.risk_types)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "node": node,
        "cases": rows,
        "page": page,
        "counts": sel.case_counts(user=request.user, node=node),
        "state": state,
        "states": CaseState.choices,
        "below": below,
        "within": chosen.code if chosen else "",
        "category": category,
        "categories": CaseCategory.choices,
        "risk": risk,
        "risks": RiskType.choices,
        "query": query.urlencode(),
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
