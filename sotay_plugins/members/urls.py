from django.contrib.auth import views as auth_views
from django.urls import path

from . import accounts, credential_views, views

app_name = "members"
urlpatterns = [
    path("", views.home, name="home"),
    path("ho-so/", views.profile, name="profile"),
    path("chu-lon/", views.large_type, name="large_type"),
    path("dang-nhap/", accounts.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("kich-hoat/", accounts.ActivationView.as_view(), name="activate"),
    path("ma-qr/", credential_views.my_qr, name="my_qr"),
]
