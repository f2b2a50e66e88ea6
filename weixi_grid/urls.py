"""URL composition: pages, admin, the v1 API and its schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("accounts.api")),
    path("", include("grids.api.urls")),
    path("", include("households.api.urls")),
    path("", include("monitoring.api.urls")),
    path("", include("comparison.api.urls")),
    path("", include("assistance.api.urls")),
    path("", include("reports.api.urls")),
]

urlpatterns = [
    path("", include("grids.urls")),
    path("", include("households.urls")),
    path("", include("monitoring.urls")),
    path("", include("comparison.urls")),
    path("", include("assistance.urls")),
    path("", include("reports.urls")),
    path("", include("accounts.urls")),
    path("", include("core.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Namespaced, so API route names (household-list…) never shadow the page names.
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: the Content-Security-Policy allows no inline
    # script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]
