"""Member routes of meeting materials (app namespace ``meetings``)."""

from django.urls import path

from . import views_materials as views

urlpatterns = [
    path("tai-lieu-sinh-hoat/", views.material_list, name="materials"),
    path("tai-lieu-sinh-hoat/<int:pk>/", views.material_detail, name="material"),
    path("tai-lieu-sinh-hoat/<int:pk>/tep/", views.material_download, name="material_file"),
]
