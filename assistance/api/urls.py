"""API routes of the assistance app."""

from rest_framework.routers import DefaultRouter

from .views import MeasureViewSet, PlanViewSet

router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("measures", MeasureViewSet, basename="measure")

urlpatterns = router.urls
