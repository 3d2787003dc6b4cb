"""Member-facing and staff routes of the reports plugin (app namespace ``reports``)."""

app_name = "reports"
urlpatterns = []

# rollups
from django.urls import path  # noqa: E402

from .rollups import views as rollup_views  # noqa: E402

urlpatterns += [
    path("bao-cao/", rollup_views.my_reports, name="my"),
    path("bao-cao/it-doc/", rollup_views.my_readers, name="my_readers"),
    path("bao-cao/van-ban/", rollup_views.my_documents, name="my_documents"),
]

# exports
