"""Every write to the grid tree and its assignments.

Tree writes run under a transaction-level advisory lock per county tree (PostgreSQL) and
re-read the nodes they touch inside that lock: MPTT rewrites ``lft``/``rght`` of many rows, so
two writers working from stale copies would corrupt the tree.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import audit_record, snapshot

from . import handover
from .models import PARENT_LEVEL, Department, GridAssignment, GridNode, Level, Role
from .scoping import clear_scope_cache, user_scope

#: First key of the two-integer advisory lock; the second is the tree id (0: creating roots).
_LOCK_NAMESPACE = 533423
_NODE_FIELDS = ("code", "name", "level", "parent_id", "village_group")
_ASSIGNMENT_FIELDS = (
    "user_id",
    "grid_id",
    "role",
    "department_id",
    "phone",
    "started_on",
    "ended_on",
    "end_reason",
)


def lock_trees(*tree_ids: int) -> None:
    """Take the advisory lock of each tree (in a fixed order, so two writers cannot deadlock)."""
    if connection.vendor != "postgresql":
        # SQLite (embedded default) serialises writers on the whole database already.
        return
    with connection.cursor() as cursor:
        for tree_id in sorted(set(tree_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, tree_id])


def _fresh(node: GridNode) -> GridNode:
    return GridNode.objects.get(pk=node.pk)


def _require_tree_manager(actor, node: GridNode, *, strict: bool) -> None:
    # Inside the tree lock: the scope is read again, its ranges as fresh as the node's.
    if not user_scope(actor, fresh=True).covers(node, roles=[Role.LEADER], strict=strict):
        raise PermissionDenied(
            _("只有上级网格的网格长可以修改网格 {name}。").format(name=node.name)
        )


def _validate_placement(*, level: str, parent: GridNode | None, village_group: str) -> None:
    errors = {}
    if level not in Level.values:
        errors["level"] = _("层级应为 county、township、village 或 group 之一。")
    else:
        wanted = PARENT_LEVEL[Level(level)]
        if wanted is None and parent is not None:
            errors["parent"] = _("县级网格是一棵树的根，不能有上级网格。")
        elif wanted is not None and parent is None:
            errors["parent"] = _("{level}必须有上级网格（{parent}）。").format(
                level=Level(level).label, parent=Level(wanted).label
            )
        elif wanted is not None and parent.level != wanted:
            errors["parent"] = _("{level}的上级必须是{wanted}，而 {name} 是{actual}。").format(
                level=Level(level).label,
                wanted=Level(wanted).label,
                name=parent.name,
                actual=parent.get_level_display(),
            )
        if level == Level.GROUP and not village_group.strip():
            errors["village_group"] = _("组网格须填写所在村民小组。")
        if level != Level.GROUP and village_group.strip():
            errors["village_group"] = _("只有组网格填写村民小组。")
    if errors:
        raise ValidationError(errors)


def code_unavailable(code: str) -> str:
    """Grid codes are unique in the deployment; a taken one is refused without saying where."""
    return _("网格编码 {code} 不可用，请核对。").format(code=code)


def _validate_code(code: str, *, exclude_pk=None) -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("网格编码不能为空。")})
    clash = GridNode.objects.filter(code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"code": code_unavailable(code)})
    return code


def grid_check(
    *, code: str, level: str, parent: GridNode | None, village_group: str, exclude_pk=None
) -> None:
    """Validate a node's placement and code without writing (for forms that show errors)."""
    _validate_placement(level=level, parent=parent, village_group=village_group or "")
    _validate_code(code, exclude_pk=exclude_pk)


def _save_node(node: GridNode) -> None:
    try:
        with transaction.atomic():
            node.save()
    except IntegrityError as exc:  # a concurrent writer took the code between check and save
        raise ValidationError({"code": code_unavailable(node.code)}) from exc


@transaction.atomic
def grid_create(
    *,
    actor,
    code: str,
    name: str,
    level: str,
    parent: GridNode | None = None,
    village_group: str = "",
) -> GridNode:
    """Create a grid node one level below ``parent`` (a county when there is no parent)."""
    if parent is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("只有系统管理员可以新建县级网格。"))
        lock_trees(0)
    else:
        lock_trees(parent.tree_id)
        parent = _fresh(parent)
        _require_tree_manager(actor, parent, strict=False)
    village_group = (village_group or "").strip()
    _validate_placement(level=level, parent=parent, village_group=village_group)
    code = _validate_code(code)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("网格名称不能为空。")})
    node = GridNode(code=code, name=name, level=level, parent=parent, village_group=village_group)
    _save_node(node)
    audit_record(actor=actor, action="grid.create", obj=node, after=snapshot(node, _NODE_FIELDS))
    return node


@transaction.atomic
def grid_update(*, actor, node: GridNode, **changes) -> GridNode:
    """Change a node's code, name or village group. Level and parent change only by moving."""
    allowed = {"code", "name", "village_group"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            {f: _("该字段不能在此修改；调整上级请使用“移动”。") for f in sorted(unknown)}
        )
    lock_trees(node.tree_id)
    node = _fresh(node)
    _require_tree_manager(actor, node, strict=True)
    before = snapshot(node, _NODE_FIELDS)
    if "code" in changes:
        node.code = _validate_code(changes["code"], exclude_pk=node.pk)
    if "name" in changes:
        node.name = (changes["name"] or "").strip()
        if not node.name:
            raise ValidationError({"name": _("网格名称不能为空。")})
    if "village_group" in changes:
        node.village_group = (changes["village_group"] or "").strip()
        parent = node.parent
        _validate_placement(level=node.level, parent=parent, village_group=node.village_group)
    _save_node(node)
    audit_record(
        actor=actor,
        action="grid.update",
        obj=node,
        before=before,
        after=snapshot(node, _NODE_FIELDS),
    )
    return node


@transaction.atomic
def grid_move(*, actor, node: GridNode, new_parent: GridNode, reason: str = "") -> GridNode:
    """Move ``node`` (with its subtree) under ``new_parent`` of the right level."""
    lock_trees(node.tree_id, new_parent.tree_id)
    node, new_parent = _fresh(node), _fresh(new_parent)
    _require_tree_manager(actor, node, strict=True)
    _require_tree_manager(actor, new_parent, strict=False)
    if new_parent.pk == node.pk or (
        new_parent.tree_id == node.tree_id and node.lft <= new_parent.lft <= node.rght
    ):
        raise ValidationError({"parent": _("不能把网格移到它自己或它的下级之下。")})
    _validate_placement(level=node.level, parent=new_parent, village_group=node.village_group)
    if node.parent_id == new_parent.pk:
        return node
    before = snapshot(node, _NODE_FIELDS)
    node.parent = new_parent
    node.save()
    node = _fresh(node)
    audit_record(
        actor=actor,
        action="grid.move",
        obj=node,
        before=before,
        after=snapshot(node, _NODE_FIELDS),
        reason=reason,
    )
    return node


@transaction.atomic
def grid_delete(*, actor, node: GridNode, reason: str = "") -> None:
    """Delete an empty node: refused while it has children, households or people on it."""
    lock_trees(node.tree_id)
    node = _fresh(node)
    if node.parent_id is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("只有系统管理员可以删除县级网格。"))
    else:
        _require_tree_manager(actor, node, strict=True)
    if node.get_children().exists():
        raise ValidationError(
            _("网格 {name} 还有下级网格，请先删除或移走下级网格。").format(name=node.name)
        )
    # Recorded first (while the row still has its id); a refused delete rolls it back.
    audit_record(
        actor=actor,
        action="grid.delete",
        obj=node,
        before=snapshot(node, _NODE_FIELDS),
        reason=reason,
    )
    try:
        with transaction.atomic():
            node.delete()
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise ValidationError(
            _("网格 {name} 还有{kinds}，不能删除。请先移走或撤销它们。").format(
                name=node.name, kinds="、".join(kinds)
            )
        ) from exc


# --- Assignments ------------------------------------------------------------------------


def _validate_assignment(*, grid: GridNode, role: str, department: Department | None) -> None:
    errors = {}
    if role not in Role.values:
        errors["role"] = _("职责应为 leader（网格长）或 member（网格员）。")
    if department is not None and grid.level != Level.COUNTY:
        errors["department"] = _("只有县级（一级）网格的人员代表县直部门。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assignment_create(
    *,
    actor,
    user,
    grid: GridNode,
    role: str,
    department: Department | None = None,
    phone: str = "",
    started_on=None,
) -> GridAssignment:
    """Put ``user`` on ``grid`` with ``role`` (a user may hold several assignments)."""
    grid = _fresh(grid)
    _require_tree_manager(actor, grid, strict=grid.parent_id is not None)
    _validate_assignment(grid=grid, role=role, department=department)
    if GridAssignment.objects.filter(user=user, grid=grid, ended_on__isnull=True).exists():
        raise ValidationError(
            {"user": _("{user} 已在网格 {grid} 任职。").format(user=user, grid=grid.name)}
        )
    assignment = GridAssignment.objects.create(
        user=user,
        grid=grid,
        role=role,
        department=department,
        phone=(phone or "").strip(),
        started_on=started_on or timezone.localdate(),
    )
    clear_scope_cache(user)
    audit_record(
        actor=actor,
        action="assignment.create",
        obj=assignment,
        tree_id=grid.tree_id,
        after=snapshot(assignment, _ASSIGNMENT_FIELDS),
    )
    return assignment


@transaction.atomic
def assignment_update(*, actor, assignment: GridAssignment, **changes) -> GridAssignment:
    """Change the role, department or phone of an assignment."""
    allowed = {"role", "department", "phone"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({f: _("该字段不能修改，请撤销后重新任命。") for f in sorted(unknown)})
    assignment = (
        GridAssignment.objects.select_for_update().select_related("grid").get(pk=assignment.pk)
    )
    grid = assignment.grid
    _require_tree_manager(actor, grid, strict=grid.parent_id is not None)
    before = snapshot(assignment, _ASSIGNMENT_FIELDS)
    for field, value in changes.items():
        setattr(assignment, field, value.strip() if isinstance(value, str) else value)
    _validate_assignment(grid=grid, role=assignment.role, department=assignment.department)
    assignment.save()
    clear_scope_cache(assignment.user)
    audit_record(
        actor=actor,
        action="assignment.update",
        obj=assignment,
        tree_id=grid.tree_id,
        before=before,
        after=snapshot(assignment, _ASSIGNMENT_FIELDS),
    )
    return assignment


@transaction.atomic
def assignment_delete(*, actor, assignment: GridAssignment, reason: str = "") -> None:
    """Take a person off a grid."""
    assignment = (
        GridAssignment.objects.select_for_update().select_related("grid").get(pk=assignment.pk)
    )
    grid = assignment.grid
    _require_tree_manager(actor, grid, strict=grid.parent_id is not None)
    if assignment.user_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("不能撤销自己的任职。"))
    before = snapshot(assignment, _ASSIGNMENT_FIELDS)
    audit_record(
        actor=actor,
        action="assignment.delete",
        obj=assignment,
        tree_id=grid.tree_id,
        before=before,
        reason=reason,
    )
    assignment.delete()


@transaction.atomic
def assignment_end(
    *,
    actor,
    assignment: GridAssignment,
    ended_on=None,
    reason: str = "",
    successor=None,
    successor_phone: str = "",
) -> GridAssignment | None:
    """End a post (the person leaves the grid) and hand its open work on.

    With a ``successor``, they take the same post (grid, role, department) from ``ended_on``:
    the grid's open work (``grids.handover``) is theirs, and the reminders of the grid reach
    them. Without one, the grid is unattended — listed on the dashboards and the overdue lists —
    until someone is assigned. Returns the successor's new assignment, if any. History stays:
    the ended post is kept with its dates and reason.
    """
    assignment = (
        GridAssignment.objects.select_for_update().select_related("grid").get(pk=assignment.pk)
    )
    grid = assignment.grid
    _require_tree_manager(actor, grid, strict=grid.parent_id is not None)
    today = timezone.localdate()
    ended_on = ended_on or today
    errors = {}
    if assignment.ended_on is not None:
        errors["assignment"] = _("该任职已于 {day} 结束。").format(day=assignment.ended_on)
    elif ended_on < assignment.started_on:
        errors["ended_on"] = _("离任日期不能早于任职日期（{day}）。").format(
            day=assignment.started_on
        )
    elif ended_on > today:
        errors["ended_on"] = _("离任日期不能晚于今天。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写离任原因。")
    if successor is not None and successor.pk == assignment.user_id:
        errors["successor"] = _("接任人不能是离任人本人。")
    if errors:
        raise ValidationError(errors)
    if assignment.user_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("不能结束自己的任职。"))
    before = snapshot(assignment, _ASSIGNMENT_FIELDS)
    assignment.ended_on = ended_on
    assignment.end_reason = reason.strip()[:200]
    assignment.save(update_fields=["ended_on", "end_reason"])
    clear_scope_cache(assignment.user)
    work = handover.open_work(grid)
    audit_record(
        actor=actor,
        action="assignment.end",
        obj=assignment,
        tree_id=grid.tree_id,
        before=before,
        after={
            **snapshot(assignment, _ASSIGNMENT_FIELDS),
            "successor": successor.get_username() if successor else None,
            "open_work": dict(work),
        },
        reason=reason,
    )
    if successor is None:
        return None
    return assignment_create(
        actor=actor,
        user=successor,
        grid=grid,
        role=assignment.role,
        department=assignment.department,
        phone=successor_phone or "",
        started_on=ended_on,
    )
