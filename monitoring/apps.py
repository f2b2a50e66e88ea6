from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("动态监测")

    def ready(self):
        from core import benchmarks, seeding
        from grids import handover
        from monitoring.discovery import bench, demo
        from monitoring.reviews import bench as bench_reviews
        from monitoring.reviews import demo as demo_reviews
        from monitoring.reviews import selectors as review_selectors

        seeding.register(demo.STEP)
        seeding.register(demo_reviews.STEP)
        benchmarks.register("discovery", bench.bench_discovery)
        benchmarks.register("reviews", bench_reviews.bench_reviews)
        handover.register(review_selectors.open_work)
        from households import panels as household_panels
        from monitoring.panels import household_monitoring

        household_panels.register(household_monitoring, order=10)
