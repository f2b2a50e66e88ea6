from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("农户与家庭成员")

    def ready(self):
        from core import benchmarks, seeding

        from . import bench, bench_jobs, demo, jobs  # noqa: F401  (jobs: the import job)

        seeding.register(demo.STEP)
        benchmarks.register("registry", bench.bench_registry)
        benchmarks.register("jobs", bench_jobs.bench_jobs)
