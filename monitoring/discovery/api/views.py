"""Monitoring endpoints: thin — parse, call one selector or service, render."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import ClientKind
from accounts.permissions import request_client
from core.api.filters import UTCDateTimeFilter
from core.api.viewsets import NotEditedMixin, ScopedModelViewSet, valid, visible_reference
from households.models import Household
from monitoring.discovery import selectors
from monitoring.discovery.api import serializers as s
from monitoring.discovery.models.applications import SelfApplication
from monitoring.discovery.models.clues import RiskClue
from monitoring.discovery.models.visits import Visit
from monitoring.discovery.services.applications import (
    _PLATFORM_ID_TAKEN,
    application_complete,
    application_record_result,
    application_start_verifying,
    application_submit,
)
from monitoring.discovery.services.clues import (
    clue_confirm,
    clue_dismiss,
    clue_raise,
    clue_start_verifying,
)
from monitoring.discovery.services.visits import visit_record


def _visible_household(user, pk, field="household"):
    """A household the user may see, or a field error (out of scope reads as absent)."""
    return visible_reference(
        Household.objects.select_related("grid"), user=user, key=pk, field=field, what=_("农户")
    )


class VisitViewSet(NotEditedMixin, ScopedModelViewSet):
    """Household visits (入户走访 / 电话排查) in the caller's subtrees."""

    queryset_model = Visit
    selector = staticmethod(selectors.visit_list)
    serializer_class = s.VisitSerializer
    filterset_fields = ["mode", "household", "visited_on"]
    ordering_fields = ["visited_on", "created_at"]
    ordering = ["-visited_on", "-id"]

    @extend_schema(
        request=s.VisitWriteSerializer, responses={201: s.VisitSerializer, 200: s.VisitSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Record a visit; the same ``client_key`` (or ``Idempotency-Key``) again returns the
        visit already recorded, with 200."""
        data = valid(s.VisitWriteSerializer, request)
        household = _visible_household(request.user, data.pop("household"))
        checks = {name: data.pop(name) for name in list(data) if name in s.CHECKS}
        data.setdefault("client_key", request.headers.get("Idempotency-Key", ""))
        visit = visit_record(actor=request.user, household=household, checks=checks, **data)
        replayed = visit.replayed
        visit = selectors.visit_list(user=request.user).get(pk=visit.pk)
        return Response(
            s.VisitSerializer(visit).data,
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )


class ApplicationFilterSet(django_filters.FilterSet):
    changed_since = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="此时刻（ISO 8601）及以后有变化的申报",
    )

    class Meta:
        model = SelfApplication
        fields = ["status", "channel", "matter", "household", "platform_id", "changed_since"]


class ApplicationViewSet(NotEditedMixin, ScopedModelViewSet):
    """Self-applications (农户自主申报).

    The relief platform's integration client files applications here and reads back only its
    own (``platform_id``, ``changed_since`` for "what changed since I last asked"), without the
    household: it learns the status and the result, never who lives where.
    """

    queryset_model = SelfApplication
    selector = staticmethod(selectors.application_list)
    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilterSet
    ordering_fields = ["received_at", "updated_at"]
    ordering = ["-received_at", "-id"]
    client_operations = {ClientKind.PLATFORM: {"list", "retrieve", "create"}}

    def get_queryset(self):
        queryset = super().get_queryset()
        if request_client(self.request) is not None:
            return queryset.filter(filed_by=self.request.user)
        return queryset

    def get_serializer_class(self):
        if request_client(self.request) is not None:
            return s.PlatformApplicationSerializer
        return super().get_serializer_class()

    @extend_schema(
        request=s.ApplicationWriteSerializer,
        responses={201: s.ApplicationSerializer, 200: s.ApplicationSerializer},
    )
    def create(self, request, *args, **kwargs):
        """File an application; resubmitting the same ``platform_id`` returns it with 200."""
        data = valid(s.ApplicationWriteSerializer, request)
        application, created = application_submit(actor=request.user, **data)
        if request_client(request) is not None and application.filed_by_id != request.user.pk:
            # Someone else's application under that platform id: say no more than "taken".
            raise ValidationError({"platform_id": [_PLATFORM_ID_TAKEN]})
        return Response(
            self.get_serializer_class()(application).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="start-verifying")
    def start_verifying(self, request, *args, **kwargs):
        application = application_start_verifying(actor=request.user, application=self.get_object())
        return Response(s.ApplicationSerializer(application).data)

    @extend_schema(request=s.ApplicationResultSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def result(self, request, *args, **kwargs):
        application = self.get_object()
        data = valid(s.ApplicationResultSerializer, request)
        application = application_record_result(actor=request.user, application=application, **data)
        return Response(s.ApplicationSerializer(application).data)

    @extend_schema(request=None, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        application = application_complete(actor=request.user, application=self.get_object())
        return Response(s.ApplicationSerializer(application).data)


class ClueViewSet(NotEditedMixin, ScopedModelViewSet):
    """The risk clue inbox, overdue flag computed from today."""

    queryset_model = RiskClue
    selector = staticmethod(selectors.clue_list)
    serializer_class = s.ClueSerializer
    filterset_fields = ["state", "risk_type", "source", "household"]
    ordering_fields = ["decide_by", "found_on"]
    ordering = ["decide_by", "id"]

    @extend_schema(request=s.ClueWriteSerializer, responses=s.ClueSerializer)
    def create(self, request, *args, **kwargs):
        """Report a clue by hand; an open clue of the same household and risk absorbs it."""
        data = valid(s.ClueWriteSerializer, request)
        household = _visible_household(request.user, data.pop("household"))
        clue, created = clue_raise(actor=request.user, household=household, **data)
        return self._render(clue, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _render(self, clue, code=status.HTTP_200_OK):
        clue = selectors.clue_list(user=self.request.user).get(pk=clue.pk)
        return Response(s.ClueSerializer(clue).data, status=code)

    @extend_schema(request=None, responses=s.ClueSerializer)
    @action(detail=True, methods=["post"], url_path="start-verifying")
    def start_verifying(self, request, *args, **kwargs):
        return self._render(clue_start_verifying(actor=request.user, clue=self.get_object()))

    @extend_schema(request=s.ReasonSerializer, responses=s.ClueSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        clue = self.get_object()
        data = valid(s.ReasonSerializer, request)
        return self._render(clue_confirm(actor=request.user, clue=clue, **data))

    @extend_schema(request=s.ReasonSerializer, responses=s.ClueSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, *args, **kwargs):
        clue = self.get_object()
        data = valid(s.ReasonSerializer, request)
        return self._render(clue_dismiss(actor=request.user, clue=clue, **data))
