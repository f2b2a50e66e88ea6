from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("农户与家庭成员")

    def ready(self):
        from core import benchmarks, seeding

        from . import bench, demo, jobs  # noqa: F401  (jobs: registers the import job)

        seeding.register(demo.STEP)
        benchmarks.register("registry", bench.bench_registry)
