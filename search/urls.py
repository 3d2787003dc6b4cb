from django.urls import path, register_converter

from sotay_plugins.registry import SEARCHABLE_KEY

from . import views


class KindConverter:
    """A searchable kind's key ("document", "study.resolution"): what the registry accepts."""

    regex = SEARCHABLE_KEY.pattern

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(KindConverter, "search_kind")

app_name = "search"
urlpatterns = [
    path("tim-kiem/", views.search_page, name="search"),
    path("tim-kiem/mo/<search_kind:kind>/<int:pk>/", views.open_hit, name="open"),
]
