"""The demo county: the article's grid figures, determinism, replace rules, tree health."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from grids.models import GridAssignment, GridNode, Level
from grids.treecheck import check_trees

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _level_counts(model_qs, field):
    return dict(model_qs.order_by().values_list(field).annotate(n=Count("pk")))


def test_seed_county_gives_the_article_grid_figures():
    call_command("seed_county", "--steps", "grids", stdout=StringIO())
    assert _level_counts(GridNode.objects.all(), "level") == {
        Level.COUNTY: 1,
        Level.TOWNSHIP: 10,
        Level.VILLAGE: 80,
        Level.GROUP: 4286,
    }
    members = _level_counts(GridAssignment.objects.all(), "grid__level")
    assert (members[Level.TOWNSHIP], members[Level.VILLAGE], members[Level.GROUP]) == (
        220,
        425,
        4286,
    )
    # one member per group grid, every group grid staffed
    assert not GridNode.objects.filter(level=Level.GROUP, assignments__isnull=True).exists()
    assert set(GridNode.objects.filter(level=Level.TOWNSHIP).values_list("name", flat=True)) >= {
        "保和镇",
        "叶枝镇",
        "塔城镇",
        "维登乡",
    }
    assert check_trees() == []
    call_command("check_tree", stdout=StringIO())
    users = get_user_model().objects
    assert users.filter(username="village_leader", grid_assignments__role="leader").exists()
    assert users.get(username="county_admin").has_perm("core.view_auditlog")


def test_seed_is_deterministic_and_refuses_to_overwrite():
    call_command("seed_county", "--scale", "0.1", "--seed", "7", stdout=StringIO())
    first = list(GridNode.objects.order_by("code").values_list("code", "name", "lft", "rght"))
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_county", "--scale", "0.1", stdout=StringIO())
    call_command("seed_county", "--if-missing", stdout=StringIO())
    assert GridNode.objects.count() == len(first)
    call_command("seed_county", "--scale", "0.1", "--seed", "7", "--replace", stdout=StringIO())
    again = list(GridNode.objects.order_by("code").values_list("code", "name", "lft", "rght"))
    assert again == first
    assert check_trees() == []
    # the replaced county's people are gone with it: one set of demo logins
    assert get_user_model().objects.filter(username="grid_member").count() == 1


def test_check_tree_fails_on_damage():
    call_command("seed_county", "--scale", "0.05", "--steps", "grids", stdout=StringIO())
    node = GridNode.objects.filter(level=Level.VILLAGE).first()
    GridNode.objects.filter(pk=node.pk).update(rght=node.lft)
    with pytest.raises(CommandError, match="不一致"):
        call_command("check_tree", stdout=StringIO(), stderr=StringIO())


def test_bench_tree_prints_json_lines(capsys):
    import json

    call_command("bench", "tree", "--scales", "0.05")
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    names = [x["name"] for x in lines]
    assert names == ["tree.seed", "tree.check", "tree.list_township_groups"]
    assert lines[1]["problems"] == 0
    assert lines[2]["rows"] > 0 and all("database" in x for x in lines)
    assert not GridNode.objects.filter(code="990001").exists()  # rolled back
