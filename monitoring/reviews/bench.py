"""``bench reviews``: the county's confirmation queue, confirming reviews, the busiest review
page, and the overdue lists of a whole county.

Each scale seeds a throwaway county (every step up to the reviews step) inside a transaction
that is rolled back, then measures what the county and a village leader would do.
"""

from django.db.models import Count
from django.test import Client
from rest_framework.test import APIClient

from core import seeding
from core.benchmarks import measure, throwaway_county
from grids import selectors as grid_selectors
from grids.models import GridNode, Role
from monitoring.reviews import selectors as selectors_reviews
from monitoring.reviews.models import ReviewState, VillageReview
from monitoring.reviews.services.confirmation import review_confirm_batch

BENCH_CODE = "990005"


def _leader(node):
    return grid_selectors.first_holder(grid=node, role=Role.LEADER)


def bench_reviews(emit, scales):
    """Seed at each scale, then time the queue, a batch confirmation, a page and overdue."""
    for scale in scales:
        with throwaway_county(
            code=BENCH_CODE, name="基准县", scale=scale, seed=1, upto_order=30
        ) as (ctx, _seeded):
            with measure() as m:
                seeding.run(ctx, names={"reviews"})
            emit(name="reviews.seed_step", scale=scale, **m, cases_open=ctx.state["cases_open"])
            county = GridNode.objects.get(code=BENCH_CODE, parent__isnull=True)
            leader = _leader(county)
            client = APIClient()
            client.force_authenticate(leader)
            with measure() as m:
                data = client.get("/api/v1/reviews/?state=approved&page_size=100").json()
            emit(name="reviews.api_county_queue", scale=scale, **m, count=data["count"])
            with measure() as m:
                data = client.get("/api/v1/cases/?state=monitoring&page_size=100").json()
            emit(name="reviews.api_cases_page", scale=scale, **m, count=data["count"])
            approved = list(
                VillageReview.objects.filter(
                    village__tree_id=county.tree_id, state=ReviewState.APPROVED
                )
            )
            with measure() as m:
                results = review_confirm_batch(actor=leader, reviews=approved)
            emit(
                name="reviews.confirm_batch",
                scale=scale,
                **m,
                reviews=len(results),
                refused=sum(1 for _r, error in results if error),
            )
            busiest = (
                VillageReview.objects.filter(village__tree_id=county.tree_id)
                .annotate(n=Count("items"))
                .order_by("-n")
                .select_related("village")
                .first()
            )
            page = Client()
            page.force_login(_leader(busiest.village))
            with measure() as m:
                response = page.get(f"/monitoring/reviews/{busiest.pk}/")
            emit(
                name="reviews.page_busiest_review",
                scale=scale,
                **m,
                status=response.status_code,
                households=busiest.n,
            )
            with measure() as m:
                lists = selectors_reviews.overdue(user=leader, node=county)
                counts = {
                    key: len(list(value)) for key, value in lists.items() if key != "due_month"
                }
            emit(name="reviews.overdue_county", scale=scale, **m, **counts)
