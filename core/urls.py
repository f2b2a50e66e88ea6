from django.urls import path

from . import offline, views

urlpatterns = [
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.manifest, name="web-manifest"),
    path("offline/", offline.fallback, name="offline-fallback"),
    path("offline/queue/", offline.queue, name="offline-queue"),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/file/", views.job_file, name="job-file"),
]
