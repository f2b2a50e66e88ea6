"""Reads of the grid tree that views, the API and reports share."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from .models import GridAssignment, GridNode, Level, Role
from .scoping import user_scope


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
        GridAssignment.objects.current()
        .filter(user_id=user.pk)
        .select_related("grid", "department")
        .order_by("grid__tree_id", "grid__lft")
    )


def home_grid(user, assignments):
    """The grid the home page sends ``user`` straight to (their only post, no department
    work), or None; ``assignments`` are ``user_assignments(user)`` as a list."""
    if len(assignments) == 1 and assignments[0].department_id is None and not user.is_superuser:
        return assignments[0].grid
    return None


def grid_resolve(*, user, code: str, field: str = "grid", level: str | None = None, action="view"):
    """The node a user names by ``code`` (a request's field ``field``), through the scope.

    Absent, of another level and out of scope (for ``action``) answer the same field error, so
    a code says nothing of what exists outside the user's subtrees.
    """
    code = str(code or "").strip()
    qs = GridNode.objects.visible_to(user, action=action).filter(code=code)
    if level:
        qs = qs.filter(level=level)
    node = qs.first() if code else None
    if node is None:
        what = _LEVEL_NOUN[level]() if level else _("网格")
        raise ValidationError(
            {field: _("{what} {code} 不存在或不在您的管辖范围内。").format(what=what, code=code)}
        )
    return node


_LEVEL_NOUN = {
    Level.COUNTY: lambda: _("县级网格"),
    Level.TOWNSHIP: lambda: _("乡镇网格"),
    Level.VILLAGE: lambda: _("村网格"),
    Level.GROUP: lambda: _("组网格"),
}


def administered_counties(*, user) -> list[GridNode]:
    """The counties ``user`` administers (a leader at the root; superusers: all), by code."""
    return list(
        GridNode.objects.visible_to(user, action="administer")
        .filter(level=Level.COUNTY)
        .order_by("code")
    )


def acting_county(*, user, code: str = "", field: str = "county"):
    """The county a request acts for: the one named by ``code`` (looked up through the scope),
    else the only county the user administers, else the only county they see. Several or none
    answer a field error; whether the user may act there is the service's to check."""
    if code:
        return grid_resolve(user=user, code=code, field=field, level=Level.COUNTY)
    for action in ("administer", "view"):
        counties = list(
            GridNode.objects.visible_to(user, action=action)
            .filter(level=Level.COUNTY)
            .order_by("code")[:2]
        )
        if counties:
            break
    if len(counties) != 1:
        raise ValidationError({field: _("请填写您管辖的县编码（county）。")})
    return counties[0]


# -- people on grids, for the system itself (seeds, benchmarks, notices) ------------------------


def leader_names(grid_ids) -> dict[int, list[str]]:
    """The names of the leaders (网格长, not department staff) of each of ``grid_ids``."""
    names: dict[int, list[str]] = {}
    for grid_id, first, username in (
        GridAssignment.objects.current()
        .filter(grid_id__in=list(grid_ids), role=Role.LEADER, department__isnull=True)
        .order_by("grid_id", "user__username")
        .values_list("grid_id", "user__first_name", "user__username")
    ):
        names.setdefault(grid_id, []).append(first or username)
    return names


def holders_by_grid(
    *, tree_id: int, level: str | None = None, role: str | None = None, field: str = "user_id"
) -> dict:
    """``{grid id: <field> of the (last by username) person}`` on a county's grids, optionally of
    one level and role (department staff excluded): whom a seed or a benchmark acts as."""
    qs = GridAssignment.objects.current().filter(grid__tree_id=tree_id, department__isnull=True)
    if level:
        qs = qs.filter(grid__level=level)
    if role:
        qs = qs.filter(role=role)
    return dict(qs.order_by("grid_id", "role", "user__username").values_list("grid_id", field))


def first_holder(*, grid=None, tree_id=None, level=None, role=None):
    """One person (the first by username) holding ``role`` on ``grid``, or at ``level`` of
    county ``tree_id``, department staff excluded; None if nobody."""
    qs = GridAssignment.objects.current().filter(department__isnull=True).select_related("user")
    if grid is not None:
        qs = qs.filter(grid=grid)
    if tree_id is not None:
        qs = qs.filter(grid__tree_id=tree_id)
    if level:
        qs = qs.filter(grid__level=level)
    if role:
        qs = qs.filter(role=role)
    assignment = qs.order_by("grid__lft", "role", "user__username").first()
    return assignment.user if assignment else None


def grid_or_404(*, user, code: str) -> GridNode:
    """A visible node by code for a page; absent and out of scope are both ``Http404``."""
    try:
        return grid_get(user=user, code=code)
    except GridNode.DoesNotExist:
        raise Http404 from None


def assignable_user(*, user, username: str, field: str = "user"):
    """The account ``user`` names to put on a grid: an active account that holds no assignment
    yet (new staff), or one already on a grid ``user`` sees. Any other — someone of another
    county, an unknown name — answers with the same field error."""
    from django.contrib.auth import get_user_model

    username = str(username or "").strip()
    candidates = get_user_model().objects.filter(username=username, is_active=True)
    if not user_scope(user).unrestricted:
        # Never a staff account or an integration client's account (no post, but not staff).
        candidates = candidates.filter(
            Q(
                grid_assignments__isnull=True,
                is_staff=False,
                integration_client__isnull=True,
            )
            | Q(pk__in=GridAssignment.objects.visible_to(user).current().values("user_id"))
        )
    found = candidates.distinct().first() if username else None
    if found is None:
        raise ValidationError(
            {field: _("用户 {name} 不存在或不在您的管辖范围内。").format(name=username)}
        )
    return found


def unattended_grids(*, user, node: GridNode, on=None):
    """Grids of ``node``'s subtree nobody works: a group grid with no current member or leader,
    a township or village with no current leader (网格长). Department posts do not count."""
    holders = GridAssignment.objects.current(on).filter(
        grid=OuterRef("pk"), department__isnull=True
    )
    return (
        GridNode.objects.visible_to(user)
        .filter(**in_subtree("", node))
        .filter(
            (Q(level=Level.GROUP) & ~Exists(holders))
            | (
                Q(level__in=[Level.TOWNSHIP, Level.VILLAGE])
                & ~Exists(holders.filter(role=Role.LEADER))
            )
        )
        .select_related("parent")
        .order_by("lft")
    )


# -- the people of a county, for its administrator ----------------------------------------------
def county_people(*, user, county: GridNode, search: str = ""):
    """The accounts a county administrator manages: people who hold or held a post on the
    county's grids and none elsewhere, never staff or superusers. Empty for anyone who does
    not administer ``county``."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not user_scope(user).administers(county.tree_id):
        return User.objects.none()
    here = GridAssignment.objects.filter(grid__tree_id=county.tree_id).values("user_id")
    elsewhere = GridAssignment.objects.exclude(grid__tree_id=county.tree_id).values("user_id")
    qs = User.objects.filter(pk__in=here, is_staff=False, is_superuser=False).exclude(
        pk__in=elsewhere
    )
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(first_name__icontains=search))
    return qs.order_by("username")


def person_posts(*, person, tree_id: int):
    """A person's posts in a county, current first, with grid and department loaded."""
    return (
        GridAssignment.objects.filter(user=person, grid__tree_id=tree_id)
        .select_related("grid", "department")
        .order_by("ended_on", "-started_on", "grid__lft")
    )


def person_trees(user) -> set[int]:
    """The county trees a person holds a current post in (read now, not the cached scope)."""
    if user is None or not getattr(user, "pk", None):
        return set()
    return set(
        GridAssignment.objects.current()
        .filter(user_id=user.pk)
        .order_by()
        .values_list("grid__tree_id", flat=True)
        .distinct()
    )


def person_county(user) -> int | None:
    """The one county tree a person holds current posts in (None: none, or several)."""
    trees = person_trees(user)
    return trees.pop() if len(trees) == 1 else None
