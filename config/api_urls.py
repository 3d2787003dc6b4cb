"""/api/v1/: the schema, then what the enabled plugins registered (viewsets and plain views).

Its own URLconf so that the OpenAPI schema describes this API only, not Wagtail's admin API.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from sotay_plugins.registry import registry


class Router(DefaultRouter):
    """Every object is named by an integer, so a detail route matches digits only (unless the
    viewset says otherwise): ``/api/v1/materials/null,null/`` is an address that does not exist
    (the JSON 404 below), not a lookup that fails with a 500 in a view that calls ``int()``.

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


PREFIX = "api/v1/"

urlpatterns = [path(PREFIX, include((api_patterns(), "api"), namespace="api"))]


def page_not_found(request, exception):
    """The site's 404 (config.urls.handler404): under /api/v1/ the API's error shape, so that an
    address no route matches (``/api/v1/meetings/abc/checkin/``: ids are integers) answers like
    an object out of scope does, ``{"detail": "Không tìm thấy."}``, not an English HTML page."""
    if request.path.startswith(f"/{PREFIX}"):
        return JsonResponse({"detail": _("Không tìm thấy.")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """The site's 400 (config.urls.handler400), for what Django refuses before any view: under
    /api/v1/ in the API's error shape; a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413."""
    if not request.path.startswith(f"/{PREFIX}"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": _("Dữ liệu gửi lên quá lớn.")}, status=413)
    return JsonResponse({"detail": _("Yêu cầu không hợp lệ.")}, status=400)
