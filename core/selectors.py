"""Reads owned by ``core``."""

from .models import AuditLog


def audit_list(*, user):
    """Audit rows of the county trees ``user`` administers (needs ``core.view_auditlog``)."""
    if not user.has_perm("core.view_auditlog"):
        return AuditLog.objects.none()
    return AuditLog.objects.visible_to(user).select_related("actor")


def job_list(*, user):
    """The jobs ``user`` started (a job is its creator's alone)."""
    from .models import Job

    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(created_by_id=user.pk)
