"""Households (户) and their members, with resident ID numbers kept as personal data.

A person's ID number is never stored in clear: ``id_hash`` (keyed HMAC) answers exact lookups
and matching, ``id_encrypted`` (Fernet) is decrypted only for an audited reveal, and
``id_masked`` is what every page, list and export shows. See ``docs/households.md``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from grids.models import GridNode


class HouseholdType(models.TextChoices):
    LIFTED = "lifted", _("脱贫户")
    ORDINARY = "ordinary", _("一般农户")
    LIFTED_NO_POLICY = "lifted_no_policy", _("脱贫不享受政策户")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    MOVED_OUT = "moved_out", _("整户迁出")
    DISSOLVED = "dissolved", _("已注销")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    GRANDCHILD = "grandchild", _("孙子女")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患大病")
    DISABLED = "disabled", _("残疾")


class DisabilityGrade(models.TextChoices):
    GRADE_1 = "1", _("一级")
    GRADE_2 = "2", _("二级")
    GRADE_3 = "3", _("三级")
    GRADE_4 = "4", _("四级")


class LabourCapacity(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class Schooling(models.TextChoices):
    PRESCHOOL = "preschool", _("学龄前")
    PRIMARY = "primary", _("在校-小学")
    JUNIOR = "junior", _("在校-初中")
    SENIOR = "senior", _("在校-高中")
    VOCATIONAL = "vocational", _("在校-中职")
    COLLEGE = "college", _("在校-大专及以上")
    DROPOUT = "dropout", _("辍学")
    NOT_IN_SCHOOL = "not_in_school", _("非在校")


class SocialAssistance(models.TextChoices):
    NONE = "none", _("无")
    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困供养")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    LEFT = "left", _("已迁出")
    DECEASED = "deceased", _("已故")


class JoinReason(models.TextChoices):
    REGISTERED = "registered", _("建档登记")
    BIRTH = "birth", _("出生")
    MARRIAGE_IN = "marriage_in", _("婚入")
    MOVED_IN = "moved_in", _("迁入")


class LeaveReason(models.TextChoices):
    DEATH = "death", _("死亡")
    MARRIAGE_OUT = "marriage_out", _("婚出")
    MOVED_OUT = "moved_out", _("迁出")


class Household(models.Model):
    """A rural household (户), the unit of monitoring, living in one group grid."""

    scope_path = "grid"

    number = models.CharField(_("户编号"), max_length=32, unique=True)
    grid = models.ForeignKey(
        GridNode,
        verbose_name=_("组网格"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": "group"},
    )
    village_group = models.CharField(_("村民小组"), max_length=100, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    household_type = models.CharField(
        _("户类型"), max_length=20, choices=HouseholdType.choices, default=HouseholdType.ORDINARY
    )
    # Kept by the services whenever the head changes: lists and search need it without a join.
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True, db_index=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    platform_registered = models.BooleanField(_("已纳入政府救助平台"), default=False)
    platform_registered_on = models.DateField(_("纳入平台日期"), null=True, blank=True)
    contact_name = models.CharField(_("监测联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("监测联系人电话"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(number=""), name="households_household_number_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(household_type__in=HouseholdType.values),
                name="households_household_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=HouseholdStatus.values),
                name="households_household_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(platform_registered=True) | Q(platform_registered_on__isnull=True),
                name="households_household_platform_date_only_if_registered",
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "status"], name="households_hh_grid_status_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.head_name}".strip()


class Person(models.Model):
    """A member of a household (家庭成员); kept with a status when they leave or die."""

    scope_path = "household__grid"

    household = models.ForeignKey(
        Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_hash = models.CharField(
        _("身份证号摘要"),
        max_length=64,
        unique=True,
        help_text=_("以密钥计算的 HMAC-SHA256，用于精确查找和比对；不能还原号码。"),
    )
    id_encrypted = models.TextField(_("身份证号密文"))
    id_masked = models.CharField(_("身份证号（脱敏）"), max_length=18)
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    sex = models.CharField(_("性别"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    health = models.CharField(
        _("健康状况"), max_length=10, choices=Health.choices, default=Health.HEALTHY
    )
    disability_grade = models.CharField(
        _("残疾等级"), max_length=1, choices=DisabilityGrade.choices, blank=True
    )
    labour_capacity = models.CharField(
        _("劳动能力"), max_length=10, choices=LabourCapacity.choices, default=LabourCapacity.NONE
    )
    schooling = models.CharField(
        _("在校情况"), max_length=16, choices=Schooling.choices, default=Schooling.NOT_IN_SCHOOL
    )
    medical_insurance = models.BooleanField(_("参加基本医疗保险"), default=True)
    pension_insurance = models.BooleanField(_("参加基本养老保险"), default=False)
    social_assistance = models.CharField(
        _("低保/特困"),
        max_length=8,
        choices=SocialAssistance.choices,
        default=SocialAssistance.NONE,
    )
    migrant_place = models.CharField(_("务工地点"), max_length=100, blank=True)
    migrant_months = models.PositiveSmallIntegerField(_("年务工月数"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    joined_reason = models.CharField(
        _("加入原因"), max_length=12, choices=JoinReason.choices, default=JoinReason.REGISTERED
    )
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    left_reason = models.CharField(
        _("减少原因"), max_length=12, choices=LeaveReason.choices, blank=True
    )
    left_on = models.DateField(_("减少日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]
        permissions = [("view_full_id_number", _("查看完整身份证号（每次查看记入审计日志）"))]
        constraints = [
            models.CheckConstraint(condition=~Q(id_hash=""), name="households_person_hash_set"),
            models.CheckConstraint(
                condition=~Q(id_encrypted=""), name="households_person_encrypted_set"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head", status="active"),
                name="households_person_one_head",
            ),
            models.CheckConstraint(
                condition=Q(migrant_months__lte=12), name="households_person_migrant_months_range"
            ),
            models.CheckConstraint(
                condition=Q(disability_grade="") | Q(health="disabled"),
                name="households_person_grade_only_if_disabled",
            ),
            models.CheckConstraint(
                condition=(Q(status="active") & Q(left_reason=""))
                | (Q(status="deceased") & Q(left_reason="death"))
                | (Q(status="left") & Q(left_reason__in=["marriage_out", "moved_out"])),
                name="households_person_status_matches_reason",
            ),
            models.CheckConstraint(
                condition=Q(health__in=Health.values)
                & Q(labour_capacity__in=LabourCapacity.values)
                & Q(schooling__in=Schooling.values)
                & Q(relation__in=Relation.values),
                name="households_person_choices_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "status"], name="households_person_hh_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.id_masked}）"

    @property
    def is_active(self) -> bool:
        return self.status == PersonStatus.ACTIVE


def photo_storage():
    """The storage photos go to: ``STORAGES["photos"]`` (the project folder by default, an
    S3-compatible store in production; docs/photos.md)."""
    from django.core.files.storage import storages

    return storages["photos"]


class Photo(models.Model):
    """A photo taken as evidence: of a visit, a measure's implementation, a clue's verification.

    It belongs to a household (its scope) and names what it documents by ``subject``
    (``visit:12``, ``measure:34``, ``clue:56``, as clues name their references). The file is
    re-encoded on the server (no EXIF: no location, no phone model) with a thumbnail, and only
    ever served through a scoped view (``households.views.photo_file``), never as public media.
    """

    scope_path = "household__grid"
    # A measure's photos are also its department's to see (department staff implement it).
    scope_department = "department"

    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.CASCADE, related_name="photos"
    )
    subject = models.CharField(_("所属事项"), max_length=40, db_index=True)
    department = models.ForeignKey(
        "grids.Department",
        verbose_name=_("部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    image = models.FileField(_("照片"), storage=photo_storage, max_length=200)
    thumbnail = models.FileField(_("缩略图"), storage=photo_storage, max_length=200)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    size = models.PositiveIntegerField(_("字节数"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["subject", "id"]

    def __str__(self):
        return f"{self.subject} #{self.pk}"
