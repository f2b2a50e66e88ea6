from django.urls import path

from . import views

urlpatterns = [
    path("monitoring/households/<int:pk>/visit/", views.visit_create, name="visit-create"),
    path("monitoring/grids/<str:code>/clues/", views.clue_inbox, name="clue-inbox"),
    path("monitoring/grids/<str:code>/coverage/", views.coverage, name="visit-coverage"),
    path("monitoring/clues/<int:pk>/<str:step>/", views.clue_step, name="clue-step"),
]
