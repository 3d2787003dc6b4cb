from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from sotay_plugins.plugin import enabled_plugins
from sotay_plugins.registry import registry


def api_urls():
    """/api/v1/: the schema, then what the enabled plugins registered."""
    router = DefaultRouter()
    for route in registry.api_routes:
        router.register(route.prefix, route.viewset, basename=route.basename)
    return [
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        *(path(p.route, p.view.as_view(), name=p.name) for p in registry.api_paths),
        *router.urls,
    ]


def plugin_urls():
    """Each enabled plugin's member-facing routes (its ``urls`` module, if it has one)."""
    from importlib import import_module
    from importlib.util import find_spec

    patterns = []
    for config in enabled_plugins():
        if find_spec(f"{config.name}.urls"):
            patterns.append(path("", include(import_module(f"{config.name}.urls"))))
    return patterns


urlpatterns = [
    path("quan-tri/", include(wagtailadmin_urls)),
    path("api/v1/", include((api_urls(), "api"), namespace="api")),
    path("django-rq/", include("django_rq.urls")),
    *plugin_urls(),
    path("trang/", include(wagtail_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
