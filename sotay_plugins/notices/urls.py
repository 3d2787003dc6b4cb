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
    # The service worker (/sw.js: push, the cached shell, offline reading) is the site's, served
    # by the core (sotay_plugins/serviceworker.py), not by this plugin.
]
