"""The site's URLs (config/urls.py) with the bare view first (bench/bare.py)."""

from django.urls import path

from bench.bare import bare
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site_urlpatterns]
