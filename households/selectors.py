"""Reads of households and persons that the API, pages, admin and exports share."""

from django.db.models import Case, Count, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce

from .idstore import lookup_hash
from .models import Household, Person, PersonStatus, Relation


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
