"""One test per filter of the household and person endpoints' filtersets."""

import pytest

from core.testing import assert_filter

from .factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _pair(tree, field, match, other, grid="g1"):
    a = HouseholdFactory(grid=getattr(tree, grid), **{field: match})
    b = HouseholdFactory(grid=getattr(tree, grid), **{field: other})
    return a, b


@pytest.mark.parametrize(
    "param, value, field, match, other",
    [
        (
            "household_type",
            "lifted",
            "household_type",
            "lifted",
            "ordinary",
        ),
        ("platform_registered", "true", "platform_registered", True, False),
        ("status", "moved_out", "status", "moved_out", "active"),
    ],
)
def test_household_field_filter(grid_tree, api, param, value, field, match, other):
    a, b = _pair(grid_tree, field, match, other)
    assert_filter(
        api.as_user(grid_tree.superuser),
        "/api/v1/households/",
        {param: value},
        includes=[a.pk],
        excludes=[b.pk],
    )


def test_household_grid_filter_takes_the_whole_subtree(grid_tree, api):
    inside, outside = HouseholdFactory(grid=grid_tree.g2), HouseholdFactory(grid=grid_tree.g3)
    assert_filter(
        api.as_user(grid_tree.superuser),
        "/api/v1/households/",
        {"grid": grid_tree.v1.code},
        includes=[inside.pk],
        excludes=[outside.pk],
    )


@pytest.mark.parametrize(
    "param, value, field, match, other",
    [
        ("health", "disabled", "health", "disabled", "healthy"),
        ("labour_capacity", "weak", "labour_capacity", "weak", "ordinary"),
        ("schooling", "junior", "schooling", "junior", "not_in_school"),
        ("status", "left", "status", "left", "active"),
    ],
)
def test_person_field_filter(grid_tree, api, param, value, field, match, other):
    household = HouseholdFactory(grid=grid_tree.g1)
    extra = {"left_reason": "moved_out"} if (field, match) == ("status", "left") else {}
    a = PersonFactory(household=household, **{field: match}, **extra)
    b = PersonFactory(household=household, **{field: other})
    assert_filter(
        api.as_user(grid_tree.superuser),
        "/api/v1/persons/",
        {param: value},
        includes=[a.pk],
        excludes=[b.pk],
    )


def test_person_household_and_grid_filters(grid_tree, api):
    here, there = HouseholdFactory(grid=grid_tree.g1), HouseholdFactory(grid=grid_tree.g3)
    a, b = PersonFactory(household=here), PersonFactory(household=there)
    client = api.as_user(grid_tree.superuser)
    assert_filter(
        client, "/api/v1/persons/", {"household": here.pk}, includes=[a.pk], excludes=[b.pk]
    )
    assert_filter(
        client, "/api/v1/persons/", {"grid": grid_tree.v1.code}, includes=[a.pk], excludes=[b.pk]
    )
