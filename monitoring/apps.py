from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("动态监测")

    def ready(self):
        from core import benchmarks, seeding

        from . import bench, bench_reviews, demo, demo_reviews

        seeding.register(demo.STEP)
        seeding.register(demo_reviews.STEP)
        benchmarks.register("discovery", bench.bench_discovery)
        benchmarks.register("reviews", bench_reviews.bench_reviews)
