from django.http import HttpResponse
from django.urls import path

app_name = "dummyplugin"
urlpatterns = [path("cham/", lambda request: HttpResponse("ok"), name="poke")]
