from rest_framework.routers import DefaultRouter

from monitoring.cases.api import CaseViewSet
from monitoring.discovery.api.views import ApplicationViewSet, ClueViewSet, VisitViewSet
from monitoring.reviews.api import ReviewItemViewSet, ReviewViewSet

router = DefaultRouter()
router.register("visits", VisitViewSet, basename="visit")
router.register("applications", ApplicationViewSet, basename="application")
router.register("clues", ClueViewSet, basename="clue")
router.register("reviews", ReviewViewSet, basename="review")
router.register("review-items", ReviewItemViewSet, basename="review-item")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = router.urls
