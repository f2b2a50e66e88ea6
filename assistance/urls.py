"""Pages of the assistance app."""

from django.urls import path

from . import views

urlpatterns = [
    path("assistance/households/<int:pk>/plan/", views.plan_page, name="assistance-plan"),
    path(
        "assistance/households/<int:pk>/plan/create/",
        views.plan_create,
        name="assistance-plan-create",
    ),
    path(
        "assistance/plans/<int:pk>/suggested/",
        views.measure_add_suggested,
        name="assistance-add-suggested",
    ),
    path("assistance/plans/<int:pk>/measures/", views.measure_add, name="assistance-measure-add"),
    path(
        "assistance/measures/<int:pk>/state/", views.measure_state, name="assistance-measure-state"
    ),
    path(
        "assistance/department/measures/",
        views.department_measures,
        name="assistance-department-measures",
    ),
    path("assistance/grids/<str:code>/overdue/", views.overdue_list, name="assistance-overdue"),
]
