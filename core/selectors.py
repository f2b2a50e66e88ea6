"""Reads owned by ``core``."""

from .models import AuditLog


def audit_list(*, user):
    """Audit rows of the county trees ``user`` administers (needs ``core.view_auditlog``)."""
    if not user.has_perm("core.view_auditlog"):
        return AuditLog.objects.none()
    return AuditLog.objects.visible_to(user).select_related("actor")
