"""Reads of the grid tree that views, the API and reports share."""

from django.db.models import Count, Q

from .models import GridAssignment, GridNode, Level


def grid_list(*, user):
    """The grid nodes ``user`` may see, with their parent loaded."""
    return GridNode.objects.visible_to(user).select_related("parent").order_by("tree_id", "lft")


def grid_get(*, user, code: str) -> GridNode:
    """One visible node by code; raises ``GridNode.DoesNotExist`` when absent or out of scope."""
    return grid_list(user=user).get(code=code)


def in_subtree(prefix: str, node: GridNode) -> dict:
    """Filter kwargs for rows whose grid (reached by ``prefix``) lies in ``node``'s subtree.

    ``prefix`` is a path to a grid such as ``"grid"`` or ``"household__grid"`` (``""``: the
    nodes themselves); the node itself is included. This narrows a list to a subtree; it is not
    a scope rule (start from ``visible_to`` for that).
    """
    p = f"{prefix}__" if prefix else ""
    return {f"{p}tree_id": node.tree_id, f"{p}lft__gte": node.lft, f"{p}lft__lte": node.rght}


def filter_subtree_code(queryset, prefix: str, code: str):
    """``queryset`` narrowed to the subtree of the node with ``code`` (none if no such node)."""
    node = GridNode.objects.filter(code=code).only("tree_id", "lft", "rght").first()
    if node is None:
        return queryset.none()
    return queryset.filter(**in_subtree(prefix, node))


def grid_subtree(node: GridNode):
    """Every node below ``node`` (not the node itself), by range on the tree index."""
    return GridNode.objects.filter(tree_id=node.tree_id, lft__gt=node.lft, lft__lt=node.rght)


def grid_descendant_counts(node: GridNode) -> dict:
    """How many nodes of each level lie below ``node`` (one aggregate query)."""
    agg = grid_subtree(node).aggregate(
        **{level.value: Count("pk", filter=Q(level=level)) for level in Level}
    )
    return {level.value: agg[level.value] for level in Level if level != Level.COUNTY}


def grid_children(node: GridNode):
    """The direct children of ``node`` with their own child counts (one query)."""
    return node.get_children().annotate(children_count=Count("children")).order_by("code")


def assignment_list(*, user):
    """The assignments ``user`` may see, with user, grid and department loaded."""
    return (
        GridAssignment.objects.visible_to(user)
        .select_related("user", "grid", "department")
        .order_by("grid__tree_id", "grid__lft", "role", "user__username")
    )


def user_assignments(user):
    """The user's own assignments (for the home page), with grids loaded."""
    return (
        GridAssignment.objects.filter(user_id=user.pk)
        .select_related("grid", "department")
        .order_by("grid__tree_id", "grid__lft")
    )
