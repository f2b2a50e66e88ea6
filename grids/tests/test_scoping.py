"""The one scoping mechanism: declarations, ranges and roles."""

import pytest
from django.apps import apps

from grids.models import GridAssignment, GridNode
from grids.scoping import clear_scope_cache, user_scope

#: Apps whose models hold county data and must declare their path to a grid.
DOMAIN_APPS = {"core", "grids", "households", "monitoring", "comparison", "assistance", "reports"}
#: Models that are deliberately not scoped (reference data shared by every county).
UNSCOPED = {"grids.department", "monitoring.monitoringline"}


def test_every_domain_model_declares_its_scope_path():
    missing = [
        m._meta.label_lower
        for m in apps.get_models()
        if m._meta.app_label in DOMAIN_APPS
        and m._meta.label_lower not in UNSCOPED
        and not getattr(m, "scope_path", None)
    ]
    assert missing == []
    for m in apps.get_models():
        if getattr(m, "scope_path", None):
            assert hasattr(m.objects, "visible_to"), m


@pytest.mark.django_db
def test_user_without_assignment_sees_nothing(grid_tree, make_user):
    assert not GridNode.objects.visible_to(make_user("nobody")).exists()


@pytest.mark.django_db
def test_village_leader_sees_own_subtree_only(grid_tree):
    codes = set(GridNode.objects.visible_to(grid_tree.v1_leader).values_list("code", flat=True))
    assert codes == {grid_tree.v1.code, grid_tree.g1.code, grid_tree.g2.code}


@pytest.mark.django_db
def test_county_and_superuser_see_everything(grid_tree):
    total = GridNode.objects.count()
    assert GridNode.objects.visible_to(grid_tree.county).count() == total
    assert GridNode.objects.visible_to(grid_tree.superuser).count() == total


@pytest.mark.django_db
def test_several_assignments_union_and_covered_ranges_collapse(grid_tree):
    from grids import services
    from grids.models import Role

    user = grid_tree.v1_leader
    services.assignment_create(
        actor=grid_tree.county, user=user, grid=grid_tree.v3, role=Role.MEMBER
    )
    services.assignment_create(
        actor=grid_tree.county, user=user, grid=grid_tree.g1, role=Role.MEMBER
    )
    clear_scope_cache(user)
    scope = user_scope(user)
    assert len(scope.ranges) == 2  # g1 lies inside v1
    visible = set(GridNode.objects.visible_to(user).values_list("code", flat=True))
    assert grid_tree.g4.code in visible and grid_tree.g3.code not in visible


@pytest.mark.django_db
def test_scope_is_loaded_once_per_user(grid_tree, django_assert_num_queries):
    user = grid_tree.t1_leader
    clear_scope_cache(user)
    with django_assert_num_queries(3):  # the assignments once, then two filtered reads
        list(GridNode.objects.visible_to(user))
        list(GridAssignment.objects.visible_to(user))


@pytest.mark.django_db
def test_department_staff_see_no_grid_subtree_only_their_departments_rows(grid_tree):
    from grids.scoping import scope_q
    from households.models import Household

    dept = grid_tree.dept
    scope = user_scope(dept)
    assert scope.ranges == () and len(scope.departments) == 1
    assert not GridNode.objects.visible_to(dept).exists()
    assert not Household.objects.visible_to(dept).exists()
    assert not scope.covers(grid_tree.g1)
    # A model that declares ``scope_department`` shows them their department's rows: the
    # assignment's own department column stands in for such a model here.
    from grids import services
    from grids.models import Department, Level, Role

    other = services.grid_create(
        actor=grid_tree.superuser, code="533401", name="另一县", level=Level.COUNTY
    )
    services.assignment_create(
        actor=grid_tree.superuser,
        user=type(dept).objects.create(username="dept-b"),
        grid=other,
        role=Role.MEMBER,
        department=Department.objects.get(code="yibao"),
    )
    q = scope_q("grid", scope, "department")
    rows = GridAssignment.objects.filter(q)
    assert {a.department_id for a in rows} == set(scope.departments)
    # The same department in another county stays out of sight.
    mine = GridAssignment.objects.filter(
        department__code="yibao", grid__tree_id=grid_tree.c.tree_id
    )
    assert set(rows) == set(mine) and rows.count() == 1
