"""Public, figure-free health of the publishing scheduler (for a load balancer or a monitor).
Included by ``editorial/urls.py``; the staff JSON is ``/api/v1/health/scheduler/``."""

from django.urls import path

from .health import public_health

urlpatterns = [path("suc-khoe/", public_health, name="health")]
