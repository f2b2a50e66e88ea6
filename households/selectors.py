"""Reads of households and persons that the API, pages, admin and exports share."""

from django.db.models import Case, Count, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce

from .idstore import lookup_hash
from .models import Household, Person, PersonStatus, Photo, Relation


def household_list(*, user, with_member_count: bool = True):
    """The households ``user`` may see, with their grid loaded (and active member count)."""
    qs = Household.objects.visible_to(user).select_related("grid")
    if with_member_count:
        # A correlated subquery, not Count() over a join: it runs for the rows of one page only,
        # and the paginator's count() can drop it (no GROUP BY over a whole township).
        active = (
            Person.objects.filter(household=OuterRef("pk"), status=PersonStatus.ACTIVE)
            .order_by()
            .values("household")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.annotate(member_count=Coalesce(Subquery(active), 0))
    return qs.order_by("number")


def household_detail(*, user, pk):
    """One visible household with its members (active first); ``Household.DoesNotExist``
    when absent or out of scope."""
    head_first = Case(When(relation=Relation.HEAD, then=Value(0)), default=Value(1))
    members = Prefetch(
        "members",
        queryset=Person.objects.order_by("status", head_first, "birth_date", "pk"),
    )
    return (
        household_list(user=user, with_member_count=False)
        .select_related("grid__parent")
        .prefetch_related(members)
        .get(pk=pk)
    )


def person_list(*, user):
    """The persons ``user`` may see, with household and grid loaded."""
    return (
        Person.objects.visible_to(user)
        .select_related("household", "household__grid")
        .order_by("household__number", "pk")
    )


def person_find_by_id_number(*, user, id_number: str):
    """The visible persons whose ID number is exactly ``id_number`` (through the hash).

    Invalid numbers match nobody. Returns a queryset (zero or one row).
    """
    digest = lookup_hash(id_number)
    if digest is None:
        return Person.objects.none()
    return person_list(user=user).filter(id_hash=digest)


def photo_list(*, user):
    """Photos the user may see (those of households in their scope; a measure's photos also
    to its department)."""
    return Photo.objects.visible_to(user).order_by("id")


def photos_by_subject(*, user, subjects) -> dict[str, list]:
    """``{subject: [photo, …]}`` for the given subjects (``visit:12``…), one query."""
    grouped: dict[str, list] = {}
    subjects = list(subjects)
    if not subjects:
        return grouped
    rows = photo_list(user=user).filter(subject__in=subjects).select_related("household__grid")
    for photo in rows:
        grouped.setdefault(photo.subject, []).append(photo)
    return grouped


#: At most this many households are kept on a phone for offline work (two pages each).
OFFLINE_HOUSEHOLDS = 60


def offline_households(*, user, grids) -> list[int]:
    """The households a phone keeps for offline visits: those of the user's own group grids
    first (a group grid holds at most 20), then of their other grids, up to
    ``OFFLINE_HOUSEHOLDS``; active households only, in the order of the grid list."""
    from django.db.models import F, Q

    if not grids:
        return []
    within = Q(pk__in=[])
    for grid in grids:
        within |= Q(grid__tree_id=grid.tree_id, grid__lft__gte=grid.lft, grid__lft__lte=grid.rght)
    rows = (
        Household.objects.visible_to(user)
        .filter(within, status="active")
        # Leaves (group grids) first: the grids the member visits themselves.
        .annotate(width=F("grid__rght") - F("grid__lft"))
        .order_by("width", "grid__tree_id", "grid__lft", "number")
        .values_list("pk", flat=True)[:OFFLINE_HOUSEHOLDS]
    )
    return list(rows)
