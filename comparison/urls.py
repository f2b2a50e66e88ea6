"""Pages of the comparison app."""

from django.urls import path

from . import views

urlpatterns = [
    path("comparison/batches/", views.batch_list, name="comparison-batches"),
    path("comparison/batches/<int:pk>/", views.batch_detail, name="comparison-batch"),
    path("comparison/runs/", views.run_list, name="comparison-runs"),
    path("comparison/runs/<int:pk>/", views.run_detail, name="comparison-run"),
    path("comparison/runs/<int:pk>/resume/", views.run_resume, name="comparison-run-resume"),
]
