"""The site's URLs (config/urls.py) with the bare view first (bench/bare.py)."""

from django.urls import path

from bench.bare import bare
from config import urls as site

urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site.urlpatterns]
handler500 = site.handler500  # the site's error answers too (503 on an outage)
