from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("grids/search/", views.grid_search, name="grid-search"),
    path("grids/<str:code>/", views.grid_detail, name="grid-page"),
]
