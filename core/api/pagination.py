"""Page-number pagination with ``count``, as every list endpoint returns it."""

from django.utils.translation import gettext as _
from rest_framework import pagination, serializers


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        """``page_size`` must be a whole number from 1 to ``max_page_size`` (a 400 otherwise,
        instead of silently falling back to the default)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise serializers.ValidationError(
                {
                    "page_size": [
                        _("每页条数应为 1 到 {max} 之间的整数，实为“{value}”。").format(
                            max=self.max_page_size, value=raw
                        )
                    ]
                }
            )
        return size
