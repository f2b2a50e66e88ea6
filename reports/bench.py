"""``bench stats``: a whole county's figures at each scale, against one hand-written SQL.

Seeds a throwaway county (code ``990003``, every registered seed step, no demo logins) inside a
transaction that is rolled back, times ``county_figures`` for the county (seconds, queries),
times one hand-written SQL statement computing the same figures on the same database, checks
that both agree, and prints ``ratio_to_sql`` (selector seconds / SQL seconds).
"""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from assistance.models import ANSWERING_STATES, MeasureCategory
from assistance.selectors import overdue_cutoff
from core.benchmarks import best_of, throwaway_county
from grids.models import GridNode
from monitoring.discovery.selectors import month_bounds, quarter_bounds
from monitoring.reviews.selectors import review_due_month

from . import selectors
from .figures import county_figures
from .figures.monitoring import figure_now

BENCH_CODE = "990003"

# One statement; CTEs keep the subtree ranges in one place. Portable (PostgreSQL and SQLite):
# SUM(CASE …) rather than FILTER, booleans compared by truth.
_FIGURES_SQL = """
WITH n AS (
    SELECT id, level FROM grids_gridnode
    WHERE tree_id = %(tree)s AND lft >= %(lft)s AND lft <= %(rght)s
), hall AS (
    SELECT hh.id, hh.grid_id, hh.status, hh.platform_registered
    FROM households_household hh JOIN n ON n.id = hh.grid_id
), h AS (
    SELECT id, grid_id, platform_registered FROM hall WHERE status = 'active'
), c AS (
    SELECT rc.source, rc.state, rc.verify_by, rc.decide_by
    FROM monitoring_riskclue rc JOIN hall ON hall.id = rc.household_id
), mc AS (
    SELECT c.state, c.category, c.elimination_method
    FROM monitoring_monitoringcase c JOIN hall ON hall.id = c.household_id
), ms AS (
    SELECT m.state, m.category FROM assistance_measure m
    JOIN assistance_assistanceplan p ON p.id = m.plan_id
    JOIN monitoring_monitoringcase c ON c.id = p.case_id AND c.state = 'monitoring'
    JOIN hall ON hall.id = c.household_id
    WHERE m.state <> 'cancelled'
)
SELECT
  (SELECT COUNT(*) FROM n WHERE level = 'county'),
  (SELECT COUNT(*) FROM n WHERE level = 'township'),
  (SELECT COUNT(*) FROM n WHERE level = 'village'),
  (SELECT COUNT(*) FROM n WHERE level = 'group'),
  (SELECT SUM(CASE WHEN n.level = 'county' THEN 1 ELSE 0 END) FROM grids_gridassignment a
     JOIN n ON n.id = a.grid_id),
  (SELECT SUM(CASE WHEN n.level = 'township' THEN 1 ELSE 0 END) FROM grids_gridassignment a
     JOIN n ON n.id = a.grid_id),
  (SELECT SUM(CASE WHEN n.level = 'village' THEN 1 ELSE 0 END) FROM grids_gridassignment a
     JOIN n ON n.id = a.grid_id),
  (SELECT SUM(CASE WHEN n.level = 'group' THEN 1 ELSE 0 END) FROM grids_gridassignment a
     JOIN n ON n.id = a.grid_id),
  (SELECT COUNT(*) FROM h),
  (SELECT COUNT(*) FROM h WHERE platform_registered),
  (SELECT COUNT(*) FROM monitoring_selfapplication s JOIN hall ON hall.id = s.household_id),
  (SELECT COUNT(*) FROM monitoring_selfapplication s JOIN hall ON hall.id = s.household_id
     WHERE s.status = 'completed'),
  (SELECT COUNT(*) FROM (SELECT grid_id FROM h GROUP BY grid_id HAVING COUNT(*) > %(soft)s) x),
  (SELECT COUNT(*) FROM (SELECT grid_id FROM h GROUP BY grid_id HAVING COUNT(*) > %(hard)s) y),
  (SELECT COUNT(*) FROM c WHERE source = 'visit'),
  (SELECT COUNT(*) FROM c WHERE source = 'application'),
  (SELECT COUNT(*) FROM c WHERE source = 'department'),
  (SELECT COUNT(*) FROM c WHERE state = 'new'),
  (SELECT COUNT(*) FROM c WHERE state = 'verifying'),
  (SELECT COUNT(*) FROM c WHERE state = 'confirmed'),
  (SELECT COUNT(*) FROM c WHERE state = 'dismissed'),
  (SELECT COUNT(*) FROM c WHERE state IN ('new', 'verifying')),
  (SELECT COUNT(*) FROM c WHERE (state = 'new' AND verify_by < %(today)s)
     OR (state IN ('new', 'verifying') AND decide_by < %(today)s)),
  (SELECT COUNT(*) FROM h WHERE NOT EXISTS (
     SELECT 1 FROM monitoring_visit v WHERE v.household_id = h.id AND v.mode = 'in_person'
       AND v.visited_on >= %(m_first)s AND v.visited_on <= %(m_last)s)),
  (SELECT COUNT(*) FROM h WHERE EXISTS (
     SELECT 1 FROM households_person p WHERE p.household_id = h.id AND p.status = 'active'
       AND p.migrant_months > 0)
   AND NOT EXISTS (
     SELECT 1 FROM monitoring_visit v WHERE v.household_id = h.id
       AND v.visited_on >= %(q_first)s AND v.visited_on <= %(q_last)s)),
  (SELECT COUNT(*) FROM mc WHERE state = 'monitoring'),
  (SELECT COUNT(*) FROM mc WHERE state = 'monitoring' AND category = 'unstable'),
  (SELECT COUNT(*) FROM mc WHERE state = 'monitoring' AND category = 'marginal'),
  (SELECT COUNT(*) FROM mc WHERE state = 'monitoring' AND category = 'sudden'),
  (SELECT COUNT(*) FROM mc WHERE state = 'eliminated'),
  (SELECT COUNT(*) FROM mc WHERE state = 'eliminated' AND elimination_method = 'assistance'),
  (SELECT COUNT(*) FROM mc WHERE state = 'eliminated' AND elimination_method = 'natural'),
  (SELECT COUNT(*) FROM ms),
  (SELECT COUNT(*) FROM ms WHERE state = 'implemented'),
  (SELECT COUNT(*) FROM monitoring_monitoringcase c JOIN hall ON hall.id = c.household_id
     WHERE c.state = 'monitoring' AND c.identified_on < %(overdue_cutoff)s
       AND NOT EXISTS (
         SELECT 1 FROM assistance_assistanceplan p JOIN assistance_measure m ON m.plan_id = p.id
         WHERE p.case_id = c.id AND m.state IN ({answering}))),
  (SELECT COUNT(*) FROM n WHERE level = 'village' AND NOT EXISTS (
     SELECT 1 FROM monitoring_villagereview r WHERE r.village_id = n.id
       AND r.month = %(due_month)s AND r.state IN ('submitted', 'approved', 'confirmed'))),
  (SELECT COUNT(*) FROM monitoring_villagereview r JOIN n ON n.id = r.village_id
     WHERE r.state = 'submitted' AND r.submitted_at < %(approval_limit)s),
  (SELECT COUNT(*) FROM monitoring_villagereview r JOIN n ON n.id = r.village_id
     WHERE r.state = 'approved' AND r.reviewed_at < %(confirm_limit)s),
{by_category}
"""


FIGURES_SQL = _FIGURES_SQL.format(
    answering=", ".join(f"'{state}'" for state in ANSWERING_STATES),
    by_category=",\n".join(
        f"  (SELECT COUNT(*) FROM ms WHERE state = 'implemented' AND category = '{c}')"
        for c in MeasureCategory.values
    ),
)


def _rate(part, whole):
    from .figures import rate

    return rate(part, whole)


def figures_by_sql(node: GridNode, month: datetime.date, today: datetime.date) -> dict:
    """The figures of ``node``'s subtree by ``FIGURES_SQL`` (one statement), same shape."""
    m_first, m_last = month_bounds(month)
    q_first, q_last = quarter_bounds(month)
    now = figure_now(today)
    params = {
        "tree": node.tree_id,
        "lft": node.lft,
        "rght": node.rght,
        "soft": selectors.soft_limit(),
        "hard": selectors.hard_limit(),
        "today": today,
        "m_first": m_first,
        "m_last": m_last,
        "q_first": q_first,
        "q_last": q_last,
        "overdue_cutoff": overdue_cutoff(today),
        "due_month": review_due_month(today),
        "approval_limit": now - datetime.timedelta(days=settings.REVIEW_APPROVAL_DAYS),
        "confirm_limit": now - datetime.timedelta(days=settings.REVIEW_CONFIRM_DAYS),
    }
    with connection.cursor() as cursor:
        cursor.execute(FIGURES_SQL, params)
        r = [int(v or 0) for v in cursor.fetchone()]
    levels = ["county", "township", "village", "group"]
    return {
        "grids": dict(zip(levels, r[0:4], strict=True)),
        "grid_members": dict(zip(levels, r[4:8], strict=True)),
        "households": r[8],
        "platform_registered": r[9],
        "platform_registration_rate": _rate(r[9], r[8]),
        "applications": r[10],
        "applications_completed": r[11],
        "application_completion_rate": _rate(r[11], r[10]),
        "group_grids_over_10": r[12],
        "group_grids_over_20": r[13],
        "clues_by_source": {"visit": r[14], "application": r[15], "department": r[16]},
        "clues_by_state": {
            "new": r[17],
            "verifying": r[18],
            "confirmed": r[19],
            "dismissed": r[20],
        },
        "clues_open": r[21],
        "clues_overdue": r[22],
        "blind_spots": r[23],
        "migrants_uncontacted": r[24],
        "cases_unresolved": r[25],
        "cases_by_category": {"unstable": r[26], "marginal": r[27], "sudden": r[28]},
        "cases_by_state": {"monitoring": r[25], "eliminated": r[29]},
        "cases_eliminated_by_method": {"assistance": r[30], "natural": r[31]},
        "measures_planned": r[32],
        "measures_implemented": r[33],
        "reviews_overdue": {
            "not_submitted": r[35],
            "approvals_waiting": r[36],
            "confirmations_waiting": r[37],
        },
        "measures_implemented_by_category": dict(zip(MeasureCategory.values, r[38:], strict=True)),
        "plans_overdue": r[34],
    }


def bench_stats(emit, scales):
    """Seed a throwaway county per scale (rolled back) and compare the figures with the SQL."""
    for scale in scales:
        with throwaway_county(code=BENCH_CODE, name="统计基准县", scale=scale, seed=1) as (
            ctx,
            seeded,
        ):
            county = GridNode.objects.get(code=BENCH_CODE)
            today = timezone.localdate()
            month = today.replace(day=1)
            user = selectors.SYSTEM_READER

            def by_selectors(county=county, today=today, month=month, user=user):
                return county_figures(user=user, grid=county, month=month, today=today)

            def by_sql(county=county, today=today, month=month):
                return figures_by_sql(county, month, today)

            by_selectors()  # warm both (plans, caches) before timing
            by_sql()
            sel, figures = best_of(3, by_selectors)
            raw, sql_figures = best_of(3, by_sql)
            mine = {k: v for k, v in figures.items() if k not in ("grid", "month")}
            emit(
                name="stats.county",
                scale=scale,
                seed_seconds=seeded["seconds"],
                households=figures["households"],
                group_grids=figures["grids"]["group"],
                seconds=sel["seconds"],
                queries=sel["queries"],
                sql_seconds=raw["seconds"],
                sql_queries=raw["queries"],
                ratio_to_sql=round(sel["seconds"] / raw["seconds"], 2) if raw["seconds"] else None,
                agree=mine == sql_figures,
                **({} if mine == sql_figures else {"figures": mine, "sql": sql_figures}),
            )
