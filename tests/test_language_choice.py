import pytest
from django.conf import settings


@pytest.mark.django_db
def test_vietnamese_even_when_the_browser_asks_for_english(client):
    response = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert "Đăng nhập" in response.content.decode()


@pytest.mark.django_db
def test_the_chosen_language_wins(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/dang-nhap/")["Content-Language"] == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # not offered: back to Vietnamese
    assert client.get("/dang-nhap/")["Content-Language"] == "vi"


@pytest.mark.django_db
def test_api_errors_stay_vietnamese_for_an_english_browser(api):
    response = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Chưa đăng nhập")
    assert "không hợp lệ" in api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token sai").json()["detail"]
    from tests.factories import UserFactory

    api.force_authenticate(UserFactory())
    not_allowed = api.delete("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert not_allowed.status_code == 405 and not_allowed.json()["detail"].startswith("Phương thức")
