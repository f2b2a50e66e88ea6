from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("统计与台账")

    def ready(self):
        from core import benchmarks

        from . import bench, jobs  # noqa: F401  (jobs: registers the ledger job)

        benchmarks.register("stats", bench.bench_stats)
