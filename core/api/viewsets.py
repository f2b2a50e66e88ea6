"""Base classes and helpers every API viewset builds on.

- ``ScopedViewSetMixin`` makes the scope the starting point of every queryset: a subclass names
  its ``selector`` (``(user=...) -> QuerySet``) and never builds a queryset of its own, so an
  object outside the user's subtrees is simply not found (404).
- ``ScopedModelViewSet`` writes only through services: DRF's ``perform_create`` /
  ``perform_update`` / ``perform_destroy`` (which would call ``serializer.save()`` or
  ``instance.delete()`` and skip every rule, lock and audit row) raise instead, so a subclass
  that forgets to override ``create``/``update``/``destroy`` fails loudly in its first test.
- ``NotEditedMixin`` / ``NotDeletedMixin`` / ``PatchOnlyMixin``: the generic writes an endpoint
  does not offer answer 405 in scope and 404 outside (the scope check comes first, so a 405
  never confirms that an id exists elsewhere), and are left out of the schema.
- ``valid()`` validates a request body with a serializer; ``visible_reference()`` resolves an id
  a client names in a body through the scope: absent and out of scope answer the same field
  error.
"""

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import MethodNotAllowed


def valid(serializer_class, data, *, partial: bool = False, **kwargs) -> dict:
    """``data`` validated by ``serializer_class`` (a 400 in the API's error shape otherwise)."""
    data = getattr(data, "data", data)  # a request, or its data
    serializer = serializer_class(data=data, partial=partial, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def not_found_message(what, key) -> str:
    """The one wording for a reference that is absent or outside the user's scope."""
    return _("{what} {key} 不存在或不在您的管辖范围内。").format(what=what, key=key)


def visible_reference(queryset, *, user, key, field: str, what, lookup: str = "pk", action="view"):
    """The row of ``queryset`` (a model's manager or queryset with ``visible_to``) that
    ``user`` may ``action`` and whose ``lookup`` is ``key``, else a field error on ``field``
    that reads the same whether the row is absent or out of scope."""
    if hasattr(queryset, "get_queryset"):
        queryset = queryset.get_queryset()
    obj = None
    if key not in (None, ""):
        try:
            obj = queryset.visible_to(user, action=action).filter(**{lookup: key}).first()
        except (ValueError, TypeError):  # a malformed key is not found either
            obj = None
    if obj is None:
        raise ValidationError({field: not_found_message(what, key)})
    return obj


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
    """Writes go through services: subclasses implement ``create``, ``update`` and
    ``destroy`` (or mix in the mixins below); DRF's generic save and delete are refused."""

    def _no_generic_write(self, what):
        raise ImproperlyConfigured(
            f"{type(self).__name__}.{what} would write without a service: override the "
            "action and call the service (see core/api/viewsets.py)."
        )

    def perform_create(self, serializer):
        self._no_generic_write("perform_create")

    def perform_update(self, serializer):
        self._no_generic_write("perform_update")

    def perform_destroy(self, instance):
        self._no_generic_write("perform_destroy")


def _not_offered(self, request, *args, **kwargs):
    """Scope first (404 outside, so nothing is told), then 405: the method is not offered."""
    self.get_object()
    raise MethodNotAllowed(request.method)


#: Left out of the schema: clients generated from it never see an operation that answers 405.
_undocumented = extend_schema(exclude=True)


class NotDeletedMixin:
    """Rows that are never deleted over the API: DELETE answers 405 in scope, 404 outside,
    and is not in the schema."""

    destroy = _undocumented(_not_offered)


class NotEditedMixin(NotDeletedMixin):
    """Rows that change only through their transitions: PUT, PATCH and DELETE answer 405 in
    scope, 404 outside, and are not in the schema."""

    update = _undocumented(_not_offered)
    partial_update = _undocumented(_not_offered)


class PatchOnlyMixin:
    """PATCH only: PUT answers 405 in scope, 404 outside, and is not in the schema;
    ``partial_update`` is the subclass's (calling a service)."""

    def update(self, request, *args, **kwargs):
        if kwargs.get("partial"):
            raise ImproperlyConfigured(f"{type(self).__name__} must define partial_update.")
        return _not_offered(self, request, *args, **kwargs)

    update = _undocumented(update)
