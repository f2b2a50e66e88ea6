"""Who may act on a village review or a case: the role rules, read once per request.

The services call these before every transition (after locking the row); the API and the pages
call them to tell the user what they may do (``may_submit``…), without a query per object: the
user's assignments are loaded once and cached on the user object, like the scope.

- the village leader (网格长 assigned at the review's village) composes, edits and submits;
- the township leader (网格长 assigned at the village's township) approves or returns;
- the county (anyone assigned at the county root, not as department staff) confirms and rolls
  back eliminations.
Superusers may do everything.
"""

from dataclasses import dataclass

from grids.models import GridAssignment, Role

from .models import EDITABLE_STATES, CaseState, ReviewState

_CACHE_ATTR = "_monitoring_roles_cache"


@dataclass(frozen=True)
class Roles:
    superuser: bool
    leader_at: frozenset[int]
    county_trees: frozenset[int]


def user_roles(user) -> Roles:
    """The grids ``user`` leads and the county trees they sit at the root of (one query)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        roles = Roles(False, frozenset(), frozenset())
    elif user.is_superuser:
        roles = Roles(True, frozenset(), frozenset())
    else:
        rows = list(
            GridAssignment.objects.filter(user_id=user.pk, department__isnull=True).values_list(
                "grid_id", "role", "grid__tree_id", "grid__parent_id"
            )
        )
        roles = Roles(
            False,
            frozenset(g for g, role, _t, _p in rows if role == Role.LEADER),
            frozenset(t for _g, _r, t, parent in rows if parent is None),
        )
    setattr(user, _CACHE_ATTR, roles)
    return roles


def is_village_leader(user, village) -> bool:
    roles = user_roles(user)
    return roles.superuser or village.pk in roles.leader_at


def is_township_leader(user, village) -> bool:
    roles = user_roles(user)
    return roles.superuser or village.parent_id in roles.leader_at


def is_county(user, tree_id: int) -> bool:
    roles = user_roles(user)
    return roles.superuser or tree_id in roles.county_trees


def review_permissions(user, review) -> dict[str, bool]:
    """What ``user`` may do with ``review`` now (``review.village`` must be loaded)."""
    village = review.village
    state = review.state
    leader = is_village_leader(user, village)
    return {
        "may_edit": leader and state in EDITABLE_STATES,
        "may_submit": leader and state in EDITABLE_STATES,
        "may_approve": state == ReviewState.SUBMITTED and is_township_leader(user, village),
        "may_return": (state == ReviewState.SUBMITTED and is_township_leader(user, village))
        or (state == ReviewState.APPROVED and is_county(user, village.tree_id)),
        "may_confirm": state == ReviewState.APPROVED and is_county(user, village.tree_id),
    }


def case_permissions(user, case, tree_id: int) -> dict[str, bool]:
    """What ``user`` may do with ``case`` (a county act: roll back an elimination)."""
    return {"may_rollback": case.state == CaseState.ELIMINATED and is_county(user, tree_id)}
