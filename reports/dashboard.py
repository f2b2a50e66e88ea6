"""What a dashboard page shows: the subtree's table, its children side by side, a chart.

Pages stay thin: ``dashboard_context`` calls the selectors and the figures once and shapes the
result into rows; each figure carries the URL of the list behind it when that list has a page.
"""

import datetime

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from grids import selectors as grid_selectors
from grids.models import GridNode, Level

from .charts import bar_chart
from .figures import children_figures, county_figures
from .ledgers import LEDGERS

LEVEL_SHORT = {
    Level.COUNTY: _("县级网格"),
    Level.TOWNSHIP: _("乡镇网格"),
    Level.VILLAGE: _("村级网格"),
    Level.GROUP: _("组网格"),
}


def household_list_url(code: str) -> str:
    """The households page of a subtree (API routes live in the ``api`` namespace)."""
    return reverse("household-list") + "?" + urlencode({"grid": code})


def links(node: GridNode, month: datetime.date) -> dict:
    """The list behind each kind of figure, for ``node``'s subtree."""
    month_q = urlencode({"month": month.strftime("%Y-%m")})
    households = household_list_url(node.code)
    return {
        "grid": reverse("grid-page", args=[node.code]),
        "households": households,
        "clues": reverse("clue-inbox", args=[node.code]),
        "coverage": reverse("visit-coverage", args=[node.code]) + "?" + month_q,
        "crowded": reverse("reports-crowded", args=[node.code]),
        "plans_overdue": reverse("assistance-overdue", args=[node.code]),
        "overdue": reverse("review-overdue", args=[node.code]),
        "cases": reverse("case-village", args=[node.code]),
        "dashboard": reverse("reports-dashboard-grid", args=[node.code]) + "?" + month_q,
    }


def _row(label, value, url="", *, rate=None, warn=False):
    return {"label": label, "value": value, "url": url, "rate": rate, "warn": warn}


def summary_rows(f: dict, link: dict) -> list[dict]:
    """The article's table (and the figures beside it) as labelled rows."""
    grids, members = f["grids"], f["grid_members"]
    rows = []
    for level in (Level.TOWNSHIP, Level.VILLAGE, Level.GROUP):
        if grids[level]:
            rows.append(
                _row(
                    _("{level}数 / 网格人员").format(level=LEVEL_SHORT[level]),
                    f"{grids[level]} / {members[level]}",
                    link["grid"],
                )
            )
    if members[Level.COUNTY]:
        rows.append(_row(_("县级网格人员"), members[Level.COUNTY], link["grid"]))
    rows += [
        _row(_("覆盖农户"), f["households"], link["households"]),
        _row(
            _("注册政府救助平台"),
            f["platform_registered"],
            link["households"],
            rate=f["platform_registration_rate"],
        ),
        _row(_("农户申请事项"), f["applications"]),
        _row(_("已办结"), f["applications_completed"], rate=f["application_completion_rate"]),
        _row(_("未处理线索"), f["clues_open"], link["clues"]),
        _row(_("风险未消除监测户"), f["cases_unresolved"], link["cases"]),
        _row(
            _("其中 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户"),
            " / ".join(str(f["cases_by_category"][c]) for c in ("unstable", "marginal", "sudden")),
        ),
        _row(
            _("已消除风险（帮扶消除 / 自然消除）"),
            " / ".join(str(f["cases_eliminated_by_method"][m]) for m in ("assistance", "natural")),
        ),
        _row(_("逾期线索"), f["clues_overdue"], link["clues"], warn=bool(f["clues_overdue"])),
        _row(
            _("本月未走访（盲区）"),
            f["blind_spots"],
            link["coverage"],
            warn=bool(f["blind_spots"]),
        ),
        _row(_("外出务工本季度未联系"), f["migrants_uncontacted"], link["coverage"]),
        _row(_("超过 10 户的组网格"), f["group_grids_over_10"], link["crowded"]),
        _row(
            _("超过 20 户的组网格"),
            f["group_grids_over_20"],
            link["crowded"],
            warn=bool(f["group_grids_over_20"]),
        ),
    ]
    return rows


def dashboard_context(*, user, grid: GridNode, month: datetime.date) -> dict:
    """Everything the dashboard template needs, in a fixed number of queries."""
    figures = county_figures(user=user, grid=grid, month=month)
    children = list(grid_selectors.grid_list(user=user).filter(parent=grid).order_by("code"))
    table = children_figures(user=user, grid=grid, children=children, month=month)
    ancestors = list(
        grid_selectors.grid_list(user=user).filter(
            tree_id=grid.tree_id, lft__lt=grid.lft, rght__gt=grid.rght
        )
    )
    child_rows = [{"node": c, "f": table[c.pk], "link": links(c, month)} for c in children]
    chart = bar_chart(
        (
            c["node"].name,
            c["f"]["households"],
            c["f"]["platform_registered"],
            c["link"]["dashboard"],
        )
        for c in child_rows
    )
    link = links(grid, month)
    rows = summary_rows(figures, link)
    # Today's, whatever the month shown: a grid whose person left with nobody after them.
    unattended = grid_selectors.unattended_grids(user=user, node=grid).count()
    rows.append(_row(_("无人负责的网格"), unattended, link["overdue"], warn=bool(unattended)))
    return {
        "node": grid,
        "month": figures["month"],
        "figures": figures,
        "rows": rows,
        "ancestors": ancestors,
        "child_rows": child_rows,
        "child_level": LEVEL_SHORT.get(children[0].level) if children else "",
        "chart": chart,
        "ledgers": [(key, ledger.title) for key, ledger in LEDGERS.items()],
    }
