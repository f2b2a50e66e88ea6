"""The querysets behind every figure, dashboard row and ledger of ``reports``.

Each function starts from a lower app's scoped selector (``visible_to(user)``) and narrows it to
one subtree by range on the tree index. A figure counts exactly the rows of the list that its
dashboard cell links to, because both are built from the function here.
"""

import datetime

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _

from assistance import selectors as assistance_selectors
from grids import selectors as grid_selectors
from grids.models import GridNode, Level
from grids.selectors import in_subtree
from households import selectors as household_selectors
from households.models import HouseholdStatus
from monitoring.discovery import selectors as monitoring_selectors
from monitoring.models import MonitoringCase
from monitoring.reviews import selectors as review_selectors


class _SystemReader:
    """An unrestricted, read-only principal for commands and benchmarks (never logged in)."""

    pk = None
    id = None
    username = "system-reader"
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False

    def has_perm(self, perm, obj=None):
        # Reads every subtree, but is never granted personal data: ledgers stay masked.
        return False

    def __str__(self):
        return self.username


SYSTEM_READER = _SystemReader()


# -- grids ------------------------------------------------------------------------------------
def subtree_nodes(*, user, node: GridNode):
    """The grid nodes of ``node``'s subtree, ``node`` included."""
    return grid_selectors.grid_list(user=user).filter(**in_subtree("", node))


def subtree_assignments(*, user, node: GridNode):
    """The grid assignments (网格长 and 网格员) on nodes of ``node``'s subtree."""
    return grid_selectors.assignment_list(user=user).filter(**in_subtree("grid", node))


# -- households -------------------------------------------------------------------------------
def subtree_households(*, user, node: GridNode):
    """The active households (在册) of ``node``'s subtree: the households covered."""
    return household_selectors.household_list(user=user, with_member_count=False).filter(
        status=HouseholdStatus.ACTIVE, **in_subtree("grid", node)
    )


def crowded_group_grids(*, user, node: GridNode, over: int):
    """Group grids of the subtree holding more than ``over`` active households.

    Rows ``{grid_id, grid__code, grid__name, grid__lft, households}`` — only the crowded grids
    come back (HAVING), so the result stays small however large the county.
    """
    return (
        subtree_households(user=user, node=node)
        .order_by()
        .values("grid_id", "grid__code", "grid__name", "grid__lft")
        .annotate(households=Count("pk"))
        .filter(households__gt=over)
        .order_by("grid__lft")
    )


def soft_limit() -> int:
    return settings.GRID_GROUP_SOFT_LIMIT


def hard_limit() -> int:
    return settings.GRID_GROUP_HARD_LIMIT


# -- monitoring -------------------------------------------------------------------------------
def subtree_applications(*, user, node: GridNode):
    """The self-applications (农户自主申报) of households in ``node``'s subtree."""
    return monitoring_selectors.application_list(user=user).filter(
        **in_subtree("household__grid", node)
    )


def subtree_clues(*, user, node: GridNode, today: datetime.date | None = None):
    """The risk clues of the subtree, annotated ``is_overdue`` (monitoring's rule)."""
    return monitoring_selectors.clue_list(user=user, today=today).filter(
        **in_subtree("household__grid", node)
    )


def subtree_blind_spots(*, user, node: GridNode, month: datetime.date):
    """Active households of the subtree without an in-person visit in ``month`` (盲区)."""
    return monitoring_selectors.coverage(user=user, node=node, month=month)["blind_spots"]


def subtree_migrants_uncontacted(*, user, node: GridNode, month: datetime.date):
    """Households with a member working away and no contact at all in ``month``'s quarter."""
    return monitoring_selectors.coverage(user=user, node=node, month=month)["migrant_uncontacted"]


def subtree_cases(*, user, node: GridNode):
    """Every monitoring case (监测对象, each household episode) of the subtree."""
    return MonitoringCase.objects.visible_to(user).filter(**in_subtree("household__grid", node))


def subtree_review_items(*, user, node: GridNode):
    """Every household decision of the subtree's monthly village reviews."""
    return review_selectors.item_list(user=user).filter(**in_subtree("household__grid", node))


def subtree_villages_not_submitted(*, user, node: GridNode, today: datetime.date):
    """Villages of the subtree whose review of the latest due month was not handed on."""
    villages, _month = review_selectors.villages_not_submitted(user=user, node=node, today=today)
    return villages


def subtree_approvals_waiting(*, user, node: GridNode, now):
    """Submitted reviews of the subtree the township has not decided in time."""
    return review_selectors.approvals_waiting(user=user, node=node, now=now)


def subtree_confirmations_waiting(*, user, node: GridNode, now):
    """Approved reviews of the subtree the county has not confirmed in time."""
    return review_selectors.confirmations_waiting(user=user, node=node, now=now)


# -- assistance -------------------------------------------------------------------------------
def subtree_open_case_measures(*, user, node: GridNode):
    """Measures drawn up (not cancelled) for the subtree's households whose risk is not
    eliminated: the article's "measures planned" (and, implemented, "measures implemented")."""
    return assistance_selectors.open_case_measures(user=user).filter(
        **in_subtree("plan__case__household__grid", node)
    )


def subtree_measures(*, user, node: GridNode):
    """Every assistance measure of the subtree's cases (open or closed, in any state)."""
    return assistance_selectors.measure_list(user=user).filter(
        **in_subtree("plan__case__household__grid", node)
    )


def subtree_plan_warnings(*, user, node: GridNode) -> dict[int, list]:
    """``{case_id: [PlanWarning…]}`` for the subtree's open cases whose plan misses a risk."""
    cases = assistance_selectors.case_plan_list(user=user, node=node)
    return {pk: w for pk, w in assistance_selectors.case_warnings(cases).items() if w}


def subtree_overdue_plans(*, user, node: GridNode, today: datetime.date | None = None):
    """Open cases whose plan has no measure a month after identification (assistance's rule)."""
    return assistance_selectors.overdue_cases(user=user, node=node, today=today)


# -- which grid -------------------------------------------------------------------------------
def resolve_grid(*, user, code: str | None) -> GridNode:
    """The visible node ``code``, else the user's top assignment, else the only county.

    Raises ``Http404`` when ``code`` is absent or out of scope, and ``ValueError`` (with the
    counties listed) when no default can be chosen.
    """
    if code:
        return grid_selectors.grid_or_404(user=user, code=code)
    if user.pk is not None:
        # A department account's county assignment gives it no subtree to count.
        first = grid_selectors.user_assignments(user).filter(department__isnull=True).first()
        if first is not None:
            return first.grid
    counties = list(
        grid_selectors.grid_list(user=user).filter(level=Level.COUNTY).order_by("code")[:50]
    )
    if len(counties) == 1:
        return counties[0]
    if not counties:
        raise ValueError(_("没有可统计的县级网格。"))
    listed = "，".join(f"{c.code} {c.name}" for c in counties)
    raise ValueError(_("有多个县，请用网格编码指定其一：{counties}").format(counties=listed))
