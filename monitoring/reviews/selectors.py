"""Reads of village reviews and cases: scoped lists, queues, holders and overdue lists."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids import selectors as grid_selectors
from grids.models import GridNode, Level
from grids.selectors import in_subtree
from monitoring.discovery.models.clues import OPEN_STATES, RiskClue
from monitoring.discovery.selectors import clue_list
from monitoring.reviews.models import ReviewItem, ReviewState, VillageReview

#: States in which the village has handed the review on (it counts as submitted).
HANDED_ON = (ReviewState.SUBMITTED, ReviewState.APPROVED, ReviewState.CONFIRMED)


def review_list(*, user):
    """The reviews ``user`` may see, with village, township and actors loaded, and the number
    of households on each."""
    return (
        VillageReview.objects.visible_to(user)
        .select_related(
            "village__parent", "created_by", "submitted_by", "reviewed_by", "confirmed_by"
        )
        .annotate(item_count=Count("items"))
        .order_by("-month", "village__code")
    )


def review_items(review):
    """The review's items with household, grid and case loaded, and each household's open
    clues (one prefetch) — a page of 200 households costs two queries."""
    return (
        review.items.select_related("household__grid", "case")
        .prefetch_related(
            Prefetch(
                "household__risk_clues",
                queryset=RiskClue.objects.filter(state__in=OPEN_STATES).order_by("id"),
                to_attr="open_clues",
            )
        )
        .order_by("household__grid__code", "household__number")
    )


def item_list(*, user):
    """The review items ``user`` may see (API), with review, village, household and case."""
    return ReviewItem.objects.visible_to(user).select_related(
        "review__village", "household__grid", "case"
    )


def queue(*, user, node: GridNode, state: str):
    """Reviews of ``node``'s subtree in ``state`` (the township's approvals: ``submitted``;
    the county's confirmations: ``approved``), oldest first."""
    return (
        review_list(user=user)
        .filter(state=state, **in_subtree("village", node))
        .order_by("month", "submitted_at", "village__code")
    )


def holders(reviews) -> dict[int, str]:
    """Who holds each review now (whose move it is), as text — one query for any number.

    Draft and returned: the village's leaders; submitted: the township's leaders; approved:
    the county; confirmed: nobody.
    """
    reviews = list(reviews)
    wanted = set()
    for r in reviews:
        if r.state in (ReviewState.DRAFT, ReviewState.RETURNED):
            wanted.add(r.village_id)
        elif r.state == ReviewState.SUBMITTED:
            wanted.add(r.village.parent_id)
    names = grid_selectors.leader_names(wanted)
    result = {}
    for r in reviews:
        if r.state in (ReviewState.DRAFT, ReviewState.RETURNED):
            who = "、".join(names.get(r.village_id, [])) or "—"
            result[r.pk] = _("{village} 村级网格长 {who}").format(village=r.village.name, who=who)
        elif r.state == ReviewState.SUBMITTED:
            who = "、".join(names.get(r.village.parent_id, [])) or "—"
            result[r.pk] = _("{township} 乡镇网格长 {who}").format(
                township=r.village.parent.name, who=who
            )
        elif r.state == ReviewState.APPROVED:
            result[r.pk] = _("县级网格（审定）")
        else:
            result[r.pk] = ""
    return result


# -- overdue lists ----------------------------------------------------------------------------
def review_due_month(today: datetime.date) -> datetime.date:
    """The latest month whose submission deadline (``REVIEW_SUBMIT_DAY``) has passed."""
    first = today.replace(day=1)
    if today.day > settings.REVIEW_SUBMIT_DAY:
        return first
    return (first - datetime.timedelta(days=1)).replace(day=1)


def overdue_clues(*, user, node: GridNode, today: datetime.date | None = None):
    """Open clues of the subtree past their decision date (``decide_by``)."""
    today = today or timezone.localdate()
    return (
        clue_list(user=user, today=today)
        .filter(state__in=OPEN_STATES, decide_by__lt=today, **in_subtree("household__grid", node))
        .order_by("decide_by", "id")
    )


def villages_not_submitted(*, user, node: GridNode, today: datetime.date | None = None):
    """Villages of the subtree that have not handed on the review of the latest month whose
    deadline (day ``REVIEW_SUBMIT_DAY``) has passed. Annotated with that ``due_month``."""
    today = today or timezone.localdate()
    month = review_due_month(today)
    handed = VillageReview.objects.filter(village=OuterRef("pk"), month=month, state__in=HANDED_ON)
    return (
        GridNode.objects.visible_to(user)
        .filter(level=Level.VILLAGE, **in_subtree("", node))
        .filter(~Exists(handed))
        .select_related("parent")
        .order_by("code")
    ), month


def approvals_waiting(*, user, node: GridNode, now=None):
    """Submitted reviews the township has not decided within ``REVIEW_APPROVAL_DAYS``."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.REVIEW_APPROVAL_DAYS)
    return queue(user=user, node=node, state=ReviewState.SUBMITTED).filter(submitted_at__lt=limit)


def confirmations_waiting(*, user, node: GridNode, now=None):
    """Approved reviews the county has not confirmed within ``REVIEW_CONFIRM_DAYS``."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.REVIEW_CONFIRM_DAYS)
    return queue(user=user, node=node, state=ReviewState.APPROVED).filter(reviewed_at__lt=limit)


def overdue(*, user, node: GridNode, now=None) -> dict:
    """Every overdue list of a subtree, for any level (village, township, county)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    villages, month = villages_not_submitted(user=user, node=node, today=today)
    return {
        "clues": overdue_clues(user=user, node=node, today=today),
        "reviews_not_submitted": villages,
        "due_month": month,
        "approvals_waiting": approvals_waiting(user=user, node=node, now=now),
        "confirmations_waiting": confirmations_waiting(user=user, node=node, now=now),
        # Grids whose person left with nobody after them (grids.services.assignment_end).
        "unattended": grid_selectors.unattended_grids(user=user, node=node, on=today),
    }


# -- what a grid's person leaves open (grids.handover) ---------------------------------------
def open_work(grid: GridNode):
    """Open clues of the grid's subtree and, for a village, its reviews not yet handed on."""
    work = [
        (
            gettext_lazy("在办线索"),
            RiskClue.objects.filter(state__in=OPEN_STATES, **in_subtree("household__grid", grid))
            .order_by()
            .count(),
        )
    ]
    if grid.level == Level.VILLAGE:
        work.append(
            (
                gettext_lazy("未提交的研判"),
                VillageReview.objects.filter(village=grid)
                .exclude(state__in=HANDED_ON)
                .order_by()
                .count(),
            )
        )
    return work
