from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("四级网格")

    def ready(self):
        from core import benchmarks, scoping, seeding

        from . import bench, demo
        from .scoping import restrict_queryset

        scoping.register(restrict_queryset)
        seeding.register(demo.STEP)
        benchmarks.register("tree", bench.bench_tree)
