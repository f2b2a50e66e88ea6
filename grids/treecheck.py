"""Verification of the nested-set fields of every county tree."""

from collections import defaultdict

from .models import PARENT_LEVEL, GridNode, Level


def check_trees(tree_id: int | None = None) -> list[str]:
    """Every inconsistency found, as readable lines (empty when the trees are sound)."""
    qs = GridNode.objects.all()
    if tree_id is not None:
        qs = qs.filter(tree_id=tree_id)
    rows = qs.values_list("pk", "code", "level", "parent_id", "tree_id", "lft", "rght", "depth")
    nodes = {r[0]: r for r in rows.iterator(chunk_size=20000)}
    problems = []
    by_tree = defaultdict(list)
    for pk, code, level, parent_id, tid, lft, rght, depth in nodes.values():
        by_tree[tid].append(pk)
        if lft >= rght:
            problems.append(f"{code}: lft {lft} ≥ rght {rght}")
        if parent_id is None:
            if lft != 1 or depth != 0:
                problems.append(f"{code}: 根节点应 lft=1、depth=0，实为 {lft}、{depth}")
            if level != Level.COUNTY:
                problems.append(f"{code}: 根节点不是县级网格")
            continue
        parent = nodes.get(parent_id)
        if parent is None:
            problems.append(f"{code}: 上级 {parent_id} 不在同一棵树中")
            continue
        _, pcode, plevel, _, ptid, plft, prght, pdepth = parent
        if ptid != tid:
            problems.append(f"{code}: tree_id {tid} 与上级 {pcode} 的 {ptid} 不同")
        if not (plft < lft and rght < prght):
            problems.append(f"{code}: 区间 [{lft},{rght}] 不在上级 {pcode} [{plft},{prght}] 内")
        if depth != pdepth + 1:
            problems.append(f"{code}: depth {depth} 应为 {pdepth + 1}")
        if PARENT_LEVEL[Level(level)] != plevel:
            problems.append(f"{code}: 层级 {level} 不能挂在 {plevel} 下")
    for tid, pks in by_tree.items():
        values = sorted(v for pk in pks for v in (nodes[pk][5], nodes[pk][6]))
        if values != list(range(1, 2 * len(pks) + 1)):
            problems.append(f"树 {tid}: lft/rght 不是 1…{2 * len(pks)} 的排列")
        roots = [pk for pk in pks if nodes[pk][3] is None]
        if len(roots) != 1:
            problems.append(f"树 {tid}: 应有 1 个根节点，实有 {len(roots)} 个")
        if roots and nodes[roots[0]][6] != 2 * len(pks):
            problems.append(f"树 {tid}: 根节点 rght 应为 {2 * len(pks)}")
    return problems
