"""``GET /api/v1/stats/``: the roll-up of a visible subtree (same object as ``county_stats``)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.months import parse_month, this_month

from ..figures import county_figures
from ..selectors import resolve_grid


class StatsView(APIView):
    """Figures of a grid's subtree: grids, people, households, the relief platform,
    self-applications, clues, blind spots. Out of scope answers 404."""

    @extend_schema(
        parameters=[
            OpenApiParameter("grid", str, description="网格编码；缺省为本人最上级的网格"),
            OpenApiParameter("month", str, description="统计月份 YYYY-MM；缺省为本月"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        # Left out: this month. Given but empty (``?month=``): a mistake, said so.
        given = request.query_params.get("month")
        month = this_month() if given is None else parse_month(given)
        try:
            grid = resolve_grid(user=request.user, code=request.query_params.get("grid"))
        except ValueError as exc:
            raise serializers.ValidationError({"grid": [str(exc)]}) from None
        return Response(county_figures(user=request.user, grid=grid, month=month))
