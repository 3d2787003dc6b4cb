"""Member routes of the newsroom and the library (app namespace ``editorial``), declared by
``EditorialConfig.urls``. The news and document pages themselves are Wagtail pages, served
under /trang/; the API is registered in ``apps``."""

from django.urls import path

from .publishing.health import public_health
from .views import bookmarks, files, library, news

app_name = "editorial"
urlpatterns = [
    path("thu-vien/", library.library, name="library"),
    path("tin-tuc/", news.news_list, name="news"),
    path("doc-sau/", bookmarks.bookmarks, name="bookmarks"),
    path("doc-sau/<int:page_id>/", bookmarks.bookmark_toggle, name="bookmark"),
    path("tep/<int:file_id>/", files.file_download, name="file"),
    path("tep/<int:file_id>/doc/", files.file_text, name="file_text"),
    path("nghe/<int:page_id>/", files.page_audio, name="page_audio"),
    # The scheduler's health, figure-free (a load balancer, a monitor); the staff JSON is
    # /api/v1/health/scheduler/.
    path("suc-khoe/", public_health, name="health"),
]
