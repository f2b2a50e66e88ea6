from django.urls import path

from . import people, views

urlpatterns = [
    path("accounts/second-factor/", views.verify, name="second-factor"),
    path("accounts/second-factor/setup/", views.setup, name="second-factor-setup"),
    path("accounts/second-factor/backup-codes/", views.backup_codes, name="second-factor-codes"),
    path("people/", people.person_list, name="people"),
    path("people/new/", people.person_new, name="person-new"),
    path("people/<int:pk>/", people.person_detail, name="person-detail"),
]
