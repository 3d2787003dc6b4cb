"""Enrolment and verification live in the site's shell (members' URL namespace), reached by
staff before the admin: ``members:twofactor_verify``, ``members:twofactor_enrol``."""

from django.urls import path

from . import views

urlpatterns = [
    path("xac-thuc-hai-buoc/", views.verify, name="twofactor_verify"),
    path("xac-thuc-hai-buoc/dang-ky/", views.enrol, name="twofactor_enrol"),
]
