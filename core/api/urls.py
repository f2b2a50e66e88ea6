from django.urls import path
from knox import views as knox_views
from rest_framework.routers import DefaultRouter

from .views import AuditLogViewSet, TokenLoginView

router = DefaultRouter()
router.register("audit-log", AuditLogViewSet, basename="audit-log")

urlpatterns = [
    path("auth/login/", TokenLoginView.as_view(), name="api-login"),
    path("auth/logout/", knox_views.LogoutView.as_view(), name="api-logout"),
    *router.urls,
]
