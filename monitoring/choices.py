"""Choices shared by visits, self-applications and clues: stable English codes, Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

#: DOMAIN.md: a household carries at most five risk types.
MAX_RISK_TYPES = 5


class RiskType(models.TextChoices):
    ILLNESS = "illness", _("因病")
    SCHOOLING = "schooling", _("因学")
    DISABILITY = "disability", _("因残")
    DISASTER = "disaster", _("因自然灾害")
    ACCIDENT = "accident", _("因意外事故")
    LACK_OF_LABOUR = "lack_of_labour", _("缺劳动力")
    UNSTABLE_WORK = "unstable_work", _("因务工就业不稳")
    BUSINESS_FAILURE = "business_failure", _("因产业项目失败")
    HOUSING = "housing", _("因安全住房")
    DRINKING_WATER = "drinking_water", _("因安全饮水")
    OTHER = "other", _("其他")


def risk_type_labels(codes) -> list[str]:
    """The Chinese labels of a list of risk type codes (unknown codes shown as they are)."""
    labels = dict(RiskType.choices)
    return [str(labels.get(code, code)) for code in codes or []]
