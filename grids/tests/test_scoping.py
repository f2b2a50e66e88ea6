"""The one scoping mechanism: declarations, ranges and roles."""

import pytest
from django.apps import apps

from grids.models import GridAssignment, GridNode
from grids.scoping import clear_scope_cache, user_scope

#: Apps whose models hold county data and must declare their path to a grid.
DOMAIN_APPS = {"core", "grids", "households", "monitoring", "comparison", "assistance", "reports"}
#: Models that are deliberately not scoped (reference data shared by every county).
#: (``core.job``: a job is its creator's alone, read through ``core.selectors.job_list``.)
UNSCOPED = {"grids.department", "monitoring.monitoringline", "core.job"}


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


# -- the one scope answers who may act --------------------------------------------------------


@pytest.mark.django_db
def test_scope_answers_every_role_question_from_one_query(grid_tree, django_assert_num_queries):
    t = grid_tree
    for user in (t.county, t.t1_leader, t.v1_leader, t.g1_member, t.dept):
        clear_scope_cache(user)
    with django_assert_num_queries(5):  # one per user, then nothing more
        county, t1, v1, g1, dept = (
            user_scope(u) for u in (t.county, t.t1_leader, t.v1_leader, t.g1_member, t.dept)
        )
        assert county.administers(t.c.tree_id) and county.is_county(t.c.tree_id)
        assert not t1.administers(t.c.tree_id) and not t1.is_county(t.c.tree_id)
        assert t1.covers(t.g1, roles=["leader"]) and not t1.covers(t.g4)
        assert t1.covers(t.t1) and not t1.covers(t.t1, strict=True)
        assert v1.leads(t.v1) and not v1.leads(t.t1) and not t1.leads(t.v1)
        assert g1.covers(t.g1) and not g1.covers(t.g1, roles=["leader"])
        assert g1.may("change", t.g1) and not g1.may("lead", t.g1)
        assert not v1.may("administer", t.g1) and county.may("administer", t.g4)
        assert county.may_import and t1.may_import and not v1.may_import
        assert not dept.covers(t.g1) and not dept.may("change", t.g1)
        assert dept.department_grants == ((t.c.pk, dept.departments and min(dept.departments)),)
        assert dept.works_for(min(dept.departments), t.c.tree_id)
        assert not dept.works_for(min(dept.departments), t.c.tree_id + 1)


@pytest.mark.django_db
def test_visible_to_by_action_narrows_to_where_one_may_act(grid_tree):
    t = grid_tree

    def codes(user, action):
        return set(GridNode.objects.visible_to(user, action=action).values_list("code", flat=True))

    # A group grid member reads and changes their own grid, leads nothing.
    assert codes(t.g1_member, "view") == codes(t.g1_member, "change") == {t.g1.code}
    assert codes(t.g1_member, "lead") == set()
    # A village leader leads their subtree; only a county leader administers.
    assert codes(t.v1_leader, "lead") == {t.v1.code, t.g1.code, t.g2.code}
    assert codes(t.v1_leader, "administer") == set()
    assert codes(t.county, "administer") == set(GridNode.objects.values_list("code", flat=True))
    with pytest.raises(Exception, match="Unknown scope action"):
        GridNode.objects.visible_to(t.county, action="delete")


def test_nothing_outside_grids_reads_assignments_to_decide():
    """One module decides who may read and act: no other app queries GridAssignment."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        if path.parts[len(root.parts)] not in ("grids", ".venv")
        and "GridAssignment.objects" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
