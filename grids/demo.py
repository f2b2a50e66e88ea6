"""The demo county's tree and people, built set-based for speed.

The nested-set fields are computed here while the tree is generated (it is generated in code
order, which is MPTT's insertion order), so no per-node ``rebuild()`` is needed: one
``bulk_create`` per level. ``check_tree`` verifies the result (the tests run it after seeding).
"""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db.models import Max

from core.seeding import SeedContext, SeedStep

from .models import Department, GridAssignment, GridNode, Level, Role

DEMO_PASSWORD = "weixi2026"

# Weixi's ten townships (real names, synthetic codes in the division-code style).
TOWNSHIPS = [
    ("100", "保和镇", 9),
    ("101", "叶枝镇", 8),
    ("102", "塔城镇", 9),
    ("200", "永春乡", 9),
    ("201", "攀天阁乡", 7),
    ("202", "白济汛乡", 8),
    ("203", "康普乡", 8),
    ("204", "巴迪乡", 7),
    ("205", "中路乡", 7),
    ("206", "维登乡", 8),
]  # village weights sum to 80

DEPARTMENTS = [
    ("weijian", "卫健"),
    ("yibao", "医保"),
    ("zhujian", "住建"),
    ("shuili", "水利"),
    ("jiaoyu", "教育"),
    ("minzheng", "民政"),
    ("renshe", "人社"),
    ("canlian", "残联"),
    ("yingji", "应急管理"),
    ("gongan", "公安"),
]

# Article: level-2 members 220, level-3 members 425, level-4 members 4,286 (one per grid).
TOWNSHIP_MEMBERS = 220
VILLAGES = 80
VILLAGE_MEMBERS = 425
GROUP_GRIDS = 4286

SURNAMES = list("和李杨余王张赵罗蜂熊胡施谷何陈刘肖杜段董鲁迟普")
GIVEN = list("文华明春秀英玉兰金花永福德正建国立新海平志强丽芳红梅云龙光荣学军")
VILLAGE_HEADS = list("永春拖枝巴迪同乐格花阿海康普岔枝叶枝维登白济汛攀天阁塔城腊普")
VILLAGE_TAILS = ["村", "村", "村", "村", "社区"]

ROLE_GROUPS = {
    "县级管理员": [
        "core.view_auditlog",
        "grids.view_gridnode",
        "grids.add_gridnode",
        "grids.change_gridnode",
        "grids.delete_gridnode",
        "grids.view_gridassignment",
        "grids.add_gridassignment",
        "grids.change_gridassignment",
        "grids.delete_gridassignment",
        # Departments, default suggestion rules and larger areas' monitoring lines are the
        # deployment's (superusers change them); the county's own catalogue, rules and lines
        # are its administrators' (the admin and the services check the county).
        "grids.view_department",
        "households.view_household",
        "households.change_household",
        "households.view_person",
        "households.change_person",
        "monitoring.view_monitoringline",
        "monitoring.add_monitoringline",
        "monitoring.change_monitoringline",
        "monitoring.view_villagereview",
        "monitoring.view_monitoringcase",
        "comparison.view_signal",
        "comparison.add_signal",
        "comparison.change_signal",
        "comparison.view_rule",
        "comparison.add_rule",
        "comparison.change_rule",
        "comparison.view_departmentbatch",
        "comparison.view_comparisonrun",
        "assistance.view_suggestionrule",
        "assistance.add_suggestionrule",
        "assistance.change_suggestionrule",
    ],
}

DEMO_LOGINS = [
    ("county_admin", "县级管理员（县级网格长）"),
    ("township_leader", "乡镇网格长"),
    ("village_leader", "村网格长"),
    ("grid_member", "组网格员"),
    ("dept_yibao", "部门账号（医保）"),
]


def _split(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def ensure_role_groups() -> dict[str, Group]:
    """The permission groups of the roles (idempotent)."""
    groups = {}
    for name, perms in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for label in perms:
            app, codename = label.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app, codename=codename))
        group.permissions.add(*wanted)
        groups[name] = group
    return groups


def ensure_departments() -> dict[str, Department]:
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    return {d.code: d for d in Department.objects.all()}


def build_tree_plan(ctx: SeedContext) -> list[dict]:
    """The county's nodes as dicts in code (= insertion) order, with nested-set fields."""
    rng = random.Random(ctx.seed)
    n_villages = max(len(TOWNSHIPS), round(VILLAGES * ctx.scale))
    n_groups = max(n_villages, round(GROUP_GRIDS * ctx.scale))
    per_township = _split(n_villages, [w for _, _, w in TOWNSHIPS])
    village_weights = [rng.uniform(0.6, 1.4) for _ in range(n_villages)]
    per_village = _split(n_groups, village_weights)

    county = {
        "code": ctx.code,
        "name": ctx.name,
        "level": Level.COUNTY,
        "village_group": "",
        "children": [],
    }
    vi = 0
    for (suffix, tname, _), nv in zip(TOWNSHIPS, per_township, strict=True):
        township = {
            "code": ctx.code + suffix,
            "name": tname,
            "level": Level.TOWNSHIP,
            "village_group": "",
            "children": [],
        }
        county["children"].append(township)
        used = set()
        for v in range(1, nv + 1):
            while True:
                vname = rng.choice(VILLAGE_HEADS) + rng.choice(VILLAGE_HEADS)
                if vname not in used:
                    break
            used.add(vname)
            vname += rng.choice(VILLAGE_TAILS)
            village = {
                "code": f"{township['code']}{v:03d}",
                "name": vname,
                "level": Level.VILLAGE,
                "village_group": "",
                "children": [],
            }
            township["children"].append(village)
            ng = per_village[vi]
            vi += 1
            # About five group grids per village group (村民小组).
            n_vgroups = max(1, round(ng / 5))
            sizes = _split(ng, [1.0] * n_vgroups)
            short = vname[:-1] if vname.endswith("村") else vname
            for k, size in enumerate(sizes, start=1):
                for j in range(1, size + 1):
                    village["children"].append(
                        {
                            "code": f"{village['code']}{k:02d}{j:02d}",
                            "name": f"{short}{k}组第{j}网格",
                            "level": Level.GROUP,
                            "village_group": f"第{k}村民小组",
                            "children": [],
                        }
                    )
    # Nested-set numbering in insertion order.
    counter = 0
    flat = []

    def visit(node, depth):
        nonlocal counter
        counter += 1
        node["lft"], node["depth"] = counter, depth
        flat.append(node)
        for child in node["children"]:
            visit(child, depth + 1)
        counter += 1
        node["rght"] = counter

    visit(county, 0)
    return flat


def seed_tree(ctx: SeedContext) -> None:
    """Create the county's tree, departments, role groups, grid people and demo logins."""
    ensure_departments()
    groups = ensure_role_groups()
    plan = build_tree_plan(ctx)
    tree_id = (GridNode.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
    by_code = {}
    for level in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP):
        rows = [p for p in plan if p["level"] == level]
        objs = []
        for p in rows:
            parent_pk = None
            objs.append(
                GridNode(
                    code=p["code"],
                    name=p["name"],
                    level=level,
                    village_group=p["village_group"],
                    tree_id=tree_id,
                    lft=p["lft"],
                    rght=p["rght"],
                    depth=p["depth"],
                    parent_id=parent_pk,
                )
            )
            for child in p["children"]:
                child["parent_code"] = p["code"]
        for obj, p in zip(objs, rows, strict=True):
            if "parent_code" in p:
                obj.parent_id = by_code[p["parent_code"]].pk
        GridNode.objects.bulk_create(objs, batch_size=5000)
        if objs and objs[0].pk is None:  # backends that do not return ids
            objs = list(GridNode.objects.filter(tree_id=tree_id, level=level))
        by_code.update({o.code: o for o in objs})
    ctx.state["tree_id"] = tree_id
    ctx.state["county"] = by_code[ctx.code]
    _seed_people(ctx, by_code, groups)
    ctx.log(f"  网格：{len(plan)} 个（树 {tree_id}）")


def _seed_people(ctx: SeedContext, by_code: dict, groups: dict) -> None:
    rng = random.Random(ctx.seed + 1)
    User = get_user_model()
    nodes = list(by_code.values())
    townships = sorted((n for n in nodes if n.level == Level.TOWNSHIP), key=lambda n: n.code)
    villages = sorted((n for n in nodes if n.level == Level.VILLAGE), key=lambda n: n.code)
    group_grids = sorted((n for n in nodes if n.level == Level.GROUP), key=lambda n: n.code)
    departments = ensure_departments()
    county = ctx.state["county"]

    people = []  # (username, full name, grid, role, department)
    people.append((f"{ctx.code}.county.leader", _person_name(rng), county, Role.LEADER, None))
    for code, _ in DEPARTMENTS:
        people.append(
            (f"{ctx.code}.dept.{code}", _person_name(rng), county, Role.MEMBER, departments[code])
        )
    for t, n in zip(townships, _split(TOWNSHIP_MEMBERS, [1.0] * len(townships)), strict=True):
        for k in range(n):
            role = Role.LEADER if k < 2 else Role.MEMBER  # 党委书记 and 乡镇长
            people.append((f"{t.code}.{k + 1:02d}", _person_name(rng), t, role, None))
    n_village_members = max(len(villages), round(VILLAGE_MEMBERS * ctx.scale))
    for v, n in zip(villages, _split(n_village_members, [1.0] * len(villages)), strict=True):
        for k in range(n):
            role = Role.LEADER if k == 0 else Role.MEMBER  # 村党总支书记
            people.append((f"{v.code}.{k + 1:02d}", _person_name(rng), v, role, None))
    for g in group_grids:
        people.append((f"{g.code}.01", _person_name(rng), g, Role.MEMBER, None))

    demo = {}
    if ctx.demo_logins:
        first_t = townships[0]
        first_v = min((v for v in villages if v.parent_id == first_t.pk), key=lambda v: v.code)
        first_g = min((g for g in group_grids if g.parent_id == first_v.pk), key=lambda g: g.code)
        demo = {
            f"{ctx.code}.county.leader": "county_admin",
            f"{ctx.code}.dept.yibao": "dept_yibao",
            f"{first_t.code}.01": "township_leader",
            f"{first_v.code}.01": "village_leader",
            f"{first_g.code}.01": "grid_member",
        }
    unusable = make_password(None)
    demo_hash = make_password(DEMO_PASSWORD) if demo else None
    users = []
    for username, full_name, _grid, _role, _dept in people:
        login = demo.get(username)
        users.append(
            User(
                username=login or username,
                first_name=full_name,
                password=demo_hash if login else unusable,
                is_staff=login == "county_admin",
            )
        )
    User.objects.bulk_create(users, batch_size=5000)
    if users and users[0].pk is None:
        pks = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list(
                "username", "pk"
            )
        )
        for u in users:
            u.pk = pks[u.username]
    assignments = [
        GridAssignment(
            user_id=u.pk,
            grid=grid,
            role=role,
            department=dept,
            phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
        )
        for u, (_n, _f, grid, role, dept) in zip(users, people, strict=True)
    ]
    GridAssignment.objects.bulk_create(assignments, batch_size=5000)
    if demo:
        admin = User.objects.get(username="county_admin")
        admin.groups.add(groups["县级管理员"])
    ctx.state["demo_logins"] = [login for login, _ in DEMO_LOGINS] if demo else []


def purge_tree(tree_id: int) -> None:
    """Delete a county's people and nodes (after the apps above purged their own rows)."""
    User = get_user_model()
    assignments = GridAssignment.objects.filter(grid__tree_id=tree_id)
    user_ids = list(assignments.values_list("user_id", flat=True))
    assignments.delete()
    # People who held a post only in this county leave with it.
    User.objects.filter(pk__in=user_ids, grid_assignments__isnull=True, is_superuser=False).delete()
    # One statement for the whole tree: the parent links all point inside the deleted set, and
    # MPTT's per-node delete would rewrite lft/rght for every row on the way.
    nodes = GridNode.objects.filter(tree_id=tree_id)
    nodes._raw_delete(nodes.db)


STEP = SeedStep(order=10, name="grids", seed=seed_tree, purge=purge_tree)
