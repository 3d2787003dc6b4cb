"""Member-facing and staff routes of the reports plugin (app namespace ``reports``)."""

app_name = "reports"
urlpatterns = []

# rollups

# exports
