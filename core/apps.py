from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础")

    def ready(self):
        from . import checks, tasks  # noqa: F401  (the system checks; the job tasks by name)
