from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="reports-dashboard"),
    path("dashboard/<str:code>/", views.dashboard, name="reports-dashboard-grid"),
    path("dashboard/<str:code>/crowded/", views.crowded, name="reports-crowded"),
    path("dashboard/<str:code>/ledgers/<slug:key>.xlsx", views.ledger, name="reports-ledger"),
]
