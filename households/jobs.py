"""Household work that runs as jobs (``core.jobs``): the import, dry run and real."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import jobs

from . import importing, services

IMPORT = "households.import"


def start_import(*, actor, upload, dry_run: bool):
    """The import of ``upload`` as a job of ``actor``; the same file sent again while its job
    runs is that job. Refused at once for someone who may not import."""
    services.require_importer(actor)
    if hasattr(upload, "seek"):
        upload.seek(0)
    digest = jobs.input_key(IMPORT, actor.pk, dry_run, upload.read())
    return jobs.job_start(
        actor=actor,
        kind=IMPORT,
        params={"dry_run": bool(dry_run)},
        upload=upload,
        key=digest,
    )


def _run_import(ctx: jobs.Context) -> jobs.Outcome:
    ctx.progress(5, _("正在校验文件"))
    job = ctx.job

    def done(report):
        # Inside the import's transaction: the households and "done" commit together.
        ctx.complete(jobs.Outcome(result=report.as_dict(), message=report.summary()))

    try:
        with job.input.open("rb") as source:
            report = importing.import_households(
                source,
                filename=job.input_name,
                actor=ctx.user,
                dry_run=ctx.params.get("dry_run", False),
                before_commit=done,
            )
    except importing.ImportFileError as exc:
        raise jobs.JobRefused(str(exc)) from None
    except PermissionDenied as exc:
        raise jobs.JobRefused(str(exc)) from None
    return jobs.Outcome(result=report.as_dict(), message=report.summary())


jobs.register(IMPORT, _run_import, label=gettext_lazy("农户导入"))


EXPORT = "households.export"


def start_export(*, actor, filters: dict):
    """The households ``filters`` select (``grid``, ``household_type``, ``status``,
    ``platform_registered``, ``search``) with their members as an xlsx job (ID numbers
    masked). The same export again while its job runs is that job."""
    clean = {k: str(v) for k, v in filters.items() if k in EXPORT_FILTERS and v not in ("", None)}
    return jobs.job_start(
        actor=actor,
        kind=EXPORT,
        params={"filters": clean},
        key=jobs.input_key(EXPORT, actor.pk, sorted(clean.items())),
    )


EXPORT_FILTERS = ("grid", "household_type", "status", "platform_registered", "search")


def export_queryset(user, filters: dict):
    from django.db.models import Q

    from .filtersets import HouseholdFilterSet
    from .selectors import household_list

    households = household_list(user=user, with_member_count=False)
    filterset = HouseholdFilterSet(
        {k: v for k, v in filters.items() if k != "search"}, queryset=households
    )
    if not filterset.is_valid():
        raise jobs.JobRefused(
            _("筛选条件有误：{errors}").format(
                errors="；".join(f"{k}: {v[0]}" for k, v in filterset.errors.items())
            )
        )
    households = filterset.qs
    search = (filters.get("search") or "").strip()
    if search:
        households = households.filter(Q(number__icontains=search) | Q(head_name__icontains=search))
    return households


def _run_export(ctx: jobs.Context) -> jobs.Outcome:
    from .exporting import export_households

    households = export_queryset(ctx.user, ctx.params.get("filters", {}))
    ctx.progress(10, _("正在导出"))
    with export_households(user=ctx.user, households=households) as out:
        content = out.read()
    return jobs.Outcome(
        result={"households": households.count()},
        file_name=_("农户成员") + ".xlsx",
        content=content,
        message=_("已导出"),
    )


jobs.register(EXPORT, _run_export, label=gettext_lazy("导出农户成员"))
