"""API routes of the comparison app."""

from rest_framework.routers import DefaultRouter

from .views import ComparisonRunViewSet, DepartmentBatchViewSet

router = DefaultRouter()
router.register("department-batches", DepartmentBatchViewSet, basename="department-batch")
router.register("comparison-runs", ComparisonRunViewSet, basename="comparison-run")

urlpatterns = router.urls
