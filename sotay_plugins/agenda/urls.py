"""Member-facing routes of the agenda plugin (app namespace ``agenda``)."""

from django.urls import path, re_path

from .views import calendar, tasks

app_name = "agenda"
urlpatterns = [
    path("lich/", calendar.month, name="month"),
    path("lich/sap-toi/", calendar.upcoming, name="upcoming"),
    path("lich/them/", calendar.entry_new, name="entry_new"),
    path("lich/rieng/<int:pk>/", calendar.entry_edit, name="entry_edit"),
    path("lich/rieng/<int:pk>/xoa/", calendar.entry_delete, name="entry_delete"),
    path("lich/dien-thoai/", calendar.feed_settings, name="feed_settings"),
    path("lich/dien-thoai/doi-dia-chi/", calendar.feed_reset, name="feed_reset"),
    re_path(r"^lich/ical/(?P<token>[^/]{1,100})\.ics$", calendar.feed, name="feed"),
    path("nhiem-vu/", tasks.task_list, name="tasks"),
    path("nhiem-vu/giao/", tasks.task_new, name="task_new"),
    path("nhiem-vu/<int:pk>/", tasks.task_detail, name="task"),
    path("nhiem-vu/tep/<int:pk>/", tasks.progress_file, name="progress_file"),
]
