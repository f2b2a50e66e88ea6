"""Base classes every API viewset builds on.

``ScopedViewSetMixin`` makes the scope the starting point of every queryset: a subclass names
its ``selector`` (``(user=...) -> QuerySet``) and never builds a queryset of its own, so an
object outside the user's subtrees is simply not found (404).
"""

from rest_framework import viewsets


class ScopedViewSetMixin:
    #: ``selector(user=...)`` returning the scoped, related-loaded queryset for this endpoint.
    selector = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return self.queryset_model._default_manager.none()
        return type(self).selector(user=self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Writes go through services: subclasses implement ``perform_create`` and friends."""
