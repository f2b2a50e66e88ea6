"""Who may act on a village review or a case: the review's role rules, asked of the one scope.

The services call these before every transition (after locking the row); the API and the pages
call them to tell the user what they may do (``may_submit``…), without a query per object: the
user's assignments are loaded once per request by ``grids.scoping`` and cached on the user.

- the village leader (网格长 assigned at the review's village) composes, edits and submits;
- the township leader (网格长 assigned at the village's township) approves or returns;
- the county (anyone assigned at the county root, not as department staff) confirms and rolls
  back eliminations.
Superusers may do everything.
"""

from grids.scoping import user_scope

from .models import EDITABLE_STATES, CaseState, ReviewState


def is_village_leader(user, village) -> bool:
    return user_scope(user).leads(village.pk)


def is_township_leader(user, village) -> bool:
    return user_scope(user).leads(village.parent_id)


def is_county(user, tree_id: int) -> bool:
    return user_scope(user).is_county(tree_id)


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
