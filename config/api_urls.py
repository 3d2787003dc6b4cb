"""/api/v1/: the schema, then what the enabled plugins registered (viewsets and plain views).

Its own URLconf so that the OpenAPI schema describes this API only, not Wagtail's admin API.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from sotay_plugins.registry import registry


class Router(DefaultRouter):
    """Every object is named by an integer, so a detail route matches digits only (unless the
    viewset says otherwise): ``/api/v1/materials/null,null/`` is an address that does not exist
    (the API's JSON 404: sotay_plugins.errors.page_not_found), not a lookup that fails with a
    500 in a view that calls ``int()``.

    No format-suffix routes (``documents/1/files/2.json``): the API speaks JSON only, and the
    suffix routes handed a ``format`` argument to actions that take none (another 500).
    """

    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        regex = super().get_lookup_regex(viewset, lookup_prefix)
        if getattr(viewset, "lookup_value_regex", None) is None:
            regex = regex.replace(">[^/.]+)", ">[0-9]+)")  # DRF's default: anything but / and .
        return regex


def api_patterns():
    router = Router()
    for route in registry.api_routes:
        router.register(route.prefix, route.viewset, basename=route.basename)
    return [
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        *(path(p.route, p.view.as_view(), name=p.name) for p in registry.api_paths),
        *router.urls,
    ]


urlpatterns = [path("api/v1/", include((api_patterns(), "api"), namespace="api"))]
