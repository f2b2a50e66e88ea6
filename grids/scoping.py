"""THE scope: who may read what and who may act where, decided in one module.

The user's grid assignments are read ONCE per request (one query, cached on the user object)
into a :class:`Scope`: one :class:`Grant` per assignment, knowing the node's range
(``tree_id``/``lft``/``rght``), its level, the role (leader 网格长 / member 网格员) and, for
county-level department staff, the department. Every question the code base asks about a user's
reach is a method of that object:

- reading — ``Model.objects.visible_to(user)`` (the ``view`` action);
- acting on a set — ``Model.objects.visible_to(user, action="change" | "lead" | "administer")``,
  in the spirit of NetBox's ``RestrictedQuerySet.restrict(user, action)``;
- acting on one node — ``scope.covers(node, roles=…, strict=…)``, ``scope.leads(node)``,
  ``scope.may(action, node)``;
- the county trees one sits at the root of (``county_trees``) or administers
  (``administered_trees``), the (department, county) pairs one works for
  (``department_pairs`` / ``department_grants``), whether one may import households.

The actions, per grant:

========== ================================================================================
view       every grid assignment covers its subtree
change     leaders cover their subtree; a group grid's own members cover that group grid
lead       leaders only, over their subtree
administer leaders at a county root only, over the whole county tree
========== ================================================================================

Department staff (an assignment with a ``department``, at county level) contribute no subtree:
a model opts in by declaring ``scope_department`` (its path to a ``grids.Department``), and then
they see (``view``) and move (``change``) the rows of their department in their own county.

Every scoped model declares ``scope_path``, its way to its grid:
- ``"self"`` — the model is the grid node itself;
- ``"grid"``, ``"household__grid"`` … — a foreign-key path to a ``GridNode``;
- ``"tree:<field>"`` — rows that belong to a whole county tree (e.g. the audit log): visible to
  people assigned at that county's root.

Integration clients (the relief platform, a department's system) hold no assignment: their
authentication sets the grants their kind gives (``CLIENT_GRANTS_ATTR``) — the platform views
its county, a department works for its department in its county — and the operations they may
call at all are the few each endpoint names (``accounts.permissions``).

Superusers may do everything. Nothing else in the code base reads ``GridAssignment`` to decide
a read or an action: an import-linter contract and a test keep it so.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

_CACHE_ATTR = "_grid_scope_cache"
# Set by the authentication of an integration client (accounts.authentication): the grants its
# kind and county give, in place of grid assignments (it has none).
CLIENT_GRANTS_ATTR = "client_scope_grants"

LEADER = "leader"
MEMBER = "member"
COUNTY = "county"
TOWNSHIP = "township"
GROUP = "group"

ACTIONS = ("view", "change", "lead", "administer")


@dataclass(frozen=True)
class Range:
    tree_id: int
    lft: int
    rght: int
    is_root: bool

    def covers(self, other: "Range") -> bool:
        return self.tree_id == other.tree_id and self.lft <= other.lft and other.rght <= self.rght


@dataclass(frozen=True)
class Grant:
    """One assignment of the user: where, at which level, in which role, for which department."""

    grid_id: int
    tree_id: int
    lft: int
    rght: int
    level: str
    role: str
    department_id: int | None = None

    @property
    def is_root(self) -> bool:
        return self.level == COUNTY

    @property
    def range(self) -> Range:
        return Range(self.tree_id, self.lft, self.rght, self.is_root)

    def covers(self, node, *, strict: bool = False) -> bool:
        """Whether ``node`` (anything with ``pk``, ``tree_id``, ``lft``, ``rght``) lies in the
        subtree of this grant's node (``strict``: strictly below it)."""
        if node.tree_id != self.tree_id or not (self.lft <= node.lft and node.rght <= self.rght):
            return False
        return not (strict and node.pk == self.grid_id)

    def allows(self, action: str) -> bool:
        """Whether this grant reaches its subtree for ``action`` (department grants: none)."""
        if self.department_id is not None:
            return False
        if action == "view":
            return True
        if action == "change":
            return self.role == LEADER or (self.role == MEMBER and self.level == GROUP)
        if action == "lead":
            return self.role == LEADER
        if action == "administer":
            return self.role == LEADER and self.is_root
        raise ImproperlyConfigured(f"Unknown scope action {action!r}; one of {ACTIONS}.")


def _reduced(ranges) -> tuple[Range, ...]:
    """Ranges without those another one already covers (shorter SQL, same rows)."""
    unique = set(ranges)
    kept = [r for r in unique if not any(o != r and o.covers(r) for o in unique)]
    return tuple(sorted(kept, key=lambda r: (r.tree_id, r.lft)))


@dataclass(frozen=True)
class Scope:
    """What one user may see and do, from their assignments (read once)."""

    unrestricted: bool
    grants: tuple[Grant, ...] = ()

    # -- sets ---------------------------------------------------------------------------
    @cached_property
    def grid_grants(self) -> tuple[Grant, ...]:
        """The assignments as a grid person (department staff excluded)."""
        return tuple(g for g in self.grants if g.department_id is None)

    @cached_property
    def _ranges_by_action(self) -> dict[str, tuple[Range, ...]]:
        return {a: _reduced(g.range for g in self.grants if g.allows(a)) for a in ACTIONS}

    def ranges_for(self, action: str = "view") -> tuple[Range, ...]:
        """The subtrees reached for ``action``, reduced."""
        try:
            return self._ranges_by_action[action]
        except KeyError:
            raise ImproperlyConfigured(
                f"Unknown scope action {action!r}; one of {ACTIONS}."
            ) from None

    @cached_property
    def ranges(self) -> tuple[Range, ...]:
        """The subtrees this user reads."""
        return self.ranges_for("view")

    @cached_property
    def county_trees(self) -> frozenset[int]:
        """County trees at whose root the user sits as a grid person (any role): the county
        level (县级) that confirms reviews and rolls back eliminations, and reads the audit."""
        return frozenset(g.tree_id for g in self.grid_grants if g.is_root)

    @cached_property
    def administered_trees(self) -> frozenset[int]:
        """County trees the user administers: a leader at the county root."""
        return frozenset(g.tree_id for g in self.grid_grants if g.allows("administer"))

    @cached_property
    def department_grants(self) -> tuple[tuple[int, int], ...]:
        """``(county grid id, department id)`` of each department assignment, in a stable
        order (the county's id, then the department's)."""
        return tuple(sorted({(g.grid_id, g.department_id) for g in self.grants if g.department_id}))

    @cached_property
    def department_pairs(self) -> frozenset[tuple[int, int]]:
        """``(department id, county tree id)``: a department account works for its department
        in its own county only."""
        return frozenset((g.department_id, g.tree_id) for g in self.grants if g.department_id)

    @cached_property
    def departments(self) -> frozenset[int]:
        return frozenset(d for d, _tree in self.department_pairs)

    # -- questions about one place ------------------------------------------------------
    def covers(self, node, *, roles=None, strict: bool = False) -> bool:
        """Whether one of the grid assignments (with a role in ``roles``) covers ``node``.

        ``strict`` excludes the assignment's own node (you may not rename the grid you lead).
        Department staff cover no node: their work reaches them by department, not by grid.
        """
        if self.unrestricted:
            return True
        return any(
            g.covers(node, strict=strict) for g in self.grid_grants if not roles or g.role in roles
        )

    def may(self, action: str, node) -> bool:
        """Whether the user may ``action`` on what lies at ``node``."""
        if self.unrestricted:
            return True
        return any(g.covers(node) for g in self.grants if g.allows(action))

    def leads(self, node_or_id) -> bool:
        """Whether the user is a leader (网格长) assigned exactly at this node."""
        if self.unrestricted:
            return True
        node_id = getattr(node_or_id, "pk", node_or_id)
        return any(g.grid_id == node_id and g.role == LEADER for g in self.grid_grants)

    def is_county(self, tree_id: int) -> bool:
        """Whether the user sits at the root of county tree ``tree_id`` (as a grid person)."""
        return self.unrestricted or tree_id in self.county_trees

    def administers(self, tree_id: int) -> bool:
        """Whether the user administers county tree ``tree_id`` (leader at its root)."""
        return self.unrestricted or tree_id in self.administered_trees

    def works_for(self, department_id, tree_id: int) -> bool:
        """Whether the user is staff of department ``department_id`` in county ``tree_id``."""
        return department_id is not None and (department_id, tree_id) in self.department_pairs

    @property
    def may_import(self) -> bool:
        """County and township leaders (and superusers) import households."""
        return self.unrestricted or any(
            g.role == LEADER and g.level in (COUNTY, TOWNSHIP) for g in self.grid_grants
        )


_NOBODY = Scope(unrestricted=False)
_EVERYTHING = Scope(unrestricted=True)


def user_scope(user, *, fresh: bool = False) -> Scope:
    """The scope of ``user``: one query for their assignments, cached on the user object.

    ``fresh`` reads it again: tree writes ask for it inside their advisory lock, since a
    concurrent tree write may have shifted the ``lft``/``rght`` the cached grants hold."""
    cached = None if fresh else getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = _NOBODY
    elif getattr(user, CLIENT_GRANTS_ATTR, None) is not None:
        # An integration client's account: its grants come from the client, not assignments.
        scope = Scope(unrestricted=False, grants=tuple(getattr(user, CLIENT_GRANTS_ATTR)))
    elif user.is_superuser:
        scope = _EVERYTHING
    else:
        from .models import GridAssignment

        rows = (
            GridAssignment.objects.current()
            .filter(user_id=user.pk)
            .order_by()
            .values_list(
                "grid_id",
                "grid__tree_id",
                "grid__lft",
                "grid__rght",
                "grid__level",
                "role",
                "department_id",
            )
        )
        scope = Scope(unrestricted=False, grants=tuple(Grant(*row) for row in rows))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def clear_scope_cache(user) -> None:
    """Forget the cached scope (after the user's assignments changed in this request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _tree_field(scope_path: str) -> str:
    if scope_path == "self":
        return "tree_id"
    if scope_path.startswith("tree:"):
        return scope_path.split(":", 1)[1]
    return f"{scope_path}__tree_id"


def scope_q(
    scope_path: str, scope: Scope, department_path: str | None = None, action: str = "view"
) -> Q | None:
    """The filter for rows reached by ``scope_path`` (and, for department staff, by
    ``department_path``) for ``action``; None means unrestricted."""
    if scope.unrestricted:
        return None
    if action not in ACTIONS:
        raise ImproperlyConfigured(f"Unknown scope action {action!r}; one of {ACTIONS}.")
    q = Q(pk__in=[])
    if department_path and action in ("view", "change"):
        tree_field = _tree_field(scope_path)
        for dept, tree in sorted(scope.department_pairs):
            q |= Q(**{department_path: dept, tree_field: tree})
    ranges = scope.ranges_for(action)
    if scope_path.startswith("tree:"):
        trees = sorted(r.tree_id for r in ranges if r.is_root)
        return q | Q(**{f"{_tree_field(scope_path)}__in": trees}) if trees else q
    prefix = "" if scope_path == "self" else f"{scope_path}__"
    for r in ranges:
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


def restrict_queryset(queryset, user, action: str = "view"):
    """``queryset`` restricted to what ``user`` may ``action`` (core's scoping hook)."""
    model = queryset.model
    scope_path = getattr(model, "scope_path", None)
    if scope_path is None:
        raise ImproperlyConfigured(f"{model.__name__} declares no scope_path.")
    department_path = getattr(model, "scope_department", None)
    scope = user_scope(user)
    q = scope_q(scope_path, scope, department_path, action)
    if q is None:
        return queryset
    if not scope.ranges_for(action) and not (
        department_path and scope.department_pairs and action in ("view", "change")
    ):
        return queryset.none()
    return queryset.filter(q)
