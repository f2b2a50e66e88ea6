"""THE scoping rule: a user sees what lies in the subtrees of their grid assignments.

Every scoped model declares ``scope_path``, its way to its grid:
- ``"self"`` — the model is the grid node itself;
- ``"grid"``, ``"household__grid"`` … — a foreign-key path to a ``GridNode``;
- ``"tree:<field>"`` — rows that belong to a whole county tree (e.g. the audit log): visible to
  people assigned at that county's root.

The user's assignments are read once per request (cached on the user object) and turned into
``tree_id``/``lft`` range filters, which the ``(tree_id, lft, rght)`` index answers. Superusers
see everything.

Department staff (an assignment with a ``department``, at county level) do not see the grid's
subtree: they see only rows assigned to their department, in their own county (tree). A model
opts in by declaring ``scope_department``, its path to a ``grids.Department`` foreign key (a
measure's responsible department, a department's own data batch). Rows of a model without it are
invisible to them.

Nothing else in the code base may hand-write a scope rule: call
``Model.objects.visible_to(user)`` (or ``core.scoping.restrict``).
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

_CACHE_ATTR = "_grid_scope_cache"


@dataclass(frozen=True)
class Range:
    tree_id: int
    lft: int
    rght: int
    is_root: bool

    def covers(self, other: "Range") -> bool:
        return self.tree_id == other.tree_id and self.lft <= other.lft and other.rght <= self.rght


@dataclass(frozen=True)
class Scope:
    unrestricted: bool
    ranges: tuple[Range, ...]
    departments: frozenset[int] = frozenset()
    #: ``(department_id, tree_id)``: a department account sees its department's rows of its
    #: own county only.
    department_trees: tuple[tuple[int, int], ...] = ()

    @property
    def root_trees(self) -> list[int]:
        return [r.tree_id for r in self.ranges if r.is_root]


def user_scope(user) -> Scope:
    """The subtrees ``user`` may see, loaded with one query and cached on the user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope(unrestricted=False, ranges=())
    elif user.is_superuser:
        scope = Scope(unrestricted=True, ranges=())
    else:
        from .models import GridAssignment

        rows = GridAssignment.objects.filter(user_id=user.pk).values_list(
            "grid__tree_id", "grid__lft", "grid__rght", "grid__parent_id", "department_id"
        )
        ranges = [
            Range(t, lft, rght, parent is None) for t, lft, rght, parent, dept in rows if not dept
        ]
        department_trees = tuple(sorted({(dept, t) for t, _l, _r, _p, dept in rows if dept}))
        departments = frozenset(dept for dept, _tree in department_trees)
        # Drop ranges that another assignment already covers, so the SQL stays short.
        kept = [r for r in ranges if not any(o is not r and o.covers(r) and o != r for o in ranges)]
        scope = Scope(
            unrestricted=False,
            ranges=tuple(sorted(set(kept), key=lambda r: r.lft)),
            departments=departments,
            department_trees=department_trees,
        )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def clear_scope_cache(user) -> None:
    """Forget the cached scope (after the user's assignments changed in this request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_q(scope_path: str, scope: Scope, department_path: str | None = None) -> Q | None:
    """The filter for rows reached by ``scope_path`` (and, for department staff, by
    ``department_path``); None means unrestricted."""
    if scope.unrestricted:
        return None
    q = Q(pk__in=[])
    if department_path and scope.department_trees:
        if scope_path == "self":
            tree_field = "tree_id"
        elif scope_path.startswith("tree:"):
            tree_field = scope_path.split(":", 1)[1]
        else:
            tree_field = f"{scope_path}__tree_id"
        for dept, tree in scope.department_trees:
            q |= Q(**{department_path: dept, tree_field: tree})
    if scope_path.startswith("tree:"):
        field = scope_path.split(":", 1)[1]
        return q | Q(**{f"{field}__in": scope.root_trees})
    prefix = "" if scope_path == "self" else f"{scope_path}__"
    for r in scope.ranges:
        if r.is_root:
            q |= Q(**{f"{prefix}tree_id": r.tree_id})
        else:
            # A node is in the subtree iff its lft lies inside [lft, rght] of the subtree root.
            q |= Q(
                **{
                    f"{prefix}tree_id": r.tree_id,
                    f"{prefix}lft__gte": r.lft,
                    f"{prefix}lft__lte": r.rght,
                }
            )
    return q


def restrict_queryset(queryset, user):
    """``queryset`` restricted to ``user``'s subtrees (registered as core's scoping hook)."""
    model = queryset.model
    scope_path = getattr(model, "scope_path", None)
    if scope_path is None:
        raise ImproperlyConfigured(f"{model.__name__} declares no scope_path.")
    department_path = getattr(model, "scope_department", None)
    scope = user_scope(user)
    q = scope_q(scope_path, scope, department_path)
    if q is None:
        return queryset
    if not scope.ranges and not (department_path and scope.departments):
        return queryset.none()
    return queryset.filter(q)


def works_for_department(user, department_id, tree_id: int) -> bool:
    """Whether ``user`` is staff of department ``department_id`` in the county ``tree_id`` (the
    role check behind "a department updates its own measures"; the same pairs ``visible_to``
    reads)."""
    if department_id is None:
        return False
    return (department_id, tree_id) in user_scope(user).department_trees


def covers_node(user, node, *, roles=None, strict=False) -> bool:
    """Whether one of ``user``'s assignments (with a role in ``roles``) covers ``node``.

    ``strict`` excludes the assignment's own node (you may not rename the grid you lead).
    Department staff cover no node: their work reaches them by department, not by grid.
    """
    if user.is_superuser:
        return True
    from .models import GridAssignment

    qs = GridAssignment.objects.filter(
        user_id=user.pk,
        grid__tree_id=node.tree_id,
        grid__lft__lte=node.lft,
        grid__rght__gte=node.rght,
        department__isnull=True,
    )
    if roles:
        qs = qs.filter(role__in=roles)
    if strict:
        qs = qs.exclude(grid_id=node.pk)
    return qs.exists()
