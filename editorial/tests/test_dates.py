"""A document's date is the same, and says what it is, wherever it shows (issue 17): the feed,
the library and search give its issuing date labelled "Ban hành" as its page does; its page also
gives the date it was posted ("Ngày đăng"); news give "Đăng"."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from editorial.models import DocumentPage, NewsPage
from editorial.sections import section_for
from sotay_plugins.registry import registry
from tests.factories import MemberFactory, small_tree

pytestmark = pytest.mark.django_db

POSTED = timezone.make_aware(datetime(2026, 5, 5, 9, 0))


@pytest.fixture
def world(client):
    t = small_tree()
    member = MemberFactory(cell=t["c11"])
    doc = DocumentPage(
        title="Nghị quyết về chuyển đổi số",
        issuer_org=t["d1"],
        audience_org=t["d1"],
        number="15-NQ/HU",
        kind="nghi_quyet",
        issued_on=date(2026, 3, 1),
        summary="Trích yếu",
        live=True,
    )
    section_for(t["d1"]).add_child(instance=doc)
    news = NewsPage(title="Hội nghị sơ kết", issuer_org=t["d1"], audience_org=t["d1"], live=True)
    section_for(t["d1"]).add_child(instance=news)
    DocumentPage.objects.filter(pk=doc.pk).update(published_at=POSTED)
    NewsPage.objects.filter(pk=news.pk).update(published_at=POSTED)
    client.force_login(member.user)
    return {"doc": DocumentPage.objects.get(pk=doc.pk), "news": news}


def text(response):
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_feed_and_the_library_give_the_issuing_date_labelled(world, client):
    for url in ("/", "/thu-vien/"):
        page = text(client.get(url))
        assert 'Ban hành <time datetime="2026-03-01">01/03/2026</time>' in page, url
        assert "05/05/2026" not in page.split("15-NQ/HU", 1)[1].split("</a>", 1)[0], url


def test_the_document_page_labels_both_dates(world, client):
    page = text(client.get(world["doc"].url))
    assert 'Ngày ban hành</dt><dd><time datetime="2026-03-01">01/03/2026' in page
    assert "Ngày đăng</dt><dd><time" in page and "05/05/2026" in page


def test_news_say_posted(world, client):
    page = text(client.get(world["news"].url))
    assert "Đăng <time" in page and "05/05/2026" in page


def test_search_dates_documents_by_their_issuing_date_with_the_same_label():
    document, news = registry.searchable["document"], registry.searchable["news"]
    assert document.date_field == "issued_on" and str(document.date_label) == "Ban hành"
    assert news.date_field == "published_at" and str(news.date_label) == "Đăng"
