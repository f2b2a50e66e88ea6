from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import AuditLogViewSet, TokenLoginView, TokenLogoutView

router = DefaultRouter()
router.register("audit-log", AuditLogViewSet, basename="audit-log")

urlpatterns = [
    path("auth/login/", TokenLoginView.as_view(), name="api-login"),
    path("auth/logout/", TokenLogoutView.as_view(), name="api-logout"),
    *router.urls,
]
