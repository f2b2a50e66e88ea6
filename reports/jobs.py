"""Ledgers (台账) as jobs (``core.jobs``): a county's ledger takes minutes, never a request."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import jobs
from grids import selectors as grid_selectors
from households.services import REVEAL_PERMISSION

from .ledgers import LEDGERS, write_ledger

LEDGER = "reports.ledger"


def start_ledger(*, actor, node, key: str, full_ids: bool):
    """The ledger ``key`` of ``node``'s subtree as a job of ``actor`` (the same one again
    while it runs is that job). Whole ID numbers need the permission, checked at once."""
    if full_ids and not actor.has_perm(REVEAL_PERMISSION):
        raise PermissionDenied(_("您没有查看完整身份证号的权限。"))
    day = timezone.localdate().isoformat()
    return jobs.job_start(
        actor=actor,
        kind=LEDGER,
        params={"grid": node.code, "key": key, "full_ids": bool(full_ids)},
        tree_id=node.tree_id,
        key=jobs.input_key(LEDGER, actor.pk, node.code, key, full_ids, day),
    )


def _run_ledger(ctx: jobs.Context) -> jobs.Outcome:
    params = ctx.params
    node = grid_selectors.grid_get(user=ctx.user, code=params["grid"])  # the scope, again
    ledger = LEDGERS.get(params["key"])
    if ledger is None:
        raise jobs.JobRefused(_("没有这种台账。"))
    ctx.progress(10, _("正在生成台账"))
    try:
        out = write_ledger(user=ctx.user, node=node, key=params["key"], full_ids=params["full_ids"])
    except PermissionDenied as exc:
        raise jobs.JobRefused(str(exc)) from None
    with out:
        content = out.read()
    stamp = timezone.localdate().strftime("%Y%m%d")
    return jobs.Outcome(
        result={"ledger": params["key"], "grid": node.code, "bytes": len(content)},
        file_name=f"{ledger.title}-{node.code}-{stamp}.xlsx",
        content=content,
        message=_("台账已生成"),
    )


jobs.register(LEDGER, _run_ledger, label=gettext_lazy("导出台账"))
