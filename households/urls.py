from django.urls import path

from . import views

urlpatterns = [
    path("households/", views.household_list, name="household-list"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/import/", views.household_import, name="household-import"),
    path("households/import/template.xlsx", views.import_template, name="household-template"),
    path("households/export.xlsx", views.household_export, name="household-export"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/members/new/", views.person_add, name="person-add"),
    path("offline/pages.json", views.offline_pages, name="offline-pages"),
    path("photos/<int:pk>/<str:size>.jpg", views.photo_file, name="photo-file"),
    path("photos/<int:pk>/delete/", views.photo_remove, name="photo-delete"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person-reveal"),
]
