import pytest
from wagtail.models import Site

from editorial.models import HomePage


@pytest.mark.django_db
def test_the_default_site_is_rooted_at_the_province_home(client):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert HomePage.objects.count() == 1
    response = client.get("/trang/", HTTP_HOST="localhost")
    assert response.status_code == 200 and "Sổ tay đảng viên điện tử" in response.content.decode()
