"""The member-facing routes of the plugin (config/urls.py includes them at the site's root)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import accounts
from .twofactor import urls as twofactor_urls
from .views import qr, shell

app_name = "members"
urlpatterns = [
    path("", shell.home, name="home"),
    path("ho-so/", shell.profile, name="profile"),
    path("chu-lon/", shell.large_type, name="large_type"),
    path("dang-nhap/", accounts.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("kich-hoat/", accounts.ActivationView.as_view(), name="activate"),
    path("ma-qr/", qr.my_qr, name="my_qr"),
    path("ma-qr/the/", qr.my_qr_card, name="my_qr_card"),
    path("ma-qr/the-giay/", qr.my_printed_card, name="my_printed_card"),
    *twofactor_urls.urlpatterns,  # staff enrol and verify their second factor here
]
