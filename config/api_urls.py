"""/api/v1/: the schema, then what the enabled plugins registered (viewsets and plain views).

Its own URLconf so that the OpenAPI schema describes this API only, not Wagtail's admin API.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from sotay_plugins.registry import registry


def api_patterns():
    router = DefaultRouter()
    for route in registry.api_routes:
        router.register(route.prefix, route.viewset, basename=route.basename)
    return [
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        *(path(p.route, p.view.as_view(), name=p.name) for p in registry.api_paths),
        *router.urls,
    ]


urlpatterns = [path("api/v1/", include((api_patterns(), "api"), namespace="api"))]
