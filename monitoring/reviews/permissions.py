"""Who may act on a village review: the review's role rules, asked of the one scope.

The services call these before every transition (after locking the row); the API and the pages
call them to tell the user what they may do (``may_submit``…), without a query per object: the
user's assignments are loaded once per request by ``grids.scoping`` and cached on the user.

- the village leader (网格长 assigned at the review's village) composes, edits and submits;
- the township leader (网格长 assigned at the village's township) approves or returns;
- the county (anyone assigned at the county root, not as department staff) confirms or returns
  an approved review.
Superusers may do everything.
"""

from monitoring.common import is_county, is_township_leader, is_village_leader
from monitoring.reviews.models import EDITABLE_STATES, ReviewState


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
