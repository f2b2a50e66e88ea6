from rest_framework.routers import DefaultRouter

from .views import GridAssignmentViewSet, GridNodeViewSet

router = DefaultRouter()
router.register("grids", GridNodeViewSet, basename="grid")
router.register("grid-assignments", GridAssignmentViewSet, basename="grid-assignment")

urlpatterns = router.urls
