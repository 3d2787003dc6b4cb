"""Member routes of the newsroom and the library (app namespace ``editorial``). The news and
document pages themselves are Wagtail pages, served under /trang/. Other parts of the plugin
add their routes from their own ``urls_<part>`` module, if present (e.g. ``urls_publishing``:
the scheduler's health)."""

from importlib import import_module
from importlib.util import find_spec

from django.urls import path

from . import views

app_name = "editorial"
urlpatterns = [
    path("thu-vien/", views.library, name="library"),
    path("tin-tuc/", views.news_list, name="news"),
    path("doc-sau/", views.bookmarks, name="bookmarks"),
    path("doc-sau/<int:page_id>/", views.bookmark_toggle, name="bookmark"),
    path("tep/<int:file_id>/", views.file_download, name="file"),
]
for _part in ("urls_publishing",):
    if find_spec(f"editorial.{_part}"):
        urlpatterns += import_module(f"editorial.{_part}").urlpatterns
