from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from sotay_plugins import serviceworker
from sotay_plugins.plugin import enabled_plugins


def plugin_urls():
    """Each enabled plugin's member-facing routes: the URLconf its AppConfig declares (``urls``,
    mounted at ``url_prefix``), in the order the plugins are enabled."""
    return [
        path(config.url_prefix, include(config.urls))
        for config in enabled_plugins()
        if config.urls is not None
    ]


urlpatterns = [
    path("quan-tri/", include(wagtailadmin_urls)),
    path("", include("config.api_urls")),
    path("django-rq/", include("django_rq.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The site's service worker at the root (its scope is the whole site) and its offline page.
    path("sw.js", serviceworker.service_worker, name="service_worker"),
    path("ngoai-tuyen/", serviceworker.offline_page, name="offline_page"),
    *plugin_urls(),
    path("trang/", include(wagtail_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database or Redis outage answers 503 with Retry-After (scanners retry), anything else 500.
handler500 = "sotay_plugins.errors.server_error"
# Refused before any view: the API's JSON shape under /api/ (sotay_plugins/errors.py).
handler400 = "sotay_plugins.errors.bad_request"
handler404 = "sotay_plugins.errors.page_not_found"
