from django.urls import path

from . import views

urlpatterns = [
    path("households/", views.household_list, name="household-list"),
    path("households/import/", views.household_import, name="household-import"),
    path("households/import/template.xlsx", views.import_template, name="household-template"),
    path("households/export.xlsx", views.household_export, name="household-export"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person-reveal"),
]
