"""Member-facing routes of the study plugin (app namespace ``study``)."""

app_name = "study"
urlpatterns = []
