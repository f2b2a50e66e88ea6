"""Dashboard pages and ledger downloads: thin, the figures and ledgers do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from core.months import parse_month, this_month

from . import jobs as report_jobs
from . import selectors
from .dashboard import dashboard_context, household_list_url
from .ledgers import LEDGERS


def _month(request):
    try:
        return parse_month(request.GET.get("month"), default=this_month())
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return this_month()


@login_required
def dashboard(request, code=None):
    """The roll-up of a grid's subtree (default: the user's top grid) and its children."""
    month = _month(request)
    try:
        grid = selectors.resolve_grid(user=request.user, code=code)
    except ValueError as exc:
        return render(request, "reports/dashboard.html", {"problem": str(exc)})
    context = dashboard_context(user=request.user, grid=grid, month=month)
    return render(request, "reports/dashboard.html", context)


@login_required
def crowded(request, code):
    """Group grids of the subtree past the soft limit (the list behind ``group_grids_over_10``)."""
    grid = selectors.resolve_grid(user=request.user, code=code)
    rows = [
        {**row, "url": household_list_url(row["grid__code"])}
        for row in selectors.crowded_group_grids(
            user=request.user, node=grid, over=selectors.soft_limit()
        )
    ]
    context = {
        "node": grid,
        "rows": rows,
        "soft": selectors.soft_limit(),
        "hard": selectors.hard_limit(),
    }
    return render(request, "reports/crowded.html", context)


@login_required
def ledger(request, code, key):
    """A ledger (台账) of the subtree as xlsx, made by a job: this answers at once with the
    job's page (progress, then the file); ``?full_ids=1`` for permitted roles (audited). The
    same ledger asked again while its job runs is that job."""
    if key not in LEDGERS:
        raise Http404
    grid = selectors.resolve_grid(user=request.user, code=code)
    full_ids = request.GET.get("full_ids") == "1"
    job, _created = report_jobs.start_ledger(
        actor=request.user, node=grid, key=key, full_ids=full_ids
    )
    return redirect("job-detail", pk=job.pk)
