"""Checks shared by the monitoring services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from grids.models import Role
from grids.scoping import user_scope
from monitoring.choices import MAX_RISK_TYPES, RiskType

# -- the role rules of the monitoring steps, asked of the one scope (``grids.scoping``) ----------


def is_village_leader(user, village) -> bool:
    """The leader (网格长) assigned at ``village`` composes and submits its review."""
    return user_scope(user).leads(village.pk)


def is_township_leader(user, village) -> bool:
    """The leader assigned at the village's township approves or returns its review."""
    return user_scope(user).leads(village.parent_id)


def is_county(user, tree_id: int) -> bool:
    """Anyone at the county root (not as department staff) confirms and rolls back."""
    return user_scope(user).is_county(tree_id)


def require_in_scope(actor, household, *, roles=None, message=None) -> None:
    """Refuse unless one of ``actor``'s assignments (with a role in ``roles``) covers the
    household's grid."""
    if not user_scope(actor).covers(household.grid, roles=roles):
        raise PermissionDenied(
            message or _("农户 {number} 不在您的管辖范围内。").format(number=household.number)
        )


def require_leader(actor, household, *, what: str) -> None:
    """Refuse unless ``actor`` leads a grid that holds the household (village/township…)."""
    require_in_scope(
        actor,
        household,
        roles=[Role.LEADER],
        message=_("只有该户所在网格的网格长可以{what}。").format(what=what),
    )


def clean_risk_types(values, *, field: str = "risk_types") -> list[str]:
    """Deduplicated, valid risk type codes (at most five), or a field error saying what to fix."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    if not isinstance(values, (list, tuple)):
        raise ValidationError({field: _("风险类型应为列表。")})
    cleaned = []
    for value in values:
        code = str(value).strip()
        if code not in RiskType.values:
            raise ValidationError(
                {
                    field: _("未知的风险类型“{code}”。可选：{choices}").format(
                        code=code, choices="、".join(RiskType.values)
                    )
                }
            )
        if code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > MAX_RISK_TYPES:
        raise ValidationError(
            {
                field: _("风险类型最多 {n} 项，当前 {count} 项。").format(
                    n=MAX_RISK_TYPES, count=len(cleaned)
                )
            }
        )
    return cleaned


def has_risk_type(field: str, risk: str) -> Q:
    """Rows whose JSON list ``field`` holds risk type ``risk``: containment on PostgreSQL
    (indexable), the quoted code in the list's text elsewhere (SQLite)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [risk]})
    return Q(**{f"{field}__icontains": f'"{risk}"'})
