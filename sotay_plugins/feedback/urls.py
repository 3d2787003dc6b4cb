"""Member-facing routes of the feedback plugin (app namespace ``feedback``)."""

from django.urls import path

from .views import member

app_name = "feedback"
urlpatterns = [
    path("gop-y/", member.feedback_list, name="list"),
    path("gop-y/gui/", member.send, name="send"),
    path("gop-y/<uuid:pk>/", member.detail, name="detail"),
    path("gop-y/<uuid:pk>/tra-loi/", member.reply, name="reply"),
    path("gop-y/<uuid:pk>/tep/<int:number>/", member.attachment, name="file"),
    path("hoi-dap/", member.questions, name="questions"),
    path("hoi-dap/hoi/", member.ask, name="ask"),
    path("hoi-dap/<int:pk>/", member.question, name="question"),
]
