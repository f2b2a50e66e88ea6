"""Endpoints of village reviews, their items, and monitoring cases: thin over the services.

Every object carries what the current user may do with it now (``may_edit``, ``may_submit``,
``may_approve``, ``may_return``, ``may_confirm``; cases ``may_rollback``), computed from the
user's assignments loaded once per request (``monitoring.reviews.permissions``).
"""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.fields import IdField, MonthField
from core.api.viewsets import (
    NotDeletedMixin,
    PatchOnlyMixin,
    ScopedModelViewSet,
    valid,
)
from core.months import parse_month
from grids import selectors as grid_selectors
from grids.api.serializers import GridBriefSerializer, UserBriefSerializer
from grids.models import Level
from grids.selectors import filter_subtree_code
from households.models import Household
from monitoring.cases.models import CaseCategory, EliminationMethod
from monitoring.discovery.api.serializers import (
    MonitoringHouseholdSerializer,
    ReasonSerializer,
    RiskTypeField,
)
from monitoring.reviews import selectors as sel
from monitoring.reviews.models import Decision, ReviewItem, VillageReview
from monitoring.reviews.permissions import review_permissions
from monitoring.reviews.services.compose import (
    review_create,
    review_item_add,
    review_item_set,
    review_refresh,
    review_update,
)
from monitoring.reviews.services.confirmation import review_confirm, review_confirm_batch
from monitoring.reviews.services.transitions import review_approve, review_return, review_submit

PERMISSIONS = ["may_edit", "may_submit", "may_approve", "may_return", "may_confirm"]


class _WithPermissions:
    def _perms(self, review):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return review_permissions(user, review) if user else dict.fromkeys(PERMISSIONS, False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if isinstance(instance, VillageReview):
            data.update(self._perms(instance))
        else:
            data["may_edit"] = self._perms(instance.review)["may_edit"]
        return data


class ReviewItemSerializer(_WithPermissions, serializers.ModelSerializer):
    household = MonitoringHouseholdSerializer(read_only=True)
    risk_types = serializers.ListField(child=RiskTypeField(), read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    may_edit = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = ReviewItem
        fields = [
            "id",
            "review",
            "household",
            "case",
            "clue_ids",
            "decision",
            "decision_display",
            "category",
            "risk_types",
            "income_12m",
            "spending_12m",
            "method",
            "evidence",
            "note",
            "updated_at",
            "may_edit",
        ]
        read_only_fields = fields


class ReviewSerializer(_WithPermissions, serializers.ModelSerializer):
    village = GridBriefSerializer(read_only=True)
    month = MonthField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    created_by = UserBriefSerializer(read_only=True, allow_null=True)
    submitted_by = UserBriefSerializer(read_only=True, allow_null=True)
    reviewed_by = UserBriefSerializer(read_only=True, allow_null=True)
    confirmed_by = UserBriefSerializer(read_only=True, allow_null=True)
    item_count = serializers.IntegerField(read_only=True, default=0)
    may_edit = serializers.BooleanField(read_only=True, default=False)
    may_submit = serializers.BooleanField(read_only=True, default=False)
    may_approve = serializers.BooleanField(read_only=True, default=False)
    may_return = serializers.BooleanField(read_only=True, default=False)
    may_confirm = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = VillageReview
        fields = [
            "id",
            "village",
            "month",
            "state",
            "state_display",
            "meeting_on",
            "attendance",
            "minutes",
            "notice_start",
            "notice_end",
            "return_reason",
            "created_by",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "confirmed_by",
            "confirmed_at",
            "item_count",
            *PERMISSIONS,
        ]
        read_only_fields = fields


class ReviewDetailSerializer(ReviewSerializer):
    items = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "items"]
        read_only_fields = fields

    @extend_schema_field(ReviewItemSerializer(many=True))
    def get_items(self, obj) -> list[dict]:
        return ReviewItemSerializer(sel.review_items(obj), many=True, context=self.context).data


class ReviewCreateSerializer(serializers.Serializer):
    village = serializers.CharField(label=_("村网格编码"))
    month = MonthField(label=_("月份 YYYY-MM"))


class ReviewUpdateSerializer(serializers.Serializer):
    meeting_on = serializers.DateField(required=False, allow_null=True)
    attendance = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    notice_start = serializers.DateField(required=False, allow_null=True)
    notice_end = serializers.DateField(required=False, allow_null=True)


class BatchConfirmSerializer(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), min_length=1, max_length=500)


class ItemCreateSerializer(serializers.Serializer):
    review = IdField()
    household = IdField()


class ItemUpdateSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices, required=False)
    category = serializers.ChoiceField(choices=CaseCategory.choices, required=False)
    risk_types = serializers.ListField(child=RiskTypeField(), max_length=5, required=False)
    income_12m = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    spending_12m = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    method = serializers.ChoiceField(choices=EliminationMethod.choices, required=False)
    evidence = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class ReviewFilterSet(django_filters.FilterSet):
    grid = django_filters.CharFilter(method="filter_grid", label=_("网格编码（含下级）"))
    month = django_filters.CharFilter(method="filter_month", label=_("月份 YYYY-MM"))

    class Meta:
        model = VillageReview
        fields = ["state", "grid", "month"]

    def filter_grid(self, queryset, name, value):
        return filter_subtree_code(queryset, "village", value)

    def filter_month(self, queryset, name, value):
        try:
            return queryset.filter(month=parse_month(value))
        except Exception:
            return queryset.none()


class ReviewViewSet(PatchOnlyMixin, NotDeletedMixin, ScopedModelViewSet):
    """Monthly village reviews (每月综合研判) and their transitions."""

    queryset_model = VillageReview
    selector = staticmethod(sel.review_list)
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet
    ordering_fields = ["month", "submitted_at"]
    ordering = ["-month", "village__code"]

    def get_serializer_class(self):
        return ReviewDetailSerializer if self.action == "retrieve" else ReviewSerializer

    def _render(self, review, code=status.HTTP_200_OK):
        review = sel.review_list(user=self.request.user).get(pk=review.pk)
        data = ReviewDetailSerializer(review, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(request=ReviewCreateSerializer, responses=ReviewDetailSerializer)
    def create(self, request, *args, **kwargs):
        """Open a village's review of a month (the village leader); lists its open clues and
        open cases."""
        data = valid(ReviewCreateSerializer, request)
        village = grid_selectors.grid_resolve(
            user=request.user, code=data["village"], field="village", level=Level.VILLAGE
        )
        review = review_create(actor=request.user, village=village, month=data["month"])
        return self._render(review, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewUpdateSerializer, responses=ReviewDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the meeting record and notice dates (draft or returned only)."""
        review = self.get_object()
        data = valid(ReviewUpdateSerializer, request, partial=True)
        return self._render(review_update(actor=request.user, review=review, **data))

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        return self._render(review_submit(actor=request.user, review=self.get_object()))

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self._render(review_approve(actor=request.user, review=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, *args, **kwargs):
        review = self.get_object()
        data = valid(ReasonSerializer, request)
        return self._render(review_return(actor=request.user, review=review, reason=data["reason"]))

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        return self._render(review_confirm(actor=request.user, review=self.get_object()))

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, *args, **kwargs):
        """Add households whose clues or cases appeared since the review was opened."""
        review = self.get_object()
        review_refresh(actor=request.user, review=review)
        return self._render(review)

    @extend_schema(
        request=BatchConfirmSerializer,
        responses=inline_serializer(
            "ReviewBatchResult",
            {
                "results": inline_serializer(
                    "ReviewBatchRow",
                    {"id": serializers.IntegerField(), "error": serializers.CharField()},
                    many=True,
                )
            },
        ),
    )
    @action(detail=False, methods=["post"], url_path="confirm-batch")
    def confirm_batch(self, request, *args, **kwargs):
        """Confirm several approved reviews; each commits or fails on its own (see
        ``docs/reviews.md``). Ids outside the caller's scope answer as not found."""
        data = valid(BatchConfirmSerializer, request)
        visible = {r.pk: r for r in self.get_queryset().filter(pk__in=data["ids"])}
        results = []
        reviews = [visible[pk] for pk in dict.fromkeys(data["ids"]) if pk in visible]
        for review, error in review_confirm_batch(actor=request.user, reviews=reviews):
            results.append({"id": review.pk, "error": error})
        for pk in dict.fromkeys(data["ids"]):
            if pk not in visible:
                results.append({"id": pk, "error": _("未找到，或不在您的管辖范围内。")})
        return Response({"results": results})


class ReviewItemViewSet(PatchOnlyMixin, NotDeletedMixin, ScopedModelViewSet):
    """One household's decision in a review; changed with PATCH while the review is editable."""

    queryset_model = ReviewItem
    selector = staticmethod(sel.item_list)
    serializer_class = ReviewItemSerializer
    filterset_fields = ["review", "decision", "household"]
    ordering = ["review_id", "household__number"]

    def _render(self, item, code=status.HTTP_200_OK):
        item = sel.item_list(user=self.request.user).get(pk=item.pk)
        return Response(
            ReviewItemSerializer(item, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=ItemCreateSerializer, responses=ReviewItemSerializer)
    def create(self, request, *args, **kwargs):
        """Put a household of the village on the review."""
        data = valid(ItemCreateSerializer, request)
        review = sel.review_list(user=request.user).filter(pk=data["review"]).first()
        household = Household.objects.visible_to(request.user).filter(pk=data["household"]).first()
        if review is None or household is None:
            raise serializers.ValidationError(
                {"household": [_("研判或农户不存在，或不在您的管辖范围内。")]}
            )
        item = review_item_add(actor=request.user, review=review, household=household)
        return self._render(item, status.HTTP_201_CREATED)

    @extend_schema(request=ItemUpdateSerializer, responses=ReviewItemSerializer)
    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        data = valid(ItemUpdateSerializer, request, partial=True)
        return self._render(review_item_set(actor=request.user, item=item, **data))
