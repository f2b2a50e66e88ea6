"""Household and person endpoints: thin — parse, call one selector or service, render."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.serializers import JobSerializer
from core.api.viewsets import ScopedModelViewSet, valid, visible_reference
from grids import selectors as grid_selectors

from .. import importing, selectors, services
from .. import jobs as household_jobs
from ..filtersets import HouseholdFilterSet, PersonFilterSet
from ..models import Household, Person
from . import serializers as s

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HouseholdViewSet(ScopedModelViewSet):
    """Households (户) in the caller's subtrees. ID numbers of members are masked."""

    queryset_model = Household
    selector = staticmethod(selectors.household_list)
    filterset_class = HouseholdFilterSet
    search_fields = ["number", "head_name"]
    ordering_fields = ["number", "created_at", "head_name"]

    def get_queryset(self):
        if self.action == "retrieve" and not getattr(self, "swagger_fake_view", False):
            return (
                selectors.household_list(user=self.request.user, with_member_count=False)
                .select_related("grid")
                .prefetch_related("members")
            )
        return super().get_queryset()

    def get_serializer_class(self):
        return {
            "retrieve": s.HouseholdDetailSerializer,
            "create": s.HouseholdCreateSerializer,
            "update": s.HouseholdUpdateSerializer,
            "partial_update": s.HouseholdUpdateSerializer,
            "move": s.HouseholdMoveSerializer,
            "close": s.HouseholdCloseSerializer,
            "import_file": s.ImportRequestSerializer,
        }.get(self.action, s.HouseholdSerializer)

    def _out(self, household):
        household = selectors.household_list(user=self.request.user).get(pk=household.pk)
        return s.HouseholdSerializer(household).data

    @extend_schema(responses={201: s.HouseholdSerializer})
    def create(self, request, *args, **kwargs):
        data = dict(valid(s.HouseholdCreateSerializer, request.data))
        grid = grid_selectors.grid_resolve(user=request.user, code=data.pop("grid"))
        head = dict(data.pop("head"))
        household = services.household_create(
            actor=request.user, grid=grid, number=data.pop("number"), head=head, **data
        )
        return Response(self._out(household), status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.HouseholdSerializer)
    def update(self, request, *args, **kwargs):
        household = self.get_object()
        data = valid(
            s.HouseholdUpdateSerializer, request.data, partial=kwargs.get("partial", False)
        )
        household = services.household_update(actor=request.user, household=household, **data)
        return Response(self._out(household))

    @extend_schema(
        parameters=[OpenApiParameter("reason", str, description="注销理由")],
        responses={204: None},
    )
    def destroy(self, request, *args, **kwargs):
        """Dissolve (注销) the household: the row and its members stay, with a status."""
        services.household_close(
            actor=request.user,
            household=self.get_object(),
            status="dissolved",
            reason=request.query_params.get("reason", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=s.HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        """Move the household to another group grid (capacity rule held)."""
        household = self.get_object()
        data = valid(s.HouseholdMoveSerializer, request.data)
        grid = grid_selectors.grid_resolve(user=request.user, code=data["grid"])
        household = services.household_move(
            actor=request.user, household=household, grid=grid, reason=data["reason"]
        )
        return Response(self._out(household))

    @extend_schema(responses=s.HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        """Mark the household moved out of the county or dissolved."""
        household = self.get_object()
        data = valid(s.HouseholdCloseSerializer, request.data)
        household = services.household_close(
            actor=request.user, household=household, status=data["status"], reason=data["reason"]
        )
        return Response(self._out(household))

    @extend_schema(
        request={"multipart/form-data": s.ImportRequestSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="只预检，不写入")],
        responses={202: JobSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request, *args, **kwargs):
        """Import households with members from xlsx/csv as a job: all or nothing;
        ``?dry_run=1`` only checks. Answers 202 at once with the job; poll
        ``/api/v1/jobs/{id}/`` — its ``result`` is the report (``written``, ``errors`` by row).
        The same file sent again while its job runs answers that job."""
        if not services.can_import(request.user):
            raise PermissionDenied(_("只有县级和乡镇网格长可以导入农户。"))
        upload = valid(s.ImportRequestSerializer, request.data)["file"]
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        job, _created = household_jobs.start_import(
            actor=request.user, upload=upload, dry_run=dry_run
        )
        job.refresh_from_db()  # the embedded default has already run it
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="导入模板 xlsx")})
    @action(detail=False, methods=["get"], url_path="import-template")
    def import_template(self, request, *args, **kwargs):
        """The import template (xlsx with Chinese headers and a sheet of notes)."""
        return template_response()

    @extend_schema(responses={202: JobSerializer})
    @action(detail=False, methods=["get"])
    def export(self, request, *args, **kwargs):
        """The filtered households (the list's filters and ``search``) with their members as
        xlsx, made by a job: 202 with the job; its ``file_url`` downloads it (ID numbers
        masked)."""
        job, _created = household_jobs.start_export(
            actor=request.user, filters=request.query_params.dict()
        )
        job.refresh_from_db()
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def template_response():
    import io

    buffer = io.BytesIO()
    importing.build_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="农户导入模板.xlsx", content_type=XLSX)


class PersonViewSet(ScopedModelViewSet):
    """Members of the households in the caller's subtrees; ID numbers masked.

    ``POST …/search/ {"id_number": …}`` finds a person by exact ID number (through the keyed
    hash; never in a URL, which servers log); the whole number comes only from
    ``POST …/reveal/`` for permitted roles, and each reveal is audited.
    """

    queryset_model = Person
    selector = staticmethod(selectors.person_list)
    filterset_class = PersonFilterSet
    search_fields = ["name", "household__number"]
    ordering_fields = ["birth_date", "name"]

    def get_serializer_class(self):
        return {
            "create": s.PersonCreateSerializer,
            "update": s.PersonUpdateSerializer,
            "partial_update": s.PersonUpdateSerializer,
            "reveal": s.RevealSerializer,
            "search": s.IdSearchSerializer,
        }.get(self.action, s.PersonSerializer)

    def _out(self, person):
        return s.PersonSerializer(
            selectors.person_list(user=self.request.user).get(pk=person.pk)
        ).data

    @extend_schema(responses={201: s.PersonSerializer})
    def create(self, request, *args, **kwargs):
        """Add a member (birth, marriage in, moving in, first registration)."""
        data = dict(valid(s.PersonCreateSerializer, request.data))
        household = visible_reference(
            Household.objects.select_related("grid"),
            user=request.user,
            key=data.pop("household"),
            field="household",
            what=_("农户"),
        )
        person = services.person_add(
            actor=request.user,
            household=household,
            id_number=data.pop("id_number"),
            reason=data.pop("reason"),
            joined_on=data.pop("joined_on", None),
            **data,
        )
        return Response(self._out(person), status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.PersonSerializer)
    def update(self, request, *args, **kwargs):
        person = self.get_object()
        data = valid(s.PersonUpdateSerializer, request.data, partial=kwargs.get("partial", False))
        person = services.person_update(actor=request.user, person=person, **data)
        return Response(self._out(person))

    @extend_schema(
        parameters=[
            OpenApiParameter("reason", str, enum=["death", "marriage_out", "moved_out"]),
            OpenApiParameter("on", str, description="日期 YYYY-MM-DD"),
            OpenApiParameter("new_head", int, description="户主减少时的新户主 ID"),
        ],
        responses={204: None},
    )
    def destroy(self, request, *args, **kwargs):
        """A member leaves (death, marriage out, moving out); the row stays with its status."""
        person = self.get_object()
        data = valid(s.PersonRemoveSerializer, request.query_params)
        new_head = None
        if data.get("new_head"):
            new_head = selectors.person_list(user=request.user).filter(pk=data["new_head"]).first()
        services.person_remove(
            actor=request.user,
            person=person,
            reason=data["reason"],
            on=data.get("on"),
            new_head=new_head,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.IdSearchSerializer, responses=s.PersonSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request, *args, **kwargs):
        """The persons in your subtrees whose ID number is exactly the one in the body (zero
        or one; an invalid number is a 400, a number outside your scope finds nobody)."""
        data = valid(s.IdSearchSerializer, request.data)
        found = selectors.person_find_by_id_number(user=request.user, id_number=data["id_number"])
        page = self.paginate_queryset(found)
        return self.get_paginated_response(s.PersonSerializer(page, many=True).data)

    @extend_schema(responses=s.RevealResultSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, *args, **kwargs):
        """The whole ID number, for roles with the personal-data permission; audited."""
        person = self.get_object()
        data = valid(s.RevealSerializer, request.data)
        number = services.person_reveal_id(actor=request.user, person=person, reason=data["reason"])
        return Response({"id": person.pk, "id_number": number})
