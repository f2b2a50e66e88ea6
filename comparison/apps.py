from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComparisonConfig(AppConfig):
    name = "comparison"
    verbose_name = _("部门数据比对")

    def ready(self):
        from core import benchmarks, seeding
        from core import jobs as core_jobs
        from core.navigation import register_department_page

        # The tasks register with Celery here: services queue the run's task by name.
        from . import bench, demo, jobs, services, tasks  # noqa: F401  (jobs: the upload job)

        register_department_page(_("部门数据报送"), "comparison-batches", order=20)
        core_jobs.register_sweeper(services.sweep_stalled_runs)
        seeding.register(demo.STEP)
        benchmarks.register("comparison", bench.bench_comparison)
