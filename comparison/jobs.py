"""A department's file upload as a job (``core.jobs``): 200,000 records are read, checked and
stored by the worker, never in a request."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import jobs
from core.exceptions import Conflict, messages_text
from core.months import parse_month, this_month
from grids.models import Department, GridNode

from . import services
from .uploads import read_records

UPLOAD = "comparison.upload"


def start_upload(*, actor, county, department, month, batch_id: str, upload):
    """The upload of ``upload`` as batch ``batch_id`` of ``month``; the sender is checked at
    once (and again by the worker)."""
    services.require_sender(actor, county, department)
    # A month that cannot be is refused on the form, before any job.
    month = parse_month(month, earliest=settings.COMPARISON_EARLIEST_MONTH, latest=this_month())
    if hasattr(upload, "seek"):
        upload.seek(0)
    key = jobs.input_key(UPLOAD, actor.pk, county.pk, department.pk, month, batch_id, upload.read())
    return jobs.job_start(
        actor=actor,
        kind=UPLOAD,
        params={
            "county": county.pk,
            "department": department.pk,
            "month": f"{month:%Y-%m}",
            "batch_id": batch_id,
        },
        upload=upload,
        tree_id=county.tree_id,
        key=key,
    )


def _run_upload(ctx: jobs.Context) -> jobs.Outcome:
    params, job = ctx.params, ctx.job
    county = GridNode.objects.get(pk=params["county"])
    department = Department.objects.get(pk=params["department"])
    ctx.progress(5, _("正在读取文件"))
    try:
        with job.input.open("rb") as source:
            records = read_records(source, job.input_name)
        ctx.progress(40, _("正在校验和保存记录"))
        batch, created = services.batch_upload(
            actor=ctx.user,
            county=county,
            department=department,
            month=params["month"],
            batch_id=params["batch_id"],
            records=records,
        )
    except ValidationError as exc:
        raise jobs.JobRefused(messages_text(exc)) from None
    except (PermissionDenied, Conflict) as exc:
        raise jobs.JobRefused(str(exc)) from None
    return jobs.Outcome(
        result={
            "batch": batch.pk,
            "batch_id": batch.batch_id,
            "created": created,
            "records_total": batch.records_total,
            "records_invalid": batch.records_invalid,
        },
        message=(_("已接收批次 {batch}。") if created else _("已替换批次 {batch}。")).format(
            batch=batch.batch_id
        ),
    )


jobs.register(UPLOAD, _run_upload, label=gettext_lazy("部门数据文件上传"))
