from rest_framework.routers import DefaultRouter

from .views import AuditLogViewSet, JobViewSet

router = DefaultRouter()
router.register("audit-log", AuditLogViewSet, basename="audit-log")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    *router.urls,
]
