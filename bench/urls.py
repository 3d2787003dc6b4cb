"""The site's URLs (config/urls.py) with the bare view first (bench/bare.py), and the static
files served from STATIC_ROOT, gzipped, as nginx serves them in production
(site/deploy/): the production settings serve none, and a browser benchmark (Lighthouse) must
see the pages with their stylesheets, scripts and manifest."""

from django.conf import settings
from django.urls import path, re_path
from django.views.decorators.gzip import gzip_page
from django.views.static import serve

from bench.bare import bare
from config import urls as site

urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    re_path(
        r"^static/(?P<path>.*)$",
        gzip_page(serve),
        {"document_root": settings.STATIC_ROOT},
        name="bench-static",
    ),
    *site.urlpatterns,
]
handler500 = site.handler500  # the site's error answers too (503 on an outage)
