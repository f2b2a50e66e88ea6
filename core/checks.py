"""System checks for the deployment's security settings (``manage.py check``)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def audit_retention(app_configs, **kwargs):
    if settings.AUDIT_RETENTION_YEARS < 3:
        return [
            checks.Error(
                "AUDIT_RETENTION_YEARS 不得少于 3 年（审计记录至少保存三年）。",
                hint="把 AUDIT_RETENTION_YEARS 设为 3 或更大。",
                id="weixi.E001",
            )
        ]
    return []
