"""The admin app on a site that asks for the second factor (``INSTALLED_APPS``)."""

from django.contrib.admin.apps import AdminConfig


class WeixiAdminConfig(AdminConfig):
    """The admin, on a site that asks for the second factor (accounts/admin_site.py)."""

    default_site = "accounts.admin_site.WeixiAdminSite"
