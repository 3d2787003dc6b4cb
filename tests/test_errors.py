"""handler500 (sotay_plugins/errors.py): an outage is a 503 that says to retry, a bug a 500; the
API keeps its JSON shape with a Vietnamese detail, pages are plain HTML."""

import re

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import include, path


def database_away(request):
    raise OperationalError("server closed the connection unexpectedly")


def bug(request):
    raise KeyError("oops")


urlpatterns = [
    path("api/v1/outage/", database_away),
    path("api/v1/bug/", bug),
    path("trang/outage/", database_away),
    path("", include("config.urls")),  # the middleware reverses the project's own names
]
handler500 = "sotay_plugins.errors.server_error"


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_database_outage_is_a_503_to_retry(client):
    response = client.get("/api/v1/outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    assert "thử lại" in response.json()["detail"]
    page = client.get("/trang/outage/")
    assert page.status_code == 503 and "Hệ thống đang bận" in page.content.decode()
    # Its one inline style carries the nonce of the page's Content-Security-Policy.
    nonce = re.search(r'<style nonce="([^"]+)">', page.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]
    assert " style=" not in page.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_bug_is_a_500_without_retry_after(client):
    response = client.get("/api/v1/bug/")
    assert response.status_code == 500 and not response.has_header("Retry-After")
    assert response.json()["detail"]


def test_the_project_uses_this_handler():
    import config.urls

    assert config.urls.handler500 == "sotay_plugins.errors.server_error"
