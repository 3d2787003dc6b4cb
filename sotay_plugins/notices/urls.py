"""Member-facing routes of the notices plugin (app namespace ``notices``)."""

from django.urls import path

from .views import inbox

app_name = "notices"
urlpatterns = [
    path("thong-bao/", inbox.inbox, name="inbox"),
    path("thong-bao/<int:pk>/mo/", inbox.open_notice, name="open"),
    path("thong-bao/<int:pk>/da-doc/", inbox.mark_one_read, name="read"),
    path("thong-bao/da-doc-het/", inbox.mark_all_read, name="read_all"),
    path("thong-bao/cai-dat/", inbox.preferences, name="preferences"),
    # The service worker, at the site's root so that its scope is the whole site.
    path("sw.js", inbox.service_worker, name="service_worker"),
]
