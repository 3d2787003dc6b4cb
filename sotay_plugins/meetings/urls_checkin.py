from django.urls import path

from . import views_checkin as views

urlpatterns = [
    path("sinh-hoat/<int:pk>/diem-danh/", views.checkin_page, name="checkin"),
    path("sinh-hoat/<int:pk>/diem-danh/danh-dau/", views.mark_member, name="checkin_mark"),
]
