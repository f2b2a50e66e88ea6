from django.urls import path

from monitoring.cases import views as case_views
from monitoring.discovery import views, views_applications
from monitoring.reviews import views as views_reviews

urlpatterns = [
    path("monitoring/households/<int:pk>/visit/", views.visit_create, name="visit-create"),
    path(
        "monitoring/households/<int:pk>/applications/new/",
        views_applications.application_create,
        name="application-create",
    ),
    path(
        "monitoring/applications/<int:pk>/",
        views_applications.application_detail,
        name="application-detail",
    ),
    path(
        "monitoring/applications/<int:pk>/<str:step>/",
        views_applications.application_step,
        name="application-step",
    ),
    path(
        "monitoring/grids/<str:code>/applications/",
        views_applications.application_list,
        name="application-list",
    ),
    path("monitoring/grids/<str:code>/clues/", views.clue_inbox, name="clue-inbox"),
    path("monitoring/grids/<str:code>/coverage/", views.coverage, name="visit-coverage"),
    path("monitoring/clues/<int:pk>/<str:step>/", views.clue_step, name="clue-step"),
    path(
        "monitoring/grids/<str:code>/reviews/",
        views_reviews.village_reviews,
        name="review-village",
    ),
    path(
        "monitoring/grids/<str:code>/approvals/",
        views_reviews.approval_queue,
        name="review-approvals",
    ),
    path(
        "monitoring/grids/<str:code>/confirmations/",
        views_reviews.confirmation_queue,
        name="review-confirmations",
    ),
    path("monitoring/grids/<str:code>/cases/", case_views.village_cases, name="case-village"),
    path("monitoring/grids/<str:code>/overdue/", views_reviews.overdue, name="review-overdue"),
    path("monitoring/reviews/<int:pk>/", views_reviews.review_detail, name="review-detail"),
    path("monitoring/reviews/<int:pk>/notice/", views_reviews.review_notice, name="review-notice"),
    path("monitoring/reviews/<int:pk>/<str:step>/", views_reviews.review_step, name="review-step"),
    path("monitoring/review-items/<int:pk>/", views_reviews.review_item, name="review-item"),
    path("monitoring/cases/<int:pk>/", case_views.case_detail, name="case-detail"),
]
