"""Who may act on a case: rolling back an elimination is the county's act."""

from monitoring.cases.models import CaseState
from monitoring.common import is_county


def case_permissions(user, case, tree_id: int) -> dict[str, bool]:
    """What ``user`` may do with ``case`` (a county act: roll back an elimination)."""
    return {"may_rollback": case.state == CaseState.ELIMINATED and is_county(user, tree_id)}
