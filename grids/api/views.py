"""Grid endpoints: thin — parse, call one selector or service, render."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet, valid

from .. import selectors, services
from ..filtersets import GridAssignmentFilterSet, GridNodeFilterSet
from ..models import GridAssignment, GridNode
from . import serializers as s


def _visible_node(user, code, field):
    """A node the user may see, by code (None when not given)."""
    return selectors.grid_resolve(user=user, code=code, field=field) if code else None


class GridNodeViewSet(ScopedModelViewSet):
    """The four-level grid tree, scoped to the caller's subtrees."""

    queryset_model = GridNode
    selector = staticmethod(selectors.grid_list)
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = GridNodeFilterSet
    search_fields = ["code", "name", "village_group"]
    ordering_fields = ["code", "name", "lft"]
    ordering = ["tree_id", "lft"]

    def get_serializer_class(self):
        return {
            "retrieve": s.GridNodeDetailSerializer,
            "create": s.GridNodeCreateSerializer,
            "update": s.GridNodeUpdateSerializer,
            "partial_update": s.GridNodeUpdateSerializer,
            "move": s.GridMoveSerializer,
        }.get(self.action, s.GridNodeSerializer)

    def retrieve(self, request, *args, **kwargs):
        node = self.get_object()
        context = self.get_serializer_context() | {
            "ancestors": list(node.get_ancestors()),
            "descendant_counts": selectors.grid_descendant_counts(node),
        }
        return Response(s.GridNodeDetailSerializer(node, context=context).data)

    @extend_schema(responses=s.GridNodeSerializer)
    def create(self, request, *args, **kwargs):
        data = self._valid(request)
        parent = _visible_node(request.user, data.get("parent"), "parent")
        node = services.grid_create(
            actor=request.user,
            code=data["code"],
            name=data["name"],
            level=data["level"],
            parent=parent,
            village_group=data.get("village_group", ""),
        )
        return Response(s.GridNodeSerializer(node).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.GridNodeSerializer)
    def update(self, request, *args, **kwargs):
        node = self.get_object()
        data = self._valid(request, partial=kwargs.get("partial", False))
        node = services.grid_update(actor=request.user, node=node, **data)
        return Response(s.GridNodeSerializer(node).data)

    def destroy(self, request, *args, **kwargs):
        services.grid_delete(
            actor=request.user,
            node=self.get_object(),
            reason=request.query_params.get("reason", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=s.GridNodeSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        """Move the node and its subtree under another parent of the right level."""
        node = self.get_object()
        data = self._valid(request)
        new_parent = _visible_node(request.user, data["parent"], "parent")
        node = services.grid_move(
            actor=request.user, node=node, new_parent=new_parent, reason=data["reason"]
        )
        return Response(s.GridNodeSerializer(node).data)

    def _valid(self, request, partial=False):
        return valid(self.get_serializer_class(), request, partial=partial)


class GridAssignmentViewSet(ScopedModelViewSet):
    """People on the grid and their roles, scoped to the caller's subtrees."""

    queryset_model = GridAssignment
    selector = staticmethod(selectors.assignment_list)
    filterset_class = GridAssignmentFilterSet
    search_fields = ["user__username", "user__first_name", "user__last_name", "grid__name"]
    ordering_fields = ["created_at", "role"]

    def get_serializer_class(self):
        return {
            "create": s.GridAssignmentWriteSerializer,
            "update": s.GridAssignmentUpdateSerializer,
            "partial_update": s.GridAssignmentUpdateSerializer,
        }.get(self.action, s.GridAssignmentSerializer)

    @extend_schema(responses=s.GridAssignmentSerializer)
    def create(self, request, *args, **kwargs):
        data = valid(self.get_serializer_class(), request)
        grid = _visible_node(request.user, data["grid"], "grid")
        person = selectors.assignable_user(user=request.user, username=data["user"])
        assignment = services.assignment_create(
            actor=request.user,
            user=person,
            grid=grid,
            role=data["role"],
            department=data.get("department"),
            phone=data.get("phone", ""),
        )
        return Response(s.GridAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.GridAssignmentSerializer)
    def update(self, request, *args, **kwargs):
        assignment = self.get_object()
        data = valid(self.get_serializer_class(), request, partial=kwargs.get("partial", False))
        assignment = services.assignment_update(actor=request.user, assignment=assignment, **data)
        return Response(s.GridAssignmentSerializer(assignment).data)

    @extend_schema(request=s.AssignmentEndSerializer, responses=s.GridAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, *args, **kwargs):
        """End the post (``ended_on`` default today, ``reason``); a ``successor`` (user name)
        takes the same post from that day, else the grid shows as unattended. Returns the
        successor's post, or the ended one."""
        assignment = self.get_object()
        data = valid(s.AssignmentEndSerializer, request)
        successor = None
        if data.get("successor"):
            successor = selectors.assignable_user(
                user=request.user, username=data["successor"], field="successor"
            )
        new = services.assignment_end(
            actor=request.user,
            assignment=assignment,
            ended_on=data.get("ended_on"),
            reason=data["reason"],
            successor=successor,
            successor_phone=data.get("successor_phone", ""),
        )
        assignment.refresh_from_db()
        return Response(s.GridAssignmentSerializer(new or assignment).data)

    def destroy(self, request, *args, **kwargs):
        services.assignment_delete(
            actor=request.user,
            assignment=self.get_object(),
            reason=request.query_params.get("reason", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
