"""``bench discovery``: the month's coverage of a whole county and one township's clue inbox.

Each scale seeds a throwaway county (every registered step up to this app's) inside a
transaction that is rolled back, then measures the reads as a county and a township leader
would run them.
"""

from django.utils import timezone
from rest_framework.test import APIClient

from core.benchmarks import measure, throwaway_county
from grids import selectors as grid_selectors
from grids.models import GridNode, Level, Role
from monitoring.discovery import selectors

BENCH_CODE = "990004"


def _leader(node):
    return grid_selectors.first_holder(grid=node, role=Role.LEADER)


def bench_discovery(emit, scales):
    """Seed at each scale, then time coverage (county) and the clue inbox (one township)."""
    for scale in scales:
        with throwaway_county(
            code=BENCH_CODE, name="基准县", scale=scale, seed=1, upto_order=30
        ) as (ctx, m):
            emit(name="discovery.seed", scale=scale, seconds=m["seconds"], queries=m["queries"])
            county = GridNode.objects.get(code=BENCH_CODE, parent__isnull=True)
            leader = _leader(county)
            month = timezone.localdate()
            with measure() as m:
                result = selectors.coverage(user=leader, node=county, month=month)
                summary = selectors.coverage_summary(result["groups"])
                blind = len(list(result["blind_spots"]))
                migrant = len(list(result["migrant_uncontacted"]))
            emit(
                name="discovery.coverage_county_month",
                scale=scale,
                seconds=m["seconds"],
                queries=m["queries"],
                households=summary["households"],
                blind_spots=blind,
                grids_behind=summary["grids_behind"],
                migrant_uncontacted=migrant,
            )
            township = (
                GridNode.objects.filter(tree_id=county.tree_id, level=Level.TOWNSHIP)
                .order_by("code")
                .first()
            )
            t_leader = _leader(township)
            with measure() as m:
                clues = list(selectors.clue_inbox(user=t_leader, node=township))
            emit(
                name="discovery.clue_inbox_township",
                scale=scale,
                seconds=m["seconds"],
                queries=m["queries"],
                open_clues=len(clues),
                overdue=sum(1 for c in clues if c.is_overdue),
            )
            client = APIClient()
            client.force_authenticate(t_leader)
            with measure() as m:
                data = client.get("/api/v1/clues/?state=new&page_size=100").json()
            emit(
                name="discovery.clue_api_township_page",
                scale=scale,
                seconds=m["seconds"],
                queries=m["queries"],
                count=data["count"],
            )
