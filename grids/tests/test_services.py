"""Tree rules: levels, codes, cycles, deletion, moves, permissions, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditLog
from grids import services
from grids.models import GridNode, Level
from grids.treecheck import check_trees

pytestmark = pytest.mark.django_db


def test_create_rejects_wrong_level_under_parent(grid_tree):
    with pytest.raises(ValidationError) as exc:
        services.grid_create(
            actor=grid_tree.superuser,
            code="999",
            name="x",
            level=Level.GROUP,
            parent=grid_tree.t1,
            village_group="第1村民小组",
        )
    assert "上级必须是" in str(exc.value)
    assert not GridNode.objects.filter(code="999").exists()


def test_create_rejects_duplicate_code_and_changes_nothing(grid_tree):
    before = list(GridNode.objects.values_list("code", "lft", "rght"))
    with pytest.raises(ValidationError) as exc:
        services.grid_create(
            actor=grid_tree.superuser,
            code=grid_tree.v2.code,
            name="重复",
            level=Level.VILLAGE,
            parent=grid_tree.t2,
        )
    assert "不可用" in str(exc.value)
    assert list(GridNode.objects.values_list("code", "lft", "rght")) == before


def test_group_grid_needs_village_group_and_others_must_not_have_one(grid_tree):
    with pytest.raises(ValidationError, match="村民小组"):
        services.grid_create(
            actor=grid_tree.superuser,
            code="g-new",
            name="x",
            level=Level.GROUP,
            parent=grid_tree.v1,
        )
    with pytest.raises(ValidationError, match="村民小组"):
        services.grid_create(
            actor=grid_tree.superuser,
            code="v-new",
            name="x",
            level=Level.VILLAGE,
            parent=grid_tree.t1,
            village_group="第1村民小组",
        )


def test_county_is_a_root_and_only_a_county_is(grid_tree):
    with pytest.raises(ValidationError):
        services.grid_create(
            actor=grid_tree.superuser, code="t-root", name="x", level=Level.TOWNSHIP
        )
    with pytest.raises(ValidationError):
        services.grid_create(
            actor=grid_tree.superuser,
            code="c-child",
            name="x",
            level=Level.COUNTY,
            parent=grid_tree.c,
        )


def test_each_county_is_its_own_tree(grid_tree):
    other = services.grid_create(
        actor=grid_tree.superuser, code="533424", name="另一县", level=Level.COUNTY
    )
    assert other.tree_id != grid_tree.c.tree_id
    assert check_trees() == []


def test_move_village_to_other_township_keeps_tree_consistent(grid_tree):
    moved = services.grid_move(
        actor=grid_tree.county, node=grid_tree.v2, new_parent=grid_tree.t2, reason="区划调整"
    )
    assert moved.parent_id == grid_tree.t2.pk
    g3 = GridNode.objects.get(pk=grid_tree.g3.pk)
    assert g3.get_ancestors().filter(pk=grid_tree.t2.pk).exists()
    assert check_trees() == []
    entry = AuditLog.objects.get(action="grid.move")
    assert entry.before["parent_id"] == grid_tree.t1.pk
    assert entry.after["parent_id"] == grid_tree.t2.pk
    assert entry.reason == "区划调整"
    assert entry.actor == grid_tree.county


def test_move_under_own_descendant_or_wrong_level_is_refused(grid_tree):
    with pytest.raises(ValidationError):
        services.grid_move(actor=grid_tree.county, node=grid_tree.t1, new_parent=grid_tree.v1)
    with pytest.raises(ValidationError):
        services.grid_move(actor=grid_tree.county, node=grid_tree.v1, new_parent=grid_tree.v3)
    assert GridNode.objects.get(pk=grid_tree.v1.pk).parent_id == grid_tree.t1.pk


def test_delete_node_with_children_is_refused(grid_tree):
    with pytest.raises(ValidationError, match="下级网格"):
        services.grid_delete(actor=grid_tree.county, node=grid_tree.v1)
    assert GridNode.objects.filter(pk=grid_tree.v1.pk).exists()
    assert not AuditLog.objects.filter(action="grid.delete").exists()


def test_delete_node_with_people_is_refused(grid_tree):
    with pytest.raises(ValidationError, match="网格人员"):
        services.grid_delete(actor=grid_tree.county, node=grid_tree.g1)
    assert GridNode.objects.filter(pk=grid_tree.g1.pk).exists()
    assert not AuditLog.objects.filter(action="grid.delete").exists()


def test_delete_empty_leaf_is_audited_and_tree_stays_consistent(grid_tree):
    services.grid_delete(actor=grid_tree.v1_leader, node=grid_tree.g2, reason="合并")
    assert not GridNode.objects.filter(pk=grid_tree.g2.pk).exists()
    entry = AuditLog.objects.get(action="grid.delete")
    assert entry.object_id == str(grid_tree.g2.pk) and entry.reason == "合并"
    assert check_trees() == []


def test_member_and_out_of_scope_leader_cannot_change_the_tree(grid_tree):
    with pytest.raises(PermissionDenied):
        services.grid_update(actor=grid_tree.g1_member, node=grid_tree.g1, name="改名")
    with pytest.raises(PermissionDenied):
        services.grid_update(actor=grid_tree.v3_leader, node=grid_tree.g1, name="改名")
    with pytest.raises(PermissionDenied):  # a leader may not rename the grid they lead
        services.grid_update(actor=grid_tree.v1_leader, node=grid_tree.v1, name="改名")
    assert GridNode.objects.get(pk=grid_tree.g1.pk).name == "一村1组第1网格"


def test_update_records_before_and_after(grid_tree):
    services.grid_update(actor=grid_tree.v1_leader, node=grid_tree.g1, name="新名")
    entry = AuditLog.objects.get(action="grid.update")
    assert (entry.before["name"], entry.after["name"]) == ("一村1组第1网格", "新名")
    assert entry.tree_id == grid_tree.c.tree_id


def test_update_refuses_level_and_parent(grid_tree):
    with pytest.raises(ValidationError):
        services.grid_update(actor=grid_tree.county, node=grid_tree.v1, level=Level.GROUP)


def test_assignment_department_only_at_county(grid_tree, make_user):
    from grids.models import Department, Role

    with pytest.raises(ValidationError, match="县直部门"):
        services.assignment_create(
            actor=grid_tree.county,
            user=make_user("x"),
            grid=grid_tree.v1,
            role=Role.MEMBER,
            department=Department.objects.get(code="yibao"),
        )


def test_assignment_twice_on_same_grid_is_refused(grid_tree):
    from grids.models import Role

    with pytest.raises(ValidationError, match="已在网格"):
        services.assignment_create(
            actor=grid_tree.county, user=grid_tree.g1_member, grid=grid_tree.g1, role=Role.LEADER
        )
