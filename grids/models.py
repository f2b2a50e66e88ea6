"""The four-level grid tree and the people assigned to it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from core.scoping import ScopedQuerySet


class Level(models.TextChoices):
    COUNTY = "county", _("县（一级网格）")
    TOWNSHIP = "township", _("乡镇（二级网格）")
    VILLAGE = "village", _("村/社区（三级网格）")
    GROUP = "group", _("组网格（四级网格）")


#: Each level and the level of its parent (None: a root).
LEVEL_ORDER = [Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP]
PARENT_LEVEL = {
    Level.COUNTY: None,
    Level.TOWNSHIP: Level.COUNTY,
    Level.VILLAGE: Level.TOWNSHIP,
    Level.GROUP: Level.VILLAGE,
}


class GridNodeQuerySet(ScopedQuerySet):
    pass


class GridNodeManager(TreeManager.from_queryset(GridNodeQuerySet)):
    pass


class GridNode(MPTTModel):
    """One grid of the four-level tree: a county, township, village or group grid."""

    scope_path = "self"

    code = models.CharField(
        _("网格编码"),
        max_length=32,
        unique=True,
        help_text=_("行政区划代码风格：县 6 位，乡镇 9 位，村 12 位，组网格更长。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("上级网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    village_group = models.CharField(
        _("村民小组"),
        max_length=100,
        blank=True,
        help_text=_("组网格所在的村民小组；仅组网格填写。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GridNodeManager()

    class MPTTMeta:
        # MPTT's own depth field must not clash with our named ``level``.
        level_attr = "depth"
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[c.value for c in Level]),
                name="grids_gridnode_level_valid",
            ),
            models.CheckConstraint(
                condition=(Q(level=Level.COUNTY) & Q(parent__isnull=True))
                | (~Q(level=Level.COUNTY) & Q(parent__isnull=False)),
                name="grids_gridnode_root_iff_county",
            ),
            models.CheckConstraint(
                condition=Q(level=Level.GROUP) | Q(village_group=""),
                name="grids_gridnode_village_group_only_on_group",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="grids_gridnode_code_not_blank"),
        ]
        indexes = [
            models.Index(fields=["tree_id", "lft", "rght"], name="grids_node_range_idx"),
            models.Index(fields=["level", "tree_id", "lft"], name="grids_node_level_range_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Department(models.Model):
    """A county department (卫健, 医保, 住建…) whose staff sit on the county grid."""

    code = models.SlugField(_("部门代码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("县直部门")
        verbose_name_plural = _("县直部门")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    LEADER = "leader", _("网格长")
    MEMBER = "member", _("网格员")


def _today():
    return timezone.localdate()


class AssignmentQuerySet(ScopedQuerySet):
    def current(self, on=None):
        """The posts held on ``on`` (today): started, and not ended by then."""
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on), started_on__lte=on)


class GridAssignment(models.Model):
    """A person's place on the grid: a node, a role, and at county level their department."""

    scope_path = "grid"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="grid_assignments",
    )
    grid = models.ForeignKey(
        GridNode, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("职责"), max_length=10, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("所代表部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # In post from ``started_on``; no longer from ``ended_on`` (the day it ended). Ended posts
    # stay: who held a grid when is part of the record.
    started_on = models.DateField(_("任职日期"), default=_today)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    end_reason = models.CharField(_("离任原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格人员")
        verbose_name_plural = _("网格人员")
        ordering = ["grid__code", "role", "user__username"]
        constraints = [
            # One current post per person and grid; earlier, ended ones may be many.
            models.UniqueConstraint(
                fields=["user", "grid"],
                condition=Q(ended_on__isnull=True),
                name="grids_gridassignment_one_per_grid",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="grids_gridassignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[c.value for c in Role]),
                name="grids_gridassignment_role_valid",
            ),
        ]

    def __str__(self):
        return f"{person_name(self.user)} · {self.grid.name} · {self.get_role_display()}"


def person_name(user) -> str:
    """How people are named on pages and in the admin: the real name, then the account."""
    if user is None:
        return ""
    full = user.get_full_name()
    return f"{full}（{user.username}）" if full else user.username
