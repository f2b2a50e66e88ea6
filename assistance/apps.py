from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("帮扶措施")

    def ready(self):
        from core import navigation, seeding
        from monitoring import hooks

        from . import demo, rules

        hooks.register_elimination_check("assistance", rules.elimination_check)
        navigation.register_department_page(
            _("本部门帮扶措施"), "assistance-department-measures", order=10
        )
        seeding.register(demo.STEP)
