"""Job pages: the progress of one's long work, its outcome, its file."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import select_template

from . import jobs, selectors


def _job(request, pk):
    job = selectors.job_list(user=request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
def job_detail(request, pk):
    """The job's state and progress (the page refreshes itself while it runs), its outcome."""
    job = _job(request, pk)
    context = {
        "job": job,
        "label": jobs.kind_label(job.kind),
        "template": select_template(
            [f"jobs/{job.kind.replace('.', '_')}.html", "jobs/_default.html"]
        ).template.name,
    }
    return render(request, "core/job.html", context)


@login_required
def job_file(request, pk):
    job = _job(request, pk)
    if not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)


@login_required
def job_list(request):
    rows = list(selectors.job_list(user=request.user)[:50])
    return render(
        request,
        "core/job_list.html",
        {"jobs": [(j, jobs.kind_label(j.kind)) for j in rows]},
    )
