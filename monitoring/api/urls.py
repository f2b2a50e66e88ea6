from rest_framework.routers import DefaultRouter

from .views import ApplicationViewSet, ClueViewSet, VisitViewSet

router = DefaultRouter()
router.register("visits", VisitViewSet, basename="visit")
router.register("applications", ApplicationViewSet, basename="application")
router.register("clues", ClueViewSet, basename="clue")

urlpatterns = router.urls
