"""Pages of the comparison: a department's batches and upload, a batch's report, the runs of a
county and a run's progress and summary. Thin: the rules are the services'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import Conflict
from core.pages import add_errors
from grids import selectors as grid_selectors
from grids.scoping import user_scope

from . import jobs as comparison_jobs
from . import selectors, services
from .forms import RunForm, UploadForm
from .models import RunState

PROBLEMS_SHOWN = 500


@login_required
def batch_list(request):
    """The batches the user may see, and (for a department or a county admin) the upload."""
    own = user_scope(request.user).department_grants
    counties = grid_selectors.administered_counties(user=request.user)
    may_upload = bool(own or counties)
    form = UploadForm(
        request.POST or None, request.FILES or None, choose_department=not own and bool(counties)
    )
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                if own:
                    county, department = services.resolve_sender(request.user)
                else:
                    county, department = counties[0], data["department"]
                job, _created = comparison_jobs.start_upload(
                    actor=request.user,
                    county=county,
                    department=department,
                    month=data["month"],
                    batch_id=data["batch_id"],
                    upload=data["file"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except (PermissionDenied, Conflict) as exc:
                form.add_error(None, str(exc))
            else:
                # The file is read and checked by a job: its page shows the progress and then
                # links to the batch.
                return redirect("job-detail", pk=job.pk)
    batches = list(selectors.batch_list(user=request.user)[:200])
    context = {"batches": batches, "form": form if may_upload else None}
    return render(request, "comparison/batch_list.html", context)


@login_required
def batch_detail(request, pk):
    """A batch's report: counts, bad records with reasons, records not in the registry."""
    batch = selectors.batch_list(user=request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    problems = list(selectors.batch_problems(batch)[:PROBLEMS_SHOWN])
    context = {"batch": batch, "problems": problems, "shown": PROBLEMS_SHOWN}
    return render(request, "comparison/batch_detail.html", context)


@login_required
def run_list(request):
    """The county's comparison runs; a county admin starts a month here."""
    counties = grid_selectors.administered_counties(user=request.user)
    form = RunForm(request.POST or None)
    if request.method == "POST":
        if not counties:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = services.run_start(
                    actor=request.user, county=counties[0], month=form.cleaned_data["month"]
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except (PermissionDenied, Conflict) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已发起比对，正在后台运行。"))
                return redirect("comparison-run", pk=run.pk)
    runs = list(selectors.run_list(user=request.user)[:100])
    return render(
        request, "comparison/run_list.html", {"runs": runs, "form": form if counties else None}
    )


@login_required
def run_detail(request, pk):
    """A run's progress bar (the page refreshes itself while running) and its summary."""
    run = selectors.run_list(user=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    context = {
        "run": run,
        "active": run.state in (RunState.PENDING, RunState.RUNNING),
        "may_resume": run.state != RunState.DONE
        and services.is_county_admin(request.user, run.county),
    }
    return render(request, "comparison/run_detail.html", context)


@login_required
@require_POST
def run_resume(request, pk):
    run = selectors.run_list(user=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    try:
        services.run_resume(actor=request.user, run=run)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    else:
        messages.success(request, _("已重新排队，已完成的乡镇不会重复处理。"))
    return redirect("comparison-run", pk=run.pk)
